/*
 * Bad arguments fail the call with the Linux error, and never kill the process: bad pointers
 * give EFAULT, bad descriptors EBADF, unknown syscalls ENOSYS, bad values EINVAL.
 * stdin must be open for reading (the runner gives /dev/null); the kernel-half address is
 * rejected before any data would be read, as Linux's access_ok does.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define BAD_PTR ((void *)1)
#define KERNEL_PTR ((void *)0xffff800000000000UL)

/* System call n as the kernel returns it: the C library's syscall() makes -ENOSYS -1 and errno. */
static long raw_syscall0(long n)
{
	long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(n) : "rcx", "r11", "memory");
	return ret;
}

int main(void)
{
	char buf[16];
	struct timespec ts;
	struct iovec bad_base[2] = { { NULL, 10 }, { "x", 1 } };

	check_errno(write(1, NULL, 10), EFAULT, "write(1, NULL, 10) -> EFAULT");
	check_errno(write(1, BAD_PTR, 10), EFAULT, "write(1, (void *)1, 10) -> EFAULT");
	check(write(1, BAD_PTR, 0) == 0, "write of 0 bytes from a bad pointer -> 0");
	check_errno(write(99, "x", 1), EBADF, "write(99, ...) -> EBADF");
	check_errno(write(-1, "x", 1), EBADF, "write(-1, ...) -> EBADF");
	check_errno(read(99, buf, sizeof buf), EBADF, "read(99, ...) -> EBADF");
	check_errno(read(0, KERNEL_PTR, 10), EFAULT, "read(0, kernel address, 10) -> EFAULT");
	check_errno(close(99), EBADF, "close(99) -> EBADF");

	check(raw_syscall0(400) == -ENOSYS, "raw syscall 400 returns -ENOSYS");
	check_errno(syscall(400), ENOSYS, "syscall 400 -> ENOSYS");
	check_errno(syscall(100000), ENOSYS, "syscall 100000 -> ENOSYS");

	/* The call itself: natively the C library would read the clock in the vDSO, and fault. */
	check_errno(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_PTR), EFAULT,
		    "clock_gettime(bad pointer) -> EFAULT");
	check_errno(clock_gettime(12345, &ts), EINVAL, "clock_gettime(bad clock) -> EINVAL");
	check_errno(uname(BAD_PTR), EFAULT, "uname(bad pointer) -> EFAULT");

	ts = (struct timespec){ 0, 1000000000 };
	check_errno(nanosleep(&ts, NULL), EINVAL, "nanosleep(tv_nsec 1e9) -> EINVAL");
	ts = (struct timespec){ 0, -1 };
	check_errno(nanosleep(&ts, NULL), EINVAL, "nanosleep(tv_nsec -1) -> EINVAL");

	check_errno(writev(1, BAD_PTR, 2), EFAULT, "writev(bad iov) -> EFAULT");
	check_errno(writev(1, bad_base, 2), EFAULT, "writev(iov with a NULL base) -> EFAULT");
	return check_status();
}

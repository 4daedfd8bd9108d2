/*
 * Bad arguments fail the call with the Linux error, and never kill the process: bad pointers
 * give EFAULT, bad descriptors EBADF, unknown syscalls ENOSYS, bad values EINVAL.
 * stdin must be open for reading (the runner gives /dev/null); the kernel-half address is
 * rejected before any data would be read, as Linux's access_ok does.
 */
#include <ecl/syscall.h>
#include <ecl/unistd.h>
#include <stdint.h>

#include "check.h"

#define BAD_PTR ((void *)1)
#define KERNEL_PTR ((void *)0xffff800000000000UL)

int main(void)
{
	char buf[16];
	struct linux_timespec ts;
	struct linux_iovec bad_base[2] = { { 0, 10 }, { (uintptr_t)"x", 1 } };

	check_errno(write(1, NULL, 10), EFAULT, "write(1, NULL, 10) -> EFAULT");
	check_errno(write(1, BAD_PTR, 10), EFAULT, "write(1, (void *)1, 10) -> EFAULT");
	check(write(1, BAD_PTR, 0) == 0, "write of 0 bytes from a bad pointer -> 0");
	check_errno(write(99, "x", 1), EBADF, "write(99, ...) -> EBADF");
	check_errno(write(-1, "x", 1), EBADF, "write(-1, ...) -> EBADF");
	check_errno(read(99, buf, sizeof buf), EBADF, "read(99, ...) -> EBADF");
	check_errno(read(0, KERNEL_PTR, 10), EFAULT, "read(0, kernel address, 10) -> EFAULT");
	check_errno(close(99), EBADF, "close(99) -> EBADF");

	check(syscall0(400) == -ENOSYS, "raw syscall 400 returns -ENOSYS");
	check_errno(syscall_ret(syscall0(400)), ENOSYS, "syscall 400 -> ENOSYS");
	check_errno(syscall_ret(syscall0(100000)), ENOSYS, "syscall 100000 -> ENOSYS");

	check_errno(clock_gettime(CLOCK_MONOTONIC, BAD_PTR), EFAULT, "clock_gettime(bad pointer) -> EFAULT");
	check_errno(clock_gettime(12345, &ts), EINVAL, "clock_gettime(bad clock) -> EINVAL");
	check_errno(uname(BAD_PTR), EFAULT, "uname(bad pointer) -> EFAULT");

	ts = (struct linux_timespec){ 0, 1000000000 };
	check_errno(nanosleep(&ts, NULL), EINVAL, "nanosleep(tv_nsec 1e9) -> EINVAL");
	ts = (struct linux_timespec){ 0, -1 };
	check_errno(nanosleep(&ts, NULL), EINVAL, "nanosleep(tv_nsec -1) -> EINVAL");

	check_errno(writev(1, BAD_PTR, 2), EFAULT, "writev(bad iov) -> EFAULT");
	check_errno(writev(1, bad_base, 2), EFAULT, "writev(iov with a NULL base) -> EFAULT");
	return check_status();
}

/* System calls as the hello guest makes them: arguments, results, and what they change. */
#include "guest.h"

#include <kernel/frame.h>
#include <kernel/syscall.h>
#include <string.h>

START_TEST(test_identity)
{
	ck_assert_int_eq(SYS(SYS_getpid, 0), guest_pid);
	ck_assert_int_eq(guest_pid, 1);
	ck_assert_int_eq(SYS(SYS_getppid, 0), 0);
	ck_assert_uint_eq(fake_counts.cpu_inits, 1);
}
END_TEST

START_TEST(test_write_console)
{
	uint64_t msg = guest_str("hello, console\n");
	ck_assert_int_eq(SYS(SYS_write, 1, msg, 15), 15);
	ck_assert_str_eq(console_out(), "hello, console\n");
	ck_assert_str_eq(console_err(), "");
	ck_assert_int_eq(SYS(SYS_write, 2, msg, 5), 5);
	ck_assert_str_eq(console_err(), "hello");
	ck_assert_int_eq(SYS(SYS_write, 1, msg, 0), 0);
	ck_assert_int_eq(SYS(SYS_write, 1, 0, 0), 0);
	ck_assert_str_eq(console_out(), "hello, console\n");

	/* Across pages and into demand-paged memory. */
	uint64_t big = guest_buf(3 * PG);
	char text[3 * PG];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	ck_assert_int_eq(copy_out(guest->proc->mm, big, text, 2 * PG), 0);
	fake_console_clear();
	ck_assert_int_eq(SYS(SYS_write, 1, big + 100, 2 * PG), 2 * PG);
	size_t len;
	const char *o = fake_console_output(1, &len);
	ck_assert_uint_eq(len, 2 * PG);
	ck_assert_mem_eq(o, text + 100, 2 * PG - 100);
	ck_assert_mem_eq(o + 2 * PG - 100, (char[100]){0}, 100);
}
END_TEST

START_TEST(test_write_console_error)
{
	uint64_t msg = guest_str("lost");
	fake_console_fail(-EIO);
	ck_assert_int_eq(SYS(SYS_write, 1, msg, 4), -EIO);
	fake_console_fail(0);
	ck_assert_int_eq(SYS(SYS_write, 1, msg, 4), 4);
	ck_assert_str_eq(console_out(), "lost");
}
END_TEST

START_TEST(test_write_bad_pointer)
{
	uint64_t buf = guest_guarded(PG);
	ck_assert_int_eq(copy_out(guest->proc->mm, buf, "visible?", 8), 0);
	ck_assert_int_eq(SYS(SYS_write, 1, 0, 4), -EFAULT);
	ck_assert_int_eq(SYS(SYS_write, 1, KERNEL_HALF, 4), -EFAULT);
	ck_assert_int_eq(SYS(SYS_write, 1, 0x1000000, 4), -EFAULT);
	ck_assert_int_eq(SYS(SYS_write, 1, buf + PG - 4, 8), -EFAULT); /* runs off the end */
	ck_assert_int_eq(SYS(SYS_write, 1, buf, UINT64_MAX), -EFAULT);
	ck_assert_int_eq(SYS(SYS_write, 2, USER_END - 2, 4), -EFAULT);
	ck_assert_str_eq(console_out(), "");
	ck_assert_str_eq(console_err(), "");
}
END_TEST

START_TEST(test_bad_file_descriptors)
{
	uint64_t msg = guest_str("x");
	ck_assert_int_eq(SYS(SYS_write, 5, msg, 1), -EBADF);
	ck_assert_int_eq(SYS(SYS_write, 0, msg, 1), -EBADF);
	ck_assert_int_eq(SYS(SYS_write, NONE, msg, 1), -EBADF);
	/* A descriptor is an unsigned int: the upper half of the register is not looked at. */
	ck_assert_int_eq(SYS(SYS_write, 1ull << 32 | 5, msg, 1), -EBADF);
	ck_assert_int_eq(SYS(SYS_read, 1, msg, 1), -EBADF);
	ck_assert_int_eq(SYS(SYS_read, 7, msg, 1), -EBADF);
	ck_assert_int_eq(SYS(SYS_close, 9), -EBADF);
	ck_assert_int_eq(SYS(SYS_close, 1), 0);
	ck_assert_int_eq(SYS(SYS_close, 1), -EBADF);
	ck_assert_int_eq(SYS(SYS_write, 1, msg, 1), -EBADF);
	ck_assert_int_eq(SYS(SYS_write, 2, msg, 1), 1);
	ck_assert_str_eq(console_out(), "");
	ck_assert_str_eq(console_err(), "x");
}
END_TEST

START_TEST(test_unknown_syscalls_enosys)
{
	static const uint64_t numbers[] = {400, 335, 499, 522, 527, 528, 1000, 1ull << 32, UINT64_MAX};
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		ck_assert_int_eq(SYS(numbers[i], 1, 2, 3), -ENOSYS);
	ck_assert_ptr_null(syscall_lookup(400));
	ck_assert_ptr_nonnull(syscall_lookup(SYS_write));
}
END_TEST

START_TEST(test_brk)
{
	uint64_t b0 = (uint64_t)SYS(SYS_brk, 0);
	ck_assert_uint_eq(b0, guest->proc->mm->brk_start);
	ck_assert_uint_ne(b0, 0);
	char c = 'h';
	ck_assert_int_eq(copy_out(guest->proc->mm, b0, &c, 1), -EFAULT); /* an empty heap */

	uint64_t b1 = b0 + 3 * PG + 100;
	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, b1), b1);
	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, 0), b1);
	static char heap[4 * PG];
	memset(heap, 'h', sizeof(heap));
	ck_assert_int_eq(copy_out(guest->proc->mm, b0, heap, b1 - b0), 0);
	ck_assert_int_eq(copy_out(guest->proc->mm, b0 + 4 * PG - 1, &c, 1), 0); /* the rest of the page */
	ck_assert_int_eq(copy_out(guest->proc->mm, b0 + 4 * PG, &c, 1), -EFAULT);

	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, b0 + PG), b0 + PG);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, b0 + PG, 1), -EFAULT);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, b0 + PG - 1, 1), 0);
	ck_assert_int_eq(c, 'h');

	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, b0 + 3 * PG), b0 + 3 * PG);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, b0 + 2 * PG, 1), 0);
	ck_assert_int_eq(c, 0); /* given back and taken again: fresh */

	/* Refusals return the break unchanged. */
	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, b0 - PG), b0 + 3 * PG);
	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, USER_END), b0 + 3 * PG);
	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, KERNEL_HALF), b0 + 3 * PG);
	ck_assert_int_eq(SYS(SYS_mmap, b0 + 10 * PG, PG, RW, ANON | MAP_FIXED, NONE, 0),
			 (long)(b0 + 10 * PG));
	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, b0 + 12 * PG), b0 + 3 * PG);
	ck_assert_uint_eq((uint64_t)SYS(SYS_brk, b0), b0);
}
END_TEST

START_TEST(test_mmap_argument_errors)
{
	ck_assert_int_eq(SYS(SYS_mmap, 0, 0, RW, ANON, NONE, 0), -EINVAL);
	ck_assert_int_gt(SYS(SYS_mmap, 0, PG, 8, ANON, NONE, 0), 0); /* unknown prot bits: ignored */
	/* Memory shared between processes is not provided. */
	ck_assert_int_eq(SYS(SYS_mmap, 0, PG, RW, MAP_SHARED | MAP_ANONYMOUS, NONE, 0), -ENODEV);
	ck_assert_int_eq(SYS(SYS_mmap, 0, PG, RW, MAP_ANONYMOUS, NONE, 0), -EINVAL);
	/* Descriptor 1 is write-only: EACCES comes before the file's ENODEV, as Linux. */
	ck_assert_int_eq(SYS(SYS_mmap, 0, PG, RW, MAP_PRIVATE, 1, 0), -EACCES);
	ck_assert_int_eq(SYS(SYS_mmap, 0, PG, RW, MAP_PRIVATE, 7, 0), -EBADF);
	ck_assert_int_eq(SYS(SYS_mmap, 0, PG, RW, MAP_PRIVATE, NONE, 0), -EBADF);
	ck_assert_int_eq(SYS(SYS_mmap, 0x10001000 + 1, PG, RW, ANON | MAP_FIXED, NONE, 0), -EINVAL);
	ck_assert_int_eq(SYS(SYS_mmap, 0, 1ull << 48, RW, ANON, NONE, 0), -ENOMEM);
	ck_assert_int_eq(SYS(SYS_mmap, 0, UINT64_MAX, RW, ANON, NONE, 0), -ENOMEM);
	ck_assert_int_eq(SYS(SYS_mmap, KERNEL_HALF, PG, RW, ANON | MAP_FIXED, NONE, 0), -ENOMEM);
	ck_assert_int_eq(SYS(SYS_mmap, USER_END - PG, 2 * PG, RW, ANON | MAP_FIXED, NONE, 0),
			 -ENOMEM);
}
END_TEST

START_TEST(test_mmap_places_regions)
{
	long a = SYS(SYS_mmap, 0, 3 * PG + 1, RW, ANON, NONE, 0);
	ck_assert_int_gt(a, 0);
	ck_assert_uint_eq((uint64_t)a % PG, 0);
	ck_assert_uint_ge((uint64_t)a, USER_MIN);
	ck_assert_uint_le((uint64_t)a + 4 * PG, USER_END);
	char c = 'm';
	ck_assert_int_eq(copy_out(guest->proc->mm, (uint64_t)a + 4 * PG - 1, &c, 1), 0);
	long b = SYS(SYS_mmap, 0, PG, RW, ANON, NONE, 0);
	ck_assert_int_gt(b, 0);
	ck_assert((uint64_t)b + PG <= (uint64_t)a || (uint64_t)b >= (uint64_t)a + 4 * PG);

	/* A free hint is taken; a busy one is not, and nothing is replaced. */
	ck_assert_int_eq(SYS(SYS_mmap, 0x20000000, PG, PROT_READ, ANON, NONE, 0), 0x20000000);
	ck_assert_int_eq(copy_out(guest->proc->mm, 0x20000000, &c, 1), -EFAULT);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, 0x20000000, 1), 0);
	ck_assert_int_eq(c, 0);
	long d = SYS(SYS_mmap, a, PG, RW, ANON, NONE, 0);
	ck_assert_int_gt(d, 0);
	ck_assert_int_ne(d, a);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, (uint64_t)a + 4 * PG - 1, 1), 0);
	ck_assert_int_eq(c, 'm');

	/* MAP_FIXED replaces. */
	ck_assert_int_eq(SYS(SYS_mmap, a + 3 * PG, PG, RW, ANON | MAP_FIXED, NONE, 0), a + 3 * PG);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, (uint64_t)a + 4 * PG - 1, 1), 0);
	ck_assert_int_eq(c, 0);
}
END_TEST

START_TEST(test_munmap)
{
	uint64_t a = guest_buf(4 * PG);
	char c = 'u';
	ck_assert_int_eq(copy_out(guest->proc->mm, a + PG, &c, 1), 0);
	ck_assert_int_eq(SYS(SYS_munmap, a + 1, PG), -EINVAL);
	ck_assert_int_eq(SYS(SYS_munmap, a, 0), -EINVAL);
	ck_assert_int_eq(SYS(SYS_munmap, KERNEL_HALF, PG), -EINVAL);
	ck_assert_int_eq(SYS(SYS_munmap, a, UINT64_MAX - PG), -EINVAL);
	ck_assert_int_eq(SYS(SYS_munmap, a, PG), 0);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, a, 1), -EFAULT);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, a + PG, 1), 0);
	ck_assert_int_eq(c, 'u');
	ck_assert_int_eq(SYS(SYS_munmap, a, PG), 0); /* nothing there any more: fine */
	ck_assert_int_eq(SYS(SYS_munmap, a + PG, 3 * PG - 5), 0);
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, a + 3 * PG, 1), -EFAULT);
}
END_TEST

START_TEST(test_munmap_from_below_user_min)
{
	/* munmap(0, len) covers USER_MIN onward too: what is mapped there must go. */
	ck_assert_int_eq(SYS(SYS_mmap, USER_MIN, PG, RW, ANON | MAP_FIXED, NONE, 0), (long)USER_MIN);
	ck_assert_int_eq(copy_out(guest->proc->mm, USER_MIN, "low", 4), 0);
	ck_assert_int_eq(SYS(SYS_munmap, 0, USER_MIN + PG), 0);
	char c;
	ck_assert_msg(copy_in(guest->proc->mm, &c, USER_MIN, 1) == -EFAULT,
		      "munmap(0, USER_MIN + 4096) returned 0 but left the page at USER_MIN mapped");
}
END_TEST

START_TEST(test_mprotect)
{
	uint64_t a = guest_buf(3 * PG);
	ck_assert_int_eq(copy_out(guest->proc->mm, a, "data", 5), 0);
	ck_assert_int_eq(SYS(SYS_mprotect, a + 1, PG, PROT_READ), -EINVAL);
	ck_assert_int_eq(SYS(SYS_mprotect, a, PG, 0x10), -EINVAL); /* 8, PROT_SEM, is known */
	ck_assert_int_eq(SYS(SYS_mprotect, a, 0, PROT_READ), 0);
	ck_assert_int_eq(SYS(SYS_mprotect, a, 4 * PG, PROT_READ), -ENOMEM); /* past the end */
	ck_assert_int_eq(SYS(SYS_mprotect, 0x30000000, PG, PROT_READ), -ENOMEM);
	ck_assert_int_eq(SYS(SYS_mprotect, KERNEL_HALF, PG, PROT_READ), -ENOMEM);
	ck_assert_int_eq(copy_out(guest->proc->mm, a, "D", 1), 0); /* nothing changed */

	ck_assert_int_eq(SYS(SYS_mprotect, a, PG + 1, PROT_READ), 0); /* two pages */
	ck_assert_int_eq(copy_out(guest->proc->mm, a, "X", 1), -EFAULT);
	ck_assert_int_eq(copy_out(guest->proc->mm, a + PG, "X", 1), -EFAULT);
	ck_assert_int_eq(copy_out(guest->proc->mm, a + 2 * PG, "X", 1), 0);
	char buf[5];
	ck_assert_int_eq(copy_in(guest->proc->mm, buf, a, 5), 0);
	ck_assert_str_eq(buf, "Data");
	ck_assert_int_eq(SYS(SYS_write, 1, a, 4), 4);
	ck_assert_int_eq(SYS(SYS_mprotect, a, 2 * PG, RW), 0);
	ck_assert_int_eq(copy_out(guest->proc->mm, a, "Y", 1), 0);
}
END_TEST

START_TEST(test_write_from_prot_none)
{
	uint64_t a = guest_buf(PG);
	ck_assert_int_eq(copy_out(guest->proc->mm, a, "secret", 6), 0);
	ck_assert_int_eq(SYS(SYS_mprotect, a, PG, PROT_NONE), 0);
	ck_assert_int_eq(SYS(SYS_write, 1, a, 6), -EFAULT);
	ck_assert_str_eq(console_out(), "");
}
END_TEST

START_TEST(test_clock_gettime)
{
	fake_clock_set(5250000000ull);
	fake_epoch_set(1700000000ull * 1000000000ull);
	uint64_t ts = guest_buf(PG);
	struct linux_timespec t;
	ck_assert_int_eq(SYS(SYS_clock_gettime, CLOCK_MONOTONIC, ts), 0);
	ck_assert_int_eq(copy_in(guest->proc->mm, &t, ts, sizeof(t)), 0);
	ck_assert_int_eq(t.tv_sec, 5);
	ck_assert_int_eq(t.tv_nsec, 250000000);
	ck_assert_int_eq(SYS(SYS_clock_gettime, CLOCK_REALTIME, ts), 0);
	ck_assert_int_eq(copy_in(guest->proc->mm, &t, ts, sizeof(t)), 0);
	ck_assert_int_eq(t.tv_sec, 1700000005);
	ck_assert_int_eq(t.tv_nsec, 250000000);
	fake_clock_set(7000000001ull);
	ck_assert_int_eq(SYS(SYS_clock_gettime, CLOCK_BOOTTIME, ts), 0);
	ck_assert_int_eq(copy_in(guest->proc->mm, &t, ts, sizeof(t)), 0);
	ck_assert_int_eq(t.tv_sec, 7);
	ck_assert_int_eq(t.tv_nsec, 1);
	ck_assert_int_eq(SYS(SYS_clock_gettime, 99, ts), -EINVAL);
	ck_assert_int_eq(SYS(SYS_clock_gettime, NONE, ts), -EINVAL);
	ck_assert_int_eq(SYS(SYS_clock_gettime, CLOCK_MONOTONIC, 0), -EFAULT);
	ck_assert_int_eq(SYS(SYS_clock_gettime, CLOCK_MONOTONIC, KERNEL_HALF), -EFAULT);
}
END_TEST

START_TEST(test_nanosleep_arguments)
{
	ck_assert_int_eq(SYS(SYS_nanosleep, guest_timespec(0, 1000000000), 0), -EINVAL);
	ck_assert_int_eq(SYS(SYS_nanosleep, guest_timespec(0, -1), 0), -EINVAL);
	ck_assert_int_eq(SYS(SYS_nanosleep, guest_timespec(-1, 0), 0), -EINVAL);
	ck_assert_int_eq(SYS(SYS_nanosleep, 0, 0), -EFAULT);
	ck_assert_int_eq(SYS(SYS_nanosleep, KERNEL_HALF, 0), -EFAULT);
	ck_assert_int_eq(guest->state, THREAD_RUNNABLE);
}
END_TEST

START_TEST(test_uname)
{
	uint64_t at = guest_guarded(PG);
	ck_assert_int_eq(SYS(SYS_uname, at), 0);
	struct linux_utsname u;
	ck_assert_int_eq(copy_in(guest->proc->mm, &u, at, sizeof(u)), 0);
	ck_assert_str_eq(u.sysname, "Linux"); /* the ABI programs get, and check for */
	ck_assert_str_eq(u.machine, "x86_64");
	ck_assert_ptr_nonnull(strstr(u.version, "Eclipse OS " ECLIPSE_VERSION));
	ck_assert_uint_gt(strnlen(u.nodename, LINUX_UTSNAME_LEN), 0);
	ck_assert_uint_lt(strnlen(u.nodename, LINUX_UTSNAME_LEN), LINUX_UTSNAME_LEN);
	ck_assert_uint_lt(strnlen(u.version, LINUX_UTSNAME_LEN), LINUX_UTSNAME_LEN);
	ck_assert_uint_lt(strnlen(u.domainname, LINUX_UTSNAME_LEN), LINUX_UTSNAME_LEN);
	ck_assert_int_eq(SYS(SYS_uname, 0), -EFAULT);
	ck_assert_int_eq(SYS(SYS_uname, at + PG - 100), -EFAULT);
}
END_TEST

START_TEST(test_writev)
{
	uint64_t a = guest_str("first "), b = guest_guarded(7);
	ck_assert_int_eq(copy_out(guest->proc->mm, b, "second\n", 7), 0);
	uint64_t iov = guest_guarded(PG);
	struct linux_iovec v[3] = {{a, 6}, {b, 0}, {b, 7}};
	ck_assert_int_eq(copy_out(guest->proc->mm, iov, v, sizeof(v)), 0);
	ck_assert_int_eq(SYS(SYS_writev, 1, iov, 3), 13);
	ck_assert_str_eq(console_out(), "first second\n");
	fake_console_clear();

	struct linux_iovec bad[3] = {{a, 6}, {KERNEL_HALF, 3}, {b, 7}};
	ck_assert_int_eq(copy_out(guest->proc->mm, iov, bad, sizeof(bad)), 0);
	ck_assert_int_eq(SYS(SYS_writev, 1, iov, 3), -EFAULT);
	ck_assert_str_eq(console_out(), ""); /* an address no user may touch: nothing written */
	/* A piece that runs off its page ends the write where it faults, as on Linux. */
	bad[1] = (struct linux_iovec){b, 8};
	ck_assert_int_eq(copy_out(guest->proc->mm, iov, bad, sizeof(bad)), 0);
	ck_assert_int_eq(SYS(SYS_writev, 1, iov, 3), 6);
	ck_assert_str_eq(console_out(), "first ");
	fake_console_clear();
	ck_assert_int_eq(SYS(SYS_writev, 1, iov + PG - 16, 2), -EFAULT); /* the array itself */
	ck_assert_int_eq(SYS(SYS_writev, 1, 0, 1), -EFAULT);
	ck_assert_str_eq(console_out(), "");
	ck_assert_int_eq(SYS(SYS_writev, 1, iov, NONE), -EINVAL);
	ck_assert_int_eq(SYS(SYS_writev, 1, iov, 1025), -EINVAL);
	ck_assert_int_eq(SYS(SYS_writev, 4, iov, 1), -EBADF);
	ck_assert_int_eq(SYS(SYS_writev, 1, iov, 0), 0);
	struct linux_iovec huge[2] = {{a, 1ull << 62}, {a, 1ull << 62}};
	ck_assert_int_eq(copy_out(guest->proc->mm, iov, huge, sizeof(huge)), 0);
	ck_assert_int_lt(SYS(SYS_writev, 1, iov, 2), 0);
	ck_assert_str_eq(console_out(), "");
}
END_TEST

/* A read fills only what the data can: a buffer bigger than RAM costs a page for 10 bytes. */
START_TEST(test_read_file_into_huge_buffer)
{
	fake_file_add("/etc/small", "0123456789", 10);
	long fd = SYS(SYS_open, guest_str("/etc/small"), O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	size_t huge = 256u << 20; /* four times the unit tests' RAM */
	uint64_t buf = guest_guarded(huge);
	size_t before = frame_free_count();
	ck_assert_int_eq(SYS(SYS_read, fd, buf, huge), 10);
	ck_assert_uint_le(before - frame_free_count(), 4); /* the page and its tables */
	char got[11] = {0};
	ck_assert_int_eq(copy_in(guest->proc->mm, got, buf, 10), 0);
	ck_assert_str_eq(got, "0123456789");
	ck_assert_int_eq(SYS(SYS_read, fd, buf, huge), 0);
	ck_assert_int_eq(SYS(SYS_lseek, fd, 5, SEEK_SET), 5);
	ck_assert_int_eq(SYS(SYS_read, fd, KERNEL_HALF, 10), -EFAULT);
	ck_assert_int_eq(SYS(SYS_read, fd, buf + huge - 2, 2), 2); /* up to the mapping's end */
	ck_assert_int_eq(SYS(SYS_read, fd, buf + huge - 2, 10), -EFAULT); /* 3 bytes: past it */
	ck_assert_int_eq(SYS(SYS_lseek, fd, 0, SEEK_CUR), 7); /* the failed read took nothing */
	ck_assert_int_eq(SYS(SYS_read, fd, buf + huge - 3, 10), 3);
}
END_TEST

/* Offsets at the ends of the range: before the start and past INT64_MAX are refused, and a
 * refused seek moves nothing. */
START_TEST(test_lseek_limits)
{
	fake_file_add("/etc/small", "0123456789", 10);
	long fd = SYS(SYS_open, guest_str("/etc/small"), O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(SYS(SYS_lseek, fd, 4, SEEK_SET), 4);
	ck_assert_int_eq(SYS(SYS_lseek, fd, (uint64_t)INT64_MIN, SEEK_SET), -EINVAL);
	ck_assert_int_eq(SYS(SYS_lseek, fd, (uint64_t)INT64_MIN, SEEK_CUR), -EINVAL);
	ck_assert_int_eq(SYS(SYS_lseek, fd, (uint64_t)INT64_MIN, SEEK_END), -EINVAL);
	ck_assert_int_eq(SYS(SYS_lseek, fd, (uint64_t)-5, SEEK_CUR), -EINVAL);
	ck_assert_int_eq(SYS(SYS_lseek, fd, (uint64_t)-4, SEEK_CUR), 0);
	ck_assert_int_eq(SYS(SYS_lseek, fd, (uint64_t)-10, SEEK_END), 0);
	ck_assert_int_eq(SYS(SYS_lseek, fd, INT64_MAX, SEEK_SET), INT64_MAX);
	ck_assert_int_eq(SYS(SYS_lseek, fd, 1, SEEK_CUR), -EINVAL);
	ck_assert_int_eq(SYS(SYS_lseek, fd, INT64_MAX - 10, SEEK_END), INT64_MAX);
	ck_assert_int_eq(SYS(SYS_lseek, fd, INT64_MAX - 9, SEEK_END), -EINVAL);
	ck_assert_int_eq(SYS(SYS_lseek, fd, 0, 5), -EINVAL);
	ck_assert_int_eq(SYS(SYS_lseek, fd, 0, SEEK_CUR), INT64_MAX);
}
END_TEST

START_TEST(test_read_console)
{
	fake_console_set_input("abc", 3);
	uint64_t buf = guest_guarded(PG);
	ck_assert_int_eq(SYS(SYS_read, 0, KERNEL_HALF, 10), -EFAULT);
	ck_assert_int_eq(SYS(SYS_read, 0, buf + PG - 2, 10), -EFAULT);
	ck_assert_int_eq(SYS(SYS_read, 0, buf, 10), 3); /* nothing was lost to the bad reads */
	char got[4] = {0};
	ck_assert_int_eq(copy_in(guest->proc->mm, got, buf, 3), 0);
	ck_assert_str_eq(got, "abc");
	ck_assert_int_eq(SYS(SYS_read, 0, buf, 10), 0);
	ck_assert_int_eq(SYS(SYS_read, 0, buf, 0), 0);
}
END_TEST

START_TEST(test_arch_prctl)
{
	uint64_t at = guest_buf(PG);
	ck_assert_int_eq(SYS(SYS_arch_prctl, ARCH_SET_FS, 0x7f0000001000ull), 0);
	ck_assert_uint_eq(guest->ctx.regs.fs_base, 0x7f0000001000ull);
	ck_assert_int_eq(SYS(SYS_arch_prctl, ARCH_GET_FS, at), 0);
	uint64_t v = 0;
	ck_assert_int_eq(copy_in(guest->proc->mm, &v, at, 8), 0);
	ck_assert_uint_eq(v, 0x7f0000001000ull);
	ck_assert_int_eq(SYS(SYS_arch_prctl, ARCH_SET_FS, KERNEL_HALF), -EPERM);
	ck_assert_uint_eq(guest->ctx.regs.fs_base, 0x7f0000001000ull);
	ck_assert_int_eq(SYS(SYS_arch_prctl, ARCH_GET_FS, KERNEL_HALF), -EFAULT);
	ck_assert_int_eq(SYS(SYS_arch_prctl, 0x9999, 0), -EINVAL);
}
END_TEST

START_TEST(test_fork_copies_memory)
{
	uint64_t buf = guest_buf(PG);
	ck_assert_int_eq(copy_out(guest->proc->mm, buf, "before", 7), 0);
	long child = SYS(SYS_fork, 0);
	ck_assert_int_gt(child, guest_pid);
	struct thread *c = thread_find((int)child);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_eq(c->proc->parent, guest->proc);
	ck_assert_int_eq(guest_call(c, SYS_getppid, (uint64_t[6]){0}), guest_pid);
	ck_assert_uint_eq(c->ctx.regs.rax, 0);
	ck_assert_uint_gt(fake_counts.uctx_saves, 0); /* the parent's FPU state, made current */
	ck_assert_mem_eq(c->ctx.fpu, guest->ctx.fpu, sizeof(c->ctx.fpu));
	ck_assert_str_eq(c->name, guest->name);
	ck_assert_int_eq(copy_out(guest->proc->mm, buf, "parent", 7), 0);
	ck_assert_int_eq(copy_out(c->proc->mm, buf + 8, "child", 6), 0);
	char s[8];
	ck_assert_int_eq(copy_in(c->proc->mm, s, buf, 7), 0);
	ck_assert_str_eq(s, "before");
	ck_assert_int_eq(copy_in(guest->proc->mm, s, buf + 8, 6), 0);
	ck_assert_str_eq(s, "");

	uint64_t st = guest_buf(PG);
	ck_assert_int_eq(SYS(SYS_wait4, child, st, WNOHANG, 0), 0);
	guest_call(c, SYS_exit, (uint64_t[6]){42});
	ck_assert_int_eq(SYS(SYS_wait4, child, st, 0, 0), child);
	int status;
	ck_assert_int_eq(copy_in(guest->proc->mm, &status, st, sizeof(status)), 0);
	ck_assert_int_eq(status, 42 << 8);
	ck_assert_int_eq(SYS(SYS_wait4, NONE, st, 0, 0), -ECHILD);
	expect_free_after_fini();
}
END_TEST

START_TEST(test_execve_platform_file)
{
	fake_file_add("/bin/other", guest_image, guest_image_len);
	static const char script[] = "#!/bin/other -x\necho interpreted\n";
	static const char orphan[] = "#!/bin/sh\necho no interpreter\n";
	static const char junk[] = "not an ELF, not a script\n";
	fake_file_add("/bin/script", script, sizeof(script));
	fake_file_add("/bin/orphan", orphan, sizeof(orphan));
	fake_file_add("/bin/junk", junk, sizeof(junk));
	uint64_t path = guest_str("/bin/other"), a0 = guest_str("other"), a1 = guest_str("arg");
	uint64_t argv = guest_buf(PG);
	ck_assert_int_eq(copy_out(guest->proc->mm, argv, (uint64_t[]){a0, a1, 0}, 24), 0);
	ck_assert_int_eq(SYS(SYS_execve, guest_str("/nonexistent"), argv, 0), -ENOENT);
	ck_assert_int_eq(SYS(SYS_execve, guest_str(""), argv, 0), -ENOENT);
	ck_assert_int_eq(SYS(SYS_execve, KERNEL_HALF, argv, 0), -EFAULT);
	ck_assert_int_eq(SYS(SYS_execve, path, KERNEL_HALF, 0), -EFAULT);
	ck_assert_int_eq(SYS(SYS_execve, guest_str("/bin/junk"), argv, 0), -ENOEXEC);
	ck_assert_int_eq(SYS(SYS_execve, guest_str("/bin/orphan"), argv, 0), -ENOENT);
	ck_assert_str_eq(guest->name, "hello");
	/* A script runs its interpreter with its argument, the script's path and argv[1...]. */
	ck_assert_int_eq(SYS(SYS_execve, guest_str("/bin/script"), argv, 0), 0);
	ck_assert_str_eq(guest->name, "script"); /* named after the script, as on Linux */
	uint64_t sargc, sargv[4];
	char word[32];
	ck_assert_int_eq(copy_in(guest->proc->mm, &sargc, guest->ctx.regs.rsp, 8), 0);
	ck_assert_uint_eq(sargc, 4);
	ck_assert_int_eq(copy_in(guest->proc->mm, sargv, guest->ctx.regs.rsp + 8, sizeof(sargv)), 0);
	static const char *const want[] = {"/bin/other", "-x", "/bin/script", "arg"};
	for (int i = 0; i < 4; i++) {
		ck_assert_int_ge(copy_str_in(guest->proc->mm, word, sargv[i], sizeof(word)), 0);
		ck_assert_str_eq(word, want[i]);
	}
	/* The new program makes the next call. */
	path = guest_str("/bin/other");
	a0 = guest_str("other");
	a1 = guest_str("arg");
	argv = guest_buf(PG);
	ck_assert_int_eq(copy_out(guest->proc->mm, argv, (uint64_t[]){a0, a1, 0}, 24), 0);
	ck_assert_int_eq(SYS(SYS_execve, path, argv, 0), 0);
	ck_assert_str_eq(guest->name, "other");
	ck_assert_uint_eq(fake_counts.file_opens, fake_counts.file_closes);
	uint64_t argc;
	ck_assert_int_eq(copy_in(guest->proc->mm, &argc, guest->ctx.regs.rsp, 8), 0);
	ck_assert_uint_eq(argc, 2);
	char c;
	ck_assert_int_eq(copy_in(guest->proc->mm, &c, path, 1), -EFAULT); /* the old memory is gone */
	expect_free_after_fini();
}
END_TEST

START_TEST(test_execve_boot_image)
{
	static const char junk[] = "not this one";
	newc_entry(&guest_boot_image, "sbin/init", guest_image, guest_image_len, 0100755);
	newc_entry(&guest_boot_image, "bin", "", 0, 040755);
	newc_entry(&guest_boot_image, "./bin/hello", guest_image, guest_image_len, 0100755);
	newc_trailer(&guest_boot_image);
	fake_boot_image_set(guest_boot_image.buf, guest_boot_image.len);
	fake_file_add("/bin/hello", junk, sizeof(junk)); /* the boot image comes first */

	ck_assert_int_eq(SYS(SYS_execve, guest_str("/bin"), 0, 0), -EACCES);
	ck_assert_int_eq(SYS(SYS_execve, guest_str("/bin/hello"), 0, 0), 0);
	ck_assert_uint_eq(fake_counts.file_opens, 0);
	ck_assert_str_eq(guest->name, "hello");
	ck_assert_int_eq(SYS(SYS_execve, guest_str("/sbin/init"), 0, 0), 0);
	ck_assert_str_eq(guest->name, "init");
	uint64_t argc = 1;
	ck_assert_int_eq(copy_in(guest->proc->mm, &argc, guest->ctx.regs.rsp, 8), 0);
	ck_assert_uint_eq(argc, 0);
	expect_free_after_fini();
}
END_TEST

Suite *syscall_suite(void)
{
	Suite *s = suite_create("syscall");
	TCase *calls = unit_tcase(s, "calls", guest_setup, guest_teardown);
	tcase_add_test(calls, test_identity);
	tcase_add_test(calls, test_write_console);
	tcase_add_test(calls, test_write_console_error);
	tcase_add_test(calls, test_write_bad_pointer);
	tcase_add_test(calls, test_bad_file_descriptors);
	tcase_add_test(calls, test_unknown_syscalls_enosys);
	tcase_add_test(calls, test_brk);
	tcase_add_test(calls, test_mmap_argument_errors);
	tcase_add_test(calls, test_mmap_places_regions);
	tcase_add_test(calls, test_munmap);
	tcase_add_test(calls, test_munmap_from_below_user_min);
	tcase_add_test(calls, test_mprotect);
	tcase_add_test(calls, test_write_from_prot_none);
	tcase_add_test(calls, test_clock_gettime);
	tcase_add_test(calls, test_nanosleep_arguments);
	tcase_add_test(calls, test_uname);
	tcase_add_test(calls, test_writev);
	tcase_add_test(calls, test_read_console);
	tcase_add_test(calls, test_read_file_into_huge_buffer);
	tcase_add_test(calls, test_lseek_limits);
	tcase_add_test(calls, test_arch_prctl);
	tcase_add_test(calls, test_fork_copies_memory);
	tcase_add_test(calls, test_execve_platform_file);
	tcase_add_test(calls, test_execve_boot_image);
	trap_tcases(s);
	return s;
}

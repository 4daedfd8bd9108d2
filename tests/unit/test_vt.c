/* /dev/tty1 and its other end /dev/vt1 (kernel_core/vt.c) from process 1 of a kernel on the
 * fake platform: the output and its history, backpressure, typing, the window size, tcdrain. */
#include "guest.h"

#include <kernel/mm.h>
#include <kernel/syscall.h>
#include <kernel/wait.h>
#include <string.h>

static long open_path(const char *path, unsigned flags)
{
	return SYS(SYS_openat, (uint64_t)AT_FDCWD, guest_str(path), flags, 0);
}

/* Reads up to len bytes of fd into s (NUL-terminated): the count, or -errno. */
static long read_str(long fd, char *s, size_t len)
{
	uint64_t buf = guest_buf(len);
	long n = SYS(SYS_read, (uint64_t)fd, buf, len - 1);
	if (n > 0)
		ck_assert_int_eq(copy_in(guest->proc->mm, s, buf, (size_t)n), 0);
	s[n > 0 ? n : 0] = '\0';
	return n;
}

static long write_str(long fd, const char *s)
{
	return SYS(SYS_write, (uint64_t)fd, guest_str(s), strlen(s));
}

START_TEST(output_and_its_history)
{
	long tty = open_path("/dev/tty1", O_RDWR | O_NOCTTY);
	ck_assert_int_ge(tty, 0);
	ck_assert_int_eq(write_str(tty, "one\n"), 4);
	long vt = open_path("/dev/vt1", O_RDWR | O_NONBLOCK);
	ck_assert_int_ge(vt, 0);
	char s[256];
	ck_assert_int_eq(read_str(vt, s, sizeof(s)), 5); /* what came before the open: history */
	ck_assert_str_eq(s, "one\r\n");
	ck_assert_int_eq(read_str(vt, s, sizeof(s)), -EAGAIN);
	ck_assert_int_eq(write_str(tty, "two\n"), 4);
	long again = open_path("/dev/vt1", O_RDONLY | O_NONBLOCK);
	ck_assert_int_eq(read_str(again, s, sizeof(s)), 10); /* a new reader: all of it again */
	ck_assert_str_eq(s, "one\r\ntwo\r\n");
	ck_assert_int_eq(read_str(vt, s, sizeof(s)), 5);
	ck_assert_str_eq(s, "two\r\n");
	ck_assert_int_eq(SYS(SYS_lseek, (uint64_t)vt, 0, SEEK_SET), -ESPIPE);
}
END_TEST

START_TEST(writers_wait_for_the_slowest_reader)
{
	long vt = open_path("/dev/vt1", O_RDONLY | O_NONBLOCK);
	long tty = open_path("/dev/tty1", O_RDWR | O_NOCTTY | O_NONBLOCK);
	uint64_t big = guest_buf(64 * 1024);
	long n = SYS(SYS_write, (uint64_t)tty, big, 64 * 1024);
	ck_assert_int_gt(n, 8 * 1024);
	ck_assert_int_lt(n, 16 * 1024 + 1); /* the history holds 16 KiB for the reader */
	ck_assert_int_eq(SYS(SYS_write, (uint64_t)tty, big, 4096), -EAGAIN);
	ck_assert_int_eq(SYS(SYS_ioctl, (uint64_t)tty, TCSBRK, 1), -EBLOCKED); /* not drained */
	wait_clear(guest); /* as a wake would */
	char s[4096];
	while (read_str(vt, s, sizeof(s)) > 0)
		;
	ck_assert_int_eq(SYS(SYS_ioctl, (uint64_t)tty, TCSBRK, 1), 0); /* drained */
	ck_assert_int_eq(SYS(SYS_write, (uint64_t)tty, big, 4096), 4096);
	ck_assert_int_eq(SYS(SYS_close, (uint64_t)vt), 0);
	/* Nobody reads: writes go on, the oldest history goes. */
	ck_assert_int_eq(SYS(SYS_write, (uint64_t)tty, big, 64 * 1024), 64 * 1024);
}
END_TEST

START_TEST(typing_reaches_the_tty)
{
	long vt = open_path("/dev/vt1", O_WRONLY | O_NONBLOCK);
	long tty = open_path("/dev/tty1", O_RDWR | O_NOCTTY | O_NONBLOCK);
	char s[256];
	ck_assert_int_eq(write_str(vt, "ls\r"), 3);
	ck_assert_int_eq(read_str(tty, s, sizeof(s)), 3);
	ck_assert_str_eq(s, "ls\n"); /* ICRNL, a canonical line */
	/* A full ring that a reader will empty: the typist waits. */
	uint64_t big = guest_buf(8192);
	long n = 0, r;
	uint64_t line = guest_str("0123456789abcde\r");
	for (int i = 0; i < 400 && (r = SYS(SYS_write, (uint64_t)vt, line, 16)) > 0; i++)
		n += r;
	ck_assert_int_lt(n, 4096);
	ck_assert_int_eq(r, -EAGAIN);
	ck_assert_int_gt(SYS(SYS_read, (uint64_t)tty, big, 8192), 0);
	ck_assert_int_eq(write_str(vt, "x\r"), 2);
}
END_TEST

START_TEST(window_size_from_the_screen)
{
	long vt = open_path("/dev/vt1", O_RDWR);
	long tty = open_path("/dev/tty1", O_RDWR | O_NOCTTY);
	struct linux_winsize ws = {48, 128, 1024, 768}, got;
	uint64_t at = guest_buf(sizeof(ws));
	ck_assert_int_eq(copy_out(guest->proc->mm, at, &ws, sizeof(ws)), 0);
	ck_assert_int_eq(SYS(SYS_ioctl, (uint64_t)vt, TIOCSWINSZ, at), 0);
	uint64_t out = guest_buf(sizeof(got));
	ck_assert_int_eq(SYS(SYS_ioctl, (uint64_t)tty, TIOCGWINSZ, out), 0);
	ck_assert_int_eq(copy_in(guest->proc->mm, &got, out, sizeof(got)), 0);
	ck_assert_int_eq(got.ws_row, 48);
	ck_assert_int_eq(got.ws_col, 128);
	ck_assert_int_eq(SYS(SYS_ioctl, (uint64_t)vt, TCGETS, out), -ENOTTY);
}
END_TEST

Suite *vt_suite(void)
{
	Suite *s = suite_create("vt");
	TCase *tc = unit_tcase(s, "tty1", guest_setup, guest_teardown);
	tcase_add_test(tc, output_and_its_history);
	tcase_add_test(tc, writers_wait_for_the_slowest_reader);
	tcase_add_test(tc, typing_reaches_the_tty);
	tcase_add_test(tc, window_size_from_the_screen);
	return s;
}

/* --trace=syscall: strace's format, line for line, for calls made directly and through the trap
 * loop (blocking, signals, faults, exits). */
#include "guest.h"

#include <kernel/syscall.h>
#include <kernel/trace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char written[8192];
static size_t written_len;

static void capture(const char *buf, size_t len)
{
	ck_assert_uint_lt(written_len + len, sizeof(written));
	memcpy(written + written_len, buf, len);
	written_len += len;
	written[written_len] = 0;
}

/* Traces from here on: what the test set up before is not in the trace. */
static void trace_on(void)
{
	kernel_cfg.trace = TRACE_SYSCALL;
	fake_console_clear();
	written_len = 0;
	written[0] = 0;
}

static void trace_teardown(void)
{
	kernel_cfg.trace = 0;
	kernel_cfg.trace_write = NULL;
	kernel_cfg.trace_stack = NULL;
	guest_teardown();
}

/* The trace must be exactly want (Check's string comparison would cut a long one short). */
#define EXPECT_TRACE(want)                                                                    \
	ck_assert_msg(!strcmp(console_err(), want), "the trace:\n%s\nwanted:\n%s", console_err(), \
		      want)

START_TEST(test_trace_aligns_results_and_names_errors)
{
	uint64_t msg = guest_str("hi");
	trace_on();
	SYS(SYS_write, 1, msg, 2);
	SYS(SYS_write, 7, msg, 2);
	SYS(SYS_close, 4095);
	EXPECT_TRACE("[pid 1] write(1, \"hi\", 2)               = 2\n"
		     "[pid 1] write(7, \"hi\", 2)               = -1 EBADF (Bad file descriptor)\n"
		     "[pid 1] close(4095)                     = -1 EBADF (Bad file descriptor)\n");
}
END_TEST

START_TEST(test_trace_decodes_sockets)
{
	/* struct sockaddr_un {AF_UNIX, "\0abs"}: the family, then an abstract name. */
	static const char sun[6] = {AF_UNIX, 0, 0, 'a', 'b', 's'};
	uint64_t sa = guest_buf(sizeof(sun));
	ck_assert_int_eq(copy_out(guest->proc->mm, sa, sun, sizeof(sun)), 0);
	trace_on();
	SYS(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	SYS(SYS_connect, 3, sa, 6);
	SYS(SYS_shutdown, 3, SHUT_WR);
	SYS(SYS_sendto, 3, sa, 0, MSG_NOSIGNAL | MSG_DONTWAIT, 0, 0);
	EXPECT_TRACE("[pid 1] socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3\n"
		     "[pid 1] connect(3, {sa_family=AF_UNIX, sun_path=\"\\0abs\"}, 6) = -1 ECONNREFUSED (Connection refused)\n"
		     "[pid 1] shutdown(3, SHUT_WR)            = 0\n"
		     "[pid 1] sendto(3, \"\", 0, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = -1 ENOTCONN (Transport endpoint is not connected)\n");
}
END_TEST

START_TEST(test_trace_decodes_inet_addresses)
{
	/* struct sockaddr_in {AF_INET, port 80, 10.0.2.15}, both in network order. */
	static const unsigned char sin[16] = {AF_INET, 0, 0, 80, 10, 0, 2, 15};
	uint64_t sa = guest_buf(sizeof(sin));
	ck_assert_int_eq(copy_out(guest->proc->mm, sa, sin, sizeof(sin)), 0);
	trace_on();
	SYS(SYS_socket, AF_INET, SOCK_STREAM, 0); /* no network service here */
	SYS(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	SYS(SYS_connect, 3, sa, 16);
	EXPECT_TRACE("[pid 1] socket(AF_INET, SOCK_STREAM, 0) = -1 EAFNOSUPPORT (Address family not supported by protocol)\n"
		     "[pid 1] socket(AF_UNIX, SOCK_STREAM, 0) = 3\n"
		     "[pid 1] connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"10.0.2.15\")}, 16) = -1 EINVAL (Invalid argument)\n");
}
END_TEST

START_TEST(test_trace_names_every_call)
{
	trace_on();
	SYS(206, 2, 1);                     /* Linux's io_setup, which the kernel does not have */
	SYS(400, 1, 0, 0, 0, 0, 0xff);      /* a number Linux leaves free */
	SYS(600, 0, 0, 0, 0, 0, 0);         /* past every call */
	SYS(SYS_getpid);
	EXPECT_TRACE("[pid 1] io_setup(0x2, 0x1)              = -1 ENOSYS (Function not implemented)\n"
		     "[pid 1] syscall_0x190(0x1, 0, 0, 0, 0, 0xff) = -1 ENOSYS (Function not implemented)\n"
		     "[pid 1] syscall_0x258(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)\n"
		     "[pid 1] getpid()                        = 1\n");
}
END_TEST

/* Linux's names and argument counts agree with the syscall table's for every call the kernel
 * has; every number up to 334, and from 424 on, is a call of Linux's. */
START_TEST(test_trace_names_agree_with_the_table)
{
	for (uint64_t nr = 0; nr < 472; nr++) {
		unsigned nargs = 0;
		const char *name = trace_linux_call(nr, &nargs);
		const struct syscall_desc *d = syscall_lookup(nr);
		ck_assert_msg(name || (nr > 334 && nr < 424), "no name for call %llu",
			      (unsigned long long)nr);
		if (d)
			ck_assert_msg(name && !strcmp(name, d->name), "call %llu is %s, not %s",
				      (unsigned long long)nr, name, d->name);
	}
	ck_assert_ptr_null(trace_linux_call(SYS_ECLIPSE_BASE, &(unsigned){0}));
}
END_TEST

START_TEST(test_trace_strings_as_strace_quotes_them)
{
	static const char bytes[] = "a\"\\\n\t\r\v\f\0" "1\0x\033\177\377";
	uint64_t buf = guest_buf(PG), devnull = guest_str("/dev/null");
	uint64_t s32 = guest_str("0123456789abcdef0123456789abcdef");
	uint64_t s33 = guest_str("0123456789abcdef0123456789abcdefX");
	ck_assert_int_eq(copy_out(guest->proc->mm, buf, bytes, sizeof(bytes)), 0);
	long fd = SYS(SYS_open, devnull, O_WRONLY);
	trace_on();
	SYS(SYS_write, (uint64_t)fd, buf, sizeof(bytes));
	SYS(SYS_write, (uint64_t)fd, s32, 32);
	SYS(SYS_write, (uint64_t)fd, s33, 33);
	SYS(SYS_write, 1, 0, 10);
	EXPECT_TRACE("[pid 1] write(3, \"a\\\"\\\\\\n\\t\\r\\v\\f\\0001\\0x\\33\\177\\377\\0\", 16) = 16\n"
		     "[pid 1] write(3, \"0123456789abcdef0123456789abcdef\", 32) = 32\n"
		     "[pid 1] write(3, \"0123456789abcdef0123456789abcdef\"..., 33) = 33\n"
		     "[pid 1] write(1, NULL, 10)              = -1 EFAULT (Bad address)\n");
}
END_TEST

START_TEST(test_trace_flags_modes_and_paths)
{
	uint64_t path = guest_str("/no/such/file"), st = guest_buf(PG), null = guest_str("/dev/null");
	trace_on();
	SYS(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	SYS(SYS_openat, (uint64_t)AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0777);
	SYS(SYS_mkdirat, 5, path, 01755);
	SYS(SYS_access, path, R_OK | X_OK);
	SYS(SYS_newfstatat, (uint64_t)AT_FDCWD, null, st, AT_SYMLINK_NOFOLLOW);
	SYS(SYS_mmap, 0, PG, PROT_NONE, MAP_SHARED | MAP_FIXED | 0x10000000, NONE, 0x1000);
	SYS(SYS_wait4, NONE, 0, 0x100, 0);
	SYS(SYS_umask, 027);
	SYS(SYS_umask, 022);
	EXPECT_TRACE(
		"[pid 1] open(\"/no/such/file\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = -1 ENOENT (No such file or directory)\n"
		"[pid 1] openat(AT_FDCWD, \"/no/such/file\", O_RDONLY|O_DIRECTORY) = -1 ENOENT (No such file or directory)\n"
		"[pid 1] mkdirat(5, \"/no/such/file\", 01755) = -1 ENOENT (No such file or directory)\n"
		"[pid 1] access(\"/no/such/file\", R_OK|X_OK) = -1 ENOENT (No such file or directory)\n"
		"[pid 1] newfstatat(AT_FDCWD, \"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, AT_SYMLINK_NOFOLLOW) = 0\n"
		"[pid 1] mmap(NULL, 4096, PROT_NONE, MAP_SHARED|MAP_FIXED|0x10000000, -1, 0x1000) = -1 EBADF (Bad file descriptor)\n"
		"[pid 1] wait4(-1, NULL, 0x100 /* W??? */, NULL) = -1 EINVAL (Invalid argument)\n"
		"[pid 1] umask(027)                      = 022\n"
		"[pid 1] umask(022)                      = 027\n");
}
END_TEST

START_TEST(test_trace_outputs_after_the_call)
{
	uint64_t fds = guest_buf(PG), buf = fds + 64, mask = fds + 128, old = fds + 136;
	uint64_t set = 1ull << (SIGINT - 1) | 1ull << (SIGTERM - 1) | 1ull << (SIGRTMIN + 2);
	uint64_t abc = guest_str("abc");
	ck_assert_int_eq(copy_out(guest->proc->mm, mask, &set, sizeof(set)), 0);
	trace_on();
	SYS(SYS_pipe2, fds, O_CLOEXEC);
	SYS(SYS_write, 4, abc, 3);
	SYS(SYS_read, 3, buf, 10);
	SYS(SYS_rt_sigprocmask, SIG_BLOCK, mask, old, 8);
	SYS(SYS_rt_sigprocmask, SIG_SETMASK, old, old, 8);
	set = ~set;
	ck_assert_int_eq(copy_out(guest->proc->mm, mask, &set, sizeof(set)), 0);
	SYS(SYS_rt_sigprocmask, SIG_SETMASK, mask, 0, 8);
	SYS(SYS_rt_sigprocmask, SIG_SETMASK, old, 0, 7);
	const char *e = console_err();
	ck_assert_msg(strstr(e, "[pid 1] pipe2([3, 4], O_CLOEXEC)        = 0\n"
				"[pid 1] write(4, \"abc\", 3)              = 3\n"
				"[pid 1] read(3, \"abc\", 10)              = 3\n"), "%s", e);
	ck_assert_msg(strstr(e, "[pid 1] rt_sigprocmask(SIG_BLOCK, [INT TERM RT_3], [], 8) = 0\n"
				"[pid 1] rt_sigprocmask(SIG_SETMASK, [], [INT TERM RT_3], 8) = 0\n"
				"[pid 1] rt_sigprocmask(SIG_SETMASK, ~[INT TERM RT_3], NULL, 8) = 0\n"
				"[pid 1] rt_sigprocmask(SIG_SETMASK, [INT TERM RT_3], NULL, 7) = -1 EINVAL (Invalid argument)\n"),
		      "%s", e);
}
END_TEST

START_TEST(test_trace_blocked_call_resumes)
{
	uint64_t status = guest_buf(PG);
	trace_on();
	kernel_cfg.trace_write = capture;
	fake_script_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_wait4, NONE, status, 0, 0, 0, 0); /* parent blocks */
	fake_script_syscall(SYS_exit, 9, 0, 0, 0, 0, 0);         /* child */
	fake_script_syscall(SYS_exit_group, 0, 0, 0, 0, 0, 0);   /* parent */
	ck_assert_int_eq(kernel_run(), 0);
	ck_assert_str_eq(console_err(), ""); /* all of it went to trace_write */
	ck_assert_str_eq(written,
		"[pid 1] fork()                          = 2\n"
		"[pid 1] wait4(-1,  <unfinished ...>\n"
		"[pid 2] exit(9)                         = ?\n"
		"[pid 2] +++ exited with 9 +++\n"
		"[pid 1] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=9, si_utime=0, si_stime=0} ---\n"
		"[pid 1] <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 9}], 0, NULL) = 2\n"
		"[pid 1] exit_group(0)                   = ?\n"
		"[pid 1] +++ exited with 0 +++\n");
}
END_TEST

/* A call that blocks and is the next line to come out ends on one line, as strace prints it. */
START_TEST(test_trace_blocked_call_alone_is_one_line)
{
	uint64_t req = guest_timespec(2, 5);
	trace_on();
	fake_script_syscall(SYS_nanosleep, req, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_exit_group, 3, 0, 0, 0, 0, 0);
	ck_assert_int_eq(kernel_run(), 3 << 8);
	EXPECT_TRACE("[pid 1] nanosleep({tv_sec=2, tv_nsec=5}, NULL) = 0\n"
		     "[pid 1] exit_group(3)                   = ?\n"
		     "[pid 1] +++ exited with 3 +++\n");
}
END_TEST

START_TEST(test_trace_handler_interrupts_a_wait)
{
	/* The handler is not run: the fake CPU does the scripted steps, the handler's none. */
	uint64_t act = guest_buf(PG), req = guest_timespec(10, 0);
	struct linux_sigaction sa = {0x401000, SA_RESTORER, 0x401100, 0};
	ck_assert_int_eq(copy_out(guest->proc->mm, act, &sa, sizeof(sa)), 0);
	trace_on();
	fake_script_syscall(SYS_rt_sigaction, SIGUSR1, act, 0, 8, 0, 0);
	fake_script_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_nanosleep, req, 0, 0, 0, 0, 0); /* the parent sleeps */
	fake_script_syscall(SYS_kill, 1, SIGUSR1, 0, 0, 0, 0);  /* the child */
	fake_script_syscall(SYS_exit, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_exit_group, 0, 0, 0, 0, 0, 0);  /* the parent, in its handler */
	ck_assert_int_eq(kernel_run(), 0);
	EXPECT_TRACE(
		"[pid 1] rt_sigaction(SIGUSR1, {sa_handler=0x401000, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x401100}, NULL, 8) = 0\n"
		"[pid 1] fork()                          = 2\n"
		"[pid 1] nanosleep({tv_sec=10, tv_nsec=0},  <unfinished ...>\n"
		"[pid 2] kill(1, SIGUSR1)                = 0\n"
		"[pid 2] exit(0)                         = ?\n"
		"[pid 2] +++ exited with 0 +++\n"
		"[pid 1] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n"
		"[pid 1] <... nanosleep resumed>NULL)    = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n"
		"[pid 1] --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=2, si_uid=0} ---\n"
		"[pid 1] exit_group(0)                   = ?\n"
		"[pid 1] +++ exited with 0 +++\n");
}
END_TEST

/* A signal the kernel sends has si_code SI_KERNEL (0x80), which does not fit a signed byte. */
START_TEST(test_trace_kernel_signal_is_si_kernel)
{
	uint64_t act = guest_buf(PG);
	struct linux_sigaction sa = {0x401000, SA_RESTORER, 0x401100, 0};
	ck_assert_int_eq(copy_out(guest->proc->mm, act, &sa, sizeof(sa)), 0);
	trace_on();
	fake_script_syscall(SYS_rt_sigaction, SIGALRM, act, 0, 8, 0, 0);
	fake_script_syscall(SYS_alarm, 1, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_pause, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_exit_group, 0, 0, 0, 0, 0, 0); /* in the handler */
	ck_assert_int_eq(kernel_run(), 0);
	const char *e = console_err();
	ck_assert_msg(strstr(e, "[pid 1] pause()                         = ? ERESTARTNOHAND (To be restarted if no handler)\n"
				"[pid 1] --- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---\n"),
		      "%s", e);
}
END_TEST

START_TEST(test_trace_killed_in_a_wait)
{
	uint64_t fds = guest_buf(PG), buf = fds + 64, status = fds + 128;
	uint64_t req = guest_timespec(1, 0);
	trace_on();
	fake_script_syscall(SYS_pipe, fds, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_fork, 0, 0, 0, 0, 0, 0);
	fake_script_syscall(SYS_nanosleep, req, 0, 0, 0, 0, 0); /* the parent */
	fake_script_syscall(SYS_read, 3, buf, 16, 0, 0, 0);     /* the child waits in the pipe */
	fake_script_syscall(SYS_kill, 2, SIGTERM, 0, 0, 0, 0);  /* the parent, a second later */
	fake_script_syscall(SYS_wait4, 2, status, 0, 0, 0, 0);
	fake_script_syscall(SYS_exit_group, 0, 0, 0, 0, 0, 0);
	ck_assert_int_eq(kernel_run(), 0);
	char want[2048];
	snprintf(want, sizeof(want),
		 "[pid 1] pipe([3, 4])                    = 0\n"
		 "[pid 1] fork()                          = 2\n"
		 "[pid 1] nanosleep({tv_sec=1, tv_nsec=0},  <unfinished ...>\n"
		 "[pid 2] read(3,  <unfinished ...>\n"
		 "[pid 1] <... nanosleep resumed>NULL)    = 0\n"
		 "[pid 1] kill(2, SIGTERM <unfinished ...>\n"
		 "[pid 2] <... read resumed>%#llx, 16) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n"
		 "[pid 2] --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=1, si_uid=0} ---\n"
		 "[pid 2] +++ killed by SIGTERM +++\n"
		 "[pid 1] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=2, si_uid=0, si_status=SIGTERM, si_utime=0, si_stime=0} ---\n"
		 "[pid 1] <... kill resumed>)             = 0\n"
		 "[pid 1] wait4(2, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}], 0, NULL) = 2\n"
		 "[pid 1] exit_group(0)                   = ?\n"
		 "[pid 1] +++ exited with 0 +++\n",
		 (unsigned long long)buf);
	EXPECT_TRACE(want);
}
END_TEST

START_TEST(test_trace_fault_kills)
{
	trace_on();
	fake_script_fault(0x401234, 0x10, PF_USER | PF_WRITE, true);
	ck_assert_int_eq(kernel_run(), SIGSEGV);
	const char *e = console_err();
	/* Nothing is mapped at 0x10: Linux's SEGV_MAPERR, not a forbidden access's SEGV_ACCERR. */
	const char *line = "[pid 1] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---\n";
	ck_assert_msg(!strncmp(e, line, strlen(line)), "%s", e);
	ck_assert_msg(strstr(e, "\n[pid 1] +++ killed by SIGSEGV +++\n"), "%s", e);
}
END_TEST

static size_t fake_stack(struct thread *t, char *buf, size_t size)
{
	return (size_t)snprintf(buf, size, " > tid %d\n", t->tid);
}

START_TEST(test_trace_stack_follows_each_call)
{
	trace_on();
	kernel_cfg.trace_stack = fake_stack;
	SYS(SYS_getpid);
	SYS(SYS_getppid);
	EXPECT_TRACE("[pid 1] getpid()                        = 1\n"
		     " > tid 1\n"
		     "[pid 1] getppid()                       = 0\n"
		     " > tid 1\n");
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = unit_tcase(s, "lines", guest_setup, trace_teardown);
	tcase_add_test(tc, test_trace_aligns_results_and_names_errors);
	tcase_add_test(tc, test_trace_names_every_call);
	tcase_add_test(tc, test_trace_decodes_sockets);
	tcase_add_test(tc, test_trace_decodes_inet_addresses);
	tcase_add_test(tc, test_trace_names_agree_with_the_table);
	tcase_add_test(tc, test_trace_strings_as_strace_quotes_them);
	tcase_add_test(tc, test_trace_flags_modes_and_paths);
	tcase_add_test(tc, test_trace_outputs_after_the_call);
	tcase_add_test(tc, test_trace_blocked_call_resumes);
	tcase_add_test(tc, test_trace_blocked_call_alone_is_one_line);
	tcase_add_test(tc, test_trace_handler_interrupts_a_wait);
	tcase_add_test(tc, test_trace_kernel_signal_is_si_kernel);
	tcase_add_test(tc, test_trace_killed_in_a_wait);
	tcase_add_test(tc, test_trace_fault_kills);
	tcase_add_test(tc, test_trace_stack_follows_each_call);
	return s;
}

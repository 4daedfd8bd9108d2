/*
 * Bad pointers to the newer calls: an unmapped page, a read-only page (for what the kernel
 * writes) and a kernel address. Each call fails with EFAULT and changes nothing: no descriptor
 * is left behind, no limit changes, a pipe's data stays, a pending signal stays pending. Also
 * futex on an unmapped address (EFAULT) and a misaligned one (EINVAL). Raw syscalls, so that
 * the C library checks nothing first.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "ul.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | 128)
#ifndef STATX_BASIC_STATS
#define STATX_BASIC_STATS 0x7ffu
#endif

static char *unmapped, *readonly;
static char *const kernel = (char *)0xffff880000000000ull;

#define EFAULT_OF(call, what) check_errno((call), EFAULT, what)

/* The lowest free descriptor: nothing may leave one behind. */
static int lowest_free(void)
{
	int fd = open("/dev/null", O_RDONLY);
	close(fd);
	return fd;
}

static void paths_and_buffers(void)
{
	char *targets[3] = {unmapped, readonly, kernel};
	const char *names[3] = {"unmapped", "read-only", "kernel"};
	int free_fd = lowest_free();
	for (int i = 0; i < 3; i++) {
		char *p = targets[i], what[96];
#define T(call, name) (snprintf(what, sizeof what, "%s (%s)", name, names[i]), EFAULT_OF(call, what))
		if (i != 1) { /* a read-only page is a fine path or input */
			T(syscall(SYS_newfstatat, AT_FDCWD, p, readonly + 1, 0), "newfstatat path");
			T(syscall(SYS_statx, AT_FDCWD, p, 0, STATX_BASIC_STATS, readonly + 1), "statx path");
			T(syscall(SYS_readlink, p, readonly + 1, 10), "readlink path");
			T(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY), "openat path");
		}
		T(syscall(SYS_pipe2, p, 0), "pipe2");
		T(syscall(SYS_newfstatat, AT_FDCWD, "/", p, 0), "newfstatat buffer");
		T(syscall(SYS_statx, AT_FDCWD, "/", 0, STATX_BASIC_STATS, p), "statx buffer");
		T(syscall(SYS_uname, p), "uname");
		T(syscall(SYS_sysinfo, p), "sysinfo");
		T(syscall(SYS_getcwd, p, 200), "getcwd");
		T(syscall(SYS_getrandom, p, 16, 0), "getrandom");
		T(syscall(SYS_readlink, "/proc/self/exe", p, 64), "readlink buffer");
		T(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p), "clock_gettime");
		T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, p), "prlimit64 old limit");
		T(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, p, 8), "rt_sigprocmask old set");
		int dir = open("/", O_RDONLY | O_DIRECTORY);
		T(syscall(SYS_getdents64, dir, p, 4096), "getdents64");
		char d[512];
		check(syscall(SYS_getdents64, dir, d, sizeof d) > 0, "getdents64 then lists from the start");
		close(dir);
		if (i != 1) {
			T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, p, NULL), "prlimit64 new limit");
			T(syscall(SYS_poll, p, 1, 0), "poll");
			T(syscall(SYS_ppoll, p, 1, NULL, NULL, 8), "ppoll fds");
			T(syscall(SYS_writev, 1, p, 1), "writev iovec array");
			T(syscall(SYS_readv, 0, p, 1), "readv iovec array");
			T(syscall(SYS_rt_sigtimedwait, p, NULL, NULL, 8), "rt_sigtimedwait set");
			T(syscall(SYS_nanosleep, p, NULL), "nanosleep");
		}
#undef T
	}
	check(lowest_free() == free_fd, "no descriptor was left behind");
}

static void unchanged(void)
{
	struct rlimit before, after;
	getrlimit(RLIMIT_NOFILE, &before);
	EFAULT_OF(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, unmapped, &after), "prlimit64 with a bad new limit");
	getrlimit(RLIMIT_NOFILE, &after);
	check(after.rlim_cur == before.rlim_cur && after.rlim_max == before.rlim_max, "the limit did not change");

	int p[2];
	pipe(p);
	write(p[1], "data", 4);
	struct iovec bad_base = {unmapped, 4};
	EFAULT_OF(syscall(SYS_readv, p[0], &bad_base, 1), "readv into an unmapped buffer");
	struct iovec bad_second[2] = {{NULL, 0}, {kernel, 4}};
	EFAULT_OF(syscall(SYS_readv, p[0], bad_second, 2), "readv with a kernel address");
	char buf[8] = "";
	check(read(p[0], buf, sizeof buf) == 4 && !memcmp(buf, "data", 4), "the pipe's data stayed");
	struct iovec out = {unmapped, 4};
	EFAULT_OF(syscall(SYS_writev, p[1], &out, 1), "writev from an unmapped buffer");
	struct pollfd pfd = {p[0], POLLIN, 0};
	check(poll(&pfd, 1, 0) == 0, "nothing was written to the pipe");
	EFAULT_OF(syscall(SYS_ppoll, &pfd, 1, unmapped, NULL, 8), "ppoll with a bad timeout");
	EFAULT_OF(syscall(SYS_ppoll, &pfd, 1, NULL, unmapped, 8), "ppoll with a bad signal mask");
	close(p[0]);
	close(p[1]);

	/* A pending signal is not taken by a call that fails. */
	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	EFAULT_OF(syscall(SYS_rt_sigtimedwait, &set, NULL, unmapped, 8), "rt_sigtimedwait with a bad timeout");
	sigpending(&pending);
	check(sigismember(&pending, SIGUSR1), "the signal is still pending");
	struct timespec zero = {0, 0};
	check(sigtimedwait(&set, NULL, &zero) == SIGUSR1, "and is taken by a good call");
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	/* A file's data into a buffer the kernel cannot write (under eclipse-sim the file
	 * service's grant copy fails). */
	int fd = open("data", O_CREAT | O_RDWR | O_TRUNC, 0600);
	write(fd, "0123456789", 10);
	EFAULT_OF(pread(fd, readonly, 10, 0), "pread into a read-only page");
	EFAULT_OF(pread(fd, unmapped, 10, 0), "pread into an unmapped page");
	EFAULT_OF(pwrite(fd, unmapped, 10, 0), "pwrite from an unmapped page");
	check(pread(fd, buf, 8, 0) == 8 && !memcmp(buf, "01234567", 8), "the file did not change");
	close(fd);

	char cwd[256], again[256];
	getcwd(cwd, sizeof cwd);
	EFAULT_OF(syscall(SYS_chdir, unmapped), "chdir to a bad path");
	check(getcwd(again, sizeof again) && !strcmp(cwd, again), "the current directory did not change");
}

static void futexes(void)
{
	EFAULT_OF(syscall(SYS_futex, unmapped, FUTEX_WAIT, 0, NULL, NULL, 0), "futex WAIT on an unmapped address");
	EFAULT_OF(syscall(SYS_futex, unmapped, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), "futex WAIT_PRIVATE on an unmapped address");
	EFAULT_OF(syscall(SYS_futex, kernel, FUTEX_WAIT, 0, NULL, NULL, 0), "futex WAIT on a kernel address");
	static int word[2];
	check_errno(syscall(SYS_futex, (char *)word + 1, FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL, "futex WAIT misaligned: EINVAL");
	check_errno(syscall(SYS_futex, (char *)word + 2, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL, "futex WAKE misaligned: EINVAL");
	check_errno(syscall(SYS_futex, (char *)unmapped + 1, FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL, "futex misaligned and unmapped: EINVAL first");
	EFAULT_OF(syscall(SYS_futex, word, FUTEX_WAIT, 0, unmapped, NULL, 0), "futex WAIT with a bad timeout");
	check(syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0) == 0, "futex WAKE with nobody waiting: 0");
}

/* Children whose kernel-written words point nowhere still start and exit normally. */
static void clone_words(void)
{
	/* fork with CLONE_CHILD_SETTID/CLEARTID at an unmapped address: Linux ignores the fault. */
	long pid = syscall(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, NULL, NULL, unmapped, 0);
	if (pid == 0)
		syscall(SYS_exit_group, 7);
	int st = 0;
	check(pid > 0 && waitpid((pid_t)pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "clone with an unmapped child tid word: the child runs and exits 7");
	/* Linux ignores a bad parent tid word and makes the child; Eclipse OS checks the word
	 * first and fails with EFAULT. Either way no half-made child may be left. */
	pid = syscall(SYS_clone, SIGCHLD | CLONE_PARENT_SETTID, NULL, unmapped, NULL, 0);
	if (pid == 0)
		syscall(SYS_exit_group, 8);
	int err = errno;
	check(pid > 0 ? waitpid((pid_t)pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 8
		      : pid == -1 && err == EFAULT && waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD,
	      "clone with an unmapped parent tid word: a child that exits 8, or EFAULT and none");
	pid = fork();
	if (pid == 0) {
		long tid = syscall(SYS_set_tid_address, unmapped);
		syscall(SYS_exit_group, tid == getpid() ? 9 : 1);
	}
	check(pid > 0 && waitpid((pid_t)pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9,
	      "set_tid_address(unmapped) returns the tid; the exit ignores the bad word");
}

int main(void)
{
	/* A read-only page, then a hole where a page was (nothing else maps memory meanwhile). */
	readonly = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped = readonly + 4096;
	munmap(unmapped, 4096);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ul_enter_tmpdir("efault");
	paths_and_buffers();
	unchanged();
	futexes();
	clone_words();
	ul_leave_tmpdir();
	return check_status();
}

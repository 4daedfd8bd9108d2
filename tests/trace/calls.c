/*
 * Calls whose trace lines eclipse-sim --trace=syscall and strace -f must print alike (see
 * compare.py): files and descriptors, pipes and poll, memory, signals with a handler, children
 * that exit, fault, die of a signal in a wait or are interrupted in one, vfork and exec. What it
 * does has the same result on Linux and on Eclipse, so that a difference is the trace's. Run it
 * by its absolute path with umask 022; "calls exec" is the program it execs.
 *
 * The calls are made directly (sc), with exactly the arguments written here: the C library's
 * wrappers would choose other calls or arguments, and a vfork child must not use the stack.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline __attribute__((always_inline)) long sc(long n, long a, long b, long c, long d,
						      long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
	return ret;
}

#define SC0(n) sc(n, 0, 0, 0, 0, 0, 0)
#define SC1(n, a) sc(n, (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b) sc(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(n, a, b, c) sc(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SC4(n, a, b, c, d) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

extern char **environ;

/* The kernel's sigset_t: 64 signals. */
#define SIGBIT(sig) (1ull << ((sig) - 1))

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	handled = sig;
}

/* Reads its own file, which both machines have at the same path (the simulator runs with
 * --root /), and uses /dev/null. */
static void files(const char *self)
{
	static const char data[] = "hello\n\t\0\1\033\377\"quoted\" and a line longer than 32 bytes";
	char buf[64];
	struct stat st;
	long fd = SC3(SYS_open, self, O_RDONLY | O_CLOEXEC, 0);
	SC3(SYS_read, fd, buf, 6);
	SC3(SYS_lseek, fd, 16, SEEK_SET);
	SC4(SYS_pread64, fd, buf, 4, 1);
	struct iovec iov[2] = {{buf, 3}, {buf + 3, 40}};
	SC3(SYS_readv, fd, iov, 2);
	SC2(SYS_dup2, fd, 10);
	SC3(SYS_dup3, fd, 11, O_CLOEXEC);
	SC2(SYS_fcntl, 11, F_GETFD);
	SC2(SYS_fcntl, 10, F_GETFD);
	SC3(SYS_fcntl, 10, F_SETFD, FD_CLOEXEC);
	SC3(SYS_fcntl, fd, F_DUPFD, 20);
	SC1(SYS_close, 20);
	SC1(SYS_close, 11);
	SC1(SYS_close, 10);
	SC1(SYS_close, fd);
	SC1(SYS_close, 99);
	SC2(SYS_stat, "/dev/null", &st);
	SC2(SYS_stat, "/nonexistent", &st);
	SC4(SYS_newfstatat, AT_FDCWD, "/dev/null", &st, AT_SYMLINK_NOFOLLOW);
	SC2(SYS_access, "/dev/null", R_OK | W_OK);
	SC2(SYS_access, "/nonexistent", F_OK);
	SC3(SYS_readlink, "/dev/null", buf, sizeof(buf));
	SC3(SYS_open, "/nonexistent/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fd = SC4(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY, 0);
	SC3(SYS_write, fd, data, sizeof(data));
	SC3(SYS_write, fd, "", 0);
	SC2(SYS_fstat, fd, &st);
	SC1(SYS_close, fd);
	SC1(SYS_chdir, "/");
	SC1(SYS_umask, 027);
}

static void pipes(void)
{
	int fds[2];
	char buf[8];
	SC2(SYS_pipe2, fds, O_CLOEXEC);
	struct iovec iov[2] = {{"ab", 2}, {"cd\n", 3}};
	SC3(SYS_writev, fds[1], iov, 2);
	struct pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLOUT, 0}};
	SC3(SYS_poll, p, 2, 0);
	SC3(SYS_read, fds[0], buf, sizeof(buf));
	SC3(SYS_poll, p, 1, 0);
	SC1(SYS_close, fds[0]);
	SC1(SYS_close, fds[1]);
}

static void memory(void)
{
	long at = sc(SYS_mmap, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SC3(SYS_mprotect, at, 4096, PROT_READ);
	SC3(SYS_madvise, at, 4096, MADV_DONTNEED);
	SC2(SYS_munmap, at, 8192);
	sc(SYS_mmap, 0, 4096, PROT_NONE, MAP_SHARED, 99, 0);
}

static void timing(void)
{
	struct timespec req = {0, 1000000};
	SC2(SYS_nanosleep, &req, 0);
	SC4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, 0);
	SC2(SYS_clock_gettime, 42, &req);
	SC0(SYS_sched_yield);
}

static void signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &sa);
	unsigned long long set = SIGBIT(SIGCHLD) | SIGBIT(SIGRTMIN + 1), old;
	SC4(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8);
	SC4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
	long me = SC0(SYS_getpid);
	SC2(SYS_kill, me, SIGUSR1);
	SC2(SYS_kill, me, 0);
	SC2(SYS_kill, -99999, SIGUSR1);
	SC3(SYS_tgkill, me, SC0(SYS_gettid), SIGUSR1);
	SC2(SYS_kill, me, 99);
}

static long wait_for(long pid)
{
	int status;
	return SC4(SYS_wait4, pid, &status, 0, 0);
}

/* A child that waits in rt_sigsuspend until the parent's kill(sig) comes. It says through a
 * pipe when it is about to wait, and the parent gives it time to: a signal that came before
 * would be pending already, which Linux handles at once and Eclipse after a while. */
static void suspended_child(int sig)
{
	unsigned long long none = 0;
	int ready[2];
	char byte;
	struct timespec pause = {0, 50000000};
	SC2(SYS_pipe2, ready, O_CLOEXEC);
	long pid = SC0(SYS_fork);
	if (pid == 0) {
		SC3(SYS_write, ready[1], "r", 1);
		SC2(SYS_rt_sigsuspend, &none, 8);
		SC1(SYS_exit_group, handled == sig ? 0 : 1);
	}
	SC3(SYS_read, ready[0], &byte, 1);
	SC2(SYS_nanosleep, &pause, 0);
	SC2(SYS_kill, pid, sig);
	wait_for(pid);
	SC1(SYS_close, ready[0]);
	SC1(SYS_close, ready[1]);
}

/* vfork, then exec in the child: the parent waits in vfork until it has. */
static __attribute__((noinline)) void vfork_exec(char *const argv[])
{
	long pid = SC0(SYS_vfork);
	if (pid == 0) {
		SC3(SYS_execve, argv[0], argv, environ);
		SC1(SYS_exit_group, 127);
	}
	wait_for(pid);
}

static void children(const char *self)
{
	long pid = SC0(SYS_fork);
	if (pid == 0)
		SC1(SYS_exit_group, 3);
	wait_for(pid);
	pid = SC0(SYS_fork);
	if (pid == 0) {
		volatile int *volatile p = (volatile int *)8; /* a constant address gcc would warn of */
		*p = 1;
	}
	wait_for(pid);
	suspended_child(SIGUSR1);
	suspended_child(SIGTERM);
	/* Children that end themselves: the call that does it returns first (kill = 0, write
	 * EPIPE), then the signal line, then the end. */
	pid = SC0(SYS_fork);
	if (pid == 0) {
		SC2(SYS_kill, SC0(SYS_getpid), SIGTERM);
		SC1(SYS_exit_group, 1);
	}
	wait_for(pid);
	pid = SC0(SYS_fork);
	if (pid == 0) {
		int p[2];
		SC2(SYS_pipe2, p, 0);
		SC1(SYS_close, p[0]);
		SC3(SYS_write, p[1], "x", 1);
		SC1(SYS_exit_group, 1);
	}
	wait_for(pid);
	pid = SC0(SYS_fork);
	if (pid == 0) {
		SC3(SYS_tgkill, SC0(SYS_getpid), SC0(SYS_gettid), SIGABRT); /* abort's way */
		SC1(SYS_exit_group, 1);
	}
	wait_for(pid);
	char *argv[] = {(char *)self, "exec", NULL};
	vfork_exec(argv);
	SC4(SYS_wait4, -1, 0, WNOHANG, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("exec'd with %s\n", argv[1]);
		return 0;
	}
	files(argv[0]);
	pipes();
	memory();
	timing();
	signals();
	children(argv[0]);
	sc(400, 1, 2, 3, 4, 5, 6);
	printf("calls: done\n");
	return 0;
}

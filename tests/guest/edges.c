/*
 * Linux's answers at the edges that issue 21 found Eclipse giving otherwise ("Smaller
 * differences"), each checked natively and under eclipse-sim:
 * a read into an unmapped buffer of 1<<40 bytes with data waiting is EFAULT; kill(zombie, 0)
 * is 0; wait4 with a bad status pointer is EFAULT and still reaps the child; an interrupted
 * nanosleep with a bad rem pointer is EFAULT; writev's count is an unsigned int (1<<40 is 0
 * pieces: 0) and over IOV_MAX is EINVAL; an empty iovec at a kernel address is EFAULT; and
 * rt_sigreturn with an fpstate of all 0xff bytes, or an unmapped one, kills with SIGSEGV.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <ucontext.h>

#include "check.h"
#include "proc.h"

#define UNMAPPED ((void *)0x200000000000UL)
#define KERNEL ((void *)0xffff800000000000UL)

static long sys(long nr, long a, long b, long c, long d)
{
	return syscall(nr, a, b, c, d);
}

/* Forks a child that exits at once and waits until it is a zombie (not reaped). */
static pid_t zombie(int code)
{
	pid_t child = fork();
	if (child == 0)
		_exit(code);
	siginfo_t info;
	waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT);
	return child;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static unsigned char bad_fpstate[4096] __attribute__((aligned(64)));
static int fp_mode;

/* Returns from the signal with its frame's fpstate pointer aimed at garbage or nowhere. */
static void corrupt_fpstate(int sig, siginfo_t *info, void *context)
{
	(void)sig, (void)info;
	ucontext_t *uc = context;
	if (fp_mode == 1) {
		memset(bad_fpstate, 0xff, sizeof bad_fpstate);
		uc->uc_mcontext.fpregs = (void *)bad_fpstate;
	} else {
		uc->uc_mcontext.fpregs = UNMAPPED;
	}
}

static int sigreturn_child(int mode)
{
	fp_mode = mode;
	struct sigaction sa = {.sa_sigaction = corrupt_fpstate, .sa_flags = SA_SIGINFO};
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	return 0; /* ran on: wrong */
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);

	int p[2];
	if (pipe(p) != 0 || write(p[1], "x", 1) != 1)
		return 2;
	check_errno(sys(SYS_read, p[0], (long)UNMAPPED, 1L << 40, 0), EFAULT,
		    "read(pipe, unmapped, 1<<40) with data waiting: EFAULT");

	pid_t z = zombie(0);
	check(kill(z, 0) == 0, "kill(zombie, 0): 0");
	check(kill(z, SIGTERM) == 0, "kill(zombie, SIGTERM): 0");
	check(waitpid(z, NULL, 0) == z, "the zombie is reaped after");

	z = zombie(3);
	check_errno(sys(SYS_wait4, z, 8, 0, 0), EFAULT, "wait4 with a bad status pointer: EFAULT");
	check_errno(sys(SYS_wait4, z, 0, 0, 0), ECHILD, "and the child was reaped all the same");

	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec req = {5, 0};
	check_errno(sys(SYS_nanosleep, (long)&req, 8, 0, 0), EFAULT,
		    "nanosleep interrupted, with a bad rem pointer: EFAULT");

	struct iovec empty = {NULL, 0};
	check(sys(SYS_writev, 1, (long)&empty, 1L << 40, 0) == 0,
	      "writev(1, empty, 1<<40): 0 (the count is an unsigned int)");
	check_errno(sys(SYS_writev, 1, (long)&empty, 1025, 0), EINVAL,
		    "writev with 1025 pieces (over IOV_MAX): EINVAL");
	struct iovec kernel = {KERNEL, 0};
	check_errno(sys(SYS_writev, 1, (long)&kernel, 1, 0), EFAULT,
		    "writev of an empty piece at a kernel address: EFAULT");

	for (int mode = 1; mode <= 2; mode++) {
		int status = 0;
		pid_t child = spawn(sigreturn_child, mode);
		waitpid(child, &status, 0);
		check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		      mode == 1 ? "rt_sigreturn with an fpstate of 0xff bytes: SIGSEGV"
				: "rt_sigreturn with an unmapped fpstate: SIGSEGV");
	}
	return check_status();
}

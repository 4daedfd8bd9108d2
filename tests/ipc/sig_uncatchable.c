/*
 * SIGKILL and SIGSTOP cannot be caught, ignored or blocked: rt_sigaction refuses with EINVAL (a
 * query of their action is fine), sigprocmask leaves them out of the blocked set, and a child
 * that blocks everything still stops on SIGSTOP (SIGCONT resumes it) and dies of SIGKILL.
 */
#include "ipc_test.h"

static void on_signal(int sig)
{
	(void)sig;
}

/* Blocks every signal, then sleeps 5 times 10 ms, or until killed; exits 3. */
static int blocker(int unused)
{
	(void)unused;
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int i = 0; i < 5; i++)
		sleep_ms(10);
	return 3;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_signal}, ign = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&ign.sa_mask);
	check_errno(sigaction(SIGKILL, &sa, NULL), EINVAL, "a handler for SIGKILL: EINVAL");
	check_errno(sigaction(SIGSTOP, &sa, NULL), EINVAL, "a handler for SIGSTOP: EINVAL");
	check_errno(sigaction(SIGKILL, &ign, NULL), EINVAL, "SIG_IGN for SIGKILL: EINVAL");
	check_errno(sigaction(SIGSTOP, &ign, NULL), EINVAL, "SIG_IGN for SIGSTOP: EINVAL");
	check(sigaction(SIGKILL, NULL, &old) == 0 && old.sa_handler == SIG_DFL,
	      "querying SIGKILL's action: SIG_DFL");
	check_errno(sigaction(0, &sa, NULL), EINVAL, "signal 0: EINVAL");
	check_errno(sigaction(65, &sa, NULL), EINVAL, "signal 65: EINVAL");

	sigset_t set, now;
	sigemptyset(&set);
	sigaddset(&set, SIGKILL);
	sigaddset(&set, SIGSTOP);
	sigaddset(&set, SIGUSR1);
	check(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "sigprocmask(SIG_BLOCK, {KILL, STOP, USR1})");
	check(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGUSR1) &&
		      !sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP),
	      "only SIGUSR1 is blocked");
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	pid_t child = spawn(blocker, 0);
	sleep_ms(5);
	check(kill(child, SIGSTOP) == 0, "SIGSTOP to a child blocking every signal");
	sleep_ms(100);
	int status;
	check(waitpid(child, &status, WNOHANG) == 0, "it stops: still there 100 ms later, its 50 ms not done");
	check(kill(child, SIGCONT) == 0, "SIGCONT");
	check_exit(child, 3, "it goes on and exits 3");

	child = spawn(blocker, 0);
	sleep_ms(5);
	check(kill(child, SIGKILL) == 0, "SIGKILL to a child blocking every signal");
	check_killed(child, SIGKILL, "it dies of SIGKILL");
	return check_status();
}

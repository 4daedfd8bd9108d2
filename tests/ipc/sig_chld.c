/*
 * SIGCHLD to the parent when a child ends, with its siginfo: si_pid the child, si_code
 * CLD_EXITED and si_status the exit code, or CLD_KILLED and the signal.
 */
#include "ipc_test.h"

static volatile sig_atomic_t runs;
static volatile int seen_signo, seen_code, seen_pid, seen_status;

static void on_child(int sig, siginfo_t *info, void *context)
{
	(void)context;
	seen_signo = sig == info->si_signo ? sig : -1;
	seen_code = info->si_code;
	seen_pid = info->si_pid;
	seen_status = info->si_status;
	runs++;
}

static int exit_42(int unused)
{
	(void)unused;
	return 42;
}

static int sleeper(int unused)
{
	(void)unused;
	sleep_ms(100000);
	return 1;
}

/* Sleeps until the handler has run n times, 1 s at most. */
static void await_runs(int n)
{
	for (int polls = 0; runs < n && polls < 1000; polls++)
		sleep_ms(1);
}

int main(void)
{
	struct sigaction sa = {.sa_sigaction = on_child, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	check(sigaction(SIGCHLD, &sa, NULL) == 0, "a SA_SIGINFO handler for SIGCHLD");

	pid_t child = spawn(exit_42, 0);
	await_runs(1);
	check(runs == 1 && seen_signo == SIGCHLD, "SIGCHLD when a child exits");
	check(seen_pid == child, "si_pid: the child");
	check(seen_code == CLD_EXITED && seen_status == 42, "si_code CLD_EXITED, si_status 42");
	check_exit(child, 42, "wait4 still reports it");

	child = spawn(sleeper, 0);
	sleep_ms(10);
	kill(child, SIGKILL);
	await_runs(2);
	check(runs == 2 && seen_pid == child, "SIGCHLD when a child is killed, si_pid the child");
	check(seen_code == CLD_KILLED && seen_status == SIGKILL, "si_code CLD_KILLED, si_status SIGKILL");
	check_killed(child, SIGKILL, "wait4 still reports it");
	return check_status();
}

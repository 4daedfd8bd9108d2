/*
 * Blocking calls interrupted by a handled signal: nanosleep returns EINTR with the time left in
 * rem; wait4 returns EINTR when the handler lacks SA_RESTART and is restarted (and returns the
 * child) when it has it. A child sends the signal 20 ms after it starts, then sleeps until
 * killed, so that no child's exit ends a wait early.
 */
#include <time.h>

#include "ipc_test.h"

static volatile sig_atomic_t runs;

static void on_usr1(int sig)
{
	(void)sig;
	runs++;
}

static int install(int flags)
{
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = flags};
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL);
}

/* Sends SIGUSR1 to its parent after 20 ms, then sleeps until it is killed. */
static int pinger(int unused)
{
	(void)unused;
	sleep_ms(20);
	kill(getppid(), SIGUSR1);
	sleep_ms(100000);
	return 1;
}

/* Exits 7 after ms milliseconds. */
static int late_exit(int ms)
{
	sleep_ms(ms);
	return 7;
}

/* Stops the pinger and reaps it. */
static void stop(pid_t pinger_pid)
{
	kill(pinger_pid, SIGKILL);
	reap(pinger_pid);
}

int main(void)
{
	check(install(0) == 0, "SIGUSR1 handler without SA_RESTART");

	pid_t p = spawn(pinger, 0);
	struct timespec req = {1, 0}, rem = {-1, -1};
	check_errno(nanosleep(&req, &rem), EINTR, "nanosleep(1 s) interrupted: EINTR");
	check(runs == 1, "the handler ran");
	check(rem.tv_sec == 0 && rem.tv_nsec > 900000000 && rem.tv_nsec < 1000000000,
	      "rem holds the 0.98 s left");
	stop(p);

	pid_t slow = spawn(late_exit, 200), status;
	p = spawn(pinger, 0);
	check_errno(wait4(slow, &status, 0, NULL), EINTR, "wait4 interrupted: EINTR");
	check(runs == 2, "the handler ran");
	check(wait4(slow, &status, 0, NULL) == slow && WEXITSTATUS(status) == 7,
	      "wait4 again: the child, exit 7");
	stop(p);

	check(install(SA_RESTART) == 0, "SIGUSR1 handler with SA_RESTART");
	slow = spawn(late_exit, 200);
	p = spawn(pinger, 0);
	check(wait4(slow, &status, 0, NULL) == slow && WEXITSTATUS(status) == 7,
	      "wait4 restarted after the handler: the child, exit 7");
	check(runs == 3, "the handler ran");
	stop(p);
	return check_status();
}

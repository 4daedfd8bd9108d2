/*
 * A blocking wait4 in a process whose SIGCHLD handler has no SA_RESTART returns the child when
 * the very child it waits for exits (issue 21, point 4): the handler runs, but the wait had
 * its answer already, so it is not EINTR.
 */
#include <errno.h>
#include <signal.h>

#include "check.h"
#include "proc.h"

static volatile sig_atomic_t handled;

static void on_chld(int sig)
{
	(void)sig;
	handled++;
}

static int exit_later(int code)
{
	sleep_ms(50);
	return code;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_chld}; /* no SA_RESTART */
	sigaction(SIGCHLD, &sa, NULL);

	pid_t child = spawn(exit_later, 5);
	int status = 0;
	pid_t got = wait4(child, &status, 0, NULL);
	check(got == child, "wait4 returns the child that exited");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 5, "with its exit status 5");
	check(handled == 1, "and the SIGCHLD handler ran once");

	/* Waiting for any child: the same. */
	child = spawn(exit_later, 6);
	got = wait4(-1, &status, 0, NULL);
	check(got == child && WEXITSTATUS(status) == 6, "wait4(-1) returns the child too");

	return check_status();
}

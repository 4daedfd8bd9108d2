/*
 * A thousand processes at once: this PID 1 forks 999 children that each sleep 200 ms, checks
 * none has exited by the time the last one is forked, and reaps them all. Runs only under the
 * simulator (its default limit is 1024): natively the host's process limit may be lower.
 */
#include "check.h"
#include "proc.h"

#define CHILDREN 999

static int sleep_then_exit(int code)
{
	sleep_ms(200);
	return code;
}

int main(void)
{
	int forked = 0, reaped = 0, all_exited = 1, status;
	pid_t pid;

	while (forked < CHILDREN && spawn(sleep_then_exit, forked % 100) > 0)
		forked++;
	check(forked == CHILDREN, "999 forks");
	check(waitpid(-1, &status, WNOHANG) == 0, "all 1000 processes alive at once");

	while ((pid = wait4(-1, &status, 0, NULL)) > 0) {
		reaped++;
		all_exited &= WIFEXITED(status);
	}
	check_errno(pid, ECHILD, "reaped until ECHILD");
	check(all_exited, "each exited");
	printf("%d children\n", reaped);
	return check_status();
}

/*
 * The process limit holds: with eclipse-sim --max-procs=64, this PID 1 forks children (each
 * sleeps 100 ms, then exits) until fork fails with EAGAIN after 63, reaps them all, and can fork
 * again. Runs only under the simulator: natively the limit is the host's.
 */
#include "check.h"
#include "proc.h"

#define MAX_FORKS 10000 /* a bound, in case the limit does not hold */

static int sleep_then_exit(int code)
{
	sleep_ms(100);
	return code;
}

int main(void)
{
	int forks = 0, reaped = 0, all_exited_0 = 1, status;
	pid_t pid;

	while (forks < MAX_FORKS && (pid = spawn(sleep_then_exit, 0)) > 0)
		forks++;
	check_errno(forks < MAX_FORKS ? -1 : 0, EAGAIN, "fork fails with EAGAIN at the limit");
	printf("%d forks succeeded\n", forks);
	check(waitpid(-1, &status, WNOHANG) == 0, "every child was still alive then");

	while ((pid = wait4(-1, &status, 0, NULL)) > 0) {
		reaped++;
		all_exited_0 &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	check_errno(pid, ECHILD, "reaped until ECHILD");
	printf("%d children reaped\n", reaped);
	check(reaped == forks && all_exited_0, "each exited 0");

	pid = spawn(sleep_then_exit, 5);
	check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 5,
	      "fork after reaping works (child exited 5)");
	return check_status();
}

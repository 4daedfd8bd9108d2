/* Five children exit with 11..15 at once; wait4(-1) reaps each exactly once, in any order. */
#include "check.h"
#include "proc.h"

#define CHILDREN 5

static int exit_with(int code)
{
	return code;
}

int main(void)
{
	pid_t pids[CHILDREN];
	int codes[CHILDREN], forked = 0, reaped = 0, known = 1;

	for (int i = 0; i < CHILDREN; i++)
		forked += (pids[i] = spawn(exit_with, 11 + i)) > 0;
	check(forked == CHILDREN, "5 forks");

	for (int i = 0; i < CHILDREN; i++) {
		int status = -1;
		pid_t pid = wait4(-1, &status, 0, NULL);
		int j = 0;
		while (j < CHILDREN && pids[j] != pid)
			j++;
		if (pid <= 0 || j == CHILDREN || !WIFEXITED(status)) {
			known = 0;
			continue;
		}
		pids[j] = 0; /* a pid reaped twice would now not be found */
		/* Insertion sort: the order of exits is up to the scheduler. */
		int k = reaped++;
		for (; k > 0 && codes[k - 1] > WEXITSTATUS(status); k--)
			codes[k] = codes[k - 1];
		codes[k] = WEXITSTATUS(status);
	}
	check(known, "wait4(-1) returned each child once, exited");
	printf("exit codes:");
	for (int i = 0; i < reaped; i++)
		printf(" %d", codes[i]);
	printf("\n");
	check_errno(wait4(-1, NULL, 0, NULL), ECHILD, "then wait4(-1) -> ECHILD");
	return check_status();
}

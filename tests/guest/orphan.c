/*
 * Orphans are adopted: a child forks a grandchild and exits; the grandchild polls getppid()
 * until its parent is no longer the child, checks it is now this program, and says so. Under
 * eclipse-sim this program is PID 1, which adopts orphans; natively it makes itself the child
 * subreaper (prctl), so in both it reaps the grandchild itself and the output is the same.
 */
#include <sys/prctl.h>

#include "check.h"
#include "proc.h"

#define POLLS 1000 /* of 1 ms each */

static pid_t top;

static int grandchild(int original_parent)
{
	int polls = 0;
	while (getppid() == original_parent && polls++ < POLLS)
		sleep_ms(1);
	check(getppid() != original_parent, "grandchild: reparented");
	check(getppid() == top, "grandchild: the new parent is the top process");
	return check_status();
}

static int child(int unused)
{
	(void)unused;
	pid_t pid = spawn(grandchild, getpid());
	return pid > 0 ? 0 : 1;
}

int main(void)
{
	int status = -1;

	setvbuf(stdout, NULL, _IOLBF, 0); /* the grandchild prints (proc.h) */
	top = getpid();
	check(top == 1 || prctl(PR_SET_CHILD_SUBREAPER, 1) == 0,
	      "this process adopts orphans (PID 1 or subreaper)");
	/* The grandchild prints while this process waits; print only once it has been reaped. */
	pid_t pid = spawn(child, 0);
	int child_ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		       WEXITSTATUS(status) == 0;
	pid = wait4(-1, &status, 0, NULL);
	int grandchild_ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	check(child_ok, "child forked the grandchild and exited 0");
	check(grandchild_ok, "reaped the adopted grandchild, exit 0");
	check_errno(wait4(-1, &status, 0, NULL), ECHILD, "no children left");
	return check_status();
}

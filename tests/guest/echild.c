/*
 * wait4's errors: ECHILD with nothing to wait for, EINVAL for unknown options, ESRCH for the
 * pid INT_MIN (whose group, -INT_MIN, cannot exist), as on Linux.
 */
#include <limits.h>

#include "check.h"
#include "proc.h"

#define NOT_A_WAIT_OPTION 0x100

static int exit_with(int code)
{
	return code;
}

int main(void)
{
	int status;

	check_errno(wait4(-1, &status, 0, NULL), ECHILD, "wait4(-1) without children -> ECHILD");
	check_errno(wait4(0, &status, 0, NULL), ECHILD, "wait4(0) without children -> ECHILD");
	check_errno(waitpid(999999, &status, 0), ECHILD, "waitpid(999999) -> ECHILD");
	check_errno(waitpid(-1, &status, WNOHANG), ECHILD, "waitpid(-1, WNOHANG) without children -> ECHILD");
	check_errno(waitpid(-1, &status, NOT_A_WAIT_OPTION), EINVAL, "waitpid(-1, unknown option) -> EINVAL");
	check_errno(waitpid(INT_MIN, &status, 0), ESRCH, "waitpid(INT_MIN) -> ESRCH");

	pid_t child = spawn(exit_with, 0);
	check(child > 0, "fork");
	check_errno(waitpid(child, &status, NOT_A_WAIT_OPTION), EINVAL,
		    "waitpid(child, unknown option) -> EINVAL");
	check_errno(waitpid(getpid(), &status, 0), ECHILD, "waitpid(own pid) -> ECHILD");
	check(waitpid(child, &status, 0) == child && WIFEXITED(status), "reap the only child");
	check_errno(wait4(-1, &status, 0, NULL), ECHILD, "wait4(-1) after that -> ECHILD");
	check_errno(waitpid(child, &status, 0), ECHILD, "waitpid(reaped child) -> ECHILD");
	return check_status();
}

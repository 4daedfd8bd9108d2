/* WNOHANG: a child still sleeping is not ready (0); a blocking waitpid then gets its status. */
#include "check.h"
#include "proc.h"

static int sleep_then_exit(int code)
{
	sleep_ms(50);
	return code;
}

int main(void)
{
	int status = -1;
	pid_t child = spawn(sleep_then_exit, 7);

	check(child > 0, "fork");
	check(waitpid(child, &status, WNOHANG) == 0, "waitpid(child, WNOHANG) while it sleeps -> 0");
	check(status == -1, "status untouched by that");
	check(waitpid(-1, &status, WNOHANG) == 0, "waitpid(-1, WNOHANG) -> 0");
	check(waitpid(child, &status, 0) == child, "blocking waitpid -> the child");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 7, "WIFEXITED, WEXITSTATUS 7");
	check_errno(waitpid(child, &status, WNOHANG), ECHILD, "waitpid(child, WNOHANG) once reaped -> ECHILD");
	return check_status();
}

/*
 * A forked child execve's GUEST_DIR/test_exec_target with its own argv and envp; the target
 * prints them and exits 3, which the parent's waitpid must report.
 * Usage: exec_args GUEST_DIR (absolute: under eclipse-sim it needs --root /)
 */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv)
{
	char path[512];
	int status = -1;

	if (argc != 2) {
		dprintf(2, "usage: exec_args GUEST_DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/test_exec_target", argv[1]);
	setvbuf(stdout, NULL, _IOLBF, 0); /* the child prints, then _exit (proc.h) */

	pid_t child = fork();
	if (child == 0) {
		char *const target_argv[] = { "exec-target", "first", "with two spaces  ", "", "last", NULL };
		char *const target_envp[] = { "ECL_Z=last", "OTHER=not printed", "ECL_A=first", "ECL_EMPTY=", NULL };
		execve(path, target_argv, target_envp);
		printf("execve: FAIL (%s)\n", strerror(errno));
		_exit(99);
	}
	/* The target prints while this process waits: print only after. */
	check(child > 0 && waitpid(child, &status, 0) == child, "fork, then waitpid -> the child");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 3, "the exec'd program exited 3");
	return check_status();
}

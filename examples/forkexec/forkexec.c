/* fork, execve and wait4: runs a program in a child process and reports how it ended. */
#include <ecl/signal.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char *const hello[] = {"/bin/hello", NULL};
	char *const *args = argc > 1 ? argv + 1 : hello;
	printf("forkexec: pid %d runs %s in a child\n", getpid(), args[0]);
	/* Out before the child's output, and not a second time from the child's copy. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		dprintf(2, "forkexec: fork failed: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execve(args[0], args, environ);
		dprintf(2, "forkexec: cannot execute %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid) {
		dprintf(2, "forkexec: wait failed: %s\n", strerror(errno));
		return 1;
	}
	if (WIFEXITED(status))
		printf("forkexec: child %d exited with status %d\n", pid, WEXITSTATUS(status));
	else
		printf("forkexec: child %d was killed by %s\n", pid, signal_name(WTERMSIG(status)));
	return 0;
}

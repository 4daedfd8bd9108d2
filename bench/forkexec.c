/*
 * bench_forkexec COUNT PROGRAM [ARG...]: COUNT times, forks a child that execve's PROGRAM with
 * ARG... and waits for it with wait4; every child must exit with status 0. PROGRAM is a path
 * (no PATH search). bench_forkexec --exit exits with 0 at once: it is its own tiny PROGRAM.
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--exit") == 0)
		return 0;
	if (argc < 3) {
		dprintf(2, "usage: %s COUNT PROGRAM [ARG...]  or  %s --exit\n", argv[0], argv[0]);
		return 2;
	}
	unsigned long count = bench_count(argv[0], argv[1]);
	char **child_argv = argv + 2;
	for (unsigned long i = 0; i < count; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			dprintf(2, "forkexec: fork %lu failed (errno %d)\n", i, errno);
			return 1;
		}
		if (pid == 0) {
			execve(child_argv[0], child_argv, environ);
			dprintf(2, "forkexec: cannot execute %s (errno %d)\n", child_argv[0], errno);
			_exit(127);
		}
		int status;
		if (wait4(pid, &status, 0, NULL) != pid) {
			dprintf(2, "forkexec: wait4 failed (errno %d)\n", errno);
			return 1;
		}
		if (status != 0) {
			dprintf(2, "forkexec: child %lu ended with wait status %#x\n", i, status);
			return 1;
		}
	}
	printf("forkexec: %lu children exec'd and exited with 0\n", count);
	return 0;
}

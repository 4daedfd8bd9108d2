/*
 * bench_procmem [CHILDREN]: forks CHILDREN children (default 100) that each sleep one second in
 * nanosleep and exit with 0; the parent waits for all of them and fails unless every one exited
 * with 0. While the children sleep, each holds its own page tables, kernel state and the pages
 * it or the parent wrote since the fork: what a sleeping process costs.
 *
 * run.sh does not time this one: it looks for the smallest eclipse-sim --mem that lets it
 * succeed, for two values of CHILDREN (see README.md). On eclipse-sim's virtual clock the
 * second passes at once, since everything sleeps.
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long children = bench_count_arg(argc, argv, 100);
	for (unsigned long i = 0; i < children; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			dprintf(2, "procmem: fork %lu failed (errno %d)\n", i, errno);
			return 1;
		}
		if (pid == 0) {
			const struct timespec second = {1, 0};
			_exit(nanosleep(&second, NULL) != 0);
		}
	}
	unsigned long ok = 0;
	int status;
	for (unsigned long i = 0; i < children; i++) {
		if (wait4(-1, &status, 0, NULL) < 0) {
			dprintf(2, "procmem: wait4 failed (errno %d)\n", errno);
			return 1;
		}
		ok += status == 0;
	}
	printf("procmem: %lu of %lu sleeping children exited with 0\n", ok, children);
	return ok == children ? 0 : 1;
}

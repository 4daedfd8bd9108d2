/*
 * bench_ctxswitch [YIELDS]: two processes, a parent and its child, each call sched_yield YIELDS
 * times (default 200,000), so that with one CPU between them every call switches to the other:
 * 2 * YIELDS switches in all. The parent then waits for the child.
 *
 * bench_ctxswitch -t [YIELDS]: the same between two threads of one process, which share an
 * address space: the difference is what changing address spaces costs.
 *
 * On Linux the program first pins itself to the lowest-numbered CPU it may run on (the child
 * inherits that), since with a CPU each the two would never yield to each other and the run
 * would time bare sched_yield calls. Eclipse OS has one CPU and no sched_setaffinity; the
 * -ENOSYS is ignored. The output never depends on the pinning.
 */
#include "bench.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <string.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Restricts this process to the first CPU in its affinity mask, where there is one. */
static void pin_to_one_cpu(void)
{
	static unsigned long mask[16]; /* 1024 CPUs */
	/* The call itself, which returns the mask's size in bytes (the C library's returns 0). */
	long n = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
	if (n <= 0)
		return;
	for (unsigned i = 0; i < (unsigned long)n / sizeof(mask[0]); i++) {
		if (!mask[i])
			continue;
		unsigned long lowest = mask[i] & -mask[i];
		for (unsigned j = 0; j < sizeof(mask) / sizeof(mask[0]); j++)
			mask[j] = j == i ? lowest : 0;
		syscall(SYS_sched_setaffinity, 0, sizeof(mask), mask);
		return;
	}
}

static unsigned long yields;

static void *yielder(void *arg)
{
	(void)arg;
	unsigned long failed = 0;
	for (unsigned long i = 0; i < yields; i++)
		failed += sched_yield() != 0;
	return (void *)failed;
}

static int threads(void)
{
	pthread_t other;
	if (pthread_create(&other, NULL, yielder, NULL)) {
		dprintf(2, "ctxswitch: pthread_create failed\n");
		return 1;
	}
	void *mine = yielder(NULL), *theirs;
	if (pthread_join(other, &theirs) || mine || theirs) {
		dprintf(2, "ctxswitch: a sched_yield failed\n");
		return 1;
	}
	printf("ctxswitch: 2 threads called sched_yield %lu times each\n", yields);
	return 0;
}

int main(int argc, char **argv)
{
	bool use_threads = argc > 1 && !strcmp(argv[1], "-t");
	if (use_threads)
		argc--, argv++;
	yields = bench_count_arg(argc, argv, 200000);
	pin_to_one_cpu();
	if (use_threads)
		return threads();
	pid_t pid = fork();
	if (pid < 0) {
		dprintf(2, "ctxswitch: fork failed (errno %d)\n", errno);
		return 1;
	}
	unsigned long failed = 0;
	for (unsigned long i = 0; i < yields; i++)
		failed += sched_yield() != 0;
	if (pid == 0)
		_exit(failed != 0);
	int status;
	if (wait4(pid, &status, 0, NULL) != pid || status != 0 || failed) {
		dprintf(2, "ctxswitch: a sched_yield failed or the child ended badly\n");
		return 1;
	}
	printf("ctxswitch: 2 processes called sched_yield %lu times each\n", yields);
	return 0;
}

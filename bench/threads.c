/*
 * bench_threads [ROUNDS]: ROUNDS times (default 5,000), creates 4 POSIX threads that each add
 * their number to a shared atomic sum, and joins them: the cost of pthread_create (clone with
 * the thread flags, the new thread's stack and TLS) and pthread_join (the futex that the
 * kernel's CLONE_CHILD_CLEARTID wakes). Prints the sum, the same on every machine.
 */
#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PER_ROUND 4

static atomic_ulong sum;

static void *add(void *arg)
{
	atomic_fetch_add(&sum, (unsigned long)(uintptr_t)arg);
	return arg;
}

int main(int argc, char **argv)
{
	unsigned long rounds = bench_count_arg(argc, argv, 5000);
	for (unsigned long r = 0; r < rounds; r++) {
		pthread_t t[PER_ROUND];
		for (uintptr_t i = 0; i < PER_ROUND; i++) {
			int err = pthread_create(&t[i], NULL, add, (void *)(i + 1));
			if (err) {
				dprintf(2, "threads: pthread_create failed in round %lu: %s\n", r,
					strerror(err));
				return 1;
			}
		}
		for (uintptr_t i = 0; i < PER_ROUND; i++) {
			void *ret;
			if (pthread_join(t[i], &ret) || ret != (void *)(i + 1)) {
				dprintf(2, "threads: join of thread %lu in round %lu failed\n",
					(unsigned long)i, r);
				return 1;
			}
		}
	}
	printf("threads: %lu threads created and joined, sum %lu\n", rounds * PER_ROUND,
	       (unsigned long)atomic_load(&sum));
	return 0;
}

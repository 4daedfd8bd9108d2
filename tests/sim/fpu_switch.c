/*
 * Two processes keep running sums in SSE (double) and x87 (long double) registers while they
 * yield to each other and are preempted: the kernel moves each one's x87/SSE state lazily, on
 * its first floating-point instruction after a switch, so a mistake there shows as a wrong sum.
 */
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define STEPS 20000

/* Sums k/4 STEPS times in both units; 0 when both sums are exact. */
static int sums(int k)
{
	double sse = 0;
	long double x87 = 0;
	for (int i = 0; i < STEPS; i++) {
		sse += k * 0.25;
		x87 += k * 0.25L;
		if (i % 16 == 0)
			sched_yield();
	}
	double want = k * 0.25 * STEPS;
	return sse == want && x87 == (long double)want ? 0 : 1;
}

int main(void)
{
	pid_t child = fork();
	if (child == 0)
		_exit(sums(3));
	int bad = sums(5), status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		bad |= 2;
	printf(bad ? "x87/SSE state corrupted (%d)\n" : "x87/SSE state kept\n", bad);
	return bad;
}

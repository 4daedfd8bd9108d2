/* Unbounded recursion must run into the end of the stack and kill the process with SIGSEGV. */
#include <stdio.h>

/* Never equal to a depth reached; volatile so the compiler cannot see the recursion is endless. */
static volatile long stop = -1;

static long recurse(long depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth == stop)
		return 0;
	return recurse(depth + 1) + frame[0];
}

int main(void)
{
	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	long r = recurse(0);
	printf("did not fault %ld\n", r);
	return 1;
}

/* A store through a null pointer must kill the process with SIGSEGV. */
#include <stdio.h>

int main(void)
{
	/* Volatile pointee too: gcc drops a plain store whose value is never read. */
	volatile int *volatile p = NULL;

	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	*p = 1;
	printf("did not fault\n");
	return 1;
}

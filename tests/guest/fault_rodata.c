/* A store into a string literal (read-only data) must kill the process with SIGSEGV. */
#include <stdio.h>

int main(void)
{
	/* Volatile pointee too: gcc drops a plain store whose value is never read. */
	volatile char *volatile p = (volatile char *)"read-only";

	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	*p = 'R';
	printf("did not fault\n");
	return 1;
}

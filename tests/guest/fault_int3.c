/* A breakpoint instruction (int3) must kill the process with SIGTRAP. */
#include <stdio.h>

int main(void)
{
	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	__asm__ __volatile__("int3");
	printf("did not fault\n");
	return 1;
}

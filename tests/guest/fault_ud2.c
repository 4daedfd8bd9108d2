/* An undefined instruction (ud2) must kill the process with SIGILL. */
#include <stdio.h>

int main(void)
{
	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	__asm__ __volatile__("ud2");
	printf("did not fault\n");
	return 1;
}

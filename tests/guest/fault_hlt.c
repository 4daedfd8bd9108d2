/* hlt is privileged: in user mode it must kill the process with SIGSEGV. */
#include <stdio.h>

int main(void)
{
	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	__asm__ __volatile__("hlt");
	printf("did not fault\n");
	return 1;
}

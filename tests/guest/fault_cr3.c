/* Reading CR3 is privileged: in user mode it must kill the process with SIGSEGV. */
#include <stdio.h>

int main(void)
{
	unsigned long cr3;

	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	__asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
	(void)cr3;
	printf("did not fault\n");
	return 1;
}

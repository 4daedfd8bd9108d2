/* Port I/O needs IOPL 3 or an I/O bitmap: in user mode it must kill the process with SIGSEGV. */
#include <stdio.h>

int main(void)
{
	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	__asm__ __volatile__("outb %%al, $0x80" : : "a"(0));
	printf("did not fault\n");
	return 1;
}

/* hlt is privileged: in user mode it must kill the process with SIGSEGV. */
#include <ecl/stdio.h>

int main(void)
{
	printf("about to fault\n");
	__asm__ __volatile__("hlt");
	printf("did not fault\n");
	return 1;
}

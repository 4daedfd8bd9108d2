/* Executing writable data (a ret instruction in .data) must kill the process with SIGSEGV: NX. */
#include <stdint.h>
#include <stdio.h>

unsigned char code[16] = { 0xc3 };

int main(void)
{
	void (*volatile fn)(void) = (void (*)(void))(uintptr_t)code;

	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	fn();
	printf("did not fault\n");
	return 1;
}

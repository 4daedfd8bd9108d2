/* Executing writable data (a ret instruction in .data) must kill the process with SIGSEGV: NX. */
#include <ecl/stdio.h>
#include <stdint.h>

unsigned char code[16] = { 0xc3 };

int main(void)
{
	void (*volatile fn)(void) = (void (*)(void))(uintptr_t)code;

	printf("about to fault\n");
	fn();
	printf("did not fault\n");
	return 1;
}

/* Process exit. */
#include <ecl/stdlib.h>
#include <ecl/syscall.h>
#include <ecl/unistd.h>

/* Ends every thread of the process with status, at once. */
_Noreturn void _exit(int status)
{
	/* exit_group cannot fail; the loop only convinces the compiler that we never return. */
	for (;;)
		syscall1(SYS_exit_group, status);
}

/* Ends the process with status; stdio is unbuffered, so there is nothing to flush. */
_Noreturn void exit(int status)
{
	_exit(status);
}

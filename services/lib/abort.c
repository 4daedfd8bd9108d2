/* abort(). */
#include <ecl/stdlib.h>
#include <ecl/unistd.h>

/* Raises SIGABRT; exits with 127 if the signal is caught or ignored. */
_Noreturn void abort(void)
{
	kill(getpid(), SIGABRT);
	exit(127);
}

/* An integer division by zero must kill the process with SIGFPE. */
#include <stdio.h>

int main(void)
{
	/* Both operands volatile: gcc computes 1 / x without dividing, so the dividend must be unknown too. */
	volatile int dividend = 7, divisor = 0, quotient;

	printf("about to fault\n");
	fflush(stdout); /* the process dies with whatever is still buffered */
	quotient = dividend / divisor;
	(void)quotient;
	printf("did not fault\n");
	return 1;
}

/* What gdb_target execs in the stop-at-exec test. */
#include <stdio.h>

__attribute__((noinline)) int announce(int value)
{
	int twice = 2 * value;
	printf("exec target: %d\n", twice);
	return twice;
}

int main(void)
{
	int value = 21;
	return announce(value) == 42 ? 0 : 1;
}

/*
 * bench_compute [STEPS]: STEPS xorshift64 steps (default 200,000,000) on a state that lives in a
 * register: pure ALU work in one small loop, the best case for a translating emulator.
 */
#include "bench.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	unsigned long steps = bench_count_arg(argc, argv, 200000000);
	uint64_t x = XORSHIFT64_SEED;
	for (unsigned long i = 0; i < steps; i++)
		x = xorshift64(x);
	printf("compute: xorshift64 after %lu steps: %016lx\n", steps, (unsigned long)x);
	return 0;
}

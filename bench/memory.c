/*
 * bench_memory [PASSES]: PASSES * 512 Ki read-modify-write updates (default 40 passes) of
 * 8-byte words at xorshift64-random indices of a 4 MiB array: 1024 pages touched at random, so
 * an emulator's soft TLB and a CPU's caches both miss often. Prints a checksum of the array.
 */
#include "bench.h"

#include <stdio.h>

#define TABLE_WORDS ((4u << 20) / sizeof(uint64_t))

static uint64_t table[TABLE_WORDS];

int main(int argc, char **argv)
{
	unsigned long passes = bench_count_arg(argc, argv, 40);
	unsigned long updates = passes * TABLE_WORDS;
	uint64_t x = XORSHIFT64_SEED;
	for (unsigned long i = 0; i < updates; i++) {
		x = xorshift64(x);
		table[(x >> 32) & (TABLE_WORDS - 1)] += x;
	}
	uint64_t sum = 0;
	for (unsigned long i = 0; i < TABLE_WORDS; i++)
		sum = (sum ^ table[i]) * 0x100000001b3ull;
	printf("memory: %lu updates over 4 MiB, checksum %016lx\n", updates, (unsigned long)sum);
	return 0;
}

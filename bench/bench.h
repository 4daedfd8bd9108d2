/* What the benchmark guests share: their numeric arguments and the xorshift64 generator. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

/* Returns argv[1] as a positive decimal count, or fallback without it; exits 2 on a bad one. */
unsigned long bench_count_arg(int argc, char **argv, unsigned long fallback);

/* Returns s as a positive decimal count; prints why not under prog's name and exits 2. */
unsigned long bench_count(const char *prog, const char *s);

/* One step of Marsaglia's xorshift64 (13, 7, 17); x must not be 0. */
static inline uint64_t xorshift64(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

#define XORSHIFT64_SEED 88172645463325252ull

#endif

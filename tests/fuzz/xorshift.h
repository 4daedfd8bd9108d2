/* The storms' random numbers: xorshift64*, reproducible from a seed (rng = seed, never 0). */
#ifndef FUZZ_XORSHIFT_H
#define FUZZ_XORSHIFT_H

#include <stdint.h>

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

/* A number below n (0 for n 0). */
static uint64_t below(uint64_t n)
{
	return n ? next() % n : 0;
}

#endif

/* xorshift64* : cheap, reproducible; not for secrets. */
#include <kernel/random.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;

void random_init(uint64_t seed)
{
	state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

void random_bytes(void *buf, size_t len)
{
	unsigned char *b = buf;
	while (len) {
		state ^= state >> 12;
		state ^= state << 25;
		state ^= state >> 27;
		uint64_t v = state * 0x2545f4914f6cdd1dull;
		for (int i = 0; i < 8 && len; i++, len--, v >>= 8)
			*b++ = (unsigned char)v;
	}
}

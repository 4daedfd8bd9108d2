/*
 * malloc and realloc of large blocks: blocks of several MiB filled with a pattern keep every
 * byte through reallocs that grow (to 48 MiB) and shrink them; calloc gives zeroes, also in
 * memory that was freed dirty before; many small blocks interleaved with large ones stay
 * intact; a block far beyond memory fails with ENOMEM and leaves the process working.
 */
#include <stdint.h>

#include "ul.h"

#define MiB (1024 * 1024)

static unsigned char pattern(size_t i, unsigned seed)
{
	return (unsigned char)((i * 2654435761u) >> 13 ^ seed);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(i, seed);
}

/* Whether the first n bytes of p still hold the pattern. */
static int intact(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(i, seed))
			return 0;
	return 1;
}

static void growing(void)
{
	size_t size = 3 * MiB;
	unsigned char *p = malloc(size);
	if (!check(p != NULL, "malloc 3 MiB"))
		return;
	fill(p, size, 1);
	static const size_t sizes[] = {5 * MiB, 12 * MiB + 3, 48 * MiB, 7 * MiB + 4095, 1 * MiB, 100, 9 * MiB};
	size_t valid = size;
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		unsigned char *q = realloc(p, sizes[k]);
		char what[80];
		snprintf(what, sizeof what, "realloc %zu -> %zu bytes keeps the contents", size, sizes[k]);
		if (!check(q != NULL, "realloc succeeds"))
			break;
		p = q;
		if (sizes[k] < valid)
			valid = sizes[k];
		check(intact(p, valid, 1), what);
		/* The new part is usable: fill all of it, so the next step checks more. */
		fill(p, sizes[k], 1);
		valid = size = sizes[k];
	}
	free(p);
}

static void zeroes(void)
{
	/* Dirty a large block, free it, then calloc one as large: it must read as zeroes. */
	unsigned char *dirty = malloc(6 * MiB);
	if (dirty)
		memset(dirty, 0xa5, 6 * MiB);
	free(dirty);
	unsigned char *z = calloc(6 * MiB, 1);
	int all_zero = z != NULL;
	for (size_t i = 0; z && i < 6 * MiB; i++)
		all_zero &= z[i] == 0;
	check(all_zero, "calloc 6 MiB after a freed dirty block: zeroes");
	free(z);
	volatile size_t huge = SIZE_MAX / 2; /* not a constant: the compiler would refuse the call */
	errno = 0;
	check(calloc(huge, 4) == NULL && errno == ENOMEM, "calloc whose size overflows: ENOMEM");
}

static void mixed(void)
{
	enum { N = 2000 };
	static unsigned char *small[N];
	unsigned char *large[8];
	for (int i = 0; i < N; i++) {
		small[i] = malloc(16 + i % 200);
		if (small[i])
			fill(small[i], 16 + i % 200, i);
		if (i % 250 == 0) {
			large[i / 250] = malloc(MiB + i);
			if (large[i / 250])
				fill(large[i / 250], MiB + i, i);
		}
	}
	int ok = 1;
	for (int i = 0; i < N; i += 2) { /* free every other small block, grow the rest */
		free(small[i]);
		small[i] = NULL;
		unsigned char *q = realloc(small[i + 1], 1000 + i);
		ok &= q && intact(q, 16 + (i + 1) % 200, i + 1);
		small[i + 1] = q;
	}
	for (int k = 0; k < 8; k++)
		ok &= large[k] && intact(large[k], MiB + k * 250, k * 250);
	check(ok, "2000 small blocks and 8 of a MiB, freed and grown in turns, stay intact");
	for (int i = 0; i < N; i++)
		free(small[i]);
	for (int k = 0; k < 8; k++)
		free(large[k]);
}

static void too_much(void)
{
	volatile size_t huge = (size_t)1 << 46; /* 64 TiB */
	errno = 0;
	void *p = malloc(huge);
	check(p == NULL && errno == ENOMEM, "malloc of 64 TiB: ENOMEM");
	free(p);
	p = malloc(MiB);
	check(p != NULL, "malloc works afterwards");
	free(p);
}

int main(void)
{
	growing();
	zeroes();
	mixed();
	too_much();
	return check_status();
}

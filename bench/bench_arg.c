/* The count argument every benchmark guest takes. */
#include "bench.h"

#include <ecl/stdio.h>
#include <ecl/stdlib.h>

unsigned long bench_count_arg(int argc, char **argv, unsigned long fallback)
{
	if (argc < 2)
		return fallback;
	char *end;
	unsigned long n = strtoul(argv[1], &end, 10);
	if (argc > 2 || *argv[1] < '0' || *argv[1] > '9' || *end || n == 0) {
		dprintf(2, "usage: %s [COUNT]  (a positive decimal number, default %lu)\n", argv[0],
			fallback);
		exit(2);
	}
	return n;
}

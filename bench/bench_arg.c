/* The count arguments of the benchmark guests. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

unsigned long bench_count(const char *prog, const char *s)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || n == 0) {
		dprintf(2, "%s: '%s' is not a positive decimal count\n", prog, s);
		exit(2);
	}
	return n;
}

unsigned long bench_count_arg(int argc, char **argv, unsigned long fallback)
{
	if (argc < 2)
		return fallback;
	if (argc > 2) {
		dprintf(2, "usage: %s [COUNT]  (a positive decimal number, default %lu)\n", argv[0],
			fallback);
		exit(2);
	}
	return bench_count(argv[0], argv[1]);
}

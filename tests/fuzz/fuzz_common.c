/* What every harness shares: failing loudly, reading files. */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: broken invariant: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

unsigned char *fuzz_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	FUZZ_CHECK(f != NULL, "cannot open %s", path);
	unsigned char *buf = NULL;
	long size = -1;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size)) && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	FUZZ_CHECK(buf != NULL, "cannot read %s", path);
	*len = (size_t)size;
	return buf;
}

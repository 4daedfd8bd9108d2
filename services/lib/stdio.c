/*
 * The output side of stdio. Unbuffered by design: each call formats into a stack buffer and
 * writes it before returning (one write per call unless the output is longer than the buffer),
 * so there is nothing to flush at exit or before a crash.
 */
#include <ecl/stdio.h>
#include <ecl/string.h>
#include <ecl/unistd.h>

#include "format.h"

#define STDIO_BUF 512

/* Formats fmt with ap and writes it to fd; returns the byte count, or -1 if a write failed. */
int vdprintf(int fd, const char *restrict fmt, va_list ap)
{
	char buf[STDIO_BUF];
	struct fmt_out o = { .buf = buf, .cap = sizeof buf, .fd = fd };
	fmt_vformat(&o, fmt, ap);
	fmt_flush(&o);
	return o.failed ? -1 : (int)o.total;
}

/* vdprintf with variable arguments. */
int dprintf(int fd, const char *restrict fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

/* vdprintf to stdout. */
int vprintf(const char *restrict fmt, va_list ap)
{
	return vdprintf(1, fmt, ap);
}

/* vdprintf to stdout with variable arguments. */
int printf(const char *restrict fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf(1, fmt, ap);
	va_end(ap);
	return n;
}

/* Formats into buf (at most n - 1 bytes and a NUL); returns the length the whole output has. */
int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt, va_list ap)
{
	char dummy;
	struct fmt_out o = { .buf = n ? buf : &dummy, .cap = n ? n - 1 : 0, .fd = -1 };
	fmt_vformat(&o, fmt, ap);
	o.buf[o.len] = '\0';
	return (int)o.total;
}

/* vsnprintf with variable arguments. */
int snprintf(char *restrict buf, size_t n, const char *restrict fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

/* Writes s and a newline to stdout in one write; returns 0, or -1 if the write failed. */
int puts(const char *s)
{
	return dprintf(1, "%s\n", s) < 0 ? -1 : 0;
}

/* Writes c to stdout; returns it as an unsigned char, or -1 if the write failed. */
int putchar(int c)
{
	unsigned char ch = (unsigned char)c;
	return write(1, &ch, 1) == 1 ? ch : -1;
}

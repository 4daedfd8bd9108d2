/*
 * Formatted output. Unbuffered: each call formats into a small buffer and writes it before
 * returning, so stdout and stderr interleave in call order, as with line buffering disabled.
 * Conversions: d i u x X o p s c %, with hh h l ll z lengths, width, precision (both may be *)
 * and the flags - 0 + space #.
 */
#ifndef ECL_STDIO_H
#define ECL_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define ECL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* The printf family returns the number of bytes produced, or -1 if a write failed. */
int printf(const char *restrict fmt, ...) ECL_PRINTF(1, 2);
int vprintf(const char *restrict fmt, va_list ap) ECL_PRINTF(1, 0);
int dprintf(int fd, const char *restrict fmt, ...) ECL_PRINTF(2, 3);
int vdprintf(int fd, const char *restrict fmt, va_list ap) ECL_PRINTF(2, 0);
/* snprintf returns the length the whole output would have; buf gets at most n - 1 of it, and a NUL. */
int snprintf(char *restrict buf, size_t n, const char *restrict fmt, ...) ECL_PRINTF(3, 4);
int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt, va_list ap) ECL_PRINTF(3, 0);
/* Writes s and a newline to stdout; returns a non-negative value, or -1 if the write failed. */
int puts(const char *s);
/* Writes c to stdout; returns it as an unsigned char, or -1 if the write failed. */
int putchar(int c);

#endif

/* Freestanding string, formatting and console helpers for the kernel core. */
#ifndef KERNEL_KLIB_H
#define KERNEL_KLIB_H

#include <kernel/types.h>
#include <stdarg.h>

void *kmemcpy(void *dst, const void *src, size_t n);
void *kmemset(void *dst, int c, size_t n);
int kmemcmp(const void *a, const void *b, size_t n);
size_t kstrlen(const char *s);
size_t kstrnlen(const char *s, size_t max);
int kstrcmp(const char *a, const char *b);
int kstrncmp(const char *a, const char *b, size_t n);
/* The first c in s, or NULL. */
const char *kstrchr(const char *s, int c);
/* Copies at most size-1 bytes of src and always terminates dst (size > 0). Returns kstrlen(src). */
size_t kstrlcpy(char *dst, const char *src, size_t size);

/* printf-style formatting (%d %i %u %x %X %o %p %s %c %%, l/ll/z/h, width, precision, flags). */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Formats and writes to the console stream (1 out, 2 err). */
void kprintf(int stream, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes the kernel's own text to a console stream (lines end as the terminal needs). */
void kputs(int stream, const char *s, size_t len);

/* The name of error number e ("ENOENT"), or NULL for one Linux does not have. */
const char *kerrno_name(long e);

/* A broken kernel invariant: report and stop the machine. Never for bad user input. */
void kpanic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define KASSERT(cond)                                                                            \
	do {                                                                                     \
		if (!(cond))                                                                     \
			kpanic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);       \
	} while (0)

#endif

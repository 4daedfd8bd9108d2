/*
 * The four functions GCC and Clang may call on their own even in freestanding code (for a
 * large struct copy, say): the hosted sim gets them from libc, bare metal from here.
 */
#include <kernel/klib.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	return kmemcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		return kmemcpy(dst, src, n); /* no overlap that a forward copy would spoil */
	char *d = (char *)dst + n - 1;
	const char *s = (const char *)src + n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	return kmemset(dst, c, n);
}

int memcmp(const void *a, const void *b, size_t n)
{
	return kmemcmp(a, b, n);
}

/* Basic kernel types and helpers. Only compiler-provided freestanding headers. */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096ull
#define PAGE_MASK (PAGE_SIZE - 1)
#define PAGE_DOWN(x) ((uint64_t)(x) & ~PAGE_MASK)
#define PAGE_UP(x) (((uint64_t)(x) + PAGE_MASK) & ~PAGE_MASK)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Lowest and one-past-highest user virtual address (canonical lower half, page 0 excluded). */
#define USER_MIN 0x10000ull
#define USER_END 0x0000800000000000ull
/* The first address of the kernel's (upper) canonical half. */
#define KERNEL_HALF 0xffff800000000000ull

typedef int64_t ssize_t_k;

/* A loop that only scans memory (page tables, bitmaps): left out of the coverage
 * instrumentation of fuzzing builds (clang), where every comparison would call into the fuzzer
 * and its branches teach it nothing. */
#if defined(__clang__)
#define KSCAN __attribute__((no_sanitize("coverage")))
#else
#define KSCAN
#endif

#endif

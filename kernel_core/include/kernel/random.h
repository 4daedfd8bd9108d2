/* The kernel's pseudo-random numbers, seeded by the platform (fixed when it is deterministic). */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <kernel/types.h>

void random_init(uint64_t seed);
void random_bytes(void *buf, size_t len);

#endif

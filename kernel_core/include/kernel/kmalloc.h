/* Kernel object allocator: small objects in slab frames, whole frames for page-sized data. */
#ifndef KERNEL_KMALLOC_H
#define KERNEL_KMALLOC_H

#include <kernel/types.h>

#define KMALLOC_MAX 2048

/* A zero-filled object of size bytes (1..KMALLOC_MAX), or NULL when memory is exhausted. */
void *kmalloc(size_t size);
/* Frees an object from kmalloc (NULL is ignored). */
void kfree(void *p);
/* A zero-filled page-aligned page of kernel memory, or NULL. */
void *kpage_alloc(void);
/* Frees a page from kpage_alloc (NULL is ignored). */
void kpage_free(void *p);
/* Objects and pages currently allocated (for leak checks). */
size_t kmalloc_live(void);

#endif

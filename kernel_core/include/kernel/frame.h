/* Physical frame allocator with reference counts. Frame address 0 means "none". */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H

#include <kernel/types.h>

/* Takes over the platform's RAM ranges. Returns 0 or -ENOMEM if there is no usable RAM. */
int frame_init(void);
/* A zero-filled frame with reference count 1, or 0 when memory is exhausted. */
uint64_t frame_alloc(void);
/* n physically contiguous zero-filled frames, each with reference count 1 (DMA memory): the
 * first one's address, or 0 when no such run is free. */
uint64_t frame_alloc_contig(size_t n);
/* Whether pa lies in a frame the allocator manages (not device memory, not its own counts). */
bool frame_is_ram(uint64_t pa);
/* Adds a reference to an allocated frame. */
void frame_get(uint64_t pa);
/* Drops a reference; the frame is free again when the count reaches zero. */
void frame_put(uint64_t pa);
/* Frame pa is mapped executable: when it is freed the platform hears of it. */
void frame_mark_code(uint64_t pa);
/* Whether frame pa was mapped executable since it was allocated. */
bool frame_held_code(uint64_t pa);
/* The shared frame of zeros that untouched pages read from: mapped read-only (copy-on-write),
 * never written, never freed; frame_get and frame_put leave it alone. */
uint64_t frame_zero(void);
/* The reference count of frame pa (0 when free). */
unsigned frame_refcount(uint64_t pa);
/* Frames free now, and frames managed in all. */
size_t frame_free_count(void);
size_t frame_total_count(void);

#endif

/*
 * Read-only segments of programs shared between processes: the first exec of a program keeps
 * its text and rodata frames, later execs map the same frames (copy-on-write, so nobody can
 * change them). The CPU emulator keys translated code by physical page, so they also share
 * the translations.
 */
#ifndef KERNEL_IMGCACHE_H
#define KERNEL_IMGCACHE_H

#include <kernel/types.h>

struct mm;

#define IMGCACHE_ENTRIES 64
#define IMGCACHE_SEGMENT_PAGES 512 /* larger read-only segments are not shared */

/* Maps segment seg (pages [va, va+len), flags) of image id from the cache into mm.
 * Returns 1 when mapped, 0 when not cached, or -errno. */
int imgcache_map(struct mm *mm, uint64_t id, int seg, uint64_t va, uint64_t len, unsigned flags);
/* Remembers the frames mm has at [va, va+len) as segment seg of image id. */
void imgcache_keep(struct mm *mm, uint64_t id, int seg, uint64_t va, uint64_t len);
/* Forgets everything (frames are released). */
void imgcache_clear(void);

#endif

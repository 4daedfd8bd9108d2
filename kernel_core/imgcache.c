/* A small table of (image, segment) -> frames, with the oldest entry evicted when full. */
#include <kernel/frame.h>
#include <kernel/imgcache.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

struct entry {
	uint64_t id;
	int seg;
	uint64_t len;
	uint64_t *frames; /* a kernel page of frame addresses */
};

static struct entry cache[IMGCACHE_ENTRIES];
static unsigned next_victim;

static void release(struct entry *e)
{
	for (uint64_t i = 0; i < e->len >> PAGE_SHIFT; i++)
		frame_put(e->frames[i]);
	kpage_free(e->frames);
	*e = (struct entry){0};
}

static struct entry *find(uint64_t id, int seg, uint64_t len)
{
	for (unsigned i = 0; i < IMGCACHE_ENTRIES; i++)
		if (cache[i].frames && cache[i].id == id && cache[i].seg == seg && cache[i].len == len)
			return &cache[i];
	return NULL;
}

int imgcache_map(struct mm *mm, uint64_t id, int seg, uint64_t va, uint64_t len, unsigned flags)
{
	struct entry *e = id ? find(id, seg, len) : NULL;
	if (!e)
		return 0;
	for (uint64_t i = 0; i < len >> PAGE_SHIFT; i++) {
		frame_get(e->frames[i]);
		int err = vm_map(&mm->as, va + (i << PAGE_SHIFT), e->frames[i], flags | VM_COW);
		if (err) {
			frame_put(e->frames[i]);
			return err;
		}
	}
	return 1;
}

void imgcache_keep(struct mm *mm, uint64_t id, int seg, uint64_t va, uint64_t len)
{
	uint64_t pages = len >> PAGE_SHIFT;
	if (!id || pages == 0 || pages > IMGCACHE_SEGMENT_PAGES || find(id, seg, len))
		return;
	uint64_t *frames = kpage_alloc();
	if (!frames)
		return;
	for (uint64_t i = 0; i < pages; i++) {
		unsigned flags;
		if (vm_translate(&mm->as, va + (i << PAGE_SHIFT), &frames[i], &flags) < 0) {
			/* A page never touched (bss-like): not worth sharing. */
			kpage_free(frames);
			return;
		}
	}
	struct entry *e = &cache[next_victim];
	next_victim = (next_victim + 1) % IMGCACHE_ENTRIES;
	if (e->frames)
		release(e);
	for (uint64_t i = 0; i < pages; i++) {
		frame_get(frames[i]);
		/* The frames are shared from now on: make this mapping copy-on-write too. */
		unsigned flags;
		uint64_t pa;
		vm_translate(&mm->as, va + (i << PAGE_SHIFT), &pa, &flags);
		vm_protect(&mm->as, va + (i << PAGE_SHIFT), (flags & ~VM_WRITE) | VM_COW);
	}
	*e = (struct entry){id, seg, len, frames};
}

void imgcache_clear(void)
{
	for (unsigned i = 0; i < IMGCACHE_ENTRIES; i++)
		if (cache[i].frames)
			release(&cache[i]);
	next_victim = 0;
}

/*
 * Kernel objects live in physical frames reached through the platform's direct map, so the
 * frame allocator accounts for every byte the kernel holds. Each slab frame starts with a
 * header; an empty slab goes back to the frame allocator at once.
 */
#include <kernel/frame.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/plat.h>

#define SLAB_MAGIC 0x51ab51abu
#define NCLASSES 7 /* 32 .. 2048 */

struct slab {
	uint32_t magic;
	uint16_t cls;
	uint16_t inuse;
	void *free;
	struct slab *next, *prev;
	uint64_t pa;
};

#define SLAB_HDR ((sizeof(struct slab) + 31) & ~(size_t)31)

static struct slab *partial[NCLASSES];
static size_t live;

static size_t class_size(unsigned cls)
{
	return (size_t)32 << cls;
}

static void list_remove(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void list_push(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->cls];
	if (s->next)
		s->next->prev = s;
	partial[s->cls] = s;
}

static struct slab *slab_new(unsigned cls)
{
	uint64_t pa = frame_alloc();
	if (!pa)
		return NULL;
	struct slab *s = plat_phys(pa);
	s->magic = SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->pa = pa;
	size_t sz = class_size(cls);
	char *base = (char *)s;
	for (size_t off = SLAB_HDR; off + sz <= PAGE_SIZE; off += sz) {
		*(void **)(base + off) = s->free;
		s->free = base + off;
	}
	list_push(s);
	return s;
}

void *kmalloc(size_t size)
{
	if (size == 0 || size > KMALLOC_MAX)
		return NULL;
	unsigned cls = 0;
	while (class_size(cls) < size)
		cls++;
	struct slab *s = partial[cls];
	if (!s && !(s = slab_new(cls)))
		return NULL;
	void *p = s->free;
	s->free = *(void **)p;
	s->inuse++;
	if (!s->free)
		list_remove(s);
	live++;
	kmemset(p, 0, class_size(cls));
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct slab *s = (struct slab *)((uintptr_t)p & ~(uintptr_t)PAGE_MASK);
	KASSERT(s->magic == SLAB_MAGIC && s->inuse > 0);
	bool was_full = s->free == NULL;
	*(void **)p = s->free;
	s->free = p;
	s->inuse--;
	live--;
	if (was_full)
		list_push(s);
	if (s->inuse == 0) {
		list_remove(s);
		s->magic = 0;
		frame_put(s->pa);
	}
}

void *kpage_alloc(void)
{
	uint64_t pa = frame_alloc();
	if (!pa)
		return NULL;
	live++;
	return plat_phys(pa);
}

void kpage_free(void *p)
{
	if (!p)
		return;
	live--;
	frame_put(plat_pa(p));
}

size_t kmalloc_live(void)
{
	return live;
}

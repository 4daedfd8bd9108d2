/*
 * Physical frames. Each RAM range keeps its reference counts in an array carved from the start
 * of the range itself; freed frames form an intrusive list threaded through their first word,
 * and frames never used yet are handed out from a per-range watermark.
 */
#include <kernel/frame.h>
#include <kernel/klib.h>
#include <kernel/plat.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define MAX_RANGES 16
#define HELD_CODE 0x8000u /* the frame was mapped executable since it was allocated */
#define REF_MASK 0x7fffu
#define PINNED REF_MASK /* the zero frame: any number of mappings, never freed */

struct range {
	uint64_t first, end; /* managed frames: [first, end) physical */
	uint64_t fresh;      /* frames from here on were never handed out */
	uint16_t *refs;      /* one count per frame from first, and HELD_CODE */
};

static struct range ranges[MAX_RANGES];
static size_t nranges;
static uint64_t free_head, zero_frame;
static size_t nfree, ntotal;
/* Never-used frames read as zero (plat_mem_take_zeroed): frame_alloc need not clear them.
 * Clearing a frame the host never touched costs its page fault too, for nothing when the
 * frame is written over next (an ELF's page, a file read); a fifth of the sim's boot. */
static bool fresh_zeroed;

static uint16_t *ref_of(uint64_t pa)
{
	for (size_t i = 0; i < nranges; i++)
		if (pa >= ranges[i].first && pa < ranges[i].end)
			return &ranges[i].refs[(pa - ranges[i].first) >> PAGE_SHIFT];
	kpanic("frame: %#llx is not managed RAM", (unsigned long long)pa);
}

static void push_free(uint64_t pa)
{
	*(uint64_t *)plat_phys(pa) = free_head;
	free_head = pa;
	nfree++;
}

int frame_init(void)
{
	const struct plat_mem_range *r;
	size_t n = plat_mem_ranges(&r);
	nranges = 0;
	free_head = 0;
	nfree = ntotal = 0;
	for (size_t i = 0; i < n && nranges < MAX_RANGES; i++) {
		uint64_t base = PAGE_UP(r[i].base), end = PAGE_DOWN(r[i].base + r[i].size);
		if (base == 0)
			base = PAGE_SIZE;
		if (end <= base)
			continue;
		uint64_t frames = (end - base) >> PAGE_SHIFT;
		uint64_t meta = PAGE_UP(frames * sizeof(uint16_t));
		if (meta >= end - base)
			continue;
		struct range *rg = &ranges[nranges++];
		rg->refs = plat_phys(base);
		rg->first = base + meta;
		rg->end = end;
		kmemset(rg->refs, 0, meta);
	}
	/* Frames never used are handed out in ascending order without touching them first, so
	 * a large RAM costs nothing until it is used. */
	for (size_t i = 0; i < nranges; i++) {
		ranges[i].fresh = ranges[i].first;
		ntotal += (ranges[i].end - ranges[i].first) >> PAGE_SHIFT;
	}
	nfree = ntotal;
	if (!ntotal)
		return -ENOMEM;
	fresh_zeroed = plat_mem_take_zeroed();
	/* The zero frame is kept apart from the counts: it is never allocated nor freed. */
	zero_frame = frame_alloc();
	*ref_of(zero_frame) = PINNED;
	ntotal--;
	return 0;
}

/* A frame from the free list, else one never used before (*fresh), else 0. */
static uint64_t take_frame(bool *fresh)
{
	uint64_t pa = free_head;
	*fresh = false;
	if (pa) {
		free_head = *(uint64_t *)plat_phys(pa);
		return pa;
	}
	for (size_t i = 0; i < nranges; i++)
		if (ranges[i].fresh < ranges[i].end) {
			pa = ranges[i].fresh;
			ranges[i].fresh += PAGE_SIZE;
			*fresh = true;
			return pa;
		}
	return 0;
}

uint64_t frame_alloc(void)
{
	bool fresh;
	uint64_t pa = take_frame(&fresh);
	if (!pa)
		return 0;
	nfree--;
	uint16_t *ref = ref_of(pa);
	KASSERT(*ref == 0);
	*ref = 1;
	if (!fresh || !fresh_zeroed)
		kmemset(plat_phys(pa), 0, PAGE_SIZE);
	return pa;
}

/* n free frames in a row in range rg, from the free list or never used: their first, or 0. */
static uint64_t find_run(const struct range *rg, size_t n)
{
	size_t run = 0;
	for (uint64_t pa = rg->first; pa < rg->end; pa += PAGE_SIZE) {
		if (pa >= rg->fresh) {
			/* Everything from here on is free: enough room left? */
			uint64_t start = pa - run * PAGE_SIZE;
			return rg->end - start >= n * PAGE_SIZE ? start : 0;
		}
		run = rg->refs[(pa - rg->first) >> PAGE_SHIFT] ? 0 : run + 1;
		if (run == n)
			return pa - (n - 1) * PAGE_SIZE;
	}
	return 0;
}

uint64_t frame_alloc_contig(size_t n)
{
	if (!n || n > nfree)
		return 0;
	for (size_t i = 0; i < nranges; i++) {
		struct range *rg = &ranges[i];
		uint64_t start = find_run(rg, n), end = start + n * PAGE_SIZE;
		if (!start)
			continue;
		/* Take the run's frames off the free list (one pass), then past the watermark. */
		for (uint64_t *link = &free_head; *link;) {
			uint64_t pa = *link;
			if (pa >= start && pa < end)
				*link = *(uint64_t *)plat_phys(pa);
			else
				link = plat_phys(pa);
		}
		if (rg->fresh < end)
			rg->fresh = end;
		for (uint64_t pa = start; pa < end; pa += PAGE_SIZE) {
			rg->refs[(pa - rg->first) >> PAGE_SHIFT] = 1;
			kmemset(plat_phys(pa), 0, PAGE_SIZE);
		}
		nfree -= n;
		return start;
	}
	return 0;
}

bool frame_is_ram(uint64_t pa)
{
	for (size_t i = 0; i < nranges; i++)
		if (pa >= ranges[i].first && pa < ranges[i].end)
			return true;
	return false;
}

void frame_get(uint64_t pa)
{
	uint16_t *ref = ref_of(pa);
	if ((*ref & REF_MASK) == PINNED)
		return;
	KASSERT((*ref & REF_MASK) > 0 && (*ref & REF_MASK) < PINNED - 1);
	(*ref)++;
}

void frame_put(uint64_t pa)
{
	uint16_t *ref = ref_of(pa);
	if ((*ref & REF_MASK) == PINNED)
		return;
	KASSERT((*ref & REF_MASK) > 0);
	if (--*ref == HELD_CODE) {
		*ref = 0;
		plat_code_frame_freed(pa);
	}
	if (*ref == 0)
		push_free(pa);
}

void frame_mark_code(uint64_t pa)
{
	*ref_of(pa) |= HELD_CODE;
}

bool frame_held_code(uint64_t pa)
{
	return (*ref_of(pa) & HELD_CODE) != 0;
}

uint64_t frame_zero(void)
{
	return zero_frame;
}

unsigned frame_refcount(uint64_t pa)
{
	return *ref_of(pa) & REF_MASK;
}

size_t frame_free_count(void)
{
	return nfree;
}

size_t frame_total_count(void)
{
	return ntotal;
}

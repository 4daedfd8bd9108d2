/*
 * malloc over brk for small blocks and mmap for large ones.
 *
 * The brk heap is a row of chunks, each a 16-byte header then the payload (so payloads are
 * 16-byte aligned). A free chunk sits in the free list of its size class and records its size in
 * the header of the chunk after it (prev_size), so free() can merge a chunk with either
 * neighbour: two free chunks are never adjacent. A used sentinel header ends the heap. Requests
 * of MMAP_THRESHOLD bytes or more get their own mapping, returned to the kernel on free().
 */
#include <ecl/errno.h>
#include <ecl/stdlib.h>
#include <ecl/string.h>
#include <ecl/syscall.h>
#include <ecl/unistd.h>
#include <stdint.h>

#define PAGE_SIZE 4096UL
#define MMAP_THRESHOLD (128 * 1024UL)
#define HEAP_STEP (64 * 1024UL)	/* the least the heap grows by, to keep brk calls rare */
#define NBINS 16

#define CHUNK_USED 1UL
#define CHUNK_PREV_USED 2UL	/* the chunk before is in use (so prev_size is not valid) */
#define CHUNK_MMAPPED 4UL
#define CHUNK_FLAGS 7UL

struct chunk {
	size_t prev_size;	/* size of the chunk before, valid only while that one is free */
	size_t head;		/* size of this chunk, header included, | CHUNK_* flags */
	struct chunk *next, *prev;	/* free list links, only while free */
};

#define HDR_SIZE (2 * sizeof(size_t))
#define MIN_CHUNK sizeof(struct chunk)

/* bins[i] holds free chunks of sizes [2^(i+5), 2^(i+6)); the last bin holds everything larger. */
static struct chunk *bins[NBINS];
/* The sentinel header at the end of the brk heap, or NULL before the heap exists. */
static struct chunk *heap_end;

static size_t chunk_size(const struct chunk *c)
{
	return c->head & ~CHUNK_FLAGS;
}

static struct chunk *chunk_after(struct chunk *c)
{
	return (struct chunk *)((char *)c + chunk_size(c));
}

static struct chunk *chunk_of(void *p)
{
	return (struct chunk *)((char *)p - HDR_SIZE);
}

static void *payload(struct chunk *c)
{
	return (char *)c + HDR_SIZE;
}

static int bin_of(size_t size)
{
	int i = 0;
	for (size >>= 6; size && i < NBINS - 1; size >>= 1)
		i++;
	return i;
}

static void bin_insert(struct chunk *c)
{
	struct chunk **bin = &bins[bin_of(chunk_size(c))];
	c->prev = NULL;
	c->next = *bin;
	if (c->next)
		c->next->prev = c;
	*bin = c;
}

static void bin_remove(struct chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		bins[bin_of(chunk_size(c))] = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

/* Files c (not in use, size and CHUNK_PREV_USED set) as free, merged with free neighbours. */
static void release(struct chunk *c)
{
	size_t size = chunk_size(c);
	struct chunk *after = chunk_after(c);

	if (!(after->head & CHUNK_USED)) {
		bin_remove(after);
		size += chunk_size(after);
	}
	if (!(c->head & CHUNK_PREV_USED)) {
		c = (struct chunk *)((char *)c - c->prev_size);
		bin_remove(c);
		size += chunk_size(c);
	}
	/* The chunk before a free chunk is always in use: free neighbours were merged. */
	c->head = size | CHUNK_PREV_USED;
	after = chunk_after(c);
	after->prev_size = size;
	after->head &= ~CHUNK_PREV_USED;
	bin_insert(c);
}

/* Returns the first free chunk of at least size bytes, searching from its size class up. */
static struct chunk *find(size_t size)
{
	for (int i = bin_of(size); i < NBINS; i++)
		for (struct chunk *c = bins[i]; c; c = c->next)
			if (chunk_size(c) >= size)
				return c;
	return NULL;
}

/* Marks the free chunk c used for size bytes, freeing the tail if it is big enough to hold a chunk. */
static void *take(struct chunk *c, size_t size)
{
	size_t have = chunk_size(c);

	bin_remove(c);
	if (have - size >= MIN_CHUNK) {
		struct chunk *rest = (struct chunk *)((char *)c + size);
		rest->head = (have - size) | CHUNK_PREV_USED;
		chunk_after(rest)->prev_size = have - size;
		bin_insert(rest);
		have = size;
	} else {
		chunk_after(c)->head |= CHUNK_PREV_USED;
	}
	c->head = have | CHUNK_USED | (c->head & CHUNK_PREV_USED);
	return payload(c);
}

/* Grows the brk heap by a free chunk of at least size bytes; returns 0, or -1 with ENOMEM. */
static int grow(size_t size)
{
	size_t len = (size + HDR_SIZE + HEAP_STEP - 1) & ~(HEAP_STEP - 1);
	uintptr_t cur = (uintptr_t)sbrk(0);
	struct chunk *c;
	char *p;

	/* Keep chunks 16-byte aligned even if the break starts unaligned. */
	if ((cur & 15) && sbrk((intptr_t)(16 - (cur & 15))) == (void *)-1)
		return -1;
	p = sbrk((intptr_t)len);
	if (p == (void *)-1)
		return -1;
	if (heap_end && p == (char *)heap_end + HDR_SIZE) {
		/* Contiguous with the heap: the old sentinel becomes the new chunk's header. */
		c = heap_end;
		c->head = len | (c->head & CHUNK_PREV_USED);
	} else {
		/* A fresh stretch (the first, or brk moved by someone else); any old sentinel stays a fence. */
		c = (struct chunk *)p;
		c->head = (len - HDR_SIZE) | CHUNK_PREV_USED;
	}
	heap_end = chunk_after(c);
	heap_end->head = HDR_SIZE | CHUNK_USED;
	release(c);
	return 0;
}

/* Maps a chunk for n payload bytes; returns the payload, or NULL with ENOMEM. */
static void *map_chunk(size_t n)
{
	if (n > SIZE_MAX - HDR_SIZE - PAGE_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	size_t len = (n + HDR_SIZE + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	struct chunk *c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return NULL;
	c->head = len | CHUNK_USED | CHUNK_MMAPPED;
	return payload(c);
}

/* The brk chunk size that holds n payload bytes (n below MMAP_THRESHOLD). */
static size_t brk_chunk_size(size_t n)
{
	size_t size = (n + HDR_SIZE + 15) & ~15UL;
	return size < MIN_CHUNK ? MIN_CHUNK : size;
}

/* Returns a 16-byte aligned block of n bytes (unique even for n == 0), or NULL with ENOMEM. */
void *malloc(size_t n)
{
	if (n >= MMAP_THRESHOLD)
		return map_chunk(n);
	size_t size = brk_chunk_size(n);
	struct chunk *c;
	while (!(c = find(size)))
		if (grow(size) < 0)
			return NULL;
	return take(c, size);
}

/* Returns the block p (from malloc, calloc or realloc, or NULL) to the allocator. */
void free(void *p)
{
	if (!p)
		return;
	struct chunk *c = chunk_of(p);
	if (c->head & CHUNK_MMAPPED) {
		munmap(c, chunk_size(c));
		return;
	}
	c->head &= ~CHUNK_USED;
	release(c);
}

/* Returns a zeroed block of count * size bytes, or NULL with ENOMEM (also on overflow). */
void *calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = malloc(count * size);
	/* Fresh mappings are zero already; brk chunks may be reused. */
	if (p && !(chunk_of(p)->head & CHUNK_MMAPPED))
		memset(p, 0, count * size);
	return p;
}

/* Resizes p to n bytes, keeping its contents up to the smaller size; NULL with ENOMEM leaves p. */
void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	struct chunk *c = chunk_of(p);
	size_t have = chunk_size(c) - HDR_SIZE;

	if (c->head & CHUNK_MMAPPED) {
		if (n >= MMAP_THRESHOLD && n <= have)
			return p;
	} else if (n < MMAP_THRESHOLD) {
		size_t size = brk_chunk_size(n);
		if (size <= chunk_size(c)) {
			/* Shrink in place, returning the tail if it can stand as a chunk. */
			if (chunk_size(c) - size >= MIN_CHUNK) {
				struct chunk *rest = (struct chunk *)((char *)c + size);
				rest->head = (chunk_size(c) - size) | CHUNK_PREV_USED;
				c->head = size | CHUNK_USED | (c->head & CHUNK_PREV_USED);
				release(rest);
			}
			return p;
		}
	}
	void *q = malloc(n);
	if (q) {
		memcpy(q, p, n < have ? n : have);
		free(p);
	}
	return q;
}

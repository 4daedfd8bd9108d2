/*
 * The ext2 block cache: a fixed number of block buffers, found by a hash of the block number
 * and reused least recently used first. Metadata is written through by its callers
 * (bc_write); file data and the growth of block maps are written back (bc_dirty), in runs of
 * neighbouring dirty blocks so that sequential writes take few device calls, when a buffer is
 * reused or a sync asks. Reads of consecutive blocks come in one transfer (bc_prefetch).
 */
#include "ext2_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RUN_MAX_BYTES (256u * 1024u) /* the largest transfer: a run of blocks at most this big */

static struct {
	struct buf *bufs;
	unsigned char *mem;  /* the buffers' bytes */
	unsigned char *run;  /* a run of blocks being transferred */
	struct buf **hash;
	uint32_t count, hash_mask, run_max;
	struct buf lru;      /* list head: lru.next the most recently used, lru.prev the least */
} c;

static uint32_t hash_of(uint32_t blk)
{
	return (blk * 2654435761u) & c.hash_mask;
}

int ext2_dev_read(uint32_t blk, uint32_t n, void *buf)
{
	uint32_t spb = ext2_fs.bsize / BLOCKDEV_SECTOR;
	int r = ext2_fs.dev->read(ext2_fs.dev->ctx, (uint64_t)blk * spb, buf, n * spb);
	return r < 0 ? r : 0;
}

int ext2_dev_write(uint32_t blk, uint32_t n, const void *buf)
{
	uint32_t spb = ext2_fs.bsize / BLOCKDEV_SECTOR;
	if (ext2_fs.ro)
		return -EROFS;
	int r = ext2_fs.dev->write(ext2_fs.dev->ctx, (uint64_t)blk * spb, buf, n * spb);
	return r < 0 ? r : 0;
}

static void lru_unlink(struct buf *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

static void lru_front(struct buf *b)
{
	b->next = c.lru.next;
	b->prev = &c.lru;
	c.lru.next->prev = b;
	c.lru.next = b;
}

/* To the cold end: the next victim. */
static void lru_back(struct buf *b)
{
	b->prev = c.lru.prev;
	b->next = &c.lru;
	c.lru.prev->next = b;
	c.lru.prev = b;
}

static struct buf *lookup(uint32_t blk)
{
	for (struct buf *b = c.hash[hash_of(blk)]; b; b = b->hnext)
		if (b->blk == blk)
			return b;
	return NULL;
}

static void hash_remove(struct buf *b)
{
	struct buf **p = &c.hash[hash_of(b->blk)];
	while (*p != b)
		p = &(*p)->hnext;
	*p = b->hnext;
	b->hnext = NULL;
	b->blk = 0;
}

static void hash_insert(struct buf *b, uint32_t blk)
{
	b->blk = blk;
	struct buf **p = &c.hash[hash_of(blk)];
	b->hnext = *p;
	*p = b;
}

int bc_init(size_t bytes_max)
{
	uint32_t count = (uint32_t)(bytes_max / ext2_fs.bsize);
	if (count < 64)
		count = 64;
	uint32_t hsize = 1;
	while (hsize < 2 * count)
		hsize *= 2;
	c.count = count;
	c.hash_mask = hsize - 1;
	c.run_max = RUN_MAX_BYTES / ext2_fs.bsize;
	c.bufs = calloc(count, sizeof(*c.bufs));
	c.mem = malloc((size_t)count * ext2_fs.bsize);
	c.run = malloc(RUN_MAX_BYTES);
	c.hash = calloc(hsize, sizeof(*c.hash));
	if (!c.bufs || !c.mem || !c.run || !c.hash) {
		bc_fini();
		return -ENOMEM;
	}
	c.lru.next = c.lru.prev = &c.lru;
	for (uint32_t i = 0; i < count; i++) {
		c.bufs[i].data = c.mem + (size_t)i * ext2_fs.bsize;
		lru_front(&c.bufs[i]);
	}
	return 0;
}

void bc_fini(void)
{
	free(c.bufs);
	free(c.mem);
	free(c.run);
	free(c.hash);
	memset(&c, 0, sizeof(c));
}

/* Writes the run of dirty cached blocks around b in one transfer. */
static int flush_run(struct buf *b)
{
	uint32_t first = b->blk, last = b->blk;
	struct buf *n;
	while (last - first + 1 < c.run_max && last + 1 < ext2_fs.blocks &&
	       (n = lookup(last + 1)) && n->dirty)
		last++;
	while (last - first + 1 < c.run_max && first > 1 && (n = lookup(first - 1)) && n->dirty)
		first--;
	uint32_t count = last - first + 1;
	if (count == 1) {
		int r = ext2_dev_write(b->blk, 1, b->data);
		if (!r)
			b->dirty = false;
		return r;
	}
	for (uint32_t i = 0; i < count; i++)
		memcpy(c.run + (size_t)i * ext2_fs.bsize, lookup(first + i)->data, ext2_fs.bsize);
	int r = ext2_dev_write(first, count, c.run);
	if (r)
		return r;
	for (uint32_t i = 0; i < count; i++)
		lookup(first + i)->dirty = false;
	return 0;
}

/* A buffer to reuse: the least recently used unpinned one, written back if dirty. */
static int victim(struct buf **out)
{
	for (struct buf *b = c.lru.prev; b != &c.lru; b = b->prev) {
		if (b->pins)
			continue;
		if (b->dirty) {
			int r = flush_run(b);
			if (r)
				return r;
		}
		if (b->blk)
			hash_remove(b);
		*out = b;
		return 0;
	}
	return -ENOMEM; /* every buffer pinned: a caller forgot bc_put */
}

int bc_get(uint32_t blk, bool fill, struct buf **out)
{
	if (blk >= ext2_fs.blocks || blk == 0)
		return -EUCLEAN;
	struct buf *b = lookup(blk);
	if (!b) {
		int r = victim(&b);
		if (r)
			return r;
		b->dirty = false;
		b->owner = 0;
		b->kind = BUF_META;
		if (fill && (r = ext2_dev_read(blk, 1, b->data))) {
			lru_unlink(b);
			lru_back(b); /* unnamed */
			return r;
		}
		hash_insert(b, blk);
	}
	lru_unlink(b);
	lru_front(b);
	b->pins++;
	*out = b;
	return 0;
}

void bc_put(struct buf *b)
{
	if (b && b->pins)
		b->pins--;
}

int bc_write(struct buf *b)
{
	int r = ext2_dev_write(b->blk, 1, b->data);
	if (!r)
		b->dirty = false;
	return r;
}

void bc_dirty(struct buf *b, uint32_t owner, enum buf_kind kind)
{
	b->dirty = true;
	b->owner = owner;
	b->kind = (uint8_t)kind;
}

int bc_flush(uint32_t owner, bool all)
{
	for (uint32_t i = 0; i < c.count; i++) {
		struct buf *b = &c.bufs[i];
		if (b->dirty && (all || b->owner == owner)) {
			int r = flush_run(b);
			if (r)
				return r;
		}
	}
	return 0;
}

void bc_forget(uint32_t blk)
{
	struct buf *b = lookup(blk);
	if (!b || b->pins)
		return;
	hash_remove(b);
	b->dirty = false;
	lru_unlink(b);
	lru_back(b);
}

int bc_prefetch(uint32_t blk, uint32_t n)
{
	if (n > c.run_max)
		n = c.run_max;
	if (n > c.count / 4)
		n = c.count / 4;
	uint32_t count = 0;
	while (count < n && blk + count < ext2_fs.blocks && !lookup(blk + count))
		count++;
	if (count < 2)
		return 0; /* bc_get reads a single block itself */
	/* The buffers first: taking one may write back a dirty run, and that goes through c.run,
	 * so the read into c.run comes after. Each is moved to the hot end unnamed, so the next
	 * victim is another. */
	struct buf *taken[RUN_MAX_BYTES / 1024];
	for (uint32_t i = 0; i < count; i++) {
		int r = victim(&taken[i]);
		if (r)
			return r;
		lru_unlink(taken[i]);
		lru_front(taken[i]);
	}
	int r = ext2_dev_read(blk, count, c.run);
	if (r) {
		for (uint32_t i = 0; i < count; i++) { /* unnamed */
			lru_unlink(taken[i]);
			lru_back(taken[i]);
		}
		return r;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct buf *b = taken[i];
		memcpy(b->data, c.run + (size_t)i * ext2_fs.bsize, ext2_fs.bsize);
		b->dirty = false;
		b->owner = 0;
		b->kind = BUF_META;
		hash_insert(b, blk + i);
	}
	return 0;
}

int bc_zero(uint32_t blk, struct buf **out)
{
	int r = bc_get(blk, false, out);
	if (r)
		return r;
	memset((*out)->data, 0, ext2_fs.bsize);
	if ((r = bc_write(*out))) {
		(*out)->dirty = true;
		bc_put(*out);
	}
	return r;
}

uint32_t bc_pinned(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < c.count; i++)
		n += c.bufs[i].pins;
	return n;
}

/*
 * ext2 inodes: a small cache of them in memory, their fields (sizes, owners, times in ns), and
 * their block maps (direct, single, double and triple indirect blocks): look-up, growth and
 * truncation. A cached inode's size, times and block map may be ahead of the disk (dirty); it
 * is written after its dirty indirect blocks (inode_commit), so the disk never points at an
 * indirect block it has not got.
 */
#include "ext2_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ICACHE_MAX 256    /* inodes kept that are neither open nor in use by this call */
#define ICACHE_HASH 256
#define NS 1000000000ll

static struct {
	struct inode *hash[ICACHE_HASH];
	uint32_t count;
} ic;

int icache_init(void)
{
	memset(&ic, 0, sizeof(ic));
	return 0;
}

/* Where inode ino is: its inode table block and byte offset in it. */
static int inode_place(uint32_t ino, uint32_t *blk, uint32_t *off)
{
	if (ino == 0 || ino > ext2_fs.inodes)
		return -ESTALE;
	uint32_t g = (ino - 1) / ext2_fs.inodes_per_group, i = (ino - 1) % ext2_fs.inodes_per_group;
	uint64_t byte = (uint64_t)i * ext2_fs.inode_size;
	*blk = ext2_group(g)->inode_table + (uint32_t)(byte >> ext2_fs.bshift);
	*off = (uint32_t)(byte & (ext2_fs.bsize - 1));
	return 0;
}

/* Bytes of struct ext2_inode that are on the disk for this filesystem. */
static uint32_t stored_len(void)
{
	return ext2_fs.inode_size < sizeof(struct ext2_inode) ? ext2_fs.inode_size
							   : (uint32_t)sizeof(struct ext2_inode);
}

static int inode_write(struct inode *ip)
{
	uint32_t blk, off;
	int r = inode_place(ip->ino, &blk, &off);
	struct buf *b;
	if (r || (r = bc_get(blk, true, &b)))
		return r;
	if (ip->fresh)
		memset(b->data + off, 0, ext2_fs.inode_size); /* no leftovers of a freed inode */
	memcpy(b->data + off, &ip->d, stored_len());
	r = bc_write(b);
	bc_put(b);
	if (!r)
		ip->dirty = ip->fresh = false;
	return r;
}

int inode_commit(struct inode *ip)
{
	int r = bc_flush(ip->ino, false);
	return r ? r : inode_write(ip);
}

int inode_commit_all(void)
{
	for (uint32_t h = 0; h < ICACHE_HASH; h++)
		for (struct inode *ip = ic.hash[h]; ip; ip = ip->hnext)
			if (ip->dirty) {
				int r = inode_commit(ip);
				if (r)
					return r;
			}
	return 0;
}

int icache_release_orphans(void)
{
	int err = 0;
	for (uint32_t h = 0; h < ICACHE_HASH; h++) {
		struct inode *ip = ic.hash[h];
		while (ip) {
			struct inode *next = ip->hnext;
			if (ip->opens && !ip->d.links_count) {
				ip->opens = 0;
				int r = inode_release(ip);
				if (!err)
					err = r;
			}
			ip = next;
		}
	}
	return err;
}

/* Drops the cached inodes not used by this call and not open, writing dirty ones first, until
 * the cache is below its bound. */
static int icache_shrink(void)
{
	for (uint32_t h = 0; h < ICACHE_HASH && ic.count > ICACHE_MAX; h++) {
		struct inode **p = &ic.hash[h];
		while (*p) {
			struct inode *ip = *p;
			if (ip->opens || ip->used == ext2_fs.op) {
				p = &ip->hnext;
				continue;
			}
			if (ip->dirty) {
				int r = inode_commit(ip);
				if (r)
					return r;
			}
			*p = ip->hnext;
			free(ip);
			ic.count--;
		}
	}
	return 0;
}

int icache_fini(void)
{
	int err = 0;
	for (uint32_t h = 0; h < ICACHE_HASH; h++)
		while (ic.hash[h]) {
			struct inode *ip = ic.hash[h];
			if (ip->dirty && !err)
				err = inode_commit(ip);
			ic.hash[h] = ip->hnext;
			free(ip);
		}
	ic.count = 0;
	return err;
}

static struct inode *icache_find(uint32_t ino)
{
	for (struct inode *ip = ic.hash[ino % ICACHE_HASH]; ip; ip = ip->hnext)
		if (ip->ino == ino)
			return ip;
	return NULL;
}

/* A cache entry for ino: 0 and *ip (fresh entries are zeroed), or -errno. */
static int icache_slot(uint32_t ino, struct inode **ip)
{
	int r = icache_shrink();
	if (r)
		return r;
	struct inode *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->ino = ino;
	n->used = ext2_fs.op;
	n->hnext = ic.hash[ino % ICACHE_HASH];
	ic.hash[ino % ICACHE_HASH] = n;
	ic.count++;
	*ip = n;
	return 0;
}

static void icache_drop(struct inode *ip)
{
	struct inode **p = &ic.hash[ip->ino % ICACHE_HASH];
	while (*p != ip)
		p = &(*p)->hnext;
	*p = ip->hnext;
	free(ip);
	ic.count--;
}

/* Is what the disk holds for ip sane enough to use? */
static bool inode_sane(const struct ext2_inode *d)
{
	uint64_t max_sectors = (uint64_t)ext2_fs.blocks << (ext2_fs.bshift - 9);
	if (d->blocks > max_sectors)
		return false;
	if (S_ISDIR(d->mode) && ((uint64_t)d->size > (uint64_t)d->blocks * 512 ||
				 d->size & (ext2_fs.bsize - 1)))
		return false;
	return true;
}

int iget(uint32_t ino, struct inode **out)
{
	struct inode *ip = icache_find(ino);
	if (ip) {
		ip->used = ext2_fs.op;
		*out = ip;
		return 0;
	}
	uint32_t blk, off;
	int r = inode_place(ino, &blk, &off);
	struct buf *b;
	if (r || (r = bc_get(blk, true, &b)))
		return r;
	struct ext2_inode d = {0};
	memcpy(&d, b->data + off, stored_len());
	bc_put(b);
	if (ext2_fs.inode_size <= EXT2_GOOD_OLD_INODE_SIZE ||
	    d.extra_isize > ext2_fs.inode_size - EXT2_GOOD_OLD_INODE_SIZE)
		d.extra_isize = 0; /* no extra fields to trust */
	if (!inode_sane(&d))
		return -EUCLEAN;
	if ((r = icache_slot(ino, &ip)))
		return r;
	ip->d = d;
	*out = ip;
	return 0;
}

int iget_new(uint32_t ino, struct inode **out)
{
	struct inode *ip = icache_find(ino);
	if (ip)
		icache_drop(ip); /* a freed inode's leftovers */
	int r = icache_slot(ino, out);
	if (r)
		return r;
	(*out)->fresh = true;
	if (ext2_fs.inode_size > EXT2_GOOD_OLD_INODE_SIZE)
		(*out)->d.extra_isize = EXT2_EXTRA_ISIZE;
	return 0;
}

uint64_t inode_size(const struct inode *ip)
{
	uint64_t size = ip->d.size;
	if (S_ISREG(ip->d.mode) && ext2_fs.sb.rev_level > 0)
		size |= (uint64_t)ip->d.size_high << 32;
	return size;
}

void inode_set_size(struct inode *ip, uint64_t size)
{
	ip->d.size = (uint32_t)size;
	if (S_ISREG(ip->d.mode)) {
		ip->d.size_high = (uint32_t)(size >> 32);
		if (size >= (1ull << 31) &&
		    !(ext2_fs.sb.feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
			ext2_fs.sb.feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
			ext2_fs.sb_dirty = true;
		}
	}
	ip->dirty = true;
}

unsigned inode_uid(const struct inode *ip)
{
	return ip->d.uid | (unsigned)ip->d.uid_high << 16;
}

unsigned inode_gid(const struct inode *ip)
{
	return ip->d.gid | (unsigned)ip->d.gid_high << 16;
}

void inode_set_owner(struct inode *ip, unsigned uid, unsigned gid)
{
	ip->d.uid = (uint16_t)uid;
	ip->d.uid_high = (uint16_t)(uid >> 16);
	ip->d.gid = (uint16_t)gid;
	ip->d.gid_high = (uint16_t)(gid >> 16);
	ip->dirty = true;
}

/* The seconds field of a time and its extra field (nanoseconds and epoch bits), when the
 * inode has room for it. */
static void time_fields(struct inode *ip, int which, uint32_t **sec, uint32_t **extra)
{
	struct ext2_inode *d = &ip->d;
	*sec = which == 'a' ? &d->atime : which == 'm' ? &d->mtime : &d->ctime;
	uint32_t *x = which == 'a' ? &d->atime_extra : which == 'm' ? &d->mtime_extra : &d->ctime_extra;
	size_t end = (size_t)((unsigned char *)(x + 1) - (unsigned char *)d);
	*extra = d->extra_isize && end <= EXT2_GOOD_OLD_INODE_SIZE + d->extra_isize ? x : NULL;
}

long long inode_time(const struct inode *ip, int which)
{
	uint32_t *sec, *extra;
	time_fields((struct inode *)ip, which, &sec, &extra);
	long long s = (int32_t)*sec;
	long long ns = 0;
	if (extra) {
		s += (long long)(*extra & 3) << 32;
		ns = *extra >> 2;
		if (ns >= NS)
			ns = 0;
	}
	return s * NS + ns;
}

void inode_set_time(struct inode *ip, int which, long long ns)
{
	uint32_t *sec, *extra;
	time_fields(ip, which, &sec, &extra);
	long long s = ns / NS, frac = ns % NS;
	if (frac < 0) {
		s--;
		frac += NS;
	}
	*sec = (uint32_t)s;
	if (extra)
		*extra = (uint32_t)(((s - (int32_t)(uint32_t)s) >> 32) & 3) | (uint32_t)frac << 2;
	ip->dirty = true;
}

void inode_touch(struct inode *ip, bool modified)
{
	long long now = ext2_now_ns();
	inode_set_time(ip, 'c', now);
	if (modified)
		inode_set_time(ip, 'm', now);
}

bool inode_fast_symlink(const struct inode *ip)
{
	uint32_t ea = ip->d.file_acl ? ext2_fs.bsize / 512 : 0;
	return S_ISLNK(ip->d.mode) && ip->d.blocks <= ea;
}

/* ---- Block maps ---- */

/* The i_block slot and indexes leading to file block fblock: how many levels of indirect
 * blocks (0-3), or -EFBIG past what triple indirection reaches. */
static int map_path(uint64_t fblock, uint32_t *slot, uint32_t idx[3])
{
	uint64_t p = ext2_fs.ptrs, s = ext2_fs.ptr_shift;
	if (fblock < EXT2_NDIR) {
		*slot = (uint32_t)fblock;
		return 0;
	}
	fblock -= EXT2_NDIR;
	if (fblock < p) {
		*slot = EXT2_IND;
		idx[0] = (uint32_t)fblock;
		return 1;
	}
	fblock -= p;
	if (fblock < p * p) {
		*slot = EXT2_DIND;
		idx[0] = (uint32_t)(fblock >> s);
		idx[1] = (uint32_t)(fblock & (p - 1));
		return 2;
	}
	fblock -= p * p;
	if (fblock < p * p * p) {
		*slot = EXT2_TIND;
		idx[0] = (uint32_t)(fblock >> (2 * s));
		idx[1] = (uint32_t)((fblock >> s) & (p - 1));
		idx[2] = (uint32_t)(fblock & (p - 1));
		return 3;
	}
	return -EFBIG;
}

/* A new block for ip (counted in i_blocks): 0 and *b, or -errno. */
static int grow(struct inode *ip, uint32_t *b)
{
	uint32_t add = ext2_fs.bsize / 512;
	if (ip->d.blocks > UINT32_MAX - add)
		return -EFBIG;
	if (!ip->goal)
		ip->goal = ext2_fs.first_data_block +
			   (ip->ino - 1) / ext2_fs.inodes_per_group * ext2_fs.blocks_per_group;
	int r = ext2_block_alloc(ip->goal, b);
	if (r)
		return r;
	ip->goal = *b + 1;
	ip->d.blocks += add;
	ip->dirty = true;
	return 0;
}

int bmap(struct inode *ip, uint64_t fblock, bool alloc, uint32_t *out, bool *fresh)
{
	uint32_t slot, idx[3];
	int depth = map_path(fblock, &slot, idx);
	if (depth < 0)
		return depth;
	if (fresh)
		*fresh = false;
	struct buf *parent = NULL;
	uint32_t *p = &ip->d.block[slot];
	int r = 0;
	for (int level = 0; level <= depth; level++) {
		uint32_t b = *p;
		if (!b) {
			if (!alloc) {
				*out = 0;
				goto done;
			}
			if ((r = grow(ip, &b)))
				goto done;
			if (level < depth) {
				struct buf *z;
				if ((r = bc_zero(b, &z))) {
					ext2_block_free(b);
					ip->d.blocks -= ext2_fs.bsize / 512;
					goto done;
				}
				bc_put(z);
			} else if (fresh) {
				*fresh = true;
			}
			*p = b;
			if (parent)
				bc_dirty(parent, ip->ino, BUF_IND);
			else
				ip->dirty = true;
		} else if (!ext2_block_ok(b)) {
			r = -EUCLEAN;
			goto done;
		}
		if (level == depth) {
			*out = b;
			break;
		}
		struct buf *next;
		if ((r = bc_get(b, true, &next)))
			goto done;
		bc_put(parent);
		parent = next;
		p = (uint32_t *)parent->data + idx[level];
	}
done:
	bc_put(parent);
	return r;
}

/* ---- Truncation ---- */

static int drop_block(struct inode *ip, uint32_t b)
{
	uint32_t sub = ext2_fs.bsize / 512;
	if (ip->d.blocks < sub)
		return -EUCLEAN; /* more blocks than it counts: a loop */
	int r = ext2_block_free(b);
	if (!r)
		ip->d.blocks -= sub;
	ip->dirty = true;
	return r;
}

/* Frees what the indirect block blk (depth levels above the data) maps from its relative file
 * block from on; if that is all of it, blk too (*gone). Kept blocks are written at once. */
static int trunc_tree(struct inode *ip, uint32_t blk, int depth, uint64_t from, bool *gone)
{
	*gone = false;
	if (!ext2_block_ok(blk))
		return -EUCLEAN;
	struct buf *b;
	int r = bc_get(blk, true, &b);
	if (r)
		return r;
	uint64_t span = 1ull << ((depth - 1) * ext2_fs.ptr_shift);
	uint32_t *ptr = (uint32_t *)b->data;
	bool changed = false;
	for (uint32_t i = 0; i < ext2_fs.ptrs && !r; i++) {
		uint64_t start = i * span;
		if (start + span <= from || !ptr[i])
			continue;
		bool child_gone = true;
		if (depth > 1)
			r = trunc_tree(ip, ptr[i], depth - 1, from > start ? from - start : 0, &child_gone);
		else
			r = drop_block(ip, ptr[i]);
		if (!r && child_gone) {
			ptr[i] = 0;
			changed = true;
		}
	}
	if (!r && from == 0) {
		bc_put(b);
		*gone = true;
		return drop_block(ip, blk);
	}
	if (!r && changed)
		r = bc_write(b);
	bc_put(b);
	return r;
}

int inode_truncate_blocks(struct inode *ip, uint64_t fblock)
{
	int r = 0;
	for (uint32_t i = 0; i < EXT2_NDIR && !r; i++)
		if (i >= fblock && ip->d.block[i]) {
			if (!ext2_block_ok(ip->d.block[i]))
				r = -EUCLEAN;
			else
				r = drop_block(ip, ip->d.block[i]);
			if (!r)
				ip->d.block[i] = 0;
		}
	uint64_t base = EXT2_NDIR;
	for (uint32_t level = 1; level <= 3 && !r; level++) {
		uint64_t span = 1ull << (level * ext2_fs.ptr_shift);
		uint32_t *slot = &ip->d.block[EXT2_IND + level - 1];
		if (*slot && fblock < base + span) {
			bool gone;
			r = trunc_tree(ip, *slot, (int)level, fblock > base ? fblock - base : 0, &gone);
			if (!r && gone)
				*slot = 0;
		}
		base += span;
	}
	ip->dirty = true;
	int w = inode_commit(ip);
	return r ? r : w;
}

/* Drops ip's reference to its extended attribute block, freeing the block with its last. */
static int release_xattr(struct inode *ip)
{
	uint32_t blk = ip->d.file_acl;
	ip->d.file_acl = 0;
	if (!blk)
		return 0;
	if (!ext2_block_ok(blk))
		return -EUCLEAN;
	struct buf *b;
	int r = bc_get(blk, true, &b);
	if (r)
		return r;
	uint32_t *h = (uint32_t *)b->data;
	if (h[0] != EXT2_XATTR_MAGIC || h[1] == 0) {
		bc_put(b);
		return -EUCLEAN;
	}
	if (h[1] > 1) {
		h[1]--;
		r = bc_write(b);
		bc_put(b);
		if (!r && ip->d.blocks >= ext2_fs.bsize / 512)
			ip->d.blocks -= ext2_fs.bsize / 512;
		return r;
	}
	bc_put(b);
	return drop_block(ip, blk);
}

int inode_release(struct inode *ip)
{
	bool dir = S_ISDIR(ip->d.mode);
	ip->d.links_count = 0;
	ip->d.dtime = (uint32_t)(ext2_now_ns() / NS);
	int r = inode_commit(ip); /* deleted on the disk before its blocks are free */
	if (r)
		return r;
	if (!inode_fast_symlink(ip))
		r = inode_truncate_blocks(ip, 0);
	else
		memset(ip->d.block, 0, sizeof(ip->d.block));
	if (!r)
		r = release_xattr(ip);
	inode_set_size(ip, 0);
	int w = inode_commit(ip);
	if (!r)
		r = w;
	if (!r)
		r = ext2_inode_free(ip->ino, dir);
	icache_drop(ip);
	return r;
}

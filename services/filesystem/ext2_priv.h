/*
 * What the parts of the ext2 library share: the mounted filesystem's state, the block cache
 * (ext2_cache.c), allocation (ext2_alloc.c), inodes and block maps (ext2_inode.c) and
 * directories (ext2_dir.c). ext2.c puts them together behind ext2.h.
 *
 * Write ordering, which keeps every crash repairable by e2fsck -p (docs/filesystem.md): a block
 * is free in memory only once no pointer on the disk names it (an inode whose links_count is 0
 * on the disk is deleted for e2fsck, pointers and all); a new indirect block is zeroed on the
 * disk before anything points at it; directory blocks are written at once, an inode is written
 * with links_count 0 before an entry names it, and marked deleted before its last entry goes.
 * Bitmaps, group descriptors, free counts, file data and the growth of a file's block map may
 * wait: what a crash loses of them is what e2fsck -p fixes without asking.
 */
#ifndef FS_EXT2_PRIV_H
#define FS_EXT2_PRIV_H

#include "blockdev.h"
#include "ext2_fmt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- The mounted filesystem ---- */

struct ext2_fs {
	struct blockdev *dev;
	bool mounted, ro;
	bool was_clean;            /* VALID and not ERROR when mounted: unmount may mark it clean */
	uint32_t bsize, bshift;    /* block size and its log2 */
	uint32_t ptrs, ptr_shift;  /* block numbers in an indirect block, and its log2 */
	uint32_t blocks, first_data_block, blocks_per_group, inodes_per_group, inodes, groups;
	uint32_t inode_size, first_ino, itable_blocks;
	bool filetype;
	struct ext2_super sb;
	unsigned char *gdt;        /* the group descriptor blocks */
	uint32_t gdt_blocks;
	bool gdt_dirty, sb_dirty;
	uint32_t next_gen;         /* i_generation of the next inode made */
	uint64_t op;               /* counts calls: what this one touched is not evicted */
};

extern struct ext2_fs ext2_fs;

static inline struct ext2_group *ext2_group(uint32_t g)
{
	return (struct ext2_group *)ext2_fs.gdt + g;
}

/* Is b a block number inside the filesystem that may hold data (not 0, not before the first
 * data block)? Every number read from the disk passes this before it is used. */
static inline bool ext2_block_ok(uint32_t b)
{
	return b > ext2_fs.first_data_block && b < ext2_fs.blocks;
}

long long ext2_now_ns(void);

/* ---- Block cache (ext2_cache.c) ---- */

enum buf_kind {
	BUF_META,  /* filesystem structures: bitmaps, inode tables, directories (owner 0) */
	BUF_IND,   /* an indirect block of the owner inode */
	BUF_DATA,  /* file data of the owner inode */
};

struct buf {
	uint32_t blk, owner;
	uint8_t kind;
	bool dirty;
	uint32_t pins;
	struct buf *hnext, *prev, *next;
	unsigned char *data;
};

/* Sizes the cache for blocks of the mounted size, at most bytes_max of them: 0 or -ENOMEM. */
int bc_init(size_t bytes_max);
/* Drops everything (dirty blocks too: write them first). */
void bc_fini(void);
/* Block blk, pinned (read from the disk unless fill is false: then its bytes are stale and the
 * caller overwrites them all): 0 or -errno. */
int bc_get(uint32_t blk, bool fill, struct buf **b);
void bc_put(struct buf *b);
/* Writes b now (write-through) : 0 or -EIO. */
int bc_write(struct buf *b);
/* b changed and is written later (write-back), as owner's block of kind. */
void bc_dirty(struct buf *b, uint32_t owner, enum buf_kind kind);
/* Writes the dirty blocks of owner (0: all of them): 0 or -EIO. */
int bc_flush(uint32_t owner, bool all);
/* Block blk was freed: its cached copy goes, dirty or not. */
void bc_forget(uint32_t blk);
/* Reads the n blocks from blk that are not cached yet in one transfer (read-ahead). */
int bc_prefetch(uint32_t blk, uint32_t n);
/* Block blk filled with zeros and written now (a new indirect or directory block). */
int bc_zero(uint32_t blk, struct buf **b);
/* How many blocks are pinned (0 between calls; the tests check). */
uint32_t bc_pinned(void);

/* Sector transfers of whole blocks, counted as one device call each. */
int ext2_dev_read(uint32_t blk, uint32_t n, void *buf);
int ext2_dev_write(uint32_t blk, uint32_t n, const void *buf);

/* ---- Allocation (ext2_alloc.c) ---- */

/* A free block, preferably goal or after it: 0 and *b, -ENOSPC, -EUCLEAN, -EIO. */
int ext2_block_alloc(uint32_t goal, uint32_t *b);
/* Frees block b: 0, or -EUCLEAN when it is not in use (a loop or a bad pointer). */
int ext2_block_free(uint32_t b);
/* A free inode, preferably in group of ino near: 0 and *ino, or -errno. */
int ext2_inode_alloc(uint32_t near, bool dir, uint32_t *ino);
int ext2_inode_free(uint32_t ino, bool dir);
/* Writes the superblock (with free counts summed from the groups) and group descriptors. */
int ext2_write_super(void);
int ext2_write_groups(void);

/* ---- Inodes (ext2_inode.c) ---- */

struct inode {
	uint32_t ino;
	uint32_t opens;
	uint64_t used;      /* ext2_fs.op when last asked for */
	bool dirty;         /* d differs from the disk in what may wait (size, times, growth) */
	uint32_t goal;      /* where the next block allocated for it should go */
	bool fresh;         /* new: the whole of its place in the inode table is rewritten */
	uint64_t read_next; /* the file block where the last read ended: a read from there on is
			     * sequential, and reads ahead */
	struct inode *hnext;
	struct ext2_inode d;
};

int icache_init(void);
/* Writes dirty inodes back and drops them all. */
int icache_fini(void);
/* Inode ino, from the cache or the disk (checked: -EUCLEAN if corrupt, -ESTALE if out of
 * range). It stays cached until the next call at least. */
int iget(uint32_t ino, struct inode **ip);
/* ino, made fresh (not read from the disk): a new inode's. */
int iget_new(uint32_t ino, struct inode **ip);
/* Writes ip's dirty indirect blocks, then ip itself, now. */
int inode_commit(struct inode *ip);
/* Writes every dirty inode (and its indirect blocks). */
int inode_commit_all(void);
/* Frees the inodes that are open but have no links left (at unmount). */
int icache_release_orphans(void);

uint64_t inode_size(const struct inode *ip);
void inode_set_size(struct inode *ip, uint64_t size);
unsigned inode_uid(const struct inode *ip);
unsigned inode_gid(const struct inode *ip);
void inode_set_owner(struct inode *ip, unsigned uid, unsigned gid);
long long inode_time(const struct inode *ip, int which); /* 'a', 'm', 'c' */
void inode_set_time(struct inode *ip, int which, long long ns);
/* Sets ctime (and mtime when modified) to now. */
void inode_touch(struct inode *ip, bool modified);

/* The disk block of file block fblock (0: a hole); with alloc, one is allocated for a hole
 * (goal near the previous one): 0, -ENOSPC, -EUCLEAN, -EIO, -EFBIG. *fresh says it is new. */
int bmap(struct inode *ip, uint64_t fblock, bool alloc, uint32_t *b, bool *fresh);
/* Frees every block of file blocks from fblock on: 0 or -errno. The inode is written. */
int inode_truncate_blocks(struct inode *ip, uint64_t fblock);
/* Frees an inode with no links and no opens: its blocks, EA block, bitmap bit. */
int inode_release(struct inode *ip);
bool inode_fast_symlink(const struct inode *ip);

/* ---- Directories (ext2_dir.c) ---- */

struct dirent_pos {
	uint64_t off;       /* the entry's byte position in the directory */
	uint32_t ino;
	uint8_t type;
};

/* Entry name in dir: 0 and *pos, -ENOENT, -EUCLEAN, -EIO. */
int dir_find(struct inode *dir, const char *name, size_t len, struct dirent_pos *pos);
/* Adds name -> ino (of type) to dir, growing it if needed; written at once. */
int dir_add(struct inode *dir, const char *name, size_t len, uint32_t ino, uint8_t type);
/* Removes the entry at pos (found by dir_find) from dir; written at once. */
int dir_remove(struct inode *dir, const struct dirent_pos *pos);
/* Points the entry at pos to ino of type; written at once. */
int dir_retarget(struct inode *dir, const struct dirent_pos *pos, uint32_t ino, uint8_t type);
/* Renames the entry at pos in place when name fits its record: 0, or -ENOSPC when not. */
int dir_rename_in_place(struct inode *dir, const struct dirent_pos *pos, const char *name,
			size_t len);
/* 1 if dir holds only "." and "..", 0 if more, -errno. */
int dir_empty(struct inode *dir);
/* The first block of a new directory ino with parent. */
int dir_init_block(uint32_t blk, uint32_t ino, uint32_t parent);
/* Calls fn for each entry from byte off on, with the next entry's position, until it returns
 * false: the position where it stopped, or -errno. */
typedef bool dir_fn(const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next,
		    void *arg);
long long dir_walk(struct inode *dir, uint64_t off, dir_fn *fn, void *arg);
uint8_t ext2_mode_type(unsigned mode);
/* A directory changes: an htree index would go stale, so the directory stops being indexed. */
int dir_unindex(struct inode *dir);

#endif

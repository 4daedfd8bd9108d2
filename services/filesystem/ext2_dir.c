/*
 * ext2 directories: blocks of linked entries (inode, rec_len, name_len, file type, name), read
 * as linear lists whether or not an htree index sits in them. Every record is checked before
 * it is used; a bad one makes the call fail with EUCLEAN. Changes are written at once, and an
 * indexed directory loses its index flag (written first) before it changes.
 */
#include "ext2_priv.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static struct ext2_dirent *rec_at(struct buf *b, uint32_t off)
{
	return (struct ext2_dirent *)(b->data + off);
}

static uint32_t rec_name_len(const struct ext2_dirent *e)
{
	return ext2_fs.filetype ? e->name_len : e->name_len | (uint32_t)e->file_type << 8;
}

/* The record length of the entry at off of a directory block if it is well formed, else 0. */
static uint32_t rec_check(struct buf *b, uint32_t off)
{
	if (off + EXT2_DIRENT_HEAD > ext2_fs.bsize)
		return 0;
	const struct ext2_dirent *e = rec_at(b, off);
	uint32_t len = e->rec_len;
	if (len < EXT2_DIRENT_HEAD || len & 3 || len > ext2_fs.bsize - off ||
	    EXT2_DIRENT_HEAD + rec_name_len(e) > len || rec_name_len(e) > EXT2_NAME_MAX ||
	    e->inode > ext2_fs.inodes)
		return 0;
	return len;
}

uint8_t ext2_mode_type(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFCHR: return EXT2_FT_CHR;
	case S_IFBLK: return EXT2_FT_BLK;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static uint8_t rec_type(const struct ext2_dirent *e)
{
	return ext2_fs.filetype && e->file_type <= EXT2_FT_SYMLINK ? e->file_type : EXT2_FT_UNKNOWN;
}

static void rec_set(struct ext2_dirent *e, uint32_t ino, uint16_t rec_len, const char *name,
		    size_t len, uint8_t type)
{
	e->inode = ino;
	e->rec_len = rec_len;
	e->name_len = (uint8_t)len;
	e->file_type = ext2_fs.filetype ? type : 0;
	memcpy(e + 1, name, len);
}

/* Directory block fb of dir, pinned: 0, or -errno (a hole in a directory is corrupt). */
static int dir_block(struct inode *dir, uint64_t fb, struct buf **b)
{
	uint32_t blk;
	int r = bmap(dir, fb, false, &blk, NULL);
	if (r)
		return r;
	if (!blk)
		return -EUCLEAN;
	return bc_get(blk, true, b);
}

static uint64_t dir_blocks(struct inode *dir)
{
	return inode_size(dir) >> ext2_fs.bshift;
}

long long dir_walk(struct inode *dir, uint64_t off, dir_fn *fn, void *arg)
{
	if (!S_ISDIR(dir->d.mode))
		return -ENOTDIR;
	char name[EXT2_NAME_MAX + 1];
	for (uint64_t fb = off >> ext2_fs.bshift; fb < dir_blocks(dir); fb++) {
		struct buf *b;
		int r = dir_block(dir, fb, &b);
		if (r)
			return r;
		uint64_t base = fb << ext2_fs.bshift;
		for (uint32_t at = 0, len; at < ext2_fs.bsize; at += len) {
			if (!(len = rec_check(b, at))) {
				bc_put(b);
				return -EUCLEAN;
			}
			const struct ext2_dirent *e = rec_at(b, at);
			if (base + at < off || !e->inode)
				continue;
			uint32_t nl = rec_name_len(e);
			memcpy(name, e + 1, nl);
			name[nl] = '\0';
			if (!fn(name, nl, e->inode, rec_type(e), base + at + len, arg)) {
				bc_put(b);
				return (long long)(base + at);
			}
		}
		bc_put(b);
	}
	return (long long)inode_size(dir);
}

struct find {
	const char *name;
	size_t len;
	struct dirent_pos *pos;
	bool found;
};

static bool find_one(const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next,
		     void *arg)
{
	struct find *f = arg;
	(void)next;
	if (len != f->len || memcmp(name, f->name, len))
		return true;
	f->pos->ino = ino;
	f->pos->type = type;
	f->found = true;
	return false;
}

int dir_find(struct inode *dir, const char *name, size_t len, struct dirent_pos *pos)
{
	struct find f = {name, len, pos, false};
	long long at = dir_walk(dir, 0, find_one, &f);
	if (at < 0)
		return (int)at;
	if (!f.found)
		return -ENOENT;
	pos->off = (uint64_t)at;
	return 0;
}

int dir_unindex(struct inode *dir)
{
	if (!(dir->d.flags & EXT2_INDEX_FL))
		return 0;
	dir->d.flags &= ~EXT2_INDEX_FL;
	return inode_commit(dir);
}

/* Puts the entry into block b if it has room: 0, or -ENOSPC. */
static int add_in_block(struct buf *b, const char *name, size_t len, uint32_t ino, uint8_t type)
{
	uint32_t need = EXT2_DIRENT_LEN(len);
	for (uint32_t at = 0, rl; at < ext2_fs.bsize; at += rl) {
		if (!(rl = rec_check(b, at)))
			return -EUCLEAN;
		struct ext2_dirent *e = rec_at(b, at);
		uint32_t used = e->inode ? EXT2_DIRENT_LEN(rec_name_len(e)) : 0;
		if (rl - used < need)
			continue;
		if (used) {
			e->rec_len = (uint16_t)used;
			e = rec_at(b, at + used);
		}
		rec_set(e, ino, (uint16_t)(rl - used), name, len, type);
		return bc_write(b);
	}
	return -ENOSPC;
}

int dir_add(struct inode *dir, const char *name, size_t len, uint32_t ino, uint8_t type)
{
	int r = dir_unindex(dir);
	uint64_t n = dir_blocks(dir);
	for (uint64_t fb = 0; fb < n && !r; fb++) {
		struct buf *b;
		if ((r = dir_block(dir, fb, &b)))
			return r;
		r = add_in_block(b, name, len, ino, type);
		bc_put(b);
		if (r != -ENOSPC) {
			if (!r)
				inode_touch(dir, true);
			return r;
		}
		r = 0;
	}
	if (r)
		return r;
	/* No room: a new block, written whole before the directory's size and map name it. */
	uint32_t blk;
	bool fresh;
	if ((r = bmap(dir, n, true, &blk, &fresh)))
		return r;
	struct buf *b;
	if ((r = bc_get(blk, false, &b)))
		return r;
	memset(b->data, 0, ext2_fs.bsize);
	rec_set(rec_at(b, 0), ino, (uint16_t)ext2_fs.bsize, name, len, type);
	r = bc_write(b);
	bc_put(b);
	if (r)
		return r;
	inode_set_size(dir, (n + 1) << ext2_fs.bshift);
	inode_touch(dir, true);
	return inode_commit(dir);
}

/* The block holding the entry at pos, and the entry's offset in it, checked. */
static int entry_at(struct inode *dir, const struct dirent_pos *pos, struct buf **b,
		    uint32_t *at, uint32_t *prev)
{
	int r = dir_unindex(dir);
	if (r || (r = dir_block(dir, pos->off >> ext2_fs.bshift, b)))
		return r;
	uint32_t want = (uint32_t)(pos->off & (ext2_fs.bsize - 1));
	*prev = UINT32_MAX;
	for (uint32_t off = 0, rl; off < ext2_fs.bsize; off += rl) {
		if (!(rl = rec_check(*b, off)))
			break;
		if (off == want && rec_at(*b, off)->inode == pos->ino) {
			*at = off;
			return 0;
		}
		*prev = off;
	}
	bc_put(*b);
	return -EUCLEAN; /* the directory changed under the position: not by this library */
}

int dir_remove(struct inode *dir, const struct dirent_pos *pos)
{
	struct buf *b;
	uint32_t at, prev;
	int r = entry_at(dir, pos, &b, &at, &prev);
	if (r)
		return r;
	struct ext2_dirent *e = rec_at(b, at);
	if (prev == UINT32_MAX)
		e->inode = 0;
	else
		rec_at(b, prev)->rec_len += e->rec_len;
	r = bc_write(b);
	bc_put(b);
	if (!r)
		inode_touch(dir, true);
	return r;
}

int dir_retarget(struct inode *dir, const struct dirent_pos *pos, uint32_t ino, uint8_t type)
{
	struct buf *b;
	uint32_t at, prev;
	int r = entry_at(dir, pos, &b, &at, &prev);
	if (r)
		return r;
	struct ext2_dirent *e = rec_at(b, at);
	e->inode = ino;
	if (ext2_fs.filetype)
		e->file_type = type;
	r = bc_write(b);
	bc_put(b);
	if (!r)
		inode_touch(dir, true);
	return r;
}

int dir_rename_in_place(struct inode *dir, const struct dirent_pos *pos, const char *name,
			size_t len)
{
	struct buf *b;
	uint32_t at, prev;
	int r = entry_at(dir, pos, &b, &at, &prev);
	if (r)
		return r;
	struct ext2_dirent *e = rec_at(b, at);
	if (EXT2_DIRENT_LEN(len) > e->rec_len) {
		bc_put(b);
		return -ENOSPC;
	}
	rec_set(e, e->inode, e->rec_len, name, len, pos->type);
	r = bc_write(b);
	bc_put(b);
	if (!r)
		inode_touch(dir, true);
	return r;
}

static bool only_dots(const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next,
		      void *arg)
{
	(void)ino, (void)type, (void)next;
	bool dot = (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
	if (!dot)
		*(bool *)arg = false;
	return dot;
}

int dir_empty(struct inode *dir)
{
	bool empty = true;
	long long r = dir_walk(dir, 0, only_dots, &empty);
	return r < 0 ? (int)r : empty;
}

int dir_init_block(uint32_t blk, uint32_t ino, uint32_t parent)
{
	struct buf *b;
	int r = bc_get(blk, false, &b);
	if (r)
		return r;
	memset(b->data, 0, ext2_fs.bsize);
	rec_set(rec_at(b, 0), ino, 12, ".", 1, EXT2_FT_DIR);
	rec_set(rec_at(b, 12), parent, (uint16_t)(ext2_fs.bsize - 12), "..", 2, EXT2_FT_DIR);
	r = bc_write(b);
	bc_put(b);
	return r;
}

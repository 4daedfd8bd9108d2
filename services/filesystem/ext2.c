/*
 * ext2 behind ext2.h: mounting (every superblock and group descriptor field checked before it
 * is used), the vfs calls, and syncing. Each call that changes the directory tree orders its
 * writes as ext2_priv.h says, so that a crash leaves only what e2fsck -p repairs silently.
 */
#include "ext2.h"
#include "ext2_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define NS 1000000000ll
#define CACHE_BYTES (4u << 20)
#define LINK_MAX 65000u
#define DAY_NS (86400ll * NS)
#define WALK_UP_MAX 65536 /* ".." steps before a directory loop is called corrupt */
#define READ_AHEAD (256u * 1024u) /* bytes a sequential read maps ahead to read in one transfer */

struct ext2_fs ext2_fs;

long long ext2_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

/* ---- Mounting ---- */

static int refuse(char *why, size_t why_len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(char *why, size_t why_len, int err, const char *fmt, ...)
{
	if (why && why_len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* The geometry the superblock gives, checked against itself and the device. */
static int check_super(char *why, size_t why_len)
{
	struct ext2_super *sb = &ext2_fs.sb;
	if (sb->magic != EXT2_MAGIC)
		return refuse(why, why_len, -EUCLEAN, "not ext2 (magic %#x)", sb->magic);
	if (sb->rev_level > 1)
		return refuse(why, why_len, -EUCLEAN, "revision %u unknown", sb->rev_level);
	if (sb->log_block_size > 2)
		return refuse(why, why_len, -EUCLEAN, "block size 2^%u KiB", sb->log_block_size);
	ext2_fs.bshift = 10 + sb->log_block_size;
	ext2_fs.bsize = 1u << ext2_fs.bshift;
	ext2_fs.ptr_shift = ext2_fs.bshift - 2;
	ext2_fs.ptrs = ext2_fs.bsize / 4;
	ext2_fs.blocks = sb->blocks_count;
	ext2_fs.first_data_block = sb->first_data_block;
	ext2_fs.blocks_per_group = sb->blocks_per_group;
	ext2_fs.inodes_per_group = sb->inodes_per_group;
	ext2_fs.inodes = sb->inodes_count;
	if (sb->first_data_block != (uint32_t)(ext2_fs.bsize == 1024))
		return refuse(why, why_len, -EUCLEAN, "first data block %u", sb->first_data_block);
	if (!sb->blocks_per_group || sb->blocks_per_group > 8 * ext2_fs.bsize ||
	    sb->blocks_per_group % 8 || !sb->inodes_per_group ||
	    sb->inodes_per_group > 8 * ext2_fs.bsize || sb->inodes_per_group % 8)
		return refuse(why, why_len, -EUCLEAN, "group geometry %u blocks, %u inodes",
			      sb->blocks_per_group, sb->inodes_per_group);
	if (sb->blocks_count <= sb->first_data_block + 1 ||
	    (uint64_t)sb->blocks_count << (ext2_fs.bshift - 9) > ext2_fs.dev->sectors)
		return refuse(why, why_len, -EUCLEAN, "%u blocks do not fit the device",
			      sb->blocks_count);
	uint32_t span = sb->blocks_count - sb->first_data_block;
	ext2_fs.groups = span / sb->blocks_per_group + (span % sb->blocks_per_group != 0);
	if ((uint64_t)ext2_fs.groups * sb->inodes_per_group != sb->inodes_count)
		return refuse(why, why_len, -EUCLEAN, "%u inodes in %u groups", sb->inodes_count,
			      ext2_fs.groups);
	if (sb->rev_level == 0) {
		ext2_fs.inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		ext2_fs.first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		ext2_fs.inode_size = sb->inode_size;
		ext2_fs.first_ino = sb->first_ino;
	}
	uint32_t is = ext2_fs.inode_size;
	if (is < EXT2_GOOD_OLD_INODE_SIZE || is > ext2_fs.bsize || (is & (is - 1)))
		return refuse(why, why_len, -EUCLEAN, "inode size %u", is);
	if (ext2_fs.first_ino <= EXT2_ROOT_INO || ext2_fs.first_ino > sb->inodes_count)
		return refuse(why, why_len, -EUCLEAN, "first inode %u", ext2_fs.first_ino);
	ext2_fs.itable_blocks = (uint32_t)(((uint64_t)sb->inodes_per_group * is + ext2_fs.bsize - 1) >>
					   ext2_fs.bshift);
	return 0;
}

static int check_features(bool *readonly, char *why, size_t why_len)
{
	struct ext2_super *sb = &ext2_fs.sb;
	if (sb->rev_level == 0)
		return 0;
	uint32_t incompat = sb->feature_incompat & ~EXT2_KNOWN_INCOMPAT;
	if (incompat)
		return refuse(why, why_len, -EUCLEAN, "unsupported incompatible features %#x",
			      incompat);
	uint32_t ro_compat = sb->feature_ro_compat & ~EXT2_KNOWN_RO_COMPAT;
	if (ro_compat && !*readonly)
		return refuse(why, why_len, -EROFS,
			      "read-only-compatible features %#x: mount read-only", ro_compat);
	ext2_fs.filetype = sb->feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
	return 0;
}

/* Does [first, first + n) lie inside group g? */
static bool in_group(uint32_t g, uint32_t first, uint32_t n)
{
	uint32_t lo = ext2_fs.first_data_block + g * ext2_fs.blocks_per_group;
	uint64_t hi = (uint64_t)lo + ext2_fs.blocks_per_group;
	if (hi > ext2_fs.blocks)
		hi = ext2_fs.blocks;
	return first >= lo && (uint64_t)first + n <= hi && n;
}

static int read_groups(char *why, size_t why_len)
{
	ext2_fs.gdt_blocks = (uint32_t)(((uint64_t)ext2_fs.groups * sizeof(struct ext2_group) +
					 ext2_fs.bsize - 1) >> ext2_fs.bshift);
	if (ext2_fs.first_data_block + 1 + ext2_fs.gdt_blocks >= ext2_fs.blocks)
		return refuse(why, why_len, -EUCLEAN, "no room for %u group descriptor blocks",
			      ext2_fs.gdt_blocks);
	ext2_fs.gdt = malloc((size_t)ext2_fs.gdt_blocks << ext2_fs.bshift);
	if (!ext2_fs.gdt)
		return refuse(why, why_len, -ENOMEM, "no memory for the group descriptors");
	int r = ext2_dev_read(ext2_fs.first_data_block + 1, ext2_fs.gdt_blocks, ext2_fs.gdt);
	if (r)
		return refuse(why, why_len, r, "cannot read the group descriptors");
	for (uint32_t g = 0; g < ext2_fs.groups; g++) {
		const struct ext2_group *gd = ext2_group(g);
		if (!in_group(g, gd->block_bitmap, 1) || !in_group(g, gd->inode_bitmap, 1) ||
		    !in_group(g, gd->inode_table, ext2_fs.itable_blocks))
			return refuse(why, why_len, -EUCLEAN, "group %u: bitmaps or inode table "
				      "outside the group", g);
		if (gd->free_inodes_count > ext2_fs.inodes_per_group ||
		    gd->free_blocks_count > ext2_fs.blocks_per_group)
			return refuse(why, why_len, -EUCLEAN, "group %u: free counts", g);
	}
	return 0;
}

static int mount_fail(int err)
{
	icache_fini();
	bc_fini();
	free(ext2_fs.gdt);
	memset(&ext2_fs, 0, sizeof(ext2_fs));
	return err;
}

int ext2_mount(struct blockdev *dev, bool readonly, char *why, size_t why_len)
{
	if (ext2_fs.mounted)
		return refuse(why, why_len, -EBUSY, "already mounted");
	memset(&ext2_fs, 0, sizeof(ext2_fs));
	ext2_fs.dev = dev;
	readonly = readonly || dev->readonly;
	ext2_fs.ro = true; /* until the checks pass */
	if (dev->sectors < (EXT2_SUPER_OFFSET + sizeof(ext2_fs.sb)) / BLOCKDEV_SECTOR)
		return mount_fail(refuse(why, why_len, -EUCLEAN, "device too small"));
	int r = dev->read(dev->ctx, EXT2_SUPER_OFFSET / BLOCKDEV_SECTOR, &ext2_fs.sb,
			  sizeof(ext2_fs.sb) / BLOCKDEV_SECTOR);
	if (r)
		return mount_fail(refuse(why, why_len, r < 0 ? r : -EIO, "cannot read the superblock"));
	if ((r = check_super(why, why_len)) || (r = check_features(&readonly, why, why_len)) ||
	    (r = read_groups(why, why_len)))
		return mount_fail(r);
	if ((r = bc_init(CACHE_BYTES)) || (r = icache_init()))
		return mount_fail(refuse(why, why_len, r, "no memory for the caches"));
	struct inode *root;
	ext2_fs.op++;
	if ((r = iget(EXT2_ROOT_INO, &root)) || !S_ISDIR(root->d.mode) || !root->d.links_count)
		return mount_fail(refuse(why, why_len, r ? r : -EUCLEAN, "bad root directory"));
	long long now = ext2_now_ns();
	ext2_fs.next_gen = (uint32_t)(now ^ (now >> 32));
	ext2_fs.ro = readonly;
	ext2_fs.mounted = true;
	ext2_fs.was_clean = (ext2_fs.sb.state & (EXT2_VALID_FS | EXT2_ERROR_FS)) == EXT2_VALID_FS;
	if (!readonly) {
		ext2_fs.sb.state &= (uint16_t)~EXT2_VALID_FS;
		ext2_fs.sb.mnt_count++;
		ext2_fs.sb.mtime = (uint32_t)(now / NS);
		if ((r = ext2_write_super()) || (r = dev->flush(dev->ctx)))
			return mount_fail(refuse(why, why_len, r, "cannot write the superblock"));
	}
	return 0;
}

/* Writes everything cached, inodes after their indirect blocks, then the bitmaps, groups and
 * superblock. */
static int write_all(void)
{
	int r = inode_commit_all();
	if (!r)
		r = bc_flush(0, true);
	if (!r)
		r = ext2_write_groups();
	if (!r)
		r = ext2_write_super();
	return r;
}

int ext2_unmount(void)
{
	if (!ext2_fs.mounted)
		return -EINVAL;
	ext2_fs.op++;
	int r = 0;
	if (!ext2_fs.ro) {
		r = icache_release_orphans();
		int w = write_all();
		if (!r)
			r = w;
		if (!r && ext2_fs.was_clean) {
			ext2_fs.sb.state |= EXT2_VALID_FS;
			r = ext2_write_super();
		}
		int f = ext2_fs.dev->flush(ext2_fs.dev->ctx);
		if (!r)
			r = f;
	}
	mount_fail(0);
	return r;
}

bool ext2_was_clean(void)
{
	return ext2_fs.mounted && ext2_fs.was_clean;
}

/* ---- Nodes ---- */

static uint32_t node_ino(uint64_t node)
{
	if (node == VFS_ROOT_NODE)
		return EXT2_ROOT_INO;
	if (node == EXT2_ROOT_INO || node > ext2_fs.inodes || node < ext2_fs.first_ino)
		return 0;
	return (uint32_t)node;
}

static uint64_t ino_node(uint32_t ino)
{
	return ino == EXT2_ROOT_INO ? VFS_ROOT_NODE : ino;
}

/* Starts a call about node: its inode, which must be in use: 0 or -errno. */
static int node_get(uint64_t node, struct inode **ip)
{
	if (!ext2_fs.mounted)
		return -ENODEV;
	ext2_fs.op++;
	uint32_t ino = node_ino(node);
	if (!ino)
		return -ESTALE;
	int r = iget(ino, ip);
	if (r)
		return r;
	if (!(*ip)->d.mode || (!(*ip)->d.links_count && !(*ip)->opens))
		return -ESTALE;
	return 0;
}

/* node_get for a call that changes something. */
static int node_get_rw(uint64_t node, struct inode **ip)
{
	if (ext2_fs.mounted && ext2_fs.ro)
		return -EROFS;
	return node_get(node, ip);
}

static int dir_get(uint64_t node, struct inode **ip, bool rw)
{
	int r = rw ? node_get_rw(node, ip) : node_get(node, ip);
	if (!r && !S_ISDIR((*ip)->d.mode))
		r = -ENOTDIR;
	return r;
}

/* The inode an entry names, which must be in use (or the directory is corrupt). */
static int entry_inode(uint32_t ino, struct inode **ip)
{
	if (ino < 1 || ino > ext2_fs.inodes || (ino < ext2_fs.first_ino && ino != EXT2_ROOT_INO))
		return -EUCLEAN;
	int r = iget(ino, ip);
	if (!r && (!(*ip)->d.mode || (!(*ip)->d.links_count && !(*ip)->opens)))
		r = -EUCLEAN;
	return r;
}

static bool is_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

static int name_check(const char *name, size_t *len)
{
	*len = strlen(name);
	if (!*len)
		return -ENOENT;
	return *len > EXT2_NAME_MAX ? -ENAMETOOLONG : 0;
}

int ext2_check(uint64_t node, uint64_t gen)
{
	struct inode *ip;
	int r = node_get(node, &ip);
	if (r)
		return r == -EUCLEAN || r == -EIO ? r : -ESTALE;
	if (node != VFS_ROOT_NODE && gen != ip->d.generation)
		return -ESTALE;
	return 0;
}

int ext2_attr(uint64_t node, struct vfs_attr *a)
{
	struct inode *ip;
	int r = node_get(node, &ip);
	if (r)
		return r;
	*a = (struct vfs_attr){
		.ino = ip->ino, .gen = ip->d.generation, .size = inode_size(ip),
		.blocks = ip->d.blocks, .atime_ns = inode_time(ip, 'a'),
		.mtime_ns = inode_time(ip, 'm'), .ctime_ns = inode_time(ip, 'c'),
		.mode = ip->d.mode, .nlink = ip->d.links_count, .uid = inode_uid(ip),
		.gid = inode_gid(ip), .blksize = ext2_fs.bsize};
	return 0;
}

long ext2_lookup(uint64_t dir, const char *name, uint64_t *node)
{
	struct inode *d, *ip;
	size_t len;
	int r = dir_get(dir, &d, false);
	if (r || (r = name_check(name, &len)))
		return r;
	struct dirent_pos pos;
	if ((r = dir_find(d, name, len, &pos)) || (r = entry_inode(pos.ino, &ip)))
		return r;
	*node = ino_node(pos.ino);
	return 0;
}

/* ---- Creating and removing ---- */

/* Gives a new inode ip of mode its first contents: a directory's block, a link's target. */
static int fill_new(struct inode *ip, struct inode *parent, const char *target)
{
	uint32_t blk;
	int r;
	if (S_ISDIR(ip->d.mode)) {
		if ((r = bmap(ip, 0, true, &blk, NULL)) || (r = dir_init_block(blk, ip->ino, parent->ino)))
			return r;
		inode_set_size(ip, ext2_fs.bsize);
		return 0;
	}
	if (!S_ISLNK(ip->d.mode))
		return 0;
	size_t len = strlen(target);
	if (len >= ext2_fs.bsize)
		return -ENAMETOOLONG;
	if (len < EXT2_FAST_LINK_MAX) {
		memcpy(ip->d.block, target, len);
	} else {
		struct buf *b;
		if ((r = bmap(ip, 0, true, &blk, NULL)) || (r = bc_get(blk, false, &b)))
			return r;
		memset(b->data, 0, ext2_fs.bsize);
		memcpy(b->data, target, len);
		r = bc_write(b);
		bc_put(b);
		if (r)
			return r;
	}
	inode_set_size(ip, len);
	return 0;
}

/* The new inode itself, on the disk as deleted (links_count 0) until an entry names it. */
static int make_inode(struct inode *parent, unsigned mode, const char *target, struct inode **out)
{
	uint32_t ino;
	struct inode *ip;
	int r = ext2_inode_alloc(parent->ino, S_ISDIR(mode), &ino);
	if (r)
		return r;
	if ((r = iget_new(ino, &ip))) {
		ext2_inode_free(ino, S_ISDIR(mode));
		return r;
	}
	long long now = ext2_now_ns();
	ip->d.mode = (uint16_t)mode;
	ip->d.generation = ext2_fs.next_gen++;
	ip->d.dtime = (uint32_t)(now / NS);
	inode_set_time(ip, 'a', now);
	inode_set_time(ip, 'm', now);
	inode_set_time(ip, 'c', now);
	if (ip->d.extra_isize)
		ip->d.crtime = (uint32_t)(now / NS);
	if ((r = fill_new(ip, parent, target)) || (r = inode_commit(ip))) {
		inode_release(ip);
		return r;
	}
	*out = ip;
	return 0;
}

long ext2_create(uint64_t dir, const char *name, unsigned mode, const char *target,
		 uint64_t *node)
{
	struct inode *d, *ip;
	size_t len;
	struct dirent_pos pos;
	int r = dir_get(dir, &d, true);
	if (r || (r = name_check(name, &len)))
		return r;
	if (!d->d.links_count)
		return -ENOENT; /* a removed directory takes no new entries */
	if ((r = dir_find(d, name, len, &pos)) != -ENOENT)
		return r ? r : -EEXIST;
	bool isdir = S_ISDIR(mode);
	if ((S_ISLNK(mode) && !target) || !ext2_mode_type(mode))
		return -EINVAL;
	if (isdir && d->d.links_count >= LINK_MAX)
		return -EMLINK;
	if ((r = make_inode(d, mode & (S_IFMT | 07777), target, &ip)))
		return r;
	if ((r = dir_add(d, name, len, ip->ino, ext2_mode_type(mode)))) {
		inode_release(ip);
		return r;
	}
	ip->d.links_count = isdir ? 2 : 1;
	ip->d.dtime = 0;
	if ((r = inode_commit(ip)))
		return r;
	if (isdir) {
		d->d.links_count++;
		if ((r = inode_commit(d)))
			return r;
	}
	*node = ino_node(ip->ino);
	return 0;
}

long ext2_link(uint64_t dir, const char *name, uint64_t node)
{
	struct inode *d, *ip;
	size_t len;
	struct dirent_pos pos;
	int r = dir_get(dir, &d, true);
	if (r || (r = name_check(name, &len)) || (r = node_get(node, &ip)))
		return r;
	if (S_ISDIR(ip->d.mode))
		return -EPERM;
	if (!ip->d.links_count || !d->d.links_count)
		return -ENOENT;
	if (ip->d.links_count >= LINK_MAX)
		return -EMLINK;
	if ((r = dir_find(d, name, len, &pos)) != -ENOENT)
		return r ? r : -EEXIST;
	/* The count first: one too high is what e2fsck -p corrects, never frees too early. */
	ip->d.links_count++;
	inode_touch(ip, false);
	if ((r = inode_commit(ip)))
		return r;
	if ((r = dir_add(d, name, len, ip->ino, ext2_mode_type(ip->d.mode)))) {
		ip->d.links_count--;
		inode_commit(ip);
	}
	return r;
}

/* ip loses the entry at pos in d: marked deleted first when it is its last name (or a
 * directory's), then the entry goes, then its blocks when nothing has it open. */
static int drop_name(struct inode *d, const struct dirent_pos *pos, struct inode *ip)
{
	bool isdir = S_ISDIR(ip->d.mode);
	bool last = isdir || ip->d.links_count <= 1;
	int r;
	if (last) {
		ip->d.links_count = 0;
		ip->d.dtime = (uint32_t)(ext2_now_ns() / NS);
		inode_touch(ip, false);
		if ((r = inode_commit(ip)))
			return r;
	}
	if (pos && (r = dir_remove(d, pos)))
		return r;
	if (!last) {
		ip->d.links_count--;
		inode_touch(ip, false);
		if ((r = inode_commit(ip)))
			return r;
	}
	if (isdir && d->d.links_count > 1) {
		d->d.links_count--;
		if ((r = inode_commit(d)))
			return r;
	}
	if (!ip->d.links_count && !ip->opens)
		return inode_release(ip);
	return 0;
}

long ext2_unlink(uint64_t dir, const char *name, bool want_dir)
{
	struct inode *d, *ip;
	size_t len;
	struct dirent_pos pos;
	int r = dir_get(dir, &d, true);
	if (r || (r = name_check(name, &len)))
		return r;
	if (is_dot(name))
		return want_dir ? (name[1] ? -ENOTEMPTY : -EINVAL) : -EISDIR;
	if ((r = dir_find(d, name, len, &pos)) || (r = entry_inode(pos.ino, &ip)))
		return r;
	if (want_dir && !S_ISDIR(ip->d.mode))
		return -ENOTDIR;
	if (!want_dir && S_ISDIR(ip->d.mode))
		return -EISDIR;
	if (want_dir && (r = dir_empty(ip)) != 1)
		return r < 0 ? r : -ENOTEMPTY;
	return drop_name(d, &pos, ip);
}

/* ---- Rename ---- */

/* Is directory a inside the tree of directory b (or b itself)? 1, 0 or -errno. */
static int within(struct inode *a, uint32_t b)
{
	uint32_t ino = a->ino;
	for (int steps = 0; steps < WALK_UP_MAX; steps++) {
		if (ino == b)
			return 1;
		if (ino == EXT2_ROOT_INO)
			return 0;
		struct inode *ip;
		struct dirent_pos pos;
		int r = entry_inode(ino, &ip);
		if (r || (r = dir_find(ip, "..", 2, &pos)))
			return r == -ENOENT ? -EUCLEAN : r;
		ino = pos.ino;
	}
	return -EUCLEAN;
}

/* Directory s moved from d1 to d2: its ".." and both link counts follow. */
static int reparent(struct inode *s, struct inode *d1, struct inode *d2)
{
	struct dirent_pos pos;
	int r = dir_find(s, "..", 2, &pos);
	if (r || (r = dir_retarget(s, &pos, d2->ino, EXT2_FT_DIR)))
		return r == -ENOENT ? -EUCLEAN : r;
	d2->d.links_count++;
	if ((r = inode_commit(d2)))
		return r;
	if (d1->d.links_count > 1)
		d1->d.links_count--;
	return inode_commit(d1);
}

static int rename_exchange(struct inode *d1, const struct dirent_pos *sp, struct inode *s,
			   struct inode *d2, const struct dirent_pos *dp, struct inode *t)
{
	int r = within(d1, t->ino);
	if (r)
		return r < 0 ? r : -EINVAL;
	if ((r = dir_retarget(d1, sp, t->ino, ext2_mode_type(t->d.mode))) ||
	    (r = dir_retarget(d2, dp, s->ino, ext2_mode_type(s->d.mode))))
		return r;
	if (d1 != d2 && S_ISDIR(s->d.mode) && (r = reparent(s, d1, d2)))
		return r;
	if (d1 != d2 && S_ISDIR(t->d.mode) && (r = reparent(t, d2, d1)))
		return r;
	inode_touch(s, false);
	inode_touch(t, false);
	return 0;
}

/* s at sp in d1 takes the name of t at dp in d2, which goes. */
static int rename_over(struct inode *d1, const struct dirent_pos *sp, struct inode *s,
		       struct inode *d2, const struct dirent_pos *dp, struct inode *t)
{
	if (S_ISDIR(s->d.mode) && !S_ISDIR(t->d.mode))
		return -ENOTDIR;
	if (!S_ISDIR(s->d.mode) && S_ISDIR(t->d.mode))
		return -EISDIR;
	int r;
	if (S_ISDIR(t->d.mode) && (r = dir_empty(t)) != 1)
		return r < 0 ? r : -ENOTEMPTY;
	bool last = S_ISDIR(t->d.mode) || t->d.links_count <= 1;
	if (last) {
		t->d.links_count = 0;
		t->d.dtime = (uint32_t)(ext2_now_ns() / NS);
		if ((r = inode_commit(t)))
			return r;
	}
	if ((r = dir_retarget(d2, dp, s->ino, ext2_mode_type(s->d.mode))) ||
	    (r = dir_remove(d1, sp)))
		return r;
	if (!last) {
		t->d.links_count--;
		inode_touch(t, false);
		if ((r = inode_commit(t)))
			return r;
	} else if (S_ISDIR(t->d.mode) && d2->d.links_count > 1) {
		d2->d.links_count--;
		if ((r = inode_commit(d2)))
			return r;
	}
	if (S_ISDIR(s->d.mode) && d1 != d2 && (r = reparent(s, d1, d2)))
		return r;
	if (!t->d.links_count && !t->opens)
		return inode_release(t);
	return 0;
}

/* s at sp in d1 gets the new name name2 in d2. */
static int rename_move(struct inode *d1, const struct dirent_pos *sp, struct inode *s,
		       struct inode *d2, const char *name2, size_t len2)
{
	int r = -ENOSPC;
	if (d1 == d2)
		r = dir_rename_in_place(d1, sp, name2, len2); /* one write: atomic */
	if (r == -ENOSPC) {
		if ((r = dir_add(d2, name2, len2, s->ino, ext2_mode_type(s->d.mode))) ||
		    (r = dir_remove(d1, sp)))
			return r;
	}
	if (r)
		return r;
	if (S_ISDIR(s->d.mode) && d1 != d2)
		return reparent(s, d1, d2);
	return 0;
}

long ext2_rename(uint64_t dir, const char *name, uint64_t dir2, const char *name2,
		 unsigned flags)
{
	struct inode *d1, *d2, *s, *t = NULL;
	size_t len, len2;
	struct dirent_pos sp, dp;
	int r = dir_get(dir, &d1, true);
	if (r || (r = dir_get(dir2, &d2, true)) || (r = name_check(name, &len)) ||
	    (r = name_check(name2, &len2)))
		return r;
	if (is_dot(name) || is_dot(name2))
		return -EINVAL;
	if ((r = dir_find(d1, name, len, &sp)) || (r = entry_inode(sp.ino, &s)))
		return r;
	r = dir_find(d2, name2, len2, &dp);
	if (r && r != -ENOENT)
		return r;
	if (!r && (r = entry_inode(dp.ino, &t)))
		return r;
	if ((flags & VFS_RENAME_EXCHANGE) && !t)
		return -ENOENT;
	if (t && (flags & VFS_RENAME_NOREPLACE))
		return -EEXIST;
	if (S_ISDIR(s->d.mode) && (r = within(d2, s->ino)))
		return r < 0 ? r : -EINVAL; /* into its own tree */
	if (t == s)
		return 0;
	if (!d2->d.links_count)
		return -ENOENT;
	if (t && (flags & VFS_RENAME_EXCHANGE))
		r = rename_exchange(d1, &sp, s, d2, &dp, t);
	else if (t)
		r = rename_over(d1, &sp, s, d2, &dp, t);
	else
		r = rename_move(d1, &sp, s, d2, name2, len2);
	if (r)
		return r;
	inode_touch(s, false);
	if ((r = inode_commit(s)) || (r = inode_commit(d1)))
		return r;
	return inode_commit(d2);
}

/* ---- Attributes ---- */

/* The largest size a file may have: what triple indirection maps, what 32 bits of 512-byte
 * blocks count, and 2 GiB in revision 0. */
static uint64_t size_max(void)
{
	uint64_t p = ext2_fs.ptrs;
	uint64_t blocks = EXT2_NDIR + p + p * p + p * p * p;
	uint64_t max = blocks << ext2_fs.bshift;
	uint64_t counted = (uint64_t)UINT32_MAX << 9;
	if (max > counted)
		max = counted;
	return ext2_fs.sb.rev_level ? max : (1ull << 31) - 1;
}

/* Cuts or extends ip to size: the blocks past it freed, the rest of its last block zeroed. */
static int set_size(struct inode *ip, uint64_t size)
{
	if (size > size_max())
		return -EFBIG;
	uint64_t old = inode_size(ip);
	inode_set_size(ip, size);
	inode_touch(ip, true);
	if (size >= old)
		return 0;
	uint32_t tail = (uint32_t)(size & (ext2_fs.bsize - 1));
	uint32_t blk;
	int r;
	if (tail) {
		if ((r = bmap(ip, size >> ext2_fs.bshift, false, &blk, NULL)))
			return r;
		struct buf *b;
		if (blk) {
			if ((r = bc_get(blk, true, &b)))
				return r;
			memset(b->data + tail, 0, ext2_fs.bsize - tail);
			bc_dirty(b, ip->ino, BUF_DATA);
			bc_put(b);
		}
	}
	return inode_truncate_blocks(ip, (size + ext2_fs.bsize - 1) >> ext2_fs.bshift);
}

long ext2_setattr(uint64_t node, unsigned what, const struct vfs_attr *a)
{
	struct inode *ip;
	int r = node_get_rw(node, &ip);
	if (r)
		return r;
	if (what & VFS_SET_SIZE) {
		if (!S_ISREG(ip->d.mode))
			return S_ISDIR(ip->d.mode) ? -EISDIR : -EINVAL;
		if ((r = set_size(ip, a->size)))
			return r;
	}
	if (what & VFS_SET_MODE)
		ip->d.mode = (uint16_t)((ip->d.mode & S_IFMT) | (a->mode & 07777));
	if (what & (VFS_SET_UID | VFS_SET_GID))
		inode_set_owner(ip, what & VFS_SET_UID ? a->uid : inode_uid(ip),
				what & VFS_SET_GID ? a->gid : inode_gid(ip));
	if (what & VFS_SET_ATIME)
		inode_set_time(ip, 'a', a->atime_ns);
	if (what & VFS_SET_MTIME)
		inode_set_time(ip, 'm', a->mtime_ns);
	if (what)
		inode_set_time(ip, 'c', ext2_now_ns());
	return 0;
}

/* ---- File data ---- */

/* How many file blocks from fb on (at most n) lie one after another on the disk from blk. */
static uint32_t contiguous(struct inode *ip, uint64_t fb, uint32_t blk, uint32_t n)
{
	uint32_t k = 1;
	while (k < n) {
		uint32_t next;
		if (bmap(ip, fb + k, false, &next, NULL) || next != blk + k)
			break;
		k++;
	}
	return k;
}

/* Updates atime on a read as relatime does: when it is older than the last change or a day. */
static void read_touch(struct inode *ip)
{
	if (ext2_fs.ro)
		return;
	long long now = ext2_now_ns(), at = inode_time(ip, 'a');
	if (at <= inode_time(ip, 'm') || at <= inode_time(ip, 'c') || now - at > DAY_NS)
		inode_set_time(ip, 'a', now);
}

long ext2_read(uint64_t node, uint64_t off, uint64_t len, void *buf)
{
	struct inode *ip;
	int r = node_get(node, &ip);
	if (r)
		return r;
	if (!S_ISREG(ip->d.mode))
		return S_ISDIR(ip->d.mode) ? -EISDIR : -EINVAL;
	uint64_t size = inode_size(ip);
	read_touch(ip);
	if (off >= size)
		return 0;
	if (len > size - off)
		len = size - off;
	if (len > LONG_MAX)
		len = LONG_MAX;
	unsigned char *out = buf;
	uint64_t done = 0, last = (off + len - 1) >> ext2_fs.bshift;
	/* A read that starts where the last one ended (or at the start) is sequential and reads
	 * ahead past the request: its reader comes back for the rest. Any other reads only the
	 * blocks it asks for, so that a random 4 KiB read is one 4 KiB transfer. */
	uint64_t first = off >> ext2_fs.bshift;
	bool sequential = first == 0 || first == ip->read_next;
	while (done < len) {
		uint64_t pos = off + done, fb = pos >> ext2_fs.bshift;
		uint32_t in = (uint32_t)(pos & (ext2_fs.bsize - 1));
		uint32_t blk;
		if ((r = bmap(ip, fb, false, &blk, NULL)))
			return done ? (long)done : r;
		uint32_t run = 1;
		if (blk) {
			uint32_t want = READ_AHEAD >> ext2_fs.bshift;
			if (!sequential && last - fb + 1 < want)
				want = (uint32_t)(last - fb + 1);
			run = contiguous(ip, fb, blk, want);
			if ((r = bc_prefetch(blk, run)))
				return done ? (long)done : r;
		}
		for (uint32_t k = 0; k < run && done < len; k++) {
			uint32_t chunk = ext2_fs.bsize - in;
			if (chunk > len - done)
				chunk = (uint32_t)(len - done);
			if (!blk) {
				memset(out + done, 0, chunk);
			} else {
				struct buf *b;
				if ((r = bc_get(blk + k, true, &b)))
					return done ? (long)done : r;
				memcpy(out + done, b->data + in, chunk);
				bc_put(b);
			}
			done += chunk;
			in = 0;
		}
	}
	ip->read_next = (off + done) >> ext2_fs.bshift;
	return (long)done;
}

/* Puts the bytes of one block's worth of a write at pos: how many, or -errno. */
static long write_block(struct inode *ip, uint64_t pos, const unsigned char *src, uint64_t left)
{
	uint32_t in = (uint32_t)(pos & (ext2_fs.bsize - 1));
	uint32_t chunk = ext2_fs.bsize - in;
	if (chunk > left)
		chunk = (uint32_t)left;
	uint32_t blk;
	bool fresh;
	int r = bmap(ip, pos >> ext2_fs.bshift, true, &blk, &fresh);
	if (r)
		return r;
	bool whole = chunk == ext2_fs.bsize;
	struct buf *b;
	if ((r = bc_get(blk, !whole && !fresh, &b)))
		return r;
	if (fresh && !whole)
		memset(b->data, 0, ext2_fs.bsize);
	memcpy(b->data + in, src, chunk);
	bc_dirty(b, ip->ino, BUF_DATA);
	bc_put(b);
	return chunk;
}

long ext2_write(uint64_t node, uint64_t off, uint64_t len, const void *buf, bool append,
		uint64_t *at)
{
	struct inode *ip;
	int r = node_get_rw(node, &ip);
	if (r)
		return r;
	if (!S_ISREG(ip->d.mode))
		return S_ISDIR(ip->d.mode) ? -EISDIR : -EINVAL;
	uint64_t size = inode_size(ip), max = size_max();
	if (append)
		off = size;
	if (off >= max && len)
		return -EFBIG;
	if (len > max - off)
		len = max - off;
	if (len > LONG_MAX)
		len = LONG_MAX;
	uint64_t done = 0;
	long n = 0;
	while (done < len && (n = write_block(ip, off + done, (const unsigned char *)buf + done,
					      len - done)) > 0)
		done += (uint64_t)n;
	if (!done && n < 0)
		return n;
	if (off + done > size)
		inode_set_size(ip, off + done);
	if (done)
		inode_touch(ip, true);
	*at = off;
	return (long)done;
}

long ext2_readlink(uint64_t node, char *buf, size_t room)
{
	struct inode *ip;
	int r = node_get(node, &ip);
	if (r)
		return r;
	if (!S_ISLNK(ip->d.mode) || !room)
		return -EINVAL;
	uint64_t size = inode_size(ip);
	size_t n = size < room - 1 ? (size_t)size : room - 1;
	if (inode_fast_symlink(ip)) {
		if (size >= EXT2_FAST_LINK_MAX)
			return -EUCLEAN;
		memcpy(buf, ip->d.block, n);
	} else {
		uint32_t blk;
		struct buf *b;
		if (size >= ext2_fs.bsize)
			return -EUCLEAN;
		if ((r = bmap(ip, 0, false, &blk, NULL)))
			return r;
		if (!blk)
			return -EUCLEAN;
		if ((r = bc_get(blk, true, &b)))
			return r;
		memcpy(buf, b->data, n);
		bc_put(b);
	}
	buf[n] = '\0';
	return (long)strlen(buf); /* a NUL inside ends the target, as Linux reads it */
}

/* ---- Listing ---- */

struct lister {
	bool (*put)(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg);
	void *arg;
};

static unsigned type_mode(uint8_t type, uint32_t ino)
{
	static const unsigned modes[] = {0, S_IFREG, S_IFDIR, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK,
					 S_IFLNK};
	if (type && type < sizeof(modes) / sizeof(modes[0]))
		return modes[type];
	struct inode *ip;
	return entry_inode(ino, &ip) ? 0 : ip->d.mode & S_IFMT;
}

static bool list_one(const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next,
		     void *arg)
{
	struct lister *l = arg;
	(void)len;
	return l->put(name, ino_node(ino), type_mode(type, ino), next, l->arg);
}

uint64_t ext2_list(uint64_t dir, uint64_t cookie,
		   bool (*put)(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg),
		   void *arg)
{
	struct inode *d;
	if (dir_get(dir, &d, false))
		return cookie;
	read_touch(d);
	struct lister l = {put, arg};
	long long at = dir_walk(d, cookie, list_one, &l);
	return at < 0 ? cookie : (uint64_t)at;
}

/* ---- Opens, statfs, sync ---- */

void ext2_open(uint64_t node)
{
	struct inode *ip;
	if (!node_get(node, &ip))
		ip->opens++;
}

void ext2_close(uint64_t node)
{
	struct inode *ip;
	if (node_get(node, &ip) || !ip->opens)
		return;
	if (!--ip->opens && !ip->d.links_count && !ext2_fs.ro)
		inode_release(ip);
}

int ext2_statfs(struct vfs_statfs *s)
{
	if (!ext2_fs.mounted)
		return -ENODEV;
	uint64_t fb = 0, fi = 0;
	for (uint32_t g = 0; g < ext2_fs.groups; g++) {
		fb += ext2_group(g)->free_blocks_count;
		fi += ext2_group(g)->free_inodes_count;
	}
	*s = (struct vfs_statfs){EXT2_MAGIC, ext2_fs.bsize, ext2_fs.blocks, fb, ext2_fs.inodes, fi,
				 EXT2_NAME_MAX};
	return 0;
}

int ext2_sync(uint64_t node)
{
	int r;
	if (node) {
		struct inode *ip;
		if ((r = node_get(node, &ip)))
			return r;
		if (ext2_fs.ro)
			return 0;
		/* The data first, then the map and inode that name it. */
		if ((r = bc_flush(ip->ino, false)) || (r = inode_commit(ip)) ||
		    (r = bc_flush(0, false)) || (r = ext2_write_groups()))
			return r;
	} else {
		if (!ext2_fs.mounted)
			return -ENODEV;
		ext2_fs.op++;
		if (ext2_fs.ro)
			return 0;
		if ((r = write_all()))
			return r;
	}
	return ext2_fs.dev->flush(ext2_fs.dev->ctx);
}

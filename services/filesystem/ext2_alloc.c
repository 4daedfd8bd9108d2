/*
 * ext2 allocation: the block and inode bitmaps of each group, the groups' free counts and the
 * superblock's. Bitmaps are written back (a crash leaves differences e2fsck -p fixes); a block
 * or inode is only freed here once nothing on the disk points at it any more.
 */
#include "ext2_priv.h"

#include <errno.h>
#include <string.h>

static uint32_t group_first_block(uint32_t g)
{
	return ext2_fs.first_data_block + g * ext2_fs.blocks_per_group;
}

static uint32_t group_blocks(uint32_t g)
{
	uint32_t first = group_first_block(g);
	uint32_t left = ext2_fs.blocks - first;
	return left < ext2_fs.blocks_per_group ? left : ext2_fs.blocks_per_group;
}

/* Does block b hold group g's bitmaps or inode table (which a sane bitmap marks in use)? */
static bool group_meta(uint32_t g, uint32_t b)
{
	const struct ext2_group *gd = ext2_group(g);
	return b == gd->block_bitmap || b == gd->inode_bitmap ||
	       (b >= gd->inode_table && b - gd->inode_table < ext2_fs.itable_blocks) ||
	       b < ext2_fs.first_data_block + 1 + ext2_fs.gdt_blocks;
}

/* The first clear bit of the bitmap in data from bit start below bits, or bits. */
static uint32_t find_clear(const unsigned char *data, uint32_t start, uint32_t bits)
{
	for (uint32_t i = start; i < bits; i++) {
		if ((i & 7) == 0 && data[i >> 3] == 0xff && i + 8 <= bits) {
			i += 7;
			continue;
		}
		if (!(data[i >> 3] & (1u << (i & 7))))
			return i;
	}
	return bits;
}

/* Takes a clear bit of group g's block bitmap from start on: 0 and *b, or -ENOSPC. */
static int alloc_in_group(uint32_t g, uint32_t start, uint32_t *b)
{
	struct ext2_group *gd = ext2_group(g);
	if (!gd->free_blocks_count)
		return -ENOSPC;
	struct buf *bm;
	int r = bc_get(gd->block_bitmap, true, &bm);
	if (r)
		return r;
	uint32_t bits = group_blocks(g);
	uint32_t i = find_clear(bm->data, start, bits);
	if (i == bits && start)
		i = find_clear(bm->data, 0, start);
	if (i >= bits) {
		bc_put(bm);
		return -ENOSPC; /* the count was wrong: look elsewhere */
	}
	uint32_t blk = group_first_block(g) + i;
	if (group_meta(g, blk) || !ext2_block_ok(blk)) {
		bc_put(bm);
		return -EUCLEAN; /* the bitmap frees the group's own structures */
	}
	bm->data[i >> 3] |= (unsigned char)(1u << (i & 7));
	bc_dirty(bm, 0, BUF_META);
	bc_put(bm);
	gd->free_blocks_count--;
	if (ext2_fs.sb.free_blocks_count)
		ext2_fs.sb.free_blocks_count--;
	ext2_fs.gdt_dirty = ext2_fs.sb_dirty = true;
	*b = blk;
	return 0;
}

int ext2_block_alloc(uint32_t goal, uint32_t *b)
{
	if (!ext2_block_ok(goal))
		goal = ext2_fs.first_data_block + 1;
	uint32_t g0 = (goal - ext2_fs.first_data_block) / ext2_fs.blocks_per_group;
	uint32_t start = (goal - ext2_fs.first_data_block) % ext2_fs.blocks_per_group;
	for (uint32_t k = 0; k < ext2_fs.groups; k++) {
		uint32_t g = (g0 + k) % ext2_fs.groups;
		int r = alloc_in_group(g, k ? 0 : start, b);
		if (r != -ENOSPC)
			return r;
	}
	return -ENOSPC;
}

int ext2_block_free(uint32_t b)
{
	if (!ext2_block_ok(b))
		return -EUCLEAN;
	uint32_t g = (b - ext2_fs.first_data_block) / ext2_fs.blocks_per_group;
	uint32_t i = (b - ext2_fs.first_data_block) % ext2_fs.blocks_per_group;
	struct ext2_group *gd = ext2_group(g);
	if (group_meta(g, b))
		return -EUCLEAN;
	struct buf *bm;
	int r = bc_get(gd->block_bitmap, true, &bm);
	if (r)
		return r;
	unsigned char bit = (unsigned char)(1u << (i & 7));
	if (!(bm->data[i >> 3] & bit)) {
		bc_put(bm);
		return -EUCLEAN; /* freed twice: a loop or a shared block */
	}
	bm->data[i >> 3] &= (unsigned char)~bit;
	bc_dirty(bm, 0, BUF_META);
	bc_put(bm);
	bc_forget(b);
	if (gd->free_blocks_count < group_blocks(g))
		gd->free_blocks_count++;
	if (ext2_fs.sb.free_blocks_count < ext2_fs.blocks)
		ext2_fs.sb.free_blocks_count++;
	ext2_fs.gdt_dirty = ext2_fs.sb_dirty = true;
	return 0;
}

static int ialloc_in_group(uint32_t g, bool dir, uint32_t *ino)
{
	struct ext2_group *gd = ext2_group(g);
	if (!gd->free_inodes_count)
		return -ENOSPC;
	struct buf *bm;
	int r = bc_get(gd->inode_bitmap, true, &bm);
	if (r)
		return r;
	uint32_t first = g * ext2_fs.inodes_per_group;
	uint32_t start = first + 1 < ext2_fs.first_ino ? ext2_fs.first_ino - 1 - first : 0;
	uint32_t i = find_clear(bm->data, start, ext2_fs.inodes_per_group);
	if (i >= ext2_fs.inodes_per_group) {
		bc_put(bm);
		return -ENOSPC;
	}
	bm->data[i >> 3] |= (unsigned char)(1u << (i & 7));
	bc_dirty(bm, 0, BUF_META);
	bc_put(bm);
	gd->free_inodes_count--;
	if (dir)
		gd->used_dirs_count++;
	if (ext2_fs.sb.free_inodes_count)
		ext2_fs.sb.free_inodes_count--;
	ext2_fs.gdt_dirty = ext2_fs.sb_dirty = true;
	*ino = first + i + 1;
	return 0;
}

int ext2_inode_alloc(uint32_t near, bool dir, uint32_t *ino)
{
	uint32_t g0 = near ? (near - 1) / ext2_fs.inodes_per_group : 0;
	if (g0 >= ext2_fs.groups)
		g0 = 0;
	for (uint32_t k = 0; k < ext2_fs.groups; k++) {
		int r = ialloc_in_group((g0 + k) % ext2_fs.groups, dir, ino);
		if (r != -ENOSPC)
			return r;
	}
	return -ENOSPC;
}

int ext2_inode_free(uint32_t ino, bool dir)
{
	if (ino < ext2_fs.first_ino || ino > ext2_fs.inodes)
		return -EUCLEAN;
	uint32_t g = (ino - 1) / ext2_fs.inodes_per_group, i = (ino - 1) % ext2_fs.inodes_per_group;
	struct ext2_group *gd = ext2_group(g);
	struct buf *bm;
	int r = bc_get(gd->inode_bitmap, true, &bm);
	if (r)
		return r;
	unsigned char bit = (unsigned char)(1u << (i & 7));
	if (!(bm->data[i >> 3] & bit)) {
		bc_put(bm);
		return -EUCLEAN;
	}
	bm->data[i >> 3] &= (unsigned char)~bit;
	bc_dirty(bm, 0, BUF_META);
	bc_put(bm);
	if (gd->free_inodes_count < ext2_fs.inodes_per_group)
		gd->free_inodes_count++;
	if (dir && gd->used_dirs_count)
		gd->used_dirs_count--;
	if (ext2_fs.sb.free_inodes_count < ext2_fs.inodes)
		ext2_fs.sb.free_inodes_count++;
	ext2_fs.gdt_dirty = ext2_fs.sb_dirty = true;
	return 0;
}

int ext2_write_groups(void)
{
	if (!ext2_fs.gdt_dirty)
		return 0;
	int r = ext2_dev_write(ext2_fs.first_data_block + 1, ext2_fs.gdt_blocks, ext2_fs.gdt);
	if (!r)
		ext2_fs.gdt_dirty = false;
	return r;
}

int ext2_write_super(void)
{
	uint64_t fb = 0, fi = 0;
	for (uint32_t g = 0; g < ext2_fs.groups; g++) {
		fb += ext2_group(g)->free_blocks_count;
		fi += ext2_group(g)->free_inodes_count;
	}
	ext2_fs.sb.free_blocks_count = (uint32_t)fb;
	ext2_fs.sb.free_inodes_count = (uint32_t)fi;
	ext2_fs.sb.wtime = (uint32_t)(ext2_now_ns() / 1000000000);
	if (ext2_fs.ro)
		return -EROFS;
	int r = ext2_fs.dev->write(ext2_fs.dev->ctx, EXT2_SUPER_OFFSET / BLOCKDEV_SECTOR, &ext2_fs.sb,
				   sizeof(ext2_fs.sb) / BLOCKDEV_SECTOR);
	if (!r)
		ext2_fs.sb_dirty = false;
	return r < 0 ? r : 0;
}

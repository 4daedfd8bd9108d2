/*
 * The ext2 on-disk format as this library uses it (little-endian, as both machines are): the
 * superblock, group descriptors, inodes and directory entries, and the constants that name
 * their fields' values. Layouts follow the published ext2 specification.
 */
#ifndef FS_EXT2_FMT_H
#define FS_EXT2_FMT_H

#include <stdint.h>

#define EXT2_MAGIC 0xEF53u
#define EXT2_SUPER_OFFSET 1024u
#define EXT2_ROOT_INO 2u
#define EXT2_GOOD_OLD_FIRST_INO 11u
#define EXT2_GOOD_OLD_INODE_SIZE 128u
#define EXT2_NDIR 12u /* direct block pointers in an inode */
#define EXT2_IND 12u  /* i_block[] slots of the single, double and triple indirect blocks */
#define EXT2_DIND 13u
#define EXT2_TIND 14u
#define EXT2_NBLOCKS 15u
#define EXT2_FAST_LINK_MAX 60u /* a target this long or longer needs a block */
#define EXT2_NAME_MAX 255u

/* s_state */
#define EXT2_VALID_FS 1u
#define EXT2_ERROR_FS 2u

/* Features. Only these are known; any other INCOMPAT one refuses the mount, any other
 * RO_COMPAT one allows only a read-only mount. COMPAT ones do not matter to a reader or writer
 * that leaves their structures alone. */
#define EXT2_FEATURE_COMPAT_EXT_ATTR 0x0008u
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002u
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001u
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002u
#define EXT2_KNOWN_INCOMPAT EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_KNOWN_RO_COMPAT (EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* i_flags: an htree-indexed directory; cleared when the library changes one. */
#define EXT2_INDEX_FL 0x00001000u

/* Directory entry file types (the filetype feature). */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHR 3
#define EXT2_FT_BLK 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_SYMLINK 7

/* An extended attribute block's header: a magic and a reference count. */
#define EXT2_XATTR_MAGIC 0xEA020000u

struct ext2_super {
	uint32_t inodes_count, blocks_count, r_blocks_count, free_blocks_count;
	uint32_t free_inodes_count, first_data_block, log_block_size, log_frag_size;
	uint32_t blocks_per_group, frags_per_group, inodes_per_group;
	uint32_t mtime, wtime;
	uint16_t mnt_count;
	int16_t max_mnt_count;
	uint16_t magic, state, errors, minor_rev_level;
	uint32_t lastcheck, checkinterval, creator_os, rev_level;
	uint16_t def_resuid, def_resgid;
	/* Revision 1 */
	uint32_t first_ino;
	uint16_t inode_size, block_group_nr;
	uint32_t feature_compat, feature_incompat, feature_ro_compat;
	uint8_t uuid[16];
	char volume_name[16];
	char last_mounted[64];
	uint32_t algorithm_usage_bitmap;
	uint8_t prealloc_blocks, prealloc_dir_blocks;
	uint16_t reserved_gdt_blocks;
	uint8_t rest[1024 - 208];
};

struct ext2_group {
	uint32_t block_bitmap, inode_bitmap, inode_table;
	uint16_t free_blocks_count, free_inodes_count, used_dirs_count, flags;
	uint8_t reserved[12];
};

/* The first 160 bytes of an inode: the 128 of revision 0, then the fields of larger inodes
 * (present when i_extra_isize covers them). */
struct ext2_inode {
	uint16_t mode, uid;
	uint32_t size, atime, ctime, mtime, dtime;
	uint16_t gid, links_count;
	uint32_t blocks, flags, osd1;
	uint32_t block[EXT2_NBLOCKS];
	uint32_t generation, file_acl, size_high, faddr;
	uint16_t blocks_high, file_acl_high, uid_high, gid_high, checksum_lo, reserved;
	/* Large inodes */
	uint16_t extra_isize, checksum_hi;
	uint32_t ctime_extra, mtime_extra, atime_extra, crtime, crtime_extra, version_hi, projid;
};

/* A directory entry's fixed part; the name follows, rec_len takes it to the next entry. */
struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len, file_type; /* without the filetype feature, name_len's high byte */
};

#define EXT2_DIRENT_HEAD 8u
/* The bytes an entry with a name of len bytes needs (4-byte aligned). */
#define EXT2_DIRENT_LEN(len) ((EXT2_DIRENT_HEAD + (len) + 3u) & ~3u)
/* The extra fields of large inodes this library stores: the three times' nanoseconds. */
#define EXT2_EXTRA_ISIZE 32u

_Static_assert(sizeof(struct ext2_super) == 1024, "superblock layout");
_Static_assert(sizeof(struct ext2_group) == 32, "group descriptor layout");
_Static_assert(sizeof(struct ext2_inode) == 160, "inode layout");
_Static_assert(sizeof(struct ext2_dirent) == 8, "directory entry layout");

#endif

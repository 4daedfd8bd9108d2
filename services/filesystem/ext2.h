/*
 * ext2 (revision 1) on a block device: the filesystem service's files when there is a disk.
 * The calls mirror tree.h, so the service answers the kernel's vfs requests the same way from
 * either. Nodes are inode numbers, except that the root (inode 2) is VFS_ROOT_NODE; a node's
 * generation is its inode's i_generation. Every call returns 0 or a result, or -errno: EIO
 * for a device error, EUCLEAN for a structure found corrupt (the call fails, the filesystem
 * stays mounted, nothing else is touched), ENOSPC when blocks or inodes run out, EROFS when
 * mounted read-only.
 */
#ifndef FS_EXT2_H
#define FS_EXT2_H

#include "blockdev.h"

#include <eclipse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads and checks the superblock and group descriptors of dev; 0, or -EUCLEAN (not ext2, a
 * feature it does not know, inconsistent geometry) / -EIO, with a reason in why; -EROFS for a
 * read-write mount of a filesystem with a read-only-compatible feature it does not know (it
 * mounts read-only). Read-write mounts mark the filesystem not clean on the disk until
 * ext2_unmount. */
int ext2_mount(struct blockdev *dev, bool readonly, char *why, size_t why_len);
/* Writes back everything, marks the filesystem clean (if it was clean when mounted: as Linux,
 * a filesystem left unclean by a crash stays marked so until e2fsck checks it), flushes the
 * device. */
int ext2_unmount(void);
/* Whether the mounted filesystem was marked clean and without errors when it was mounted. */
bool ext2_was_clean(void);

int ext2_check(uint64_t node, uint64_t gen);
int ext2_attr(uint64_t node, struct vfs_attr *a);

long ext2_lookup(uint64_t dir, const char *name, uint64_t *node);
/* A new entry name in dir of mode (S_IFREG, S_IFDIR, S_IFIFO, S_IFLNK with target): its node. */
long ext2_create(uint64_t dir, const char *name, unsigned mode, const char *target,
		 uint64_t *node);
long ext2_link(uint64_t dir, const char *name, uint64_t node);
long ext2_unlink(uint64_t dir, const char *name, bool want_dir);
long ext2_rename(uint64_t dir, const char *name, uint64_t dir2, const char *name2,
		 unsigned flags);
long ext2_setattr(uint64_t node, unsigned what, const struct vfs_attr *a);

/* Up to len bytes of a regular file from off into buf: how many (0 at or past the end). */
long ext2_read(uint64_t node, uint64_t off, uint64_t len, void *buf);
/* len bytes from buf at off (at the end when append): how many; *at says where they went. */
long ext2_write(uint64_t node, uint64_t off, uint64_t len, const void *buf, bool append,
		uint64_t *at);
/* A symbolic link's target into buf (room bytes, NUL-terminated): its length. */
long ext2_readlink(uint64_t node, char *buf, size_t room);
/* Directory entries from cookie (0: the first; a cookie is a byte position in the directory),
 * "." and ".." as stored: calls put(name, node, mode, next cookie) until it returns false or
 * the directory ends; the cookie where it stopped (as tree_list). */
uint64_t ext2_list(uint64_t dir, uint64_t cookie,
		   bool (*put)(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg),
		   void *arg);
void ext2_open(uint64_t node);
void ext2_close(uint64_t node);
int ext2_statfs(struct vfs_statfs *s);
/* node's data and inode on stable storage (node 0: everything). */
int ext2_sync(uint64_t node);

#endif

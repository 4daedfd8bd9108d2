/*
 * The filesystem service's files: a tree of nodes in memory (the filesystem Eclipse runs on
 * when there is no disk). Nodes are numbered from 1, the root; a number freed and used again
 * gets a new generation, so a kernel that still names the old node gets ESTALE. Every function
 * returns 0 or a result, or -errno.
 */
#ifndef FS_TREE_H
#define FS_TREE_H

#include <eclipse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Empties the tree to a root directory; bytes_max bounds the file data it holds (ENOSPC). */
int tree_init(size_t bytes_max);

/* The node (and generation) a request names, checked: 0 or -ESTALE. */
int tree_check(uint64_t node, uint64_t gen);
/* Its attributes. */
void tree_attr(uint64_t node, struct vfs_attr *a);

/* name in directory dir: the entry's node. */
long tree_lookup(uint64_t dir, const char *name, uint64_t *node);
/* A new entry name in dir of mode (S_IFREG, S_IFDIR, S_IFIFO, S_IFLNK with target): its node. */
long tree_create(uint64_t dir, const char *name, unsigned mode, const char *target, uint64_t *node);
long tree_link(uint64_t dir, const char *name, uint64_t node);
long tree_unlink(uint64_t dir, const char *name, bool want_dir);
long tree_rename(uint64_t dir, const char *name, uint64_t dir2, const char *name2, unsigned flags);
/* Changes what `what` (VFS_SET_*) says from a. */
long tree_setattr(uint64_t node, unsigned what, const struct vfs_attr *a);

/* The bytes of a regular file from off: a pointer to them and how many there are (up to len). */
size_t tree_read(uint64_t node, uint64_t off, uint64_t len, const unsigned char **data);
/* Room for len bytes at off (or at the end, append), the file grown as needed: a pointer to
 * write them to, and where they go in *at. */
long tree_write_room(uint64_t node, uint64_t off, uint64_t len, bool append, unsigned char **dst,
		     uint64_t *at);
/* len bytes were written at at (after tree_write_room): the size and times follow. */
void tree_written(uint64_t node, uint64_t at, uint64_t len);
/* A symbolic link's target. */
const char *tree_target(uint64_t node);
/* Directory entries from cookie (0: the first): calls put(name, node, mode, next cookie) until
 * it returns false; the cookie to go on from. */
uint64_t tree_list(uint64_t dir, uint64_t cookie,
		   bool (*put)(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg),
		   void *arg);

/* A descriptor refers to node (VFS_OPEN), or one went (VFS_CLOSE): an unlinked file lives on
 * while referred to. */
void tree_open(uint64_t node);
void tree_close(uint64_t node);

/* The tree's size: nodes in use and allowed, bytes held and allowed. */
void tree_usage(size_t *nodes, size_t *nodes_max, size_t *bytes, size_t *bytes_max);

#endif

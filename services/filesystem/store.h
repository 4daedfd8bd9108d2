/*
 * The filesystem service's files: a flat namespace of paths in memory, kept in path order, and
 * the handles clients hold on them, within the FS_*_MAX limits of the protocol. Every function
 * returns 0 or a result, or -errno.
 */
#ifndef FS_STORE_H
#define FS_STORE_H

#include <ecl/fs_protocol.h>
#include <stdbool.h>
#include <stddef.h>

/* Adds path with a copy of data's len bytes, read-only; 0, -EEXIST, -ENOSPC or -ENOMEM. */
int store_seed(const char *path, const void *data, size_t len);
/* Opens path with O_* flags for owner; returns a handle. */
int store_open(const char *path, unsigned flags, int owner);
/* Reads up to n bytes at the offset of owner's handle into buf; returns how many. */
long store_read(int handle, int owner, void *buf, size_t n);
/* Writes n bytes of buf at the offset (the end with O_APPEND) of owner's handle, or as many as
 * fit in FS_FILE_SIZE_MAX (-ENOSPC if none do); returns how many. */
long store_write(int handle, int owner, const void *buf, size_t n);
/* Closes owner's handle; the file goes once it is unlinked and nothing holds it. */
int store_close(int handle, int owner);
/* Takes path out of the namespace. */
int store_unlink(const char *path);
/* Stores path's size and mode in *st. */
int store_stat(const char *path, struct fs_stat *st);
/* Stores the index-th file in path order in *entry; returns 1, or 0 past the last. */
int store_entry(unsigned index, struct fs_dirent *entry);
/* The number of files in the namespace, and their total size in *bytes. */
unsigned store_count(size_t *bytes);

#endif

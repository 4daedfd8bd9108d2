/*
 * The filesystem service's client, libc-style: each call is one or more ipc_calls to the process
 * registered as "filesystem" (looked up on first use, and again once that process is gone), and
 * fails with -1 and errno: the service's own errors (ENOENT, EEXIST, EROFS, EBADF, EINVAL,
 * ENAMETOOLONG, ENOSPC, EMFILE, EISDIR) or the IPC ones (ENOENT with no service, EPIPE when it
 * died during the call, ETIMEDOUT after FS_TIMEOUT_NS). Handles are the service's, not file
 * descriptors, and belong to the process that opened them. <ecl/fs_protocol.h> has the protocol.
 */
#ifndef ECL_FS_H
#define ECL_FS_H

#include <ecl/fs_protocol.h>
#include <sys/types.h>

/* How long one request may wait for the service, queueing included. */
#define FS_TIMEOUT_NS 5000000000ull

/* Opens path with O_* flags (O_RDONLY, O_WRONLY or O_RDWR, with O_CREAT, O_EXCL, O_TRUNC,
 * O_APPEND); returns a handle. */
int fs_open(const char *path, int flags);
/* Reads up to n bytes at the handle's offset; returns how many (fewer only at the end). */
ssize_t fs_read(int handle, void *buf, size_t n);
/* Writes n bytes at the handle's offset (the end with O_APPEND); returns n, or fewer where the
 * file reaches FS_FILE_SIZE_MAX. */
ssize_t fs_write(int handle, const void *buf, size_t n);
/* Closes a handle; returns 0. */
int fs_close(int handle);
/* Removes path from the namespace; returns 0. */
int fs_unlink(const char *path);
/* Stores path's size and mode in *st; returns 0. */
int fs_stat(const char *path, struct fs_stat *st);
/* Stores the index-th file in path order in *entry; returns 1, or 0 when there is none. */
int fs_list(unsigned index, struct fs_dirent *entry);

#endif

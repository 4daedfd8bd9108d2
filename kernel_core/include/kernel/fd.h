/* Descriptor tables: which open file each descriptor of a process refers to. */
#ifndef KERNEL_FD_H
#define KERNEL_FD_H

#include <kernel/types.h>

struct file;

#define FD_LIMIT_MAX 4096  /* the hard limit of RLIMIT_NOFILE */
#define FD_LIMIT_DEFAULT 1024
#define FD_CHUNK 256       /* descriptors per chunk of the table */

/* A process's descriptors; threads (CLONE_FILES) share one table. */
struct fdtable {
	unsigned refs;
	struct file **chunk[FD_LIMIT_MAX / FD_CHUNK]; /* allocated when first used */
	uint64_t cloexec[FD_LIMIT_MAX / 64];
};

/* An empty table with one reference, or NULL. */
struct fdtable *fd_table_new(void);
/* A new table referring to the same open files as src (fork), or NULL. */
struct fdtable *fd_table_copy(const struct fdtable *src);
/* Drops a reference; the last closes every descriptor. */
void fd_table_put(struct fdtable *t);
/* The open file behind descriptor fd, or NULL. */
struct file *fd_get(const struct fdtable *t, int64_t fd);
/* Puts f (its reference taken over) on the lowest free descriptor in [min, limit): it, or
 * -EMFILE (-ENOMEM when the table cannot grow). */
int fd_install(struct fdtable *t, struct file *f, int min, unsigned limit, bool cloexec);
/* Puts f (its reference taken over) on descriptor fd, closing what was there: fd or -ENOMEM. */
int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec);
/* Closes descriptor fd: 0 or -EBADF. */
int fd_close(struct fdtable *t, int64_t fd);
/* Closes every descriptor marked close-on-exec. */
void fd_close_on_exec(struct fdtable *t);
/* The close-on-exec mark of an open descriptor. */
bool fd_cloexec(const struct fdtable *t, int fd);
void fd_set_cloexec(struct fdtable *t, int fd, bool on);
/* The highest open descriptor + 1 (0 when none is open). */
int fd_end(const struct fdtable *t);
#endif

/* Open files and the per-process descriptor table. */
#ifndef KERNEL_FD_H
#define KERNEL_FD_H

#include <kernel/files.h>

#define FD_MAX 64

enum file_kind { FILE_CONSOLE_IN, FILE_CONSOLE_OUT, FILE_CONSOLE_ERR, FILE_REGULAR };

/* An open file, shared by the descriptors that refer to it (after fork or dup). */
struct file {
	unsigned refs;
	enum file_kind kind;
	struct file_ref ref; /* FILE_REGULAR: the contents */
	uint64_t offset;
};

struct fdtable {
	struct file *fd[FD_MAX];
};

/* Fills an empty table with the console on descriptors 0, 1 and 2. 0 or -ENOMEM. */
int fd_init_console(struct fdtable *t);
/* Makes dst refer to the same open files as src. */
void fd_clone(struct fdtable *dst, const struct fdtable *src);
/* Closes every descriptor. */
void fd_close_all(struct fdtable *t);
/* The open file behind descriptor fd, or NULL. */
struct file *fd_get(const struct fdtable *t, int64_t fd);
/* Puts f (its reference taken over) on the lowest free descriptor >= min: it, or -EMFILE. */
int fd_install(struct fdtable *t, struct file *f, int min);
/* Closes descriptor fd: 0 or -EBADF. */
int fd_close(struct fdtable *t, int64_t fd);
/* A new open file of kind (contents ref for FILE_REGULAR), or NULL. */
struct file *file_new(enum file_kind kind, const struct file_ref *ref);
/* Drops a reference to f. */
void file_put(struct file *f);

#endif

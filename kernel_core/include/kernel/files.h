/* Program files outside the VFS: the boot image, then the platform's own (the sim's --root):
 * what the kernel starts before any process, and what execve finds under --root. */
#ifndef KERNEL_FILES_H
#define KERNEL_FILES_H

#include <kernel/types.h>

struct file_ref {
	const void *data;
	size_t len;
	bool platform; /* released through the platform */
	uint64_t id;   /* the same for the same unchanged file, never 0 */
	bool executable; /* someone may execute it (a mode bit 0111) */
};

/* Finds the regular file at path. 0, -ENOENT, -EACCES (not a regular file) or -ENOMEM. */
int file_open(const char *path, struct file_ref *f);
/* Only the platform's files (--root). */
int file_open_platform(const char *path, struct file_ref *f);
/* Releases what file_open returned. */
void file_close(struct file_ref *f);

#endif

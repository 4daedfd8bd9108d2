/* The boot image: a cpio "newc" archive (the Linux initramfs format), read in place. */
#ifndef KERNEL_CPIO_H
#define KERNEL_CPIO_H

#include <kernel/types.h>

struct cpio_entry {
	const char *name; /* NUL-terminated, inside the archive, without a leading "./" or "/" */
	const void *data;
	size_t size;
	uint32_t mode;
	uint32_t mtime; /* seconds since the epoch */
};

/* Why a walk stopped. */
#define CPIO_END 0           /* the trailer was reached */
#define CPIO_ENTRY 1         /* *e holds the next entry */
#define CPIO_ERR_HEADER (-1) /* truncated header, bad magic or non-hex field */
#define CPIO_ERR_NAME (-2)   /* name missing its NUL or running past the archive */
#define CPIO_ERR_DATA (-3)   /* file data running past the archive */

/* Reads the entry at *off and advances *off. Returns CPIO_ENTRY, CPIO_END or CPIO_ERR_*. */
int cpio_next(const void *archive, size_t len, size_t *off, struct cpio_entry *e);
/* Finds path ("/sbin/init", "sbin/init" or "./sbin/init"). 0, -ENOENT, or -EINVAL if malformed. */
int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *e);

#endif

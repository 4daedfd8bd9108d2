/*
 * A block device as the filesystem service sees it: 512-byte sectors read, written and flushed
 * through three callbacks. The virtio-blk driver is one; a host test's file is another. Each
 * callback returns 0 or -errno (EIO for a device error); a transfer is whole or it failed.
 */
#ifndef FS_BLOCKDEV_H
#define FS_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>

#define BLOCKDEV_SECTOR 512u

struct blockdev {
	void *ctx;
	uint64_t sectors; /* the device's size */
	bool readonly;    /* writes fail with EROFS */
	/* count sectors from sector into or out of buf. */
	int (*read)(void *ctx, uint64_t sector, void *buf, uint32_t count);
	int (*write)(void *ctx, uint64_t sector, const void *buf, uint32_t count);
	/* Everything written so far is on stable storage once this returns 0. */
	int (*flush)(void *ctx);
};

#endif

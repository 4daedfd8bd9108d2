/* The filesystem service's disk: a virtio-blk function driven through libecl's virtio
 * transport, offered as a struct blockdev. */
#ifndef FS_VIRTIO_BLK_H
#define FS_VIRTIO_BLK_H

#include "blockdev.h"

#include <eclipse.h>

/* Looks for a virtio block function this process was granted and claims it: 0 with *dev
 * ready and *info describing the function, -ENODEV when there is none, or another -errno. */
int vblk_open(struct blockdev *dev, struct pci_info *info);
/* Acknowledges an interrupt that arrived outside a request (one that completed before its
 * interrupt was waited for). */
void vblk_interrupted(void);
/* Resets the device and lets it go. */
void vblk_close(void);

#endif

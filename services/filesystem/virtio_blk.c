/*
 * The virtio block driver (virtio 1.2 section 5.2): one request queue; a request is a header
 * (type, sector), the data and a status byte, in a DMA buffer of ours (the caller's buffers are
 * not DMA memory, so data is copied through it). One request is in flight at a time: the
 * service answers one file request at a time anyway. A request that the device does not finish
 * within REQUEST_TIMEOUT_NS, or a device that says it needs a reset, fails with EIO.
 */
#include "virtio_blk.h"

#include <ecl/dev.h>
#include <ecl/virtio.h>
#include <errno.h>
#include <string.h>

#define VIRTIO_BLK_DEVICE_LEGACY 0x1001
#define VIRTIO_BLK_DEVICE 0x1042
#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)
#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_T_OUT 1u
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_S_OK 0u
#define VIRTIO_BLK_S_UNSUPP 2u

#define BOUNCE (512u * 1024u) /* bytes one request carries at most */
#define REQUEST_TIMEOUT_NS 10000000000ull

struct blk_header {
	uint32_t type, reserved;
	uint64_t sector;
};

static struct {
	struct virtio_dev dev;
	struct virtq q;
	uint8_t *dma; /* header, status, then the data bounce buffer */
	uint64_t dma_pa;
	uint64_t sectors;
	bool flush;
} vb;

#define HEADER_AT 0
#define STATUS_AT 16
#define DATA_AT 4096

/* Carries out one request: type on count sectors from sector, data in (or out of) the bounce
 * buffer. 0 or -EIO. */
static int request(uint32_t type, uint64_t sector, uint32_t count)
{
	struct blk_header h = {type, 0, sector};
	memcpy(vb.dma + HEADER_AT, &h, sizeof(h));
	vb.dma[STATUS_AT] = 0xff;
	struct virtq_buf bufs[3] = {{vb.dma_pa + HEADER_AT, sizeof(h), false}};
	unsigned n = 1;
	if (count)
		bufs[n++] = (struct virtq_buf){vb.dma_pa + DATA_AT, count * BLOCKDEV_SECTOR,
					       type == VIRTIO_BLK_T_IN};
	bufs[n++] = (struct virtq_buf){vb.dma_pa + STATUS_AT, 1, true};
	int head = virtq_submit(&vb.q, bufs, n);
	if (head < 0)
		return -EIO;
	for (;;) {
		uint16_t done;
		uint32_t written;
		while (virtq_reap(&vb.q, &done, &written))
			if (done == head)
				return vb.dma[STATUS_AT] == VIRTIO_BLK_S_OK ? 0 : -EIO;
		if (virtio_broken(&vb.dev))
			return -EIO;
		/* The interrupt says the used ring moved (or a configuration change). */
		if (!dev_irq_wait(REQUEST_TIMEOUT_NS) && errno != EINTR)
			return -EIO;
		virtio_interrupted(&vb.dev);
	}
}

static int in_range(uint64_t sector, uint32_t count)
{
	return sector <= vb.sectors && count <= vb.sectors - sector ? 0 : -EIO;
}

static int vblk_read(void *ctx, uint64_t sector, void *buf, uint32_t count)
{
	(void)ctx;
	if (in_range(sector, count))
		return -EIO;
	for (uint32_t done = 0; done < count;) {
		uint32_t n = count - done < BOUNCE / BLOCKDEV_SECTOR ? count - done : BOUNCE / BLOCKDEV_SECTOR;
		int err = request(VIRTIO_BLK_T_IN, sector + done, n);
		if (err)
			return err;
		memcpy((uint8_t *)buf + (size_t)done * BLOCKDEV_SECTOR, vb.dma + DATA_AT,
		       (size_t)n * BLOCKDEV_SECTOR);
		done += n;
	}
	return 0;
}

static int vblk_write(void *ctx, uint64_t sector, const void *buf, uint32_t count)
{
	(void)ctx;
	if (in_range(sector, count))
		return -EIO;
	if (vb.dev.features & VIRTIO_BLK_F_RO)
		return -EROFS;
	for (uint32_t done = 0; done < count;) {
		uint32_t n = count - done < BOUNCE / BLOCKDEV_SECTOR ? count - done : BOUNCE / BLOCKDEV_SECTOR;
		memcpy(vb.dma + DATA_AT, (const uint8_t *)buf + (size_t)done * BLOCKDEV_SECTOR,
		       (size_t)n * BLOCKDEV_SECTOR);
		int err = request(VIRTIO_BLK_T_OUT, sector + done, n);
		if (err)
			return err;
		done += n;
	}
	return 0;
}

static int vblk_flush(void *ctx)
{
	(void)ctx;
	/* Without VIRTIO_BLK_F_FLUSH the device writes through: nothing to ask. */
	return vb.flush ? request(VIRTIO_BLK_T_FLUSH, 0, 0) : 0;
}

int vblk_open(struct blockdev *dev, struct pci_info *info)
{
	int err = virtio_open_first(&vb.dev, VIRTIO_BLK_DEVICE_LEGACY, VIRTIO_BLK_DEVICE);
	if (err)
		return err;
	*info = vb.dev.info;
	if ((err = virtio_negotiate(&vb.dev, VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH)) ||
	    (err = virtio_queue_init(&vb.dev, &vb.q, 0, 64)))
		goto fail;
	if (!vb.dev.config) {
		err = -ENODEV;
		goto fail;
	}
	vb.dma = dma_alloc(DATA_AT + BOUNCE, &vb.dma_pa);
	if (!vb.dma) {
		err = -errno;
		goto fail;
	}
	/* capacity: a 64-bit field, read as two halves until it holds still. */
	volatile uint32_t *cap = (volatile uint32_t *)vb.dev.config;
	uint64_t sectors;
	do {
		sectors = cap[0] | (uint64_t)cap[1] << 32;
	} while (sectors != (cap[0] | (uint64_t)cap[1] << 32));
	vb.sectors = sectors;
	vb.flush = (vb.dev.features & VIRTIO_BLK_F_FLUSH) != 0;
	virtio_ready(&vb.dev);
	*dev = (struct blockdev){.ctx = &vb, .sectors = sectors,
				 .readonly = (vb.dev.features & VIRTIO_BLK_F_RO) != 0,
				 .read = vblk_read, .write = vblk_write, .flush = vblk_flush};
	return 0;
fail:
	virtio_close(&vb.dev);
	return err;
}

void vblk_interrupted(void)
{
	if (vb.dma)
		virtio_interrupted(&vb.dev);
}

void vblk_close(void)
{
	virtio_close(&vb.dev);
}

/*
 * A virtio 1.x device over PCI, driven from user space: the "modern" transport (the structures
 * the vendor capabilities point to in memory BARs), split virtqueues in DMA memory, interrupts
 * through the function's INTx line as notifications. The same code drives QEMU's devices on pc
 * and the simulator's. Calls return 0 or -errno unless they say otherwise.
 */
#ifndef ECL_VIRTIO_H
#define ECL_VIRTIO_H

#include <eclipse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER 0x02u
#define VIRTIO_STATUS_DRIVER_OK 0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u

/* One buffer of a request: device-readable, or device-writable (write). */
struct virtq_buf {
	uint64_t phys;
	uint32_t len;
	bool write;
};

struct virtq {
	uint16_t size;
	uint16_t free_head, nfree;
	uint16_t last_used;      /* the used ring's index we have read up to */
	uint16_t avail_idx;      /* our copy of the available ring's index */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	volatile uint16_t *notify; /* this queue's notification register */
	uint16_t index;
};

struct virtio_dev {
	unsigned index;          /* the PCI function, as pci_device numbers it */
	struct pci_info info;
	volatile uint8_t *common, *isr, *config, *notify_base;
	uint32_t notify_mult;
	uint64_t features;       /* negotiated */
};

/* Claims PCI function index (the caller was granted it), finds and maps the virtio structures,
 * resets the device, turns bus mastering on and binds its interrupt to the calling thread. */
int virtio_open(struct virtio_dev *d, unsigned index);
/* virtio_open on the first function of device id legacy or modern (the transitional and the
 * virtio 1.x ids of one kind) that this process may claim: -ENODEV when there is none. */
int virtio_open_first(struct virtio_dev *d, uint16_t legacy, uint16_t modern);
/* Acknowledges the device and agrees on features: those of want the device offers (VERSION_1
 * required: -ENODEV without it); 0 once FEATURES_OK holds, or -EIO. */
int virtio_negotiate(struct virtio_dev *d, uint64_t want);
/* Sets queue qi up with at most size entries (rounded to what the device allows). */
int virtio_queue_init(struct virtio_dev *d, struct virtq *q, unsigned qi, unsigned size);
/* The device may work now (DRIVER_OK). */
void virtio_ready(struct virtio_dev *d);
/* Resets the device, unbinds its interrupt and releases the function. */
void virtio_close(struct virtio_dev *d);
/* Reads the ISR status (which acknowledges the device's interrupt) and then the kernel's. */
unsigned virtio_interrupted(struct virtio_dev *d);
/* Whether the device says it needs a reset (it found a driver error). */
bool virtio_broken(const struct virtio_dev *d);

/* Puts a chain of n buffers on q and tells the device: its head (the request's id), or -ENOSPC
 * when q has too few free entries. */
int virtq_submit(struct virtq *q, const struct virtq_buf *bufs, unsigned n);
/* The next request the device finished: true with its head and the bytes it wrote; its
 * entries are free again. */
bool virtq_reap(struct virtq *q, uint16_t *head, uint32_t *written);

#endif

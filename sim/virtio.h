/*
 * Virtio devices of the simulated machine: the virtio 1.x PCI transport with split virtqueues
 * (virtio_pci.c), as QEMU's transitional virtio-*-pci devices show it, the block device
 * behind --disk (virtio_blk.c) and the network card (virtio_net.c).
 */
#ifndef SIM_VIRTIO_H
#define SIM_VIRTIO_H

#include "pci.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_QUEUE_MAX 256 /* a queue's size at most, as QEMU's virtio-blk offers it */
#define VIRTIO_QUEUES 2      /* queues a device may have here (virtio-net: receive, transmit) */

/* Device status bits (virtio 1.x, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER 0x02u
#define VIRTIO_STATUS_DRIVER_OK 0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_ISR_QUEUE 0x1u
#define VIRTIO_ISR_CONFIG 0x2u

/* The modern BAR (BAR4, 16 KiB) as QEMU lays it out, and its notify stride. */
#define VIRTIO_BAR_MODERN 4
#define VIRTIO_BAR_MSIX 1
#define VIRTIO_BAR_LEGACY 0
#define VIRTIO_COMMON_OFF 0x0000u
#define VIRTIO_ISR_OFF 0x1000u
#define VIRTIO_DEVICE_OFF 0x2000u
#define VIRTIO_NOTIFY_OFF 0x3000u
#define VIRTIO_REGION_SIZE 0x1000u
#define VIRTIO_NOTIFY_MULTIPLIER 4u

/* Common configuration registers (virtio 1.x, 4.1.4.3). */
#define VIRTIO_COMMON_DFSELECT 0x00
#define VIRTIO_COMMON_DF 0x04
#define VIRTIO_COMMON_GFSELECT 0x08
#define VIRTIO_COMMON_GF 0x0c
#define VIRTIO_COMMON_MSIX 0x10
#define VIRTIO_COMMON_NUMQ 0x12
#define VIRTIO_COMMON_STATUS 0x14
#define VIRTIO_COMMON_CFGGEN 0x15
#define VIRTIO_COMMON_Q_SELECT 0x16
#define VIRTIO_COMMON_Q_SIZE 0x18
#define VIRTIO_COMMON_Q_MSIX 0x1a
#define VIRTIO_COMMON_Q_ENABLE 0x1c
#define VIRTIO_COMMON_Q_NOFF 0x1e
#define VIRTIO_COMMON_Q_DESC 0x20
#define VIRTIO_COMMON_Q_AVAIL 0x28
#define VIRTIO_COMMON_Q_USED 0x30

/* Split virtqueue descriptor flags. */
#define VIRTQ_DESC_F_NEXT 0x1u
#define VIRTQ_DESC_F_WRITE 0x2u
#define VIRTQ_DESC_F_INDIRECT 0x4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 0x1u

struct sim_virtq {
	uint16_t size;
	bool enabled;
	uint64_t desc, avail, used;
	uint16_t last_avail; /* the next entry of the available ring to take */
	uint16_t used_idx;   /* the used ring's index as the device last wrote it */
};

/* One buffer of a descriptor chain, checked to lie in RAM. */
struct sim_virtq_seg {
	uint64_t addr;
	uint32_t len;
	bool write; /* device-writable */
};

/* A descriptor chain taken from the available ring: readable segments first, then writable. */
struct sim_virtq_elem {
	uint16_t head;
	unsigned nseg;
	struct sim_virtq_seg seg[VIRTIO_QUEUE_MAX];
	uint64_t out_len, in_len; /* bytes readable, bytes writable */
};

struct sim_virtio;

struct sim_virtio_ops {
	uint64_t features;   /* offered (VIRTIO_F_VERSION_1 among them) */
	unsigned nqueues;    /* 1..VIRTIO_QUEUES */
	uint16_t queue_max;  /* each queue's size at most, at reset */
	/* The device's configuration structure (BAR4 at 0x2000). */
	const uint8_t *(*config)(struct sim_virtio *v, unsigned *len);
	/* The driver notified queue q (the device is ready: DRIVER_OK, FEATURES_OK, not broken). */
	void (*notify)(struct sim_virtio *v, unsigned q);
	/* The device was reset: forget requests in flight (cancel their events). */
	void (*reset)(struct sim_virtio *v);
};

struct sim_virtio {
	struct sim_pci_device pci;
	const struct sim_virtio_ops *ops;
	void *dev; /* the device model's own state */
	uint64_t driver_features;
	uint32_t dfselect, gfselect;
	uint8_t status, isr, config_gen;
	uint16_t queue_sel;
	struct sim_virtq q[VIRTIO_QUEUES];
	unsigned irq_asserted; /* the line this device holds asserted, 0 for none */
	uint8_t msix_table[2 * 16];
};

/* Fills v->pci as QEMU's transitional virtio-pci device (identity, class, BARs, capabilities)
 * for a device of subsystem id subsys (2: block) at slot; the caller sets class and adds it. */
void sim_virtio_pci_setup(struct sim_virtio *v, const struct sim_virtio_ops *ops, void *dev,
			  unsigned slot, uint16_t pci_device, uint16_t subsys);
/* The device goes away (its model's fini): what it had in flight is dropped (ops->reset), its
 * interrupt line lowered. */
void sim_virtio_remove(struct sim_virtio *v);
/* Whether the device may process requests: DRIVER_OK and FEATURES_OK, no error. */
bool sim_virtio_ready(const struct sim_virtio *v);
/* A device error (a bad descriptor, ring or header): DEVICE_NEEDS_RESET, a configuration
 * interrupt, and nothing more is processed until the driver resets the device. */
void sim_virtio_error(struct sim_virtio *v);
/* Takes the next chain of queue q: 1 with *e, 0 when the ring is empty, -1 after a device
 * error (every address, index and length checked first). */
int sim_virtq_pop(struct sim_virtio *v, unsigned q, struct sim_virtq_elem *e);
/* Returns chain head with len bytes written into the used ring and raises the queue
 * interrupt (unless the driver asked for none): 0, or -1 after a device error. */
int sim_virtq_push(struct sim_virtio *v, unsigned q, uint16_t head, uint32_t len);
/* Copies len bytes from off in e's readable part to buf, or from buf to off in its writable
 * part: 0, or -1 after a device error. */
int sim_virtq_read(struct sim_virtio *v, const struct sim_virtq_elem *e, uint64_t off, void *buf,
		   uint64_t len);
int sim_virtq_write(struct sim_virtio *v, const struct sim_virtq_elem *e, uint64_t off,
		    const void *buf, uint64_t len);

/* A disk image (virtio_blk.c). */
struct sim_disk;
/* Opens and locks (flock: shared when readonly, else exclusive) a raw image: 0 with *out, or
 * -errno: -EROFS when it can only be read and readonly is false, -EBUSY when another process
 * holds its lock, -EISDIR, -EINVAL for something not a file or block device. */
int sim_disk_open(const char *path, bool readonly, struct sim_disk **out);
/* The same over an open descriptor, which it takes (tests and fuzzing: a memfd). */
int sim_disk_open_fd(int fd, bool readonly, struct sim_disk **out);
void sim_disk_close(struct sim_disk *disk);
/* Its size in 512-byte sectors (a partial last sector is left out, as QEMU does). */
uint64_t sim_disk_sectors(const struct sim_disk *disk);
bool sim_disk_readonly(const struct sim_disk *disk);
/* A replay's disk (record.h): from now on its writes stay in memory, in an overlay of
 * SIM_DISK_CHUNK-byte chunks over the image, which starts with the chunks a recording saved
 * (put: 0 or -ENOMEM). */
#define SIM_DISK_CHUNK 4096u
void sim_disk_overlay(struct sim_disk *disk);
int sim_disk_overlay_put(struct sim_disk *disk, uint64_t chunk, const void *data);
/* A session that kept its writes in memory (time travel on a recording) writes them to the
 * image at its end: 0 or -EIO. */
int sim_disk_write_back(struct sim_disk *disk);
/* A recording's: called with each chunk's contents before the first write to it, when set. */
extern void (*sim_disk_first_write)(uint64_t chunk, const void *old);

/* The virtio-blk device at 00:02.0 (where QEMU's -drive if=virtio puts the first one), over
 * disk, which it closes at fini. Before sim_pci_firmware. */
void sim_virtio_blk_init(struct sim_disk *disk);
void sim_virtio_blk_fini(void);
/* The device (tests), or NULL without a disk. */
struct sim_virtio *sim_virtio_blk(void);

/* virtio-blk's request latency model (virtio_blk.c): from the notify to the device taking the
 * request, then per request, per byte and per flush. */
#define VIRTIO_BLK_SUBMIT_NS 1000ull
#define VIRTIO_BLK_REQUEST_NS 20000ull
#define VIRTIO_BLK_FLUSH_NS 100000ull
/* ns per byte moved: 1 GB/s */
#define VIRTIO_BLK_BYTE_NS 1ull

/* The network card (virtio_net.c) and the wire it is on. */
struct sim_net_backend {
	/* A frame the guest sent (Ethernet, without its FCS), for the wire to carry. */
	void (*transmit)(void *ctx, const uint8_t *frame, size_t len);
	void *ctx;
};
/* The card at 00:03.0 with address mac, on backend's wire. Before sim_pci_firmware. */
void sim_virtio_net_init(const uint8_t mac[6], const struct sim_net_backend *backend);
void sim_virtio_net_fini(void);
/* The device (tests), or NULL without a card. */
struct sim_virtio *sim_virtio_net(void);
/* A frame from the wire for the guest: queued now, delivered on the virtual clock. False when
 * it was dropped (no card set up by its driver, the queue full, not an Ethernet frame). */
bool sim_virtio_net_receive(const void *frame, size_t len);
/* Frames dropped so far, both ways. */
uint64_t sim_virtio_net_dropped(void);

/* virtio-net's timing (virtio_net.c): from a notify to the device taking the transmit queue,
 * and from a frame's arrival to its delivery; frames waiting for the guest at most. */
#define VIRTIO_NET_SUBMIT_NS 1000ull
#define VIRTIO_NET_DELIVER_NS 1000ull
#define VIRTIO_NET_RX_FRAMES 256u

#endif

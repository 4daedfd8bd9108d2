/*
 * The virtio-blk disk behind --disk: QEMU 7.2's virtio-blk-pci (transitional, 1af4:1001,
 * subsystem 1af4:0002, class 0100) at 00:02.0, over a raw image file. One request queue of 256
 * entries. Features offered: VERSION_1, SEG_MAX (254), BLK_SIZE (512), FLUSH, and RO for a
 * read-only disk. Requests IN, OUT, FLUSH and GET_ID (an empty serial, as QEMU's without
 * serial=); others answer UNSUPP. A sector range past the end, or data not a whole number of
 * sectors, answers IOERR, as does a write to a read-only disk or a failed host read or write;
 * a malformed request (no header, no status byte) is a device error, as in QEMU.
 *
 * Requests are served one at a time on the virtual clock: the device takes the next one
 * VIRTIO_BLK_SUBMIT_NS after a notify, and completes it VIRTIO_BLK_REQUEST_NS plus
 * VIRTIO_BLK_BYTE_NS a byte (FLUSH: VIRTIO_BLK_FLUSH_NS) later, when the data moves, the used
 * ring is written and the interrupt raised. Writes reach the host file with pwrite at
 * completion, and are durable only after a FLUSH (fdatasync), as with a disk's write cache.
 */
#include "virtio.h"
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <kernel/plat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR 512u
#define SLOT 2                   /* QEMU's first -drive if=virtio on the pc machine: 00:02.0 */
#define SEG_MAX 254u             /* QEMU: the queue size less two (header and status) */
#define CONFIG_LEN 60u           /* struct virtio_blk_config as QEMU 7.2 has it */
#define ID_BYTES 20u             /* VIRTIO_BLK_ID_BYTES */
#define BOUNCE 65536u            /* data moves through a buffer of this size */

#define F_SEG_MAX (1ull << 2)
#define F_RO (1ull << 5)
#define F_BLK_SIZE (1ull << 6)
#define F_FLUSH (1ull << 9)

#define T_IN 0u
#define T_OUT 1u
#define T_FLUSH 4u
#define T_GET_ID 8u
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2

struct sim_disk {
	int fd;
	bool readonly;
	uint64_t sectors;
};

static struct blk {
	struct sim_virtio v;
	struct sim_virtio_ops ops;
	struct sim_disk *disk;
	uint8_t config[CONFIG_LEN];
	uint64_t kick;        /* the event that takes the next request, or 0 */
	uint64_t done;        /* the event that completes the one in service, or 0 */
	struct sim_virtq_elem req; /* the request in service */
	uint32_t type;
	uint64_t sector;
	uint8_t bounce[BOUNCE];
} *blk;

int sim_disk_open_fd(int fd, bool readonly, struct sim_disk **out)
{
	struct stat st;
	int err = 0;
	off_t size = 0;
	if (fstat(fd, &st))
		err = -errno;
	else if (S_ISDIR(st.st_mode))
		err = -EISDIR;
	else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		err = -EINVAL;
	else if ((size = lseek(fd, 0, SEEK_END)) < 0)
		err = -errno;
	/* As QEMU's image locking: one writer, or any number of readers. */
	else if (flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB))
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
	struct sim_disk *disk = err ? NULL : malloc(sizeof(*disk));
	if (!err && !disk)
		err = -ENOMEM;
	if (err) {
		close(fd);
		return err;
	}
	*disk = (struct sim_disk){fd, readonly, (uint64_t)size / SECTOR};
	*out = disk;
	return 0;
}

int sim_disk_open(const char *path, bool readonly, struct sim_disk **out)
{
	int flags = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd = open(path, flags | (readonly ? O_RDONLY : O_RDWR));
	if (fd < 0 && !readonly && (errno == EACCES || errno == EROFS) &&
	    access(path, R_OK) == 0)
		return -EROFS;
	if (fd < 0)
		return -errno;
	return sim_disk_open_fd(fd, readonly, out);
}

void sim_disk_close(struct sim_disk *disk)
{
	if (!disk)
		return;
	close(disk->fd); /* drops the lock */
	free(disk);
}

uint64_t sim_disk_sectors(const struct sim_disk *disk)
{
	return disk->sectors;
}

static void take_next(void);

/* The device takes the next request off the ring (VIRTIO_BLK_SUBMIT_NS after a notify). */
static void on_kick(void *arg)
{
	(void)arg;
	blk->kick = 0;
	take_next();
}

static void notify(struct sim_virtio *v, unsigned q)
{
	(void)v, (void)q;
	if (!blk->kick && !blk->done)
		blk->kick = sim_event_at(plat_clock_ns() + VIRTIO_BLK_SUBMIT_NS, on_kick, NULL);
}

static void reset(struct sim_virtio *v)
{
	(void)v;
	sim_event_cancel(blk->kick);
	sim_event_cancel(blk->done);
	blk->kick = blk->done = 0;
}

static const uint8_t *config(struct sim_virtio *v, unsigned *len)
{
	(void)v;
	*len = CONFIG_LEN;
	return blk->config;
}

/* Whether data_len bytes from sector fit on the disk in whole sectors (QEMU's
 * virtio_blk_sect_range_ok). */
static bool range_ok(uint64_t sector, uint64_t data_len)
{
	uint64_t n = data_len / SECTOR, total = blk->disk->sectors;
	return data_len % SECTOR == 0 && sector <= total && n <= total - sector;
}

/* Moves the data of a read or a write between the disk and the request's buffers, through the
 * bounce buffer: a status, or -1 after a device error. */
static int transfer(bool to_guest, uint64_t data_len)
{
	off_t pos = (off_t)(blk->sector * SECTOR);
	for (uint64_t done = 0; done < data_len;) {
		size_t n = data_len - done < BOUNCE ? (size_t)(data_len - done) : BOUNCE;
		if (to_guest) {
			ssize_t got = pread(blk->disk->fd, blk->bounce, n, pos + (off_t)done);
			if (got < 0 && errno == EINTR)
				continue;
			if (got != (ssize_t)n)
				return S_IOERR; /* a host error, or the image shrank */
			if (sim_virtq_write(&blk->v, &blk->req, done, blk->bounce, n))
				return -1;
		} else {
			if (sim_virtq_read(&blk->v, &blk->req, 16 + done, blk->bounce, n))
				return -1;
			ssize_t put = pwrite(blk->disk->fd, blk->bounce, n, pos + (off_t)done);
			if (put < 0 && errno == EINTR)
				continue;
			if (put != (ssize_t)n)
				return S_IOERR;
		}
		done += n;
	}
	return S_OK;
}

/* Carries out the request in service: its status byte, or -1 after a device error. */
static int execute(void)
{
	uint64_t in_data = blk->req.in_len - 1, out_data = blk->req.out_len - 16;
	switch (blk->type) {
	case T_IN:
		return range_ok(blk->sector, in_data) ? transfer(true, in_data) : S_IOERR;
	case T_OUT:
		if (blk->disk->readonly || !range_ok(blk->sector, out_data))
			return S_IOERR;
		return transfer(false, out_data);
	case T_FLUSH:
		return blk->disk->readonly || fdatasync(blk->disk->fd) == 0 ? S_OK : S_IOERR;
	case T_GET_ID: {
		/* No serial: its terminating NUL, if there is room for a byte. */
		static const uint8_t serial[1] = {0};
		uint64_t n = in_data < ID_BYTES ? in_data : ID_BYTES;
		n = n < sizeof(serial) ? n : sizeof(serial);
		return n && sim_virtq_write(&blk->v, &blk->req, 0, serial, n) ? -1 : S_OK;
	}
	default:
		return S_UNSUPP;
	}
}

/* The request in service is done: data, status byte, used ring, interrupt; then the next. */
static void on_done(void *arg)
{
	(void)arg;
	blk->done = 0;
	int status = execute();
	if (status < 0) {
		sim_dev_trace("virtio-blk: request %u abandoned", blk->req.head);
		return;
	}
	sim_dev_trace("virtio-blk: request %u done: %s", blk->req.head,
		      status == S_OK ? "ok" : status == S_IOERR ? "I/O error" : "unsupported");
	uint8_t byte = (uint8_t)status;
	if (sim_virtq_write(&blk->v, &blk->req, blk->req.in_len - 1, &byte, 1) ||
	    sim_virtq_push(&blk->v, 0, blk->req.head, (uint32_t)blk->req.in_len))
		return;
	take_next();
}

/* The data bytes of the request just taken. */
static uint64_t data_bytes(void)
{
	return blk->type == T_IN ? blk->req.in_len - 1 : blk->type == T_OUT ? blk->req.out_len - 16 : 0;
}

/* How long the request just taken takes. */
static uint64_t service_ns(void)
{
	uint64_t bytes = data_bytes();
	if (blk->type == T_FLUSH)
		return VIRTIO_BLK_FLUSH_NS;
	/* A request past the end is answered at once, but for its fixed cost. */
	if ((blk->type == T_IN || blk->type == T_OUT) && !range_ok(blk->sector, bytes))
		bytes = 0;
	return VIRTIO_BLK_REQUEST_NS + bytes * VIRTIO_BLK_BYTE_NS;
}

/* Takes the next request, checks its header and status byte, and schedules its completion. */
static void take_next(void)
{
	if (blk->done || sim_virtq_pop(&blk->v, 0, &blk->req) <= 0)
		return;
	uint8_t hdr[16];
	/* QEMU: "virtio-blk missing headers", "request outhdr too short", "inhdr too short". */
	if (blk->req.out_len < sizeof(hdr) || blk->req.in_len < 1 ||
	    sim_virtq_read(&blk->v, &blk->req, 0, hdr, sizeof(hdr))) {
		sim_virtio_error(&blk->v);
		return;
	}
	blk->type = sim_get32(hdr);
	blk->sector = (uint64_t)sim_get32(hdr + 8) | (uint64_t)sim_get32(hdr + 12) << 32;
	if (SIM_DEV_TRACING()) {
		static const char *const names[] = {[T_IN] = "read", [T_OUT] = "write",
						    [T_FLUSH] = "flush", [T_GET_ID] = "get-id"};
		const char *name = blk->type < sizeof(names) / sizeof(names[0]) && names[blk->type]
					   ? names[blk->type] : "unknown";
		sim_dev_trace("virtio-blk: request %u: %s, sector %llu, %llu bytes", blk->req.head,
			      name, (unsigned long long)blk->sector, (unsigned long long)data_bytes());
	}
	blk->done = sim_event_at(plat_clock_ns() + service_ns(), on_done, NULL);
}

void sim_virtio_blk_init(struct sim_disk *disk)
{
	blk = calloc(1, sizeof(*blk));
	if (!blk)
		plat_panic("out of host memory for the disk");
	blk->disk = disk;
	blk->ops = (struct sim_virtio_ops){
		.features = VIRTIO_F_VERSION_1 | F_SEG_MAX | F_BLK_SIZE | F_FLUSH |
			    (disk->readonly ? F_RO : 0),
		.nqueues = 1, .queue_max = VIRTIO_QUEUE_MAX,
		.config = config, .notify = notify, .reset = reset,
	};
	uint8_t *c = blk->config;
	sim_put32(c + 0, (uint32_t)disk->sectors); /* capacity, in 512-byte sectors */
	sim_put32(c + 4, (uint32_t)(disk->sectors >> 32));
	sim_put32(c + 12, SEG_MAX);
	sim_put32(c + 20, SECTOR);                /* blk_size */
	c[32] = 1;                                /* writeback: the write cache is on */
	sim_put16(c + 34, 1);                     /* num_queues */
	sim_virtio_pci_setup(&blk->v, &blk->ops, blk, SLOT, 0x1001, 2);
	blk->v.pci.name = "virtio-blk";
	blk->v.pci.class_code = 0x01; /* mass storage, SCSI: QEMU's class for virtio-blk */
	sim_pci_add(&blk->v.pci);
}

void sim_virtio_blk_fini(void)
{
	if (!blk)
		return;
	sim_virtio_remove(&blk->v);
	sim_disk_close(blk->disk);
	free(blk);
	blk = NULL;
}

struct sim_virtio *sim_virtio_blk(void)
{
	return blk ? &blk->v : NULL;
}

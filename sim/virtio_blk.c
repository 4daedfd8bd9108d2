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

/*
 * A replay's disk (--replay) is the image as the recording began with it, and the replay's
 * writes stay in memory: an overlay of 4 KiB chunks, filled first with the chunks the recording
 * saved before its own writes changed them (record.h), then with the replay's writes. The file
 * is only read.
 */
struct overlay {
	uint64_t *keys;   /* chunk number + 1; 0 for an empty slot */
	uint8_t **data;
	size_t n, cap;    /* cap a power of two */
};

struct sim_disk {
	int fd;
	bool readonly;
	uint64_t sectors;
	bool overlaid;
	struct overlay ov;
	struct overlay written; /* recording: the chunks saved before their first write (no data) */
};

void (*sim_disk_first_write)(uint64_t chunk, const void *old);

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
	*disk = (struct sim_disk){fd, readonly, (uint64_t)size / SECTOR, false, {0}, {0}};
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
	for (size_t i = 0; i < disk->ov.cap; i++)
		free(disk->ov.data[i]);
	free(disk->ov.keys);
	free(disk->ov.data);
	free(disk->written.keys);
	free(disk->written.data);
	free(disk);
}

bool sim_disk_readonly(const struct sim_disk *disk)
{
	return disk->readonly;
}

/* The slot of chunk in the overlay: its own, or the empty one where it would go. */
static size_t slot_of(const struct overlay *ov, uint64_t chunk)
{
	size_t i = (size_t)((chunk + 1) * 0x9e3779b97f4a7c15ull) & (ov->cap - 1);
	while (ov->keys[i] && ov->keys[i] != chunk + 1)
		i = (i + 1) & (ov->cap - 1);
	return i;
}

static uint8_t *overlay_find(const struct overlay *ov, uint64_t chunk)
{
	if (!ov->cap)
		return NULL;
	size_t i = slot_of(ov, chunk);
	return ov->keys[i] ? ov->data[i] : NULL;
}

static bool overlay_has(const struct overlay *ov, uint64_t chunk)
{
	return ov->cap && ov->keys[slot_of(ov, chunk)];
}

/* The overlay's chunk, made (a copy of data) when missing: NULL when out of host memory. With
 * data NULL, only the chunk's number is kept (a set): then not NULL when it is. */
static uint8_t *overlay_add(struct overlay *ov, uint64_t chunk, const void *data)
{
	uint8_t *have = overlay_find(ov, chunk);
	if (have || (!data && overlay_has(ov, chunk)))
		return have ? have : (uint8_t *)ov;
	if (2 * (ov->n + 1) > ov->cap) {
		struct overlay big = {NULL, NULL, ov->n, ov->cap ? 2 * ov->cap : 64};
		big.keys = calloc(big.cap, sizeof(*big.keys));
		big.data = calloc(big.cap, sizeof(*big.data));
		if (!big.keys || !big.data) {
			free(big.keys);
			free(big.data);
			return NULL;
		}
		for (size_t i = 0; i < ov->cap; i++)
			if (ov->keys[i]) {
				size_t j = slot_of(&big, ov->keys[i] - 1);
				big.keys[j] = ov->keys[i], big.data[j] = ov->data[i];
			}
		free(ov->keys);
		free(ov->data);
		*ov = big;
	}
	uint8_t *copy = data ? malloc(SIM_DISK_CHUNK) : NULL;
	if (data && !copy)
		return NULL;
	if (copy)
		memcpy(copy, data, SIM_DISK_CHUNK);
	size_t i = slot_of(ov, chunk);
	ov->keys[i] = chunk + 1, ov->data[i] = copy;
	ov->n++;
	return copy ? copy : (uint8_t *)ov;
}

void sim_disk_overlay(struct sim_disk *disk)
{
	disk->overlaid = true;
}

int sim_disk_write_back(struct sim_disk *disk)
{
	if (!disk->overlaid || disk->readonly)
		return 0;
	int err = 0;
	uint64_t size = disk->sectors * SECTOR;
	for (size_t i = 0; i < disk->ov.cap; i++) {
		if (!disk->ov.keys[i])
			continue;
		uint64_t off = (disk->ov.keys[i] - 1) * SIM_DISK_CHUNK;
		size_t n = (size_t)MIN((uint64_t)SIM_DISK_CHUNK, size - MIN(off, size));
		if (n && pwrite(disk->fd, disk->ov.data[i], n, (off_t)off) != (ssize_t)n)
			err = -EIO;
	}
	if (fdatasync(disk->fd))
		err = -EIO;
	return err;
}

int sim_disk_overlay_put(struct sim_disk *disk, uint64_t chunk, const void *data)
{
	return overlay_add(&disk->ov, chunk, data) ? 0 : -ENOMEM;
}

/* Reads a whole chunk from the file (zeros past its end). */
static bool file_chunk(struct sim_disk *disk, uint64_t chunk, uint8_t *buf)
{
	memset(buf, 0, SIM_DISK_CHUNK);
	for (size_t got = 0; got < SIM_DISK_CHUNK;) {
		ssize_t n = pread(disk->fd, buf + got, SIM_DISK_CHUNK - got,
				  (off_t)(chunk * SIM_DISK_CHUNK + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return true;
}

/* pread and pwrite for the device: through the overlay in a replay; a recording saves each
 * chunk's old contents before the first write to it. n bytes, or -1. */
static ssize_t disk_io(struct sim_disk *disk, bool write, uint8_t *buf, size_t n, off_t pos)
{
	if (write && sim_disk_first_write && n) {
		uint8_t old[SIM_DISK_CHUNK];
		uint64_t last = ((uint64_t)pos + n - 1) / SIM_DISK_CHUNK;
		for (uint64_t c = (uint64_t)pos / SIM_DISK_CHUNK; c <= last; c++)
			if (!overlay_has(&disk->written, c) && file_chunk(disk, c, old) &&
			    overlay_add(&disk->written, c, NULL))
				sim_disk_first_write(c, old);
	}
	if (!disk->overlaid)
		return write ? pwrite(disk->fd, buf, n, pos) : pread(disk->fd, buf, n, pos);
	for (size_t done = 0; done < n;) {
		uint64_t at = (uint64_t)pos + done, c = at / SIM_DISK_CHUNK, off = at % SIM_DISK_CHUNK;
		size_t part = MIN(n - done, (size_t)(SIM_DISK_CHUNK - off));
		uint8_t *chunk = overlay_find(&disk->ov, c), tmp[SIM_DISK_CHUNK];
		if (!chunk) {
			if (!file_chunk(disk, c, tmp))
				return -1;
			if (write && !(chunk = overlay_add(&disk->ov, c, tmp)))
				return -1;
		}
		if (write)
			memcpy(chunk + off, buf + done, part);
		else
			memcpy(buf + done, (chunk ? chunk : tmp) + off, part);
		done += part;
	}
	return (ssize_t)n;
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
			ssize_t got = disk_io(blk->disk, false, blk->bounce, n, pos + (off_t)done);
			if (got < 0 && errno == EINTR)
				continue;
			if (got != (ssize_t)n)
				return S_IOERR; /* a host error, or the image shrank */
			if (sim_virtq_write(&blk->v, &blk->req, done, blk->bounce, n))
				return -1;
		} else {
			if (sim_virtq_read(&blk->v, &blk->req, 16 + done, blk->bounce, n))
				return -1;
			ssize_t put = disk_io(blk->disk, true, blk->bounce, n, pos + (off_t)done);
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
		return blk->disk->readonly || blk->disk->overlaid || fdatasync(blk->disk->fd) == 0
			       ? S_OK : S_IOERR;
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

/* The driver interface end to end on a real device, run as process 1 with a virtio disk (the
 * sim's --disk, QEMU's -drive if=virtio: the same lines on both): without a grant a process may
 * not claim, map or get DMA memory; a granted child drives the disk through libecl's virtio
 * transport (its BARs mapped, DMA memory, the interrupt as a notification), writes a sector and
 * reads it back; another granted child finds the device busy; the driver killed with SIGKILL
 * gives the device up, and a new one claims it, finds the sector written, and works. */
#include "check.h"

#include <ecl/dev.h>
#include <ecl/virtio.h>
#include <eclipse.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLK_T_IN 0u
#define BLK_T_OUT 1u
#define SECTOR 7u

struct blk_header {
	uint32_t type, reserved;
	uint64_t sector;
};

static struct virtio_dev dev;
static struct virtq q;
static uint8_t *dma;
static uint64_t dma_pa;

/* One request on the sector: the data at dma + 512 (read or written), the status at dma + 16.
 * The device's status, or -1 when it never answered. */
static int request(uint32_t type)
{
	struct blk_header h = {type, 0, SECTOR};
	memcpy(dma, &h, sizeof(h));
	dma[16] = 0xff;
	struct virtq_buf bufs[3] = {{dma_pa, sizeof(h), false},
				    {dma_pa + 512, 512, type == BLK_T_IN},
				    {dma_pa + 16, 1, true}};
	int head = virtq_submit(&q, bufs, 3);
	if (head < 0)
		return -1;
	for (int waits = 0; waits < 100; waits++) {
		uint16_t done;
		uint32_t written;
		if (virtq_reap(&q, &done, &written) && done == head)
			return dma[16];
		if (dev_irq_wait(2000000000ull))
			virtio_interrupted(&dev);
	}
	return -1;
}

/* Opens the device as its driver: 0, or the step that failed. */
static const char *open_driver(unsigned index)
{
	if (virtio_open(&dev, index))
		return "virtio_open";
	if (virtio_negotiate(&dev, 0))
		return "features";
	if (virtio_queue_init(&dev, &q, 0, 8))
		return "queue";
	if (!(dma = dma_alloc(4096, &dma_pa)))
		return "dma_alloc";
	virtio_ready(&dev);
	return NULL;
}

static void fill(uint8_t *p, unsigned seed)
{
	for (unsigned i = 0; i < 512; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

static int wait_status(pid_t pid)
{
	int status = 0;
	waitpid(pid, &status, 0);
	return status;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	long blk = -1;
	struct pci_info f;
	for (unsigned i = 0; pci_device(i, &f) == 0; i++)
		if (f.vendor == VIRTIO_VENDOR && (f.device == 0x1001 || f.device == 0x1042))
			blk = i;
	check(blk >= 0, "a virtio block function is there");
	if (blk < 0)
		return check_status();

	/* Ungranted: nothing. */
	check_errno(dev_claim((unsigned)blk), EPERM, "a claim without a grant: EPERM");
	check_errno(dev_map((unsigned)blk, 4) ? 0 : -1, EPERM, "a map without owning it: EPERM");
	uint64_t pa;
	check_errno(dma_alloc(4096, &pa) ? 0 : -1, EPERM, "DMA memory without a device: EPERM");

	/* A granted child drives the disk, says how it went, and waits to be killed. */
	int go[2], said[2];
	if (pipe(go) || pipe(said))
		return 1;
	fflush(stdout);
	pid_t driver = fork();
	if (driver == 0) {
		char c, r[3] = {'?', '?', '?'};
		read(go[0], &c, 1);
		const char *failed = open_driver((unsigned)blk);
		if (failed) {
			printf("driver: %s failed\n", failed);
			write(said[1], r, 3);
			_exit(1);
		}
		fill(dma + 512, 1);
		r[0] = request(BLK_T_OUT) == 0 ? 'y' : 'n';
		memset(dma + 512, 0, 512);
		r[1] = request(BLK_T_IN) == 0 ? 'y' : 'n';
		uint8_t want[512];
		fill(want, 1);
		r[2] = memcmp(dma + 512, want, 512) == 0 ? 'y' : 'n';
		write(said[1], r, 3);
		for (;;)
			pause();
	}
	check(syscall(SYS_dev_grant, driver, blk) == 0, "process 1 grants the disk to a child");
	write(go[1], "g", 1);
	char r[3] = {0};
	read(said[0], r, 3);
	check(r[0] == 'y', "the driver writes a sector (DMA from its memory)");
	check(r[1] == 'y', "and reads it back (DMA into its memory, the interrupt as a notification)");
	check(r[2] == 'y', "the bytes are those written");

	/* Another granted process while the driver holds it: busy. */
	fflush(stdout);
	pid_t other = fork();
	if (other == 0) {
		char c;
		read(go[0], &c, 1);
		_exit(dev_claim((unsigned)blk) == -1 && errno == EBUSY ? 0 : 1);
	}
	syscall(SYS_dev_grant, other, blk);
	write(go[1], "g", 1);
	int status = wait_status(other);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a second claim while it is owned: EBUSY");

	/* The driver dies holding the device: it is free again, and works for the next one. */
	kill(driver, SIGKILL);
	status = wait_status(driver);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the driver is killed");
	fflush(stdout);
	pid_t next = fork();
	if (next == 0) {
		char c;
		read(go[0], &c, 1);
		const char *failed = open_driver((unsigned)blk);
		if (failed) {
			printf("next driver: %s failed\n", failed);
			_exit(1);
		}
		uint8_t want[512];
		fill(want, 1);
		if (request(BLK_T_IN) != 0 || memcmp(dma + 512, want, 512) != 0)
			_exit(2);
		fill(dma + 512, 2);
		if (request(BLK_T_OUT) != 0)
			_exit(3);
		virtio_close(&dev);
		_exit(0);
	}
	syscall(SYS_dev_grant, next, blk);
	write(go[1], "g", 1);
	status = wait_status(next);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "after the kill a new driver claims it, reads the sector and writes again");
	printf("done\n");
	return check_status();
}

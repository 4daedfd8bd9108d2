/*
 * The simulated machine's devices without a CPU: the PCI bus, memory BARs and their MMIO, DMA,
 * device events, the virtio-blk disk, the display adapter, the keyboard controller and the sound
 * card, driven through sim_port_* and sim_mmio_* as a driver would drive them, over guest RAM, a
 * temporary image file and a temporary WAV file. The CPU is a fake: a clock the
 * test moves, and counters for what the devices ask of it.
 *
 * usage: devices_test [TMPDIR]
 */
#include "audio.h"
#include "devices.h"
#include "pci.h"
#include "net.h"
#include "virtio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <kernel/plat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                                                         \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			failures++;                                                              \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                   \
			printf(__VA_ARGS__);                                                     \
			printf("\n");                                                            \
		}                                                                                \
	} while (0)

/* The fake CPU. */
static uint64_t now_ns;
static unsigned interrupts, frames_written;
static uint64_t last_frame_written;

uint64_t plat_clock_ns(void)
{
	return now_ns;
}

void plat_panic(const char *msg)
{
	fprintf(stderr, "panic: %s\n", msg);
	abort();
}

void sim_cpu_interrupt(void)
{
	interrupts++;
}

void sim_cpu_event_scheduled(uint64_t when_ns)
{
	(void)when_ns;
}

void sim_cpu_frame_written(uint64_t pa)
{
	frames_written++;
	last_frame_written = pa;
}

/* Runs the events in time order until none is left, the clock following them. */
static void run_all_events(void)
{
	while (sim_event_next() != UINT64_MAX) {
		now_ns = sim_event_next();
		sim_events_run(now_ns);
	}
}

static uint32_t cfg_read(unsigned slot, unsigned fn, unsigned reg)
{
	sim_port_out(0xcf8, 4, 0x80000000u | slot << 11 | fn << 8 | reg);
	return sim_port_in(0xcfc, 4);
}

static void cfg_write(unsigned slot, unsigned fn, unsigned reg, uint32_t value)
{
	sim_port_out(0xcf8, 4, 0x80000000u | slot << 11 | fn << 8 | reg);
	sim_port_out(0xcfc, 4, value);
}

/* The virtio-blk device's modern BAR as firmware placed it. */
#define BAR4 0xfebf8000ull
#define COMMON(off) (BAR4 + VIRTIO_COMMON_OFF + (off))

/* Guest RAM layout of the test driver. */
#define DESC 0x10000ull
#define AVAIL 0x11000ull
#define USED 0x12000ull
#define HDR 0x20000ull
#define DATA 0x21000ull
#define STATUS 0x23000ull
#define QSIZE 16

static uint8_t *ram(uint64_t pa)
{
	return sim_ram_ptr(pa, 1);
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = ram(DESC + 16 * i);
	sim_put32(d, (uint32_t)addr);
	sim_put32(d + 4, (uint32_t)(addr >> 32));
	sim_put32(d + 8, len);
	sim_put16(d + 12, flags);
	sim_put16(d + 14, next);
}

static uint16_t avail_idx;

/* Offers chain head and notifies queue 0. */
static void offer(uint16_t head)
{
	sim_put16(ram(AVAIL + 4 + 2 * (avail_idx % QSIZE)), head);
	sim_put16(ram(AVAIL + 2), ++avail_idx);
	sim_mmio_write(BAR4 + VIRTIO_NOTIFY_OFF, 2, 0);
}

/* A request of type at sector with len data bytes at DATA (device-writable for reads):
 * its status byte once the device completed it, or -1 when it did not. */
static int request(uint32_t type, uint64_t sector, uint32_t len, bool data_in)
{
	sim_put32(ram(HDR), type);
	sim_put32(ram(HDR + 4), 0);
	sim_put32(ram(HDR + 8), (uint32_t)sector);
	sim_put32(ram(HDR + 12), (uint32_t)(sector >> 32));
	*ram(STATUS) = 0xee;
	put_desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	if (len) {
		put_desc(1, DATA, len, VIRTQ_DESC_F_NEXT | (data_in ? VIRTQ_DESC_F_WRITE : 0), 2);
		put_desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	} else {
		put_desc(1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	uint16_t used_before = sim_get16(ram(USED + 2));
	offer(0);
	run_all_events();
	if (sim_get16(ram(USED + 2)) != (uint16_t)(used_before + 1))
		return -1;
	return *ram(STATUS);
}

static uint8_t status(void)
{
	return (uint8_t)sim_mmio_read(COMMON(VIRTIO_COMMON_STATUS), 1);
}

/* Resets the device and brings it up with queue 0 of QSIZE entries; driver_features given. */
static void bring_up(uint64_t features)
{
	sim_mmio_write(COMMON(VIRTIO_COMMON_STATUS), 1, 0);
	sim_mmio_write(COMMON(VIRTIO_COMMON_STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE);
	sim_mmio_write(COMMON(VIRTIO_COMMON_STATUS), 1,
		       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	for (unsigned sel = 0; sel < 2; sel++) {
		sim_mmio_write(COMMON(VIRTIO_COMMON_GFSELECT), 4, sel);
		sim_mmio_write(COMMON(VIRTIO_COMMON_GF), 4, (uint32_t)(features >> (32 * sel)));
	}
	sim_mmio_write(COMMON(VIRTIO_COMMON_STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE |
		       VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	sim_mmio_write(COMMON(VIRTIO_COMMON_Q_SELECT), 2, 0);
	sim_mmio_write(COMMON(VIRTIO_COMMON_Q_SIZE), 2, QSIZE);
	sim_mmio_write(COMMON(VIRTIO_COMMON_Q_DESC), 8, DESC);
	sim_mmio_write(COMMON(VIRTIO_COMMON_Q_AVAIL), 4, (uint32_t)AVAIL);
	sim_mmio_write(COMMON(VIRTIO_COMMON_Q_AVAIL) + 4, 4, 0);
	sim_mmio_write(COMMON(VIRTIO_COMMON_Q_USED), 8, USED);
	sim_mmio_write(COMMON(VIRTIO_COMMON_Q_ENABLE), 2, 1);
	memset(ram(AVAIL), 0, 4096);
	memset(ram(USED), 0, 4096);
	avail_idx = 0;
	sim_mmio_write(COMMON(VIRTIO_COMMON_STATUS), 1, status() | VIRTIO_STATUS_DRIVER_OK);
}

#define FEATURES_OK_SET (VIRTIO_F_VERSION_1 | (1u << 9))

static void test_bus(void)
{
	/* What QEMU's firmware gives the same devices: I/O BARs sorted by size from 0xc000,
	 * memory BARs below 0xfec00000, virtio's INTA# in slot 2 on line 10. */
	CHECK(cfg_read(2, 0, 0x00) == 0x10011af4, "identity %#x", cfg_read(2, 0, 0x00));
	CHECK(cfg_read(2, 0, 0x08) == 0x01000000, "class %#x", cfg_read(2, 0, 0x08));
	CHECK(cfg_read(2, 0, 0x2c) == 0x00021af4, "subsystem %#x", cfg_read(2, 0, 0x2c));
	CHECK(cfg_read(2, 0, 0x10) == 0xc001, "BAR0 %#x", cfg_read(2, 0, 0x10));
	CHECK(cfg_read(2, 0, 0x14) == 0xfebff000, "BAR1 %#x", cfg_read(2, 0, 0x14));
	CHECK(cfg_read(2, 0, 0x20) == 0xfebf800c, "BAR4 %#x", cfg_read(2, 0, 0x20));
	CHECK(cfg_read(2, 0, 0x24) == 0, "BAR5 %#x", cfg_read(2, 0, 0x24));
	CHECK(cfg_read(1, 1, 0x20) == 0xc081, "IDE BAR4 %#x", cfg_read(1, 1, 0x20));
	CHECK((cfg_read(2, 0, 0x3c) & 0xffff) == 0x010a, "pin/line %#x", cfg_read(2, 0, 0x3c));
	CHECK((cfg_read(2, 0, 0x04) & 7) == 3, "command %#x", cfg_read(2, 0, 0x04));
	CHECK(cfg_read(2, 0, 0x04) >> 16 & 0x10, "status has the capability list");
	/* The capability list at QEMU's offsets. */
	static const unsigned at[] = {0x98, 0x84, 0x70, 0x60, 0x50, 0x40};
	static const unsigned type[] = {0, 5, 2, 4, 3, 1};
	unsigned cap = cfg_read(2, 0, 0x34) & 0xff;
	for (unsigned i = 0; i < 6; i++) {
		uint32_t head = cfg_read(2, 0, cap);
		CHECK(cap == at[i], "capability %u at %#x, expected %#x", i, cap, at[i]);
		CHECK((head & 0xff) == (i ? 0x09u : 0x11u), "capability id %#x", head & 0xff);
		if (i)
			CHECK((head >> 24) == type[i], "cfg_type %u", head >> 24);
		cap = head >> 8 & 0xff;
	}
	CHECK(cap == 0, "the list ends, at %#x", cap);
	/* A driver turns bus mastering on before it gives the device buffers. */
	cfg_write(2, 0, 0x04, cfg_read(2, 0, 0x04) | SIM_PCI_COMMAND_MASTER);
	CHECK(cfg_read(2, 0, 0x78) == 0x3000 && cfg_read(2, 0, 0x80) == 4,
	      "notify at 0x3000, multiplier 4");
	/* Sizing BAR1 the firmware's way, then putting it back. */
	cfg_write(2, 0, 0x14, 0xffffffff);
	CHECK(cfg_read(2, 0, 0x14) == 0xfffff000, "BAR1 size mask %#x", cfg_read(2, 0, 0x14));
	cfg_write(2, 0, 0x14, 0xfebff000);
	struct sim_mmio_window w[8];
	size_t n = sim_pci_mmio_windows(w, 8);
	CHECK(n == 2 && w[0].base == 0xfebff000 && w[0].size == 0x1000 && w[1].base == BAR4 &&
	      w[1].size == 0x4000, "%zu MMIO windows", n);
	/* BAR4 moved above 4 GiB (its upper half), then onto RAM, then back. */
	cfg_write(2, 0, 0x24, 8);
	n = sim_pci_mmio_windows(w, 8);
	CHECK(n == 2 && w[1].base == 0x8febf8000ull, "BAR4 above 4 GiB: %#llx",
	      (unsigned long long)w[1].base);
	CHECK(sim_mmio_read(0x8febf8000ull + VIRTIO_COMMON_NUMQ, 2) == 1, "and reached there");
	cfg_write(2, 0, 0x24, 0);
	cfg_write(2, 0, 0x20, 0x100000);
	CHECK(sim_pci_mmio_windows(w, 8) == 1, "a BAR on RAM is not mapped");
	cfg_write(2, 0, 0x20, (uint32_t)BAR4);
}

static void test_mmio(void)
{
	CHECK(sim_mmio_read(COMMON(VIRTIO_COMMON_NUMQ), 2) == 1, "one queue");
	CHECK(sim_mmio_read(BAR4 + 0x4000, 4) == 0xffffffff, "past the BAR: nothing answers");
	CHECK(sim_mmio_read(0xfebff000 + 12, 4) == 1, "MSI-X vector 0 masked");
	uint64_t gen = sim_pci_mmio_generation();
	uint32_t cmd = cfg_read(2, 0, 0x04);
	cfg_write(2, 0, 0x04, cmd & ~SIM_PCI_COMMAND_MEMORY);
	CHECK(sim_mmio_read(COMMON(VIRTIO_COMMON_NUMQ), 2) == 0xffff, "decoding off: ones");
	CHECK(sim_pci_mmio_windows(NULL, 0) == 0, "no windows with decoding off");
	CHECK(sim_pci_mmio_generation() != gen, "the CPU hears of it");
	cfg_write(2, 0, 0x04, cmd);
	CHECK(sim_mmio_read(COMMON(VIRTIO_COMMON_NUMQ), 2) == 1, "decoding on again");
	/* The device configuration: capacity (64 KiB and a bit: 128 sectors), blk_size. */
	CHECK(sim_mmio_read(BAR4 + VIRTIO_DEVICE_OFF, 8) == 128, "capacity %llu",
	      (unsigned long long)sim_mmio_read(BAR4 + VIRTIO_DEVICE_OFF, 8));
	CHECK(sim_mmio_read(BAR4 + VIRTIO_DEVICE_OFF + 20, 4) == 512, "blk_size");
	/* The PCI configuration access capability reaches the same registers. */
	cfg_write(2, 0, 0x88, VIRTIO_BAR_MODERN);
	cfg_write(2, 0, 0x8c, VIRTIO_COMMON_NUMQ);
	cfg_write(2, 0, 0x90, 2);
	CHECK(cfg_read(2, 0, 0x94) == 1, "num_queues through configuration space");
}

static void test_handshake(void)
{
	sim_mmio_write(COMMON(VIRTIO_COMMON_STATUS), 1, 0);
	CHECK(status() == 0, "reset");
	sim_mmio_write(COMMON(VIRTIO_COMMON_DFSELECT), 4, 0);
	uint32_t low = (uint32_t)sim_mmio_read(COMMON(VIRTIO_COMMON_DF), 4);
	sim_mmio_write(COMMON(VIRTIO_COMMON_DFSELECT), 4, 1);
	uint32_t high = (uint32_t)sim_mmio_read(COMMON(VIRTIO_COMMON_DF), 4);
	CHECK(low == ((1u << 2) | (1u << 6) | (1u << 9)), "features %#x", low);
	CHECK(high == 1, "VERSION_1: %#x", high);
	bring_up(FEATURES_OK_SET | (1ull << 40));
	CHECK(!(status() & VIRTIO_STATUS_FEATURES_OK), "unknown feature: FEATURES_OK refused");
	bring_up(1u << 9);
	CHECK(!(status() & VIRTIO_STATUS_FEATURES_OK), "no VERSION_1: FEATURES_OK refused");
	bring_up(FEATURES_OK_SET);
	CHECK(status() == 0x0f, "status %#x", status());
	CHECK(sim_mmio_read(COMMON(VIRTIO_COMMON_Q_SIZE), 2) == QSIZE, "queue size");
	CHECK(sim_mmio_read(COMMON(VIRTIO_COMMON_Q_DESC), 4) == DESC, "queue desc");
}

static void test_requests(int image)
{
	uint8_t pattern[1024], back[1024];
	for (unsigned i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 1);
	memcpy(ram(DATA), pattern, sizeof(pattern));
	uint64_t t0 = now_ns;
	interrupts = 0;
	CHECK(request(1, 1, 1024, false) == 0, "write: OK");
	CHECK(now_ns == t0 + VIRTIO_BLK_SUBMIT_NS + VIRTIO_BLK_REQUEST_NS + 1024 * VIRTIO_BLK_BYTE_NS,
	      "the write took %llu ns", (unsigned long long)(now_ns - t0));
	CHECK(pread(image, back, sizeof(back), 512) == (ssize_t)sizeof(back) &&
	      !memcmp(back, pattern, sizeof(back)), "the image holds what was written");
	CHECK(sim_get32(ram(USED + 4)) == 0 && sim_get32(ram(USED + 8)) == 1,
	      "used: head 0, 1 byte written");
	CHECK(sim_irq_level(10) && interrupts == 1, "line 10 asserted on completion");
	CHECK(sim_mmio_read(BAR4 + VIRTIO_ISR_OFF, 1) == VIRTIO_ISR_QUEUE, "ISR: a queue interrupt");
	CHECK(!sim_irq_level(10), "reading the ISR deasserts the line");
	CHECK(sim_mmio_read(BAR4 + VIRTIO_ISR_OFF, 1) == 0, "and clears it");
	memset(ram(DATA), 0, sizeof(pattern));
	CHECK(request(0, 1, 1024, true) == 0, "read: OK");
	CHECK(!memcmp(ram(DATA), pattern, sizeof(pattern)), "the read brings the data back");
	CHECK(sim_get32(ram(USED + 16)) == 1025, "used length: the buffers' writable bytes");
	CHECK(request(4, 0, 0, false) == 0, "flush: OK");
	memset(ram(DATA), 0x55, 20);
	CHECK(request(8, 0, 20, true) == 0 && *ram(DATA) == 0 && *ram(DATA + 1) == 0x55,
	      "GET_ID: an empty serial");
	CHECK(request(0, 128, 512, true) == 1, "a read past the end: IOERR");
	CHECK(request(0, 127, 1024, true) == 1, "a read over the end: IOERR");
	CHECK(request(0, 127, 512, true) == 0, "the last sector: OK");
	CHECK(request(1, 0, 100, false) == 1, "a partial sector: IOERR");
	CHECK(request(99, 0, 0, false) == 2, "an unknown type: UNSUPP");
	/* INTx disabled in the command register: the ISR is set, the line stays low. */
	uint32_t cmd = cfg_read(2, 0, 0x04);
	cfg_write(2, 0, 0x04, cmd | SIM_PCI_COMMAND_INTX_OFF);
	CHECK(request(4, 0, 0, false) == 0 && !sim_irq_level(10), "INTx off: no interrupt");
	cfg_write(2, 0, 0x04, cmd);
	CHECK(sim_irq_level(10), "INTx on again: the pending ISR asserts it");
	sim_mmio_read(BAR4 + VIRTIO_ISR_OFF, 1);
}

/* A bad chain: a device error, never a crash; a reset brings the device back. */
static void test_device_error(const char *what, void (*make)(void))
{
	bring_up(FEATURES_OK_SET);
	make();
	offer(0);
	run_all_events();
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET, "%s: DEVICE_NEEDS_RESET (status %#x)", what,
	      status());
	CHECK(sim_mmio_read(BAR4 + VIRTIO_ISR_OFF, 1) == VIRTIO_ISR_CONFIG,
	      "%s: a configuration interrupt", what);
	offer(0);
	run_all_events();
	CHECK(sim_get16(ram(USED + 2)) == 0, "%s: nothing is processed after it", what);
	sim_mmio_write(COMMON(VIRTIO_COMMON_STATUS), 1, 0);
	CHECK(status() == 0 && !sim_irq_level(10), "%s: reset", what);
}

static void outside_ram(void)
{
	put_desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, 0x7ffff000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
}

static void on_a_bar(void)
{
	put_desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BAR4, 16, VIRTQ_DESC_F_WRITE, 0);
}

static void loop(void)
{
	put_desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, DATA, 512, VIRTQ_DESC_F_NEXT, 0);
}

static void next_out_of_queue(void)
{
	put_desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, QSIZE);
}

static void no_status(void)
{
	put_desc(0, HDR, 16, 0, 0);
}

static void huge_length(void)
{
	put_desc(0, HDR, 0xffffffff, 0, 0);
}

static void bad_head(void)
{
	put_desc(0, HDR, 16, 0, 0);
	sim_put16(ram(AVAIL + 4), QSIZE + 3);
	sim_put16(ram(AVAIL + 2), ++avail_idx);
	sim_mmio_write(BAR4 + VIRTIO_NOTIFY_OFF, 2, 0);
	avail_idx--; /* offer() puts a good head after it */
}

/* Events in time order, equal times in the order they were scheduled; cancelled ones never. */
static char order[8];
static size_t norder;

static void note(void *arg)
{
	order[norder++] = *(const char *)arg;
}

static void test_events(void)
{
	sim_events_reset();
	norder = 0;
	now_ns = 1000;
	sim_event_at(1030, note, "d");
	sim_event_at(1010, note, "a");
	uint64_t c = sim_event_at(1020, note, "x");
	sim_event_at(1010, note, "b");
	sim_event_at(1020, note, "c");
	sim_event_cancel(c);
	CHECK(sim_event_next() == 1010, "next at 1010");
	CHECK(sim_events_run(1009) == 0, "none due yet");
	CHECK(sim_events_run(1020) == 3, "three due at 1020");
	CHECK(sim_events_run(2000) == 1 && sim_event_next() == UINT64_MAX, "then the last");
	order[norder] = 0;
	CHECK(!strcmp(order, "abcd"), "order %s", order);
}

static void test_dma(void)
{
	struct sim_pci_device *d = &sim_virtio_blk()->pci;
	uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	frames_written = 0;
	CHECK(sim_dma_write(d, 0x30ffc, buf, 8) == 0 && frames_written == 2 &&
	      last_frame_written == 0x31000, "a write over two frames tells of both");
	CHECK(sim_dma_read(d, sim_ram_size() - 4, buf, 8) == -EFAULT, "past the end: EFAULT");
	CHECK(sim_dma_write(d, BAR4, buf, 8) == -EFAULT, "a BAR is not RAM");
	CHECK(sim_dma_read(d, ~0ull - 3, buf, 8) == -EFAULT, "wrapping: EFAULT");
	uint32_t cmd = cfg_read(2, 0, 0x04);
	cfg_write(2, 0, 0x04, cmd & ~SIM_PCI_COMMAND_MASTER);
	CHECK(sim_dma_read(d, 0x30000, buf, 8) == -EPERM, "bus master off: EPERM");
	cfg_write(2, 0, 0x04, cmd);
}

static void test_ram_split(void)
{
	sim_ram_fini();
	CHECK(sim_ram_init(4ull << 30) == 0, "4 GiB of RAM");
	const struct plat_mem_range *r;
	size_t n = plat_mem_ranges(&r);
	CHECK(n == 2 && r[0].base == 4096 && r[0].size == (3ull << 30) - 4096 &&
	      r[1].base == 4ull << 30 && r[1].size == 1ull << 30, "split around the hole");
	CHECK(!sim_ram_ptr(3ull << 30, 1) && !sim_ram_ptr(BAR4, 1), "the hole is not RAM");
	CHECK(sim_ram_ptr(4ull << 30, 1) == sim_ram() + (3ull << 30), "4 GiB is RAM");
	CHECK(!sim_ram_ptr((3ull << 30) - 4, 8), "a range into the hole");
	CHECK(plat_pa(sim_ram() + (3ull << 30) + 5) == (4ull << 30) + 5, "plat_pa above the hole");
	CHECK(sim_ram_top() == 5ull << 30, "the top");
	sim_ram_fini();
}

/*
 * The network card, alone on a bus, on a wire that records what it is given: its identity and
 * configuration, frames both ways with their headers, frames waiting for receive buffers, and
 * what it drops.
 */
static uint64_t nbar;
#define NCOMMON(off) (nbar + VIRTIO_COMMON_OFF + (off))
#define NQ 8
static uint8_t wire_frame[2048];
static size_t wire_len;
static unsigned wire_frames;
static uint16_t navail[2];

static void wire(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	memcpy(wire_frame, frame, len);
	wire_len = len;
	wire_frames++;
}

/* Queue q's rings and buffers: descriptors, then the available and used rings a page apart,
 * buffer i at 0x800 * i from the fourth page. */
static uint64_t qbase(unsigned q)
{
	return 0x40000ull + 0x10000ull * q;
}

static uint64_t nbuf(unsigned q, unsigned i)
{
	return qbase(q) + 0x4000 + 0x800ull * i;
}

static void net_bring_up(void)
{
	sim_mmio_write(NCOMMON(VIRTIO_COMMON_STATUS), 1, 0);
	sim_mmio_write(NCOMMON(VIRTIO_COMMON_STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	sim_mmio_write(NCOMMON(VIRTIO_COMMON_GFSELECT), 4, 0);
	sim_mmio_write(NCOMMON(VIRTIO_COMMON_GF), 4, (1u << 5) | (1u << 16));
	sim_mmio_write(NCOMMON(VIRTIO_COMMON_GFSELECT), 4, 1);
	sim_mmio_write(NCOMMON(VIRTIO_COMMON_GF), 4, 1);
	sim_mmio_write(NCOMMON(VIRTIO_COMMON_STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE |
		       VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++) {
		sim_mmio_write(NCOMMON(VIRTIO_COMMON_Q_SELECT), 2, q);
		sim_mmio_write(NCOMMON(VIRTIO_COMMON_Q_SIZE), 2, NQ);
		sim_mmio_write(NCOMMON(VIRTIO_COMMON_Q_DESC), 8, qbase(q));
		sim_mmio_write(NCOMMON(VIRTIO_COMMON_Q_AVAIL), 8, qbase(q) + 0x1000);
		sim_mmio_write(NCOMMON(VIRTIO_COMMON_Q_USED), 8, qbase(q) + 0x2000);
		sim_mmio_write(NCOMMON(VIRTIO_COMMON_Q_ENABLE), 2, 1);
		memset(ram(qbase(q)), 0, 0x3000);
		navail[q] = 0;
	}
	uint8_t st = (uint8_t)sim_mmio_read(NCOMMON(VIRTIO_COMMON_STATUS), 1);
	sim_mmio_write(NCOMMON(VIRTIO_COMMON_STATUS), 1, st | VIRTIO_STATUS_DRIVER_OK);
}

/* Offers one buffer of len bytes at buffer slot i of queue q (device-writable when
 * writable) and notifies the queue. */
static void net_offer(unsigned q, unsigned i, uint32_t len, bool writable)
{
	uint8_t *d = ram(qbase(q) + 16 * i);
	uint64_t addr = nbuf(q, i);
	sim_put32(d, (uint32_t)addr);
	sim_put32(d + 4, (uint32_t)(addr >> 32));
	sim_put32(d + 8, len);
	sim_put16(d + 12, writable ? VIRTQ_DESC_F_WRITE : 0);
	sim_put16(d + 14, 0);
	sim_put16(ram(qbase(q) + 0x1000 + 4 + 2 * (navail[q] % NQ)), (uint16_t)i);
	sim_put16(ram(qbase(q) + 0x1000 + 2), ++navail[q]);
	sim_mmio_write(nbar + VIRTIO_NOTIFY_OFF + q * VIRTIO_NOTIFY_MULTIPLIER, 2, q);
}

static uint16_t net_used(unsigned q)
{
	return sim_get16(ram(qbase(q) + 0x2000 + 2));
}

/* The length the device wrote for used entry n of queue q. */
static uint32_t net_used_len(unsigned q, unsigned n)
{
	return sim_get32(ram(qbase(q) + 0x2000 + 4 + 8 * (n % NQ) + 4));
}

/* A frame of len bytes: broadcast destination, the card's source, then bytes counting from b. */
static void make_frame(uint8_t *f, size_t len, uint8_t b)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x52\x54\x00\x12\x34\x56", 6);
	for (size_t i = 12; i < len; i++)
		f[i] = (uint8_t)(b + i);
}

static void test_net(void)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	sim_pci_init();
	sim_virtio_net_init(mac, &(struct sim_net_backend){.transmit = wire});
	CHECK(sim_pci_firmware() == 0, "firmware with the card");
	CHECK(cfg_read(3, 0, 0) == 0x10001af4u, "the card is 1af4:1000 at 00:03.0");
	CHECK(cfg_read(3, 0, 8) >> 8 == 0x020000u, "class 0200 (Ethernet)");
	CHECK(cfg_read(3, 0, 0x2c) == 0x00011af4u, "subsystem 1af4:0001");
	nbar = cfg_read(3, 0, 0x20) & ~0xfull;
	nbar |= (uint64_t)cfg_read(3, 0, 0x24) << 32;
	cfg_write(3, 0, 4, cfg_read(3, 0, 4) | 0x6); /* memory decoding, bus mastering */
	CHECK(sim_mmio_read(NCOMMON(VIRTIO_COMMON_DF), 4) == ((1u << 5) | (1u << 16)),
	      "features offered: MAC and STATUS");
	CHECK(sim_mmio_read(NCOMMON(VIRTIO_COMMON_NUMQ), 2) == 2, "two queues");
	uint8_t got_mac[6];
	for (unsigned i = 0; i < 6; i++)
		got_mac[i] = (uint8_t)sim_mmio_read(nbar + VIRTIO_DEVICE_OFF + i, 1);
	CHECK(!memcmp(got_mac, mac, 6), "the MAC in the configuration");
	CHECK(sim_mmio_read(nbar + VIRTIO_DEVICE_OFF + 6, 2) == 1, "link up");
	uint8_t f[1518];
	make_frame(f, 60, 1);
	CHECK(!sim_virtio_net_receive(f, 60), "a frame before the driver set the card up: dropped");

	net_bring_up();
	/* Transmit: the header is skipped, the frame reaches the wire whole. */
	uint8_t *tx = ram(nbuf(1, 0));
	memset(tx, 0x77, 12);
	make_frame(tx + 12, 100, 7);
	net_offer(1, 0, 112, false);
	CHECK(wire_frames == 0, "nothing sent before the device's time");
	run_all_events();
	CHECK(wire_frames == 1 && wire_len == 100 && !memcmp(wire_frame, tx + 12, 100), "a frame sent");
	CHECK(net_used(1) == 1, "its buffer returned");
	CHECK(sim_irq_level(cfg_read(3, 0, 0x3c) & 0xff), "and the interrupt raised");
	sim_mmio_read(nbar + VIRTIO_ISR_OFF, 1); /* reading the ISR lowers it */

	/* Receive: frames wait until buffers come, then each fills one, header first. */
	make_frame(f, 60, 2);
	CHECK(sim_virtio_net_receive(f, 60), "a frame from the wire");
	make_frame(f, 1514, 3);
	CHECK(sim_virtio_net_receive(f, 1514), "a full-sized one");
	run_all_events();
	CHECK(net_used(0) == 0, "no receive buffer yet: the frames wait");
	net_offer(0, 0, 1526, true);
	net_offer(0, 1, 1526, true);
	run_all_events();
	CHECK(net_used(0) == 2, "two frames received");
	CHECK(net_used_len(0, 0) == 72 && net_used_len(0, 1) == 1526, "each with its header");
	uint8_t *rx = ram(nbuf(0, 0));
	CHECK(sim_get16(rx + 10) == 1 && rx[0] == 0 && rx[1] == 0, "the header: num_buffers 1");
	make_frame(f, 60, 2);
	CHECK(!memcmp(rx + 12, f, 60), "the first frame's bytes");
	make_frame(f, 1514, 3);
	CHECK(!memcmp(ram(nbuf(0, 1)) + 12, f, 1514), "the second's");

	/* Dropped: a frame longer than its buffer, frames past the queue's room, bad sizes. */
	uint64_t dropped = sim_virtio_net_dropped();
	net_offer(0, 2, 100, true);
	CHECK(sim_virtio_net_receive(f, 1514), "a frame too long for the buffer waiting");
	run_all_events();
	CHECK(net_used(0) == 3 && net_used_len(0, 2) == 0, "its buffer returned empty");
	unsigned taken = 0;
	for (unsigned i = 0; i < VIRTIO_NET_RX_FRAMES + 5; i++)
		taken += sim_virtio_net_receive(f, 60);
	CHECK(taken == VIRTIO_NET_RX_FRAMES, "the queue holds 256 frames");
	CHECK(!sim_virtio_net_receive(f, 13) && !sim_virtio_net_receive(f, 1519), "bad sizes refused");
	memset(tx, 0, 12);
	net_offer(1, 1, 12 + 10, false);
	run_all_events();
	CHECK(wire_frames == 1 && net_used(1) == 2, "a runt frame not sent, its buffer returned");
	CHECK(sim_virtio_net_dropped() == dropped + 1 + 5 + 2 + 1, "every drop counted");

	/* A transmit chain with a device-writable buffer is a device error; a reset clears it
	 * and forgets the frames waiting. */
	net_offer(1, 2, 100, true);
	run_all_events();
	CHECK(sim_mmio_read(NCOMMON(VIRTIO_COMMON_STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET,
	      "a writable transmit buffer: DEVICE_NEEDS_RESET");
	net_bring_up();
	net_offer(0, 0, 1526, true);
	run_all_events();
	CHECK(net_used(0) == 0, "after a reset, nothing of before is delivered");
	sim_virtio_net_fini();
	sim_pci_fini();
}

/* The card on slirp's wire, as eclipse-sim --net=user has it (restricted). */
static unsigned rx_seen, tx_slot;

/* Sends frame through the card's transmit queue, and lets the device take it. */
static void net_send(const uint8_t *frame, size_t len)
{
	unsigned i = tx_slot++ % NQ;
	memset(ram(nbuf(1, i)), 0, 12);
	memcpy(ram(nbuf(1, i)) + 12, frame, len);
	net_offer(1, i, (uint32_t)(12 + len), false);
	run_all_events();
}

/* The next frame the guest received (its length in *len), after a receive buffer is posted
 * again in its place; NULL when none came. */
static const uint8_t *net_next(size_t *len)
{
	if (net_used(0) == (uint16_t)rx_seen)
		return NULL;
	unsigned i = rx_seen % NQ;
	*len = net_used_len(0, rx_seen) - 12;
	rx_seen++;
	static uint8_t copy[1518];
	memcpy(copy, ram(nbuf(0, i)) + 12, *len);
	net_offer(0, i, 1526, true);
	return copy;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t inet_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t guest_ip[4] = {10, 0, 2, 15}, gateway_ip[4] = {10, 0, 2, 2};

/* An IPv4 frame to the gateway (its MAC learned) of protocol proto carrying len bytes. */
static size_t ip_frame(uint8_t *f, const uint8_t *gw_mac, uint8_t proto, const uint8_t *payload,
		       size_t len)
{
	memcpy(f, gw_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	put_be16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put_be16(ip + 2, (uint16_t)(20 + len));
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, guest_ip, 4);
	memcpy(ip + 16, gateway_ip, 4);
	put_be16(ip + 10, inet_sum(ip, 20, 0));
	memcpy(ip + 20, payload, len);
	return 14 + 20 + len;
}

/* A port on the host's loopback nobody listens on now (bound once, then let go). */
static uint16_t free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || getsockname(s, (struct sockaddr *)&a, &alen))
		a.sin_port = 0;
	close(s);
	return ntohs(a.sin_port);
}

static void test_slirp(void)
{
	uint16_t port = free_port();
	struct sim_net_options opt = {.nhostfwd = 1};
	opt.hostfwd[0] = (struct sim_hostfwd){false, htonl(INADDR_LOOPBACK), 0, port, 80};
	char why[256] = "";
	CHECK(port && sim_slirp_open(&opt, why, sizeof(why)) == 0, "slirp starts with a hostfwd rule");
	/* The rule's port is taken now: a second slirp cannot have it, and says why. */
	int busy = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	CHECK(bind(busy, (struct sockaddr *)&a, sizeof(a)) != 0, "the rule holds its host port");
	close(busy);

	sim_pci_init();
	struct sim_net_backend wire_slirp = sim_slirp_backend();
	sim_virtio_net_init(guest_mac, &wire_slirp);
	CHECK(sim_pci_firmware() == 0, "firmware with the card");
	nbar = cfg_read(3, 0, 0x20) & ~0xfull;
	nbar |= (uint64_t)cfg_read(3, 0, 0x24) << 32;
	cfg_write(3, 0, 4, cfg_read(3, 0, 4) | 0x6);
	net_bring_up();
	rx_seen = tx_slot = 0;
	for (unsigned i = 0; i < NQ; i++)
		net_offer(0, i, 1526, true);

	/* ARP: who has 10.0.2.2? slirp answers, with its own MAC. */
	uint8_t f[1518] = {0}, gw_mac[6] = {0};
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	put_be16(f + 12, 0x0806);
	static const uint8_t arp_head[8] = {0, 1, 8, 0, 6, 4, 0, 1};
	memcpy(f + 14, arp_head, 8);
	memcpy(f + 22, guest_mac, 6);
	memcpy(f + 28, guest_ip, 4);
	memcpy(f + 38, gateway_ip, 4);
	net_send(f, 60);
	size_t len = 0;
	const uint8_t *r = net_next(&len);
	CHECK(r && len >= 42 && be16(r + 12) == 0x0806 && be16(r + 20) == 2 &&
	      !memcmp(r + 28, gateway_ip, 4) && !memcmp(r, guest_mac, 6), "an ARP reply for 10.0.2.2");
	if (r)
		memcpy(gw_mac, r + 22, 6);

	/* Ping the gateway: slirp itself answers, in restricted mode too. */
	uint8_t icmp[16] = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'e', 'c', 'l', 'i', 'p', 's', 'e', '!'};
	put_be16(icmp + 2, inet_sum(icmp, sizeof(icmp), 0));
	net_send(f, ip_frame(f, gw_mac, 1, icmp, sizeof(icmp)));
	r = net_next(&len);
	CHECK(r && be16(r + 12) == 0x0800 && r[14 + 9] == 1 && !memcmp(r + 14 + 12, gateway_ip, 4) &&
	      r[34] == 0 && !memcmp(r + 34 + 4, icmp + 4, 12), "an echo reply from 10.0.2.2");

	/* Restricted: a connection to the gateway's port 22 is refused at once (RST), and no
	 * host socket is opened for it. */
	uint8_t tcp[20] = {0};
	put_be16(tcp, 40000);
	put_be16(tcp + 2, 22);
	tcp[7] = 1; /* sequence 1 */
	tcp[12] = 5 << 4;
	tcp[13] = 0x02; /* SYN */
	put_be16(tcp + 14, 8192);
	uint8_t pseudo[12];
	memcpy(pseudo, guest_ip, 4);
	memcpy(pseudo + 4, gateway_ip, 4);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put_be16(pseudo + 10, sizeof(tcp));
	uint32_t partial = 0;
	for (unsigned i = 0; i < sizeof(pseudo); i += 2)
		partial += be16(pseudo + i);
	put_be16(tcp + 16, inet_sum(tcp, sizeof(tcp), partial));
	net_send(f, ip_frame(f, gw_mac, 6, tcp, sizeof(tcp)));
	r = net_next(&len);
	CHECK(r && r[14 + 9] == 6 && be16(r + 34 + 2) == 40000 && (r[34 + 13] & 0x04),
	      "restricted: a SYN to 10.0.2.2:22 gets a reset");

	/* hostfwd: a host connection to 127.0.0.1:port becomes a SYN to the guest's port 80. */
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int rc = connect(c, (struct sockaddr *)&a, sizeof(a));
	CHECK(rc == 0 || errno == EINPROGRESS, "the host connects to the forwarded port");
	r = NULL;
	for (unsigned tries = 0; tries < 100 && !r; tries++) {
		sim_slirp_poll(20);
		run_all_events();
		r = net_next(&len);
	}
	CHECK(r && r[14 + 9] == 6 && !memcmp(r + 14 + 16, guest_ip, 4) && be16(r + 34 + 2) == 80 &&
	      (r[34 + 13] & 0x12) == 0x02, "a SYN to 10.0.2.15:80 from the host's connection");
	close(c);
	sim_virtio_net_fini();
	sim_pci_fini();
	sim_slirp_close();
}

/* The display adapter (vga.c) through its register BAR, as a driver sets a mode. */
static void test_vga(void)
{
	sim_pci_init();
	CHECK(sim_vga_init() == 0, "the adapter");
	CHECK(sim_pci_firmware() == 0, "firmware");
	CHECK(cfg_read(4, 0, 0) == 0x11111234u, "1234:1111 at 00:04.0: %#x", cfg_read(4, 0, 0));
	uint64_t fb = cfg_read(4, 0, 0x10) & ~0xfull, regs = cfg_read(4, 0, 0x18) & ~0xfull;
	CHECK(fb == 0xfd000000u && regs == 0xfebff000u, "QEMU's BARs: %#llx %#llx",
	      (unsigned long long)fb, (unsigned long long)regs);
#define DISPI(i) (regs + 0x500 + 2 * (i))
	CHECK(sim_mmio_read(DISPI(0), 2) == 0xb0c5, "the dispi identity");
	CHECK(sim_mmio_read(DISPI(10), 2) == 256, "16 MiB of video memory in 64 KiB");
	sim_mmio_write(DISPI(4), 2, 0x02); /* GETCAPS */
	CHECK(sim_mmio_read(DISPI(1), 2) == 16000 && sim_mmio_read(DISPI(2), 2) == 12000 &&
	      sim_mmio_read(DISPI(3), 2) == 32, "the maxima under GETCAPS");
	sim_mmio_write(DISPI(4), 2, 0);
	sim_mmio_write(DISPI(3), 2, 32);
	sim_mmio_write(DISPI(1), 2, 1024);
	sim_mmio_write(DISPI(2), 2, 768);
	sim_mmio_write(DISPI(4), 2, 0x41); /* on, linear framebuffer */
	CHECK(sim_mmio_read(DISPI(1), 2) == 1024 && sim_mmio_read(DISPI(6), 2) == 1024,
	      "the mode taken, its virtual width");
	uint32_t *px;
	unsigned w, h;
	CHECK(sim_vga_frame(&px, &w, &h) == 0 && w == 640 && h == 480,
	      "blank until the attribute controller shows the screen: %ux%u", w, h);
	free(px);
	(void)sim_mmio_read(regs + 0x41a, 1); /* input status 1: the flip-flop to the index */
	sim_mmio_write(regs + 0x400, 1, 0x20);
	sim_mmio_write(fb + 5 * 4096 + 7 * 4, 4, 0x00ff8000);
	CHECK(sim_vga_frame(&px, &w, &h) == 0 && w == 1024 && h == 768 &&
	      px[5 * 1024 + 7] == 0xff8000 && px[0] == 0, "a pixel drawn at 7,5");
	free(px);
	sim_mmio_write(DISPI(1), 2, 1023);
	CHECK(sim_mmio_read(DISPI(1), 2) == 1016, "a width cut to a multiple of 8");
	sim_mmio_write(DISPI(4), 2, 0);
	sim_mmio_write(DISPI(1), 2, 4096);
	sim_mmio_write(DISPI(2), 2, 4096);
	sim_mmio_write(DISPI(4), 2, 0x41);
	CHECK(sim_mmio_read(DISPI(2), 2) == 1024, "a height cut to the memory: %llu",
	      (unsigned long long)sim_mmio_read(DISPI(2), 2));
#undef DISPI
	sim_vga_fini();
	sim_pci_fini();
}

static uint8_t kbc_read(void)
{
	return (uint8_t)sim_port_in(0x60, 1);
}

/* The keyboard controller (i8042.c): commands, the keyboard's and the mouse's answers, keys
 * and packets, the two lines. */
static void test_i8042(void)
{
	sim_pci_init();
	sim_irq_reset();
	sim_i8042_init();
	CHECK((sim_port_in(0x64, 1) & 0x01) == 0, "nothing to read at first");
	sim_port_out(0x64, 1, 0x20);
	CHECK((sim_port_in(0x64, 1) & 0x01) && kbc_read() == 0x47, "the command byte");
	sim_port_out(0x64, 1, 0xaa);
	CHECK(kbc_read() == 0x55, "the controller's self test");
	sim_port_out(0x60, 1, 0xff);
	CHECK(sim_irq_level(1), "line 1 while the keyboard's answer waits");
	CHECK(kbc_read() == 0xfa && kbc_read() == 0xaa, "the keyboard's reset");
	CHECK(!sim_irq_level(1), "line 1 down once it is read");
	CHECK(sim_i8042_key(30, true) && kbc_read() == 0x1e, "'a' pressed: set 1");
	CHECK(sim_i8042_key(103, false) && kbc_read() == 0xe0 && kbc_read() == 0xc8,
	      "up released: e0 c8");
	CHECK(!sim_i8042_key(200, true), "no such key");
	sim_port_out(0x64, 1, 0xad);
	sim_i8042_key(30, false);
	CHECK((sim_port_in(0x64, 1) & 0x01) == 0, "the keyboard's port off: its bytes wait");
	sim_port_out(0x64, 1, 0xae);
	CHECK(kbc_read() == 0x9e, "and come once it is on");
	sim_port_out(0x64, 1, 0xd4);
	sim_port_out(0x60, 1, 0xf4);
	CHECK((sim_port_in(0x64, 1) & 0x21) == 0x21 && sim_irq_level(12), "the mouse's answer: aux");
	CHECK(kbc_read() == 0xfa, "streaming on");
	sim_i8042_mouse(300, -5, 1);
	static const uint8_t want[] = {0x09, 127, 5, 0x09, 127, 0, 0x09, 46, 0};
	for (unsigned i = 0; i < sizeof(want); i++)
		CHECK(kbc_read() == want[i], "packet byte %u", i);
	CHECK(!sim_irq_level(12), "line 12 down once the packets are read");
	sim_pci_fini();
}

/* The sound card (ac97.c) at 00:05.0: its ports as firmware placed them, and guest RAM for its
 * buffer descriptor list and buffers. */
static uint16_t nam, nabm;
#define PO_REG(r) ((uint16_t)(nabm + 0x10 + (r)))
#define BDL 0x40000ull
#define SOUND(i) (0x41000ull + 0x1000ull * (i))
#define AC97_LINE 10

/* Runs the events due up to t, the clock following them, and leaves it at t. */
static void run_until(uint64_t t)
{
	while (sim_event_next() <= t) {
		now_ns = sim_event_next();
		sim_events_run(now_ns);
	}
	now_ns = t;
}

static int16_t test_sample(unsigned buf, unsigned i)
{
	return (int16_t)(buf * 4000 - 3 * i - 1000);
}

/* Descriptor idx: a buffer of samples at SOUND(idx) filled with test_sample(idx, i). */
static void put_sound(unsigned idx, unsigned samples, bool ioc)
{
	sim_put32(ram(BDL + 8 * idx), (uint32_t)SOUND(idx));
	sim_put32(ram(BDL + 8 * idx + 4), samples | (ioc ? 0x80000000u : 0));
	for (unsigned i = 0; i < samples; i++)
		sim_put16(ram(SOUND(idx) + 2 * i), (uint16_t)test_sample(idx, i));
}

static uint16_t codec(unsigned reg)
{
	return (uint16_t)sim_port_in((uint16_t)(nam + reg), 2);
}

static void set_codec(unsigned reg, uint16_t v)
{
	sim_port_out((uint16_t)(nam + reg), 2, v);
}

/* PCM out's CIV, LVI and SR in one read, as QEMU answers a dword at 0x14. */
static uint32_t po_state(void)
{
	return sim_port_in(PO_REG(0x4), 4);
}

/* The codec's registers: QEMU's reset values, masks, fixed registers, the rules of the rates. */
static void test_ac97_codec(void)
{
	static const uint16_t reset[][2] = {{0x00, 0}, {0x02, 0x8000}, {0x18, 0x8808},
		{0x1c, 0x8808}, {0x26, 0x000f}, {0x28, 0x0809}, {0x2a, 0x0009}, {0x2c, 48000},
		{0x32, 48000}, {0x7c, 0x8384}, {0x7e, 0x7600}};
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		CHECK(codec(reset[i][0]) == reset[i][1], "codec register %#x: %#x", reset[i][0],
		      codec(reset[i][0]));
	CHECK(sim_port_in(nam, 1) == 0xff && sim_port_in(nam, 4) == 0xffffffffu,
	      "the codec answers 16-bit reads only");
	set_codec(0x26, 0);
	CHECK(codec(0x26) == 0x000f, "the ready bits stay: %#x", codec(0x26));
	set_codec(0x02, 0xffff);
	CHECK(codec(0x02) == 0xbf3f, "master volume's bits: %#x", codec(0x02));
	set_codec(0x04, 0x1234);
	set_codec(0x7c, 0);
	CHECK(codec(0x04) == 0 && codec(0x7c) == 0x8384, "headphone and vendor are fixed");
	set_codec(0x2c, 44100);
	CHECK(codec(0x2c) == 44100, "a rate with variable rate on: %u", codec(0x2c));
	set_codec(0x2c, 4000);
	CHECK(codec(0x2c) == 8000, "a rate below 8 kHz: %u", codec(0x2c));
	set_codec(0x2a, 0);
	CHECK(codec(0x2c) == 48000 && codec(0x2a) == 0, "variable rate off: back to 48 kHz");
	set_codec(0x2c, 22050);
	CHECK(codec(0x2c) == 48000, "the rate is fixed without variable rate");
	set_codec(0x00, 0);
	CHECK(codec(0x02) == 0x8000 && codec(0x2a) == 0x0009, "a codec reset");
	/* The global registers and the codec access semaphore. */
	CHECK(sim_port_in((uint16_t)(nabm + 0x30), 4) == 0x100, "the primary codec is ready");
	sim_port_out((uint16_t)(nabm + 0x2c), 4, 0x2);
	CHECK(sim_port_in((uint16_t)(nabm + 0x2c), 4) == 0, "a cold reset is not stored, as in QEMU");
	sim_port_out((uint16_t)(nabm + 0x2c), 4, 0x1);
	CHECK(sim_port_in((uint16_t)(nabm + 0x2c), 4) == 1, "GLOB_CNT");
	CHECK(sim_port_in((uint16_t)(nabm + 0x34), 1) == 0 && sim_port_in((uint16_t)(nabm + 0x34), 1) == 1,
	      "CAS taken");
	codec(0x00);
	CHECK(sim_port_in((uint16_t)(nabm + 0x34), 1) == 0, "a codec access lets CAS go");
	CHECK(sim_port_in((uint16_t)(nabm + 0x04), 1) == 0 && sim_port_in((uint16_t)(nabm + 0x06), 2) == 1,
	      "PCM in: CIV 0, halted");
	CHECK(sim_port_in(nabm, 1) == 0xff, "no byte of BDBAR, as in QEMU");
	CHECK(sim_port_in(PO_REG(0x4), 2) == 0xffff, "no 16-bit CIV, as in QEMU");
}

/* Frames the live outlet heard, and the silence before them. */
static int16_t heard[2 * 20000];
static size_t nheard;
static uint64_t heard_silence;

static void hear(uint64_t silence, const int16_t *frames, size_t n)
{
	heard_silence += silence;
	for (size_t i = 0; i < n && nheard < sizeof(heard) / 4; i++, nheard++) {
		heard[2 * nheard] = frames[2 * i];
		heard[2 * nheard + 1] = frames[2 * i + 1];
	}
}

#define WAV_FRAMES 2880u /* 60 ms */
static int16_t wav_want[2 * WAV_FRAMES];

/* What the WAV file must hold at line-out frame at: buffer idx's frames from first, n of them,
 * each held for hold line-out frames (a DAC at 48 kHz / hold), through a volume. */
static void want_sound(unsigned at, unsigned idx, unsigned first, unsigned n, unsigned hold,
		       int (*volume)(int))
{
	for (unsigned f = 0; f < n * hold; f++) {
		unsigned i = 2 * (first + f / hold);
		wav_want[2 * (at + f)] = (int16_t)volume(test_sample(idx, i));
		wav_want[2 * (at + f) + 1] = (int16_t)volume(test_sample(idx, i + 1));
	}
}

static int unchanged(int s)
{
	return s;
}

/* PCM out at -2.6 dB (0x0808), QEMU's 190/255: floor(s * floor(2^32 * 190 / 255) / 2^32). */
static int pcm_0808(int s)
{
	return (int)((int64_t)s * 3200171710ll >> 32);
}

/* Playing: three buffers in turn on the virtual clock, their interrupts, the stop at the last
 * valid one, the restart by LVI, a pause, QEMU's resume at the next buffer, a volume, a rate
 * of 24 kHz; the WAV file holds each frame at its instant. */
static void test_ac97_play(const char *wav)
{
	CHECK(sim_audio_wav_open(wav) == 0, "the WAV file");
	set_codec(0x02, 0);
	set_codec(0x18, 0);
	put_sound(0, 96, true);   /* 1 ms */
	put_sound(1, 480, false); /* 5 ms */
	put_sound(2, 960, true);  /* 10 ms */
	run_until(1000000);
	sim_port_out(PO_REG(0x0), 4, (uint32_t)BDL);
	sim_port_out(PO_REG(0x5), 1, 2);
	sim_port_out(PO_REG(0xb), 1, 0x1d); /* RPBM, LVBIE, FEIE, IOCE */
	CHECK(po_state() == 0x200, "CIV 0, LVI 2, running: %#x", po_state());
	CHECK(sim_port_in(PO_REG(0x8), 4) == (96u | 1u << 16 | 0x1du << 24), "PICB, PIV, CR: %#x",
	      sim_port_in(PO_REG(0x8), 4));
	run_until(1500000);
	CHECK(sim_port_in(PO_REG(0x8), 2) == 48, "half played: PICB %u", sim_port_in(PO_REG(0x8), 2));
	run_until(2000000);
	CHECK(po_state() == (0x08u << 16 | 0x201), "buffer 0 done: BCIS, CIV 1: %#x", po_state());
	CHECK(sim_irq_level(AC97_LINE), "its interrupt");
	CHECK(sim_port_in((uint16_t)(nabm + 0x30), 4) == 0x140, "GLOB_STA says PCM out");
	CHECK(cfg_read(5, 0, 0x04) >> 16 & 0x08, "the PCI status's interrupt bit");
	CHECK(sim_port_in(PO_REG(0x8), 2) == 480, "buffer 1's PICB");
	sim_port_out(PO_REG(0x6), 2, 0x1c);
	CHECK(!sim_irq_level(AC97_LINE) && po_state() == 0x201, "SR cleared, the line down");
	run_until(7000000);
	CHECK(po_state() == 0x202 && !sim_irq_level(AC97_LINE), "buffer 1 done, no IOC: %#x",
	      po_state());
	run_until(16999999);
	CHECK(po_state() == 0x202, "buffer 2 still plays");
	run_until(17000000);
	CHECK(po_state() == (0x0fu << 16 | 0x202), "stopped at LVI: CELV, DCH, LVBCI, BCIS: %#x",
	      po_state());
	CHECK(sim_irq_level(AC97_LINE) && sim_port_in(PO_REG(0x8), 2) == 0, "interrupt, PICB 0");
	CHECK(sim_event_next() == UINT64_MAX, "nothing more to do");
	cfg_write(5, 0, 0x04, cfg_read(5, 0, 0x04) | SIM_PCI_COMMAND_INTX_OFF);
	CHECK(!sim_irq_level(AC97_LINE), "INTx disabled");
	cfg_write(5, 0, 0x04, cfg_read(5, 0, 0x04) & ~SIM_PCI_COMMAND_INTX_OFF);
	CHECK(sim_irq_level(AC97_LINE), "INTx enabled again");
	sim_port_out(PO_REG(0x6), 1, 0x1c);
	CHECK(!sim_irq_level(AC97_LINE), "cleared by a byte write");
	want_sound(48, 0, 0, 48, 1, unchanged);
	want_sound(96, 1, 0, 240, 1, unchanged);
	want_sound(336, 2, 0, 480, 1, unchanged);

	/* LVI moves on while halted with RPBM: the card goes on at the next buffer. */
	run_until(20000000);
	put_sound(3, 48, true);
	sim_port_out(PO_REG(0x5), 1, 3);
	CHECK(po_state() == 0x303 && sim_port_in(PO_REG(0x8), 2) == 48, "restarted at 3: %#x",
	      po_state());
	run_until(20500000);
	CHECK(po_state() >> 16 == 0x0f, "stopped again");
	sim_port_out(PO_REG(0x6), 1, 0x1c);
	want_sound(960, 3, 0, 24, 1, unchanged);

	/* A pause keeps PICB; RPBM again starts at the buffer after it, as QEMU does. */
	run_until(30000000);
	put_sound(4, 960, true);
	sim_port_out(PO_REG(0x5), 1, 4);
	run_until(32500000);
	sim_port_out(PO_REG(0xb), 1, 0x1c);
	CHECK(po_state() == (0x01u << 16 | 0x404) && sim_port_in(PO_REG(0x8), 2) == 720,
	      "paused with 720 samples left: %#x, %u", po_state(), sim_port_in(PO_REG(0x8), 2));
	CHECK(sim_event_next() == UINT64_MAX, "no buffer end while paused");
	want_sound(1440, 4, 0, 120, 1, unchanged);
	run_until(40000000);
	set_codec(0x18, 0x0808);
	put_sound(5, 8, true);
	sim_port_out(PO_REG(0x5), 1, 5);
	CHECK(po_state() == (0x01u << 16 | 0x504), "LVI does not restart a paused channel");
	sim_port_out(PO_REG(0xb), 1, 0x1d);
	CHECK((po_state() & 0xff) == 5 && sim_port_in(PO_REG(0xa), 1) == 6, "resumed at buffer 5");
	run_until(41000000);
	sim_port_out(PO_REG(0x6), 1, 0x1c);
	want_sound(1920, 5, 0, 4, 1, pcm_0808);

	/* 24 kHz: each frame twice on the 48 kHz line; the end at 4 / 24000 s, rounded up. */
	run_until(50000000);
	set_codec(0x18, 0);
	set_codec(0x2c, 24000);
	put_sound(6, 8, true);
	sim_port_out(PO_REG(0x5), 1, 6);
	run_until(50166666);
	CHECK(po_state() == 0x606 && sim_port_in(PO_REG(0x8), 2) == 2, "3 of 4 frames played: %#x",
	      po_state());
	run_until(50166667);
	CHECK(po_state() >> 16 == 0x0f, "done at 50166667 ns");
	sim_port_out(PO_REG(0x6), 1, 0x1c);
	want_sound(2400, 6, 0, 4, 2, unchanged);
	set_codec(0x2c, 48000);

	sim_audio_close(60000000);
	FILE *f = fopen(wav, "rb");
	static uint8_t file[44 + 4 * WAV_FRAMES + 1];
	size_t len = f ? fread(file, 1, sizeof(file), f) : 0;
	if (f)
		fclose(f);
	CHECK(len == 44 + 4 * WAV_FRAMES, "60 ms of frames: %zu bytes", len);
	CHECK(!memcmp(file, "RIFF", 4) && sim_get32(file + 4) == 36 + 4 * WAV_FRAMES &&
	      !memcmp(file + 8, "WAVEfmt ", 8) && sim_get16(file + 22) == 2 &&
	      sim_get32(file + 24) == 48000 && sim_get16(file + 34) == 16 &&
	      sim_get32(file + 40) == 4 * WAV_FRAMES, "the header");
	unsigned bad = 0, first_bad = 0;
	for (unsigned i = 0; len == sizeof(file) - 1 && i < 2 * WAV_FRAMES; i++)
		if ((int16_t)sim_get16(file + 44 + 2 * i) != wav_want[i] && !bad++)
			first_bad = i;
	CHECK(!bad, "%u samples differ, the first at frame %u: %d, expected %d", bad,
	      first_bad / 2, (int16_t)sim_get16(file + 44 + 2 * first_bad), wav_want[first_bad]);
	unlink(wav);
}

/* 44.1 kHz for 32 buffers of 10 ms: the last ends at exactly 320 ms, and the line got exactly
 * 320 ms of frames, each the card's frame playing at its start. */
static void test_ac97_drift(void)
{
	sim_audio_set_live(hear);
	nheard = 0;
	heard_silence = 0;
	for (unsigned i = 0; i < 32; i++) {
		sim_put32(ram(BDL + 8 * i), (uint32_t)SOUND(0));
		sim_put32(ram(BDL + 8 * i + 4), 882);
	}
	for (unsigned i = 0; i < 882; i++)
		sim_put16(ram(SOUND(0) + 2 * i), (uint16_t)i);
	run_until(100000000);
	set_codec(0x2c, 44100);
	sim_port_out(PO_REG(0xb), 1, 0x02);
	sim_port_out(PO_REG(0x0), 4, (uint32_t)BDL);
	sim_port_out(PO_REG(0x5), 1, 31);
	sim_port_out(PO_REG(0xb), 1, 0x01);
	run_until(419999999);
	CHECK((po_state() & 0xff) == 31 && !(po_state() >> 16 & 1), "the last buffer plays");
	run_until(420000000);
	CHECK(po_state() >> 16 == 0x07, "all played at 420 ms: %#x", po_state());
	CHECK(nheard == 32 * 480, "%zu frames on the line", nheard);
	CHECK(heard_silence == 4800 - 2408, "after %llu frames of silence since 50 ms",
	      (unsigned long long)heard_silence);
	/* Line frame k of a buffer carries the card's frame floor(k * 441 / 480). */
	CHECK(heard[2 * 479] == 2 * 440 && heard[2 * 480] == 0 && heard[2 * 481] == 0 &&
	      heard[2 * 482] == 2, "resampled by holding: %d %d %d %d", heard[2 * 479],
	      heard[2 * 480], heard[2 * 481], heard[2 * 482]);
	set_codec(0x2c, 48000);
	sim_port_out(PO_REG(0x6), 1, 0x1c);
	sim_audio_set_live(NULL);
}

/* Bad lists and buffers stop the channel with a FIFO error, never the simulator. */
static void test_ac97_malformed(void)
{
	sim_port_out(PO_REG(0xb), 1, 0x02);
	CHECK(po_state() == 0x10000 && sim_port_in(PO_REG(0x0), 4) == 0 &&
	      sim_port_in(PO_REG(0xb), 1) == 0, "RR: the registers reset");
	sim_port_out(PO_REG(0x0), 4, 0xf0000000u);
	sim_port_out(PO_REG(0xb), 1, 0x09); /* RPBM, FEIE */
	CHECK(po_state() >> 16 == 0x11 && sim_irq_level(AC97_LINE), "a list outside RAM: %#x",
	      po_state());
	sim_port_out(PO_REG(0xb), 1, 0x02);
	CHECK(po_state() == 0x10000 && !sim_irq_level(AC97_LINE) &&
	      sim_port_in(PO_REG(0xb), 1) == 0x08, "RR keeps the enables: %#x",
	      sim_port_in(PO_REG(0xb), 1));
	/* An empty buffer is passed over; an empty last one halts with DCH alone. */
	sim_put32(ram(BDL), (uint32_t)SOUND(0));
	sim_put32(ram(BDL + 4), 0x80000000u);
	put_sound(1, 4, true);
	sim_port_out(PO_REG(0x0), 4, (uint32_t)BDL);
	sim_port_out(PO_REG(0x5), 1, 1);
	sim_port_out(PO_REG(0xb), 1, 0x19);
	CHECK(po_state() == 0x101 && sim_port_in(PO_REG(0x8), 2) == 4, "buffer 0 passed over: %#x",
	      po_state());
	run_all_events();
	sim_port_out(PO_REG(0xb), 1, 0x02);
	sim_port_out(PO_REG(0x0), 4, (uint32_t)BDL);
	sim_port_out(PO_REG(0xb), 1, 0x19);
	CHECK(po_state() == 0x10000 && !sim_irq_level(AC97_LINE), "an empty last buffer: %#x",
	      po_state());
	sim_port_out(PO_REG(0x5), 1, 200);
	CHECK(sim_port_in(PO_REG(0x5), 1) == 200 % 32, "LVI modulo 32");
	/* A buffer outside RAM, a huge one at RAM's end, and DMA with bus mastering off. */
	static const uint32_t where[] = {0xf0000000u, (16u << 20) - 2};
	for (unsigned i = 0; i < 2; i++) {
		sim_port_out(PO_REG(0xb), 1, 0x02);
		sim_put32(ram(BDL), where[i]);
		sim_put32(ram(BDL + 4), 0xffff);
		sim_port_out(PO_REG(0x0), 4, (uint32_t)BDL);
		sim_port_out(PO_REG(0xb), 1, 0x09);
		CHECK(po_state() >> 16 == 0x11, "samples at %#x: FIFO error", where[i]);
	}
	put_sound(0, 4, true);
	sim_port_out(PO_REG(0xb), 1, 0x02);
	cfg_write(5, 0, 0x04, cfg_read(5, 0, 0x04) & ~SIM_PCI_COMMAND_MASTER);
	sim_port_out(PO_REG(0x0), 4, (uint32_t)BDL);
	sim_port_out(PO_REG(0xb), 1, 0x09);
	CHECK(po_state() >> 16 == 0x11, "bus mastering off: FIFO error");
	cfg_write(5, 0, 0x04, cfg_read(5, 0, 0x04) | SIM_PCI_COMMAND_MASTER);
	sim_port_out(PO_REG(0x5), 1, 1);
	CHECK(po_state() == 0x100101 && sim_irq_level(AC97_LINE),
	      "LVI restarts it at the next buffer, FIFOE still to clear: %#x", po_state());
	sim_port_out(PO_REG(0x6), 2, 0xffff);
	run_all_events();
	CHECK(po_state() == 0x0f0101, "and it plays: %#x", po_state());
	sim_port_out(PO_REG(0x6), 2, 0xffff);
	CHECK(!sim_irq_level(AC97_LINE) && po_state() == 0x030101, "SR's other bits stay");
	sim_port_out(nabm, 1, 0x01);
	sim_port_out((uint16_t)(nabm + 0xb), 1, 0x01);
	CHECK(sim_port_in((uint16_t)(nabm + 0x6), 2) == 1, "PCM in never runs");
}

/* The AC'97 sound card (ac97.c) as QEMU's -device AC97 at 00:05.0, through its ports. */
static void test_ac97(const char *dir)
{
	now_ns = 0;
	CHECK(sim_ram_init(16ull << 20) == 0, "RAM");
	sim_pci_init();
	sim_irq_reset();
	sim_events_reset();
	CHECK(sim_ac97_init() == 0, "the sound card");
	CHECK(sim_pci_firmware() == 0, "firmware");
	CHECK(cfg_read(5, 0, 0x00) == 0x24158086u, "8086:2415 at 00:05.0: %#x", cfg_read(5, 0, 0));
	CHECK(cfg_read(5, 0, 0x08) == 0x04010001u, "audio, revision 1: %#x", cfg_read(5, 0, 8));
	CHECK(cfg_read(5, 0, 0x2c) == 0x11001af4u, "QEMU's subsystem: %#x", cfg_read(5, 0, 0x2c));
	CHECK((cfg_read(5, 0, 0x3c) & 0xffff) == (0x100 | AC97_LINE), "pin A, line 10: %#x",
	      cfg_read(5, 0, 0x3c));
	CHECK(cfg_read(5, 0, 0x04) >> 16 == 0x0280, "QEMU's status: %#x", cfg_read(5, 0, 4) >> 16);
	uint32_t bar0 = cfg_read(5, 0, 0x10), bar1 = cfg_read(5, 0, 0x14);
	CHECK((bar0 & 1) && (bar1 & 1) && bar0 >= 0xc000 && bar1 >= 0xc000, "I/O BARs %#x %#x",
	      bar0, bar1);
	nam = (uint16_t)(bar0 & ~3u);
	nabm = (uint16_t)(bar1 & ~3u);
	test_ac97_codec();
	cfg_write(5, 0, 0x04, cfg_read(5, 0, 0x04) | SIM_PCI_COMMAND_MASTER);
	char wav[4096];
	snprintf(wav, sizeof(wav), "%s/ac97_test.wav", dir);
	test_ac97_play(wav);
	test_ac97_drift();
	test_ac97_malformed();
	sim_ac97_fini();
	CHECK(!sim_irq_level(AC97_LINE), "the line let go");
	sim_events_reset();
	sim_pci_fini();
	sim_ram_fini();
}

int main(int argc, char **argv)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/devices_test.XXXXXX", argc > 1 ? argv[1] : "/tmp");
	int image = mkstemp(path);
	if (image < 0 || ftruncate(image, 64 * 1024 + 100)) {
		perror(path);
		return 2;
	}
	struct sim_disk *disk, *again;
	CHECK(sim_disk_open(path, false, &disk) == 0, "open the image");
	CHECK(sim_disk_open(path, false, &again) == -EBUSY, "a second writer: EBUSY");
	CHECK(sim_disk_open(path, true, &again) == -EBUSY, "a reader beside a writer: EBUSY");
	CHECK(sim_disk_sectors(disk) == 128, "the partial sector is left out");
	CHECK(sim_ram_init(16ull << 20) == 0, "RAM");
	sim_irq_reset();
	sim_events_reset();
	sim_pci_init();
	sim_virtio_blk_init(disk);
	CHECK(sim_pci_firmware() == 0, "firmware");
	plat_irq_unmask(10);

	test_bus();
	test_mmio();
	test_handshake();
	test_requests(image);
	test_device_error("a buffer outside RAM", outside_ram);
	test_device_error("a buffer on a BAR", on_a_bar);
	test_device_error("a chain that loops", loop);
	test_device_error("a next index past the queue", next_out_of_queue);
	test_device_error("no status byte", no_status);
	test_device_error("a length past RAM", huge_length);
	test_device_error("a head past the queue", bad_head);
	test_dma();
	sim_virtio_blk_fini();
	sim_pci_fini();
	test_net();
	test_slirp();
	test_events();
	sim_events_reset();
	test_ram_split();
	test_vga();
	test_i8042();
	test_ac97(argc > 1 ? argv[1] : "/tmp");
	unlink(path);
	close(image);
	if (failures) {
		printf("%d checks failed\n", failures);
		return 1;
	}
	printf("PASS: bus, MMIO, DMA, events, virtio-blk, virtio-net, slirp, the VGA, the i8042 and "
	       "the AC'97\n");
	return 0;
}

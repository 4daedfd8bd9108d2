/*
 * The virtio-blk device model (sim/virtio_pci.c, sim/virtio_blk.c) on the simulator's PCI bus,
 * with guest RAM and a fake CPU: the input is a script of register accesses (MMIO, ports,
 * configuration space), guest RAM contents (descriptor chains, rings) and moves of the virtual
 * clock. The simulator must never crash, leak or hang, whatever the chains; and the device's
 * interrupt line must follow its ISR.
 *
 * Input: ops, each an opcode byte and its operands (little-endian; missing bytes read as 0):
 *   00 off:u16 size:u8 value:u64   MMIO write into BAR4 (size 1, 2, 4, 8 by size % 4)
 *   01 off:u16 size:u8             MMIO read of BAR4
 *   02 addr:u32 n:u8 bytes[n % 64] guest RAM write (addr modulo RAM)
 *   03 ns:u32                      the clock moves on; due events run
 *   04 reg:u8 value:u32            configuration write to 00:02.0
 *   05 reg:u8                      configuration read
 *   06 qlog:u8 feat:u8             reset and bring up with queue size 1 << (qlog % 9), rings
 *                                  at fixed addresses; feat bit 0: also accept an unknown feature
 *   07 i:u8 kind:u8 a:u64 len:u32 flags:u8 next:u16   descriptor i, its address of a kind
 *   08 head:u16                    a chain offered in the available ring
 *   09 q:u16                       notify queue q
 *   0a type:u8 sector:u32 len:u16 first:u8            a well-formed request at descriptors
 *                                  first..first+2, offered and notified
 *   0b off:u16 value:u32 write:u8  BAR1 (MSI-X) access
 *   0c off:u8 value:u32            port write to BAR0 (legacy, ignored)
 *   0d                             every event runs
 *   0e idx:u16                     the available ring's index set as is
 *   0f which:u8 kind:u8 a:u64      a ring address (desc, avail, used) of a kind, via the
 *                                  common configuration
 * Address kinds: 0 in RAM, 1 just below its end, 2 on BAR4, 3 in the PCI hole, 4 near 2^64,
 * 5 the value itself.
 */
#include "fuzz.h"

#include "devices.h"
#include "pci.h"
#include "virtio.h"

#include <kernel/plat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_SIZE (1ull << 20)
#define DISK_SIZE (64 * 1024 + 300)
#define BAR4 0xfebf8000ull
#define DESC 0x10000ull
#define AVAIL 0x18000ull
#define USED 0x1c000ull
#define EVENTS_MAX 100000 /* more in one go is a livelock */

static uint64_t now_ns;
static int image = -1;

uint64_t plat_clock_ns(void)
{
	return now_ns;
}

void plat_panic(const char *msg)
{
	fuzz_fail(__FILE__, __LINE__, "panic", "%s", msg);
}

void sim_cpu_interrupt(void)
{
}

void sim_cpu_event_scheduled(uint64_t when_ns)
{
	FUZZ_CHECK(when_ns >= now_ns, "an event scheduled in the past");
}

void sim_cpu_frame_written(uint64_t pa)
{
	FUZZ_CHECK(sim_ram_ptr(pa, 1), "a device wrote outside RAM at %#llx", (unsigned long long)pa);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	FUZZ_CHECK(sim_ram_init(RAM_SIZE) == 0, "guest RAM");
	image = memfd_create("fuzz_virtio", MFD_CLOEXEC);
	FUZZ_CHECK(image >= 0, "memfd");
	return 0;
}

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++, in->p++, in->left--)
		if (in->left)
			v |= (uint64_t)*in->p << (8 * i);
		else
			break;
	return v;
}

static uint8_t *ram(uint64_t pa)
{
	return sim_ram_ptr(pa, 1);
}

static uint64_t address(unsigned kind, uint64_t a)
{
	switch (kind % 6) {
	case 0:
		return a % RAM_SIZE;
	case 1:
		return RAM_SIZE - 1 - a % 4096;
	case 2:
		return BAR4 + a % 0x4000;
	case 3:
		return 0xe0000000ull + a % 0x1ec00000ull;
	case 4:
		return ~0ull - a % 65536;
	default:
		return a;
	}
}

static void common_write(unsigned off, unsigned size, uint64_t value)
{
	sim_mmio_write(BAR4 + off, size, value);
}

static void run_events(void)
{
	for (unsigned n = 0; sim_event_next() != UINT64_MAX; n++) {
		FUZZ_CHECK(n < EVENTS_MAX, "events without end");
		now_ns = sim_event_next();
		sim_events_run(now_ns);
	}
}

static void bring_up(unsigned qlog, bool unknown_feature)
{
	common_write(VIRTIO_COMMON_STATUS, 1, 0);
	common_write(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uint64_t features = VIRTIO_F_VERSION_1 | (1u << 9) | (unknown_feature ? 1ull << 50 : 0);
	for (unsigned sel = 0; sel < 2; sel++) {
		common_write(VIRTIO_COMMON_GFSELECT, 4, sel);
		common_write(VIRTIO_COMMON_GF, 4, (uint32_t)(features >> (32 * sel)));
	}
	common_write(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		     VIRTIO_STATUS_FEATURES_OK);
	common_write(VIRTIO_COMMON_Q_SELECT, 2, 0);
	common_write(VIRTIO_COMMON_Q_SIZE, 2, 1u << (qlog % 9));
	common_write(VIRTIO_COMMON_Q_DESC, 8, DESC);
	common_write(VIRTIO_COMMON_Q_AVAIL, 8, AVAIL);
	common_write(VIRTIO_COMMON_Q_USED, 8, USED);
	common_write(VIRTIO_COMMON_Q_ENABLE, 2, 1);
	uint8_t status = (uint8_t)sim_mmio_read(BAR4 + VIRTIO_COMMON_STATUS, 1);
	common_write(VIRTIO_COMMON_STATUS, 1, status | VIRTIO_STATUS_DRIVER_OK);
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = ram(DESC + 16 * (i % 256));
	sim_put32(d, (uint32_t)addr);
	sim_put32(d + 4, (uint32_t)(addr >> 32));
	sim_put32(d + 8, len);
	sim_put16(d + 12, flags);
	sim_put16(d + 14, next);
}

static void offer(uint16_t head)
{
	uint16_t idx = sim_get16(ram(AVAIL + 2));
	sim_put16(ram(AVAIL + 4 + 2 * (idx % 256)), head);
	sim_put16(ram(AVAIL + 2), (uint16_t)(idx + 1));
}

/* A read, write, flush or id request at descriptors first..first+2, buffers in RAM. */
static void request(uint8_t type, uint32_t sector, uint16_t len, uint8_t first)
{
	static const uint32_t types[] = {0, 1, 4, 8};
	uint32_t t = type < 0xf0 ? types[type % 4] : type;
	uint64_t hdr = 0x40000, data = 0x41000, status = 0x60000;
	sim_put32(ram(hdr), t);
	sim_put32(ram(hdr + 4), 0);
	sim_put32(ram(hdr + 8), sector % 256);
	sim_put32(ram(hdr + 12), 0);
	bool in = t != 1;
	put_desc(first, hdr, 16, VIRTQ_DESC_F_NEXT, (uint8_t)(first + 1));
	put_desc((uint8_t)(first + 1), data, len % 0x10000 ? len % 0x10000 : 512,
		 VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0), (uint8_t)(first + 2));
	put_desc((uint8_t)(first + 2), status, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(first);
	sim_mmio_write(BAR4 + VIRTIO_NOTIFY_OFF, 2, 0);
}

static uint32_t cfg(unsigned reg, bool write, uint32_t value)
{
	sim_port_out(0xcf8, 4, 0x80000000u | 2u << 11 | (reg & 0xfc));
	if (write)
		sim_port_out(0xcfc, 4, value);
	return write ? 0 : sim_port_in(0xcfc, 4);
}

/* The line the device asserts is asserted, and it asserts one exactly while its ISR is set
 * and INTx is enabled on a line 1-15. */
static void check_irq(void)
{
	struct sim_virtio *v = sim_virtio_blk();
	unsigned line = v->pci.config[0x3c];
	bool want = v->isr && !(sim_get16(v->pci.config + 4) & SIM_PCI_COMMAND_INTX_OFF) &&
		    line > 0 && line < 16;
	FUZZ_CHECK(want == (v->irq_asserted != 0), "the line does not follow the ISR");
	FUZZ_CHECK(!v->irq_asserted || sim_irq_level(v->irq_asserted), "the line is not asserted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	now_ns = 0;
	memset(sim_ram(), 0, RAM_SIZE);
	FUZZ_CHECK(ftruncate(image, 0) == 0 && ftruncate(image, DISK_SIZE) == 0, "image");
	struct sim_disk *disk;
	FUZZ_CHECK(sim_disk_open_fd(dup(image), false, &disk) == 0, "open the image");
	sim_irq_reset();
	sim_events_reset();
	sim_pci_init();
	sim_virtio_blk_init(disk);
	FUZZ_CHECK(sim_pci_firmware() == 0, "firmware");
	cfg(0x04, true, cfg(0x04, false, 0) | SIM_PCI_COMMAND_MASTER);
	static const unsigned sizes[] = {1, 2, 4, 8};
	while (in.left) {
		switch (take(&in, 1) % 16) {
		case 0x0: {
			uint64_t off = take(&in, 2) % 0x4000;
			unsigned sz = sizes[take(&in, 1) % 4];
			sim_mmio_write(BAR4 + off, sz, take(&in, 8));
			break;
		}
		case 0x1: {
			uint64_t off = take(&in, 2) % 0x4000;
			sim_mmio_read(BAR4 + off, sizes[take(&in, 1) % 4]);
			break;
		}
		case 0x2: {
			uint64_t addr = take(&in, 4) % RAM_SIZE;
			size_t n = take(&in, 1) % 64;
			for (size_t i = 0; i < n && addr + i < RAM_SIZE; i++)
				*ram(addr + i) = (uint8_t)take(&in, 1);
			break;
		}
		case 0x3:
			now_ns += take(&in, 4);
			sim_events_run(now_ns);
			break;
		case 0x4: {
			unsigned reg = (unsigned)take(&in, 1);
			cfg(reg, true, (uint32_t)take(&in, 4));
			break;
		}
		case 0x5:
			cfg((unsigned)take(&in, 1), false, 0);
			break;
		case 0x6: {
			unsigned qlog = (unsigned)take(&in, 1);
			bring_up(qlog, take(&in, 1) & 1);
			break;
		}
		case 0x7: {
			unsigned i = (unsigned)take(&in, 1), kind = (unsigned)take(&in, 1);
			uint64_t a = address(kind, take(&in, 8));
			uint32_t len = (uint32_t)take(&in, 4);
			uint16_t flags = (uint16_t)take(&in, 1);
			put_desc(i, a, len, flags, (uint16_t)take(&in, 2));
			break;
		}
		case 0x8:
			offer((uint16_t)take(&in, 2));
			break;
		case 0x9:
			sim_mmio_write(BAR4 + VIRTIO_NOTIFY_OFF + 4 * (take(&in, 2) % 1024), 2, 0);
			break;
		case 0xa: {
			uint8_t type = (uint8_t)take(&in, 1);
			uint32_t sector = (uint32_t)take(&in, 4);
			uint16_t len = (uint16_t)take(&in, 2);
			request(type, sector, len, (uint8_t)take(&in, 1));
			break;
		}
		case 0xb: {
			uint64_t off = take(&in, 2) % 0x1000;
			uint32_t value = (uint32_t)take(&in, 4);
			if (take(&in, 1) & 1)
				sim_mmio_write(0xfebff000 + off, 4, value);
			else
				sim_mmio_read(0xfebff000 + off, 4);
			break;
		}
		case 0xc: {
			uint16_t port = (uint16_t)(0xc000 + take(&in, 1) % 128);
			sim_port_out(port, 1, (uint32_t)take(&in, 4));
			sim_port_in(port, 4);
			break;
		}
		case 0xd:
			run_events();
			break;
		case 0xe:
			sim_put16(ram(AVAIL + 2), (uint16_t)take(&in, 2));
			break;
		case 0xf: {
			static const unsigned regs[] = {VIRTIO_COMMON_Q_DESC, VIRTIO_COMMON_Q_AVAIL,
							VIRTIO_COMMON_Q_USED};
			unsigned which = (unsigned)take(&in, 1) % 3, kind = (unsigned)take(&in, 1);
			common_write(regs[which], 8, address(kind, take(&in, 8)));
			break;
		}
		}
		check_irq();
	}
	run_events();
	check_irq();
	sim_virtio_blk_fini();
	FUZZ_CHECK(sim_event_next() == UINT64_MAX, "an event outlived the device");
	for (unsigned line = 1; line < 16; line++)
		FUZZ_CHECK(!sim_irq_level(line), "line %u outlived the device", line);
	sim_pci_fini();
	sim_events_reset();
	return 0;
}

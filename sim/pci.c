/*
 * The PCI bus of the simulated machine. Configuration space is reached as on a PC, through the
 * address register at port 0xCF8 and the data window at 0xCFC-0xCFF; the kernel's
 * plat_pci_read and plat_pci_write go through the same ports. Only bus 0 exists. Each function's
 * 256-byte header is kept here: the bus makes the read-only parts read-only, BARs keep their
 * size's alignment and their type bits, the command register keeps its I/O, memory, bus-master
 * and interrupt-disable bits. The firmware's work (addresses in the BARs, decoding on, the
 * interrupt line) is done once every device is there (sim_pci_firmware), as SeaBIOS does it on
 * QEMU, so that the same devices get the same addresses on both machines.
 */
#include "pci.h"
#include "devices.h"

#include <errno.h>
#include <kernel/core.h>
#include <string.h>

#define PORT_CONFIG_ADDRESS 0xcf8
#define PORT_CONFIG_DATA 0xcfc
#define IO_BASE 0xc000        /* where SeaBIOS places I/O BARs on the pc machine */
#define IO_END 0x10000
#define MEM_END 0xfec00000ull /* memory BARs go below the I/O APIC, from the top down */
#define MEM_MIN 0x1000u       /* SeaBIOS gives a memory BAR at least a page */
#define COMMAND_WRITABLE (SIM_PCI_COMMAND_IO | SIM_PCI_COMMAND_MEMORY | SIM_PCI_COMMAND_MASTER | \
			  SIM_PCI_COMMAND_INTX_OFF)
#define STATUS_CAP_LIST 0x10u
#define BAR_IO 0x1u
#define BAR_MEM64 0x4u
#define BAR_PREFETCH 0x8u

/* The PCI interrupt line of pin (1 = INTA#) in slot: the PIIX's PIRQ links rotate by slot, and
 * SeaBIOS routes links A-D to lines 10, 10, 11, 11. */
static unsigned irq_for(unsigned slot, unsigned pin)
{
	static const uint8_t link_irq[4] = {10, 10, 11, 11};
	return link_irq[(pin - 1 + slot - 1) & 3];
}

static struct {
	struct sim_pci_device *slots[SIM_PCI_SLOTS][SIM_PCI_FNS];
	struct sim_pci_device *devs[SIM_PCI_DEVICES]; /* in bus:dev.fn order */
	size_t ndevs;
	uint32_t address;   /* the last value written to 0xCF8 */
	uint64_t mmio_gen;  /* changes whenever a memory BAR may have moved or been switched */
} bus;

void sim_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void sim_put32(uint8_t *p, uint32_t v)
{
	sim_put16(p, (uint16_t)v);
	sim_put16(p + 2, (uint16_t)(v >> 16));
}

uint16_t sim_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t sim_get32(const uint8_t *p)
{
	return (uint32_t)sim_get16(p) | (uint32_t)sim_get16(p + 2) << 16;
}

static bool power_of_two(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Whether d's BAR i is the upper half of the 64-bit memory BAR i - 1. */
static bool upper_half(const struct sim_pci_device *d, unsigned i)
{
	return i > 0 && d->bar_size[i - 1] && !d->bar_io[i - 1] && d->bar_mem64[i - 1];
}

static bool bars_valid(const struct sim_pci_device *d)
{
	for (unsigned i = 0; i < 6; i++) {
		uint32_t size = d->bar_size[i];
		if (!size)
			continue;
		if (!power_of_two(size) || upper_half(d, i))
			return false;
		/* I/O BARs up to 1 KiB: the PCI specification says 256, but QEMU's AC97 has one
		 * of 1 KiB, and the firmware places it first. */
		if (d->bar_io[i] ? size < 4 || size > 1024 : size < 16 || size > (1u << 30))
			return false;
		if (!d->bar_io[i] && d->bar_mem64[i] && (i == 5 || d->bar_size[i + 1]))
			return false;
	}
	return true;
}

int sim_pci_add(struct sim_pci_device *d)
{
	if (d->slot >= SIM_PCI_SLOTS || d->fn >= SIM_PCI_FNS || bus.slots[d->slot][d->fn] ||
	    bus.ndevs == SIM_PCI_DEVICES)
		return -EBUSY;
	if (!bars_valid(d))
		return -EINVAL;
	uint8_t *c = d->config;
	memset(c, 0, sizeof(d->config));
	sim_put16(c + 0x00, d->vendor);
	sim_put16(c + 0x02, d->device);
	c[0x08] = d->revision;
	c[0x09] = d->prog_if;
	c[0x0a] = d->subclass;
	c[0x0b] = d->class_code;
	sim_put16(c + 0x2c, d->subsys_vendor);
	sim_put16(c + 0x2e, d->subsys_device);
	c[0x3d] = d->irq_pin;
	for (unsigned i = 0; i < 6; i++)
		if (d->bar_size[i])
			c[0x10 + 4 * i] = (uint8_t)(d->bar_io[i] ? BAR_IO :
						    (d->bar_mem64[i] ? BAR_MEM64 : 0) |
						    (d->bar_prefetch[i] ? BAR_PREFETCH : 0));
	if (d->config_init)
		d->config_init(d);
	bus.slots[d->slot][d->fn] = d;
	/* Function 0 of a slot with others says so in its header type. */
	if (bus.slots[d->slot][0] && d->fn)
		bus.slots[d->slot][0]->config[0x0e] |= 0x80;
	if (!d->fn)
		for (unsigned fn = 1; fn < SIM_PCI_FNS; fn++)
			if (bus.slots[d->slot][fn])
				c[0x0e] |= 0x80;
	size_t at = bus.ndevs++;
	while (at && (bus.devs[at - 1]->slot * SIM_PCI_FNS + bus.devs[at - 1]->fn >
		      d->slot * SIM_PCI_FNS + d->fn)) {
		bus.devs[at] = bus.devs[at - 1];
		at--;
	}
	bus.devs[at] = d;
	return 0;
}

void sim_pci_add_cap(struct sim_pci_device *d, unsigned at, const uint8_t *cap, unsigned len)
{
	memcpy(d->config + at, cap, len);
	d->config[at + 1] = d->config[0x34];
	d->config[0x34] = (uint8_t)at;
	d->config[0x06] |= STATUS_CAP_LIST;
}

uint64_t sim_pci_bar_base(const struct sim_pci_device *d, unsigned i)
{
	uint32_t low = sim_get32(d->config + 0x10 + 4 * i);
	if (d->bar_io[i])
		return low & ~3u;
	uint64_t high = d->bar_mem64[i] ? sim_get32(d->config + 0x14 + 4 * i) : 0;
	return (low & ~0xfull) | high << 32;
}

/* One BAR to place: SeaBIOS's pci_region_entry. */
struct bar_entry {
	struct sim_pci_device *d;
	unsigned bar;
	uint64_t size;
};

/* The BARs of one kind in bus order, then stably sorted by size, largest first. */
static size_t collect(struct bar_entry *out, bool io, bool prefetch)
{
	size_t n = 0;
	for (size_t k = 0; k < bus.ndevs; k++) {
		struct sim_pci_device *d = bus.devs[k];
		for (unsigned i = 0; i < 6; i++) {
			if (!d->bar_size[i] || d->bar_io[i] != io || (!io && d->bar_prefetch[i] != prefetch))
				continue;
			uint64_t size = io || d->bar_size[i] >= MEM_MIN ? d->bar_size[i] : MEM_MIN;
			size_t at = n++;
			while (at && out[at - 1].size < size) {
				out[at] = out[at - 1];
				at--;
			}
			out[at] = (struct bar_entry){d, i, size};
		}
	}
	return n;
}

static uint64_t sum_of(const struct bar_entry *e, size_t n)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += e[i].size;
	return sum;
}

/* Places the entries one after the other from base (each aligned, being sorted by size). */
static void place(const struct bar_entry *e, size_t n, uint64_t base)
{
	for (size_t i = 0; i < n; i++) {
		struct sim_pci_device *d = e[i].d;
		bool io = d->bar_io[e[i].bar];
		uint8_t *reg = d->config + 0x10 + 4 * e[i].bar;
		sim_put32(reg, (uint32_t)base | (sim_get32(reg) & (io ? 3u : 0xfu)));
		if (!io && d->bar_mem64[e[i].bar])
			sim_put32(reg + 4, (uint32_t)(base >> 32));
		sim_put16(d->config + 0x04, sim_get16(d->config + 0x04) |
			  (io ? SIM_PCI_COMMAND_IO : SIM_PCI_COMMAND_MEMORY));
		base += e[i].size;
	}
}

/* SeaBIOS's root memory region of one kind: its BARs, their total and largest size. */
struct region {
	struct bar_entry e[6 * SIM_PCI_DEVICES];
	size_t n;
	uint64_t sum, align, base;
};

static void region_collect(struct region *r, bool prefetch)
{
	r->n = collect(r->e, false, prefetch);
	r->sum = sum_of(r->e, r->n);
	r->align = r->n ? r->e[0].size : 1;
}

int sim_pci_firmware(void)
{
	static struct bar_entry io[6 * SIM_PCI_DEVICES];
	static struct region mem, pref;
	size_t nio = collect(io, true, false);
	if (IO_BASE + sum_of(io, nio) > IO_END)
		return -ENOSPC;
	region_collect(&mem, false);
	region_collect(&pref, true);
	/* The prefetchable region goes at the top unless the other has the smaller alignment,
	 * which then goes to the top instead; each ends where the one above begins. */
	struct region *end = &pref, *start = &mem;
	if (mem.align < pref.align) {
		end = &mem;
		start = &pref;
	}
	end->base = (MEM_END - end->sum) & ~(end->align - 1);
	start->base = (end->base - start->sum) & ~(start->align - 1);
	if (start->base < SIM_RAM_LOW_MAX)
		return -ENOSPC;
	place(io, nio, IO_BASE);
	place(end->e, end->n, end->base);
	place(start->e, start->n, start->base);
	for (size_t k = 0; k < bus.ndevs; k++) {
		struct sim_pci_device *d = bus.devs[k];
		if (d->irq_pin)
			d->config[0x3c] = (uint8_t)(d->irq_line ? d->irq_line : irq_for(d->slot, d->irq_pin));
	}
	bus.mmio_gen++;
	return 0;
}

/* The function the configuration address names, or NULL (then reads give all ones). */
static struct sim_pci_device *addressed(unsigned *reg)
{
	uint32_t a = bus.address;
	unsigned bus_nr = a >> 16 & 0xff, slot = a >> 11 & 0x1f, fn = a >> 8 & 7;
	*reg = a & 0xfc;
	if (!(a & 0x80000000u) || bus_nr != 0)
		return NULL;
	return bus.slots[slot][fn];
}

/* A write of value's bytes selected by mask (bytes of the 32-bit register) to register reg. */
static void config_write(struct sim_pci_device *d, unsigned reg, uint32_t value, uint32_t mask)
{
	uint8_t *c = d->config;
	uint32_t old = sim_get32(c + reg), now = old;
	if (reg == 0x04) {
		/* Command: the bits the bus keeps; status: nothing to clear. */
		now = (old & ~(COMMAND_WRITABLE & mask)) | (value & COMMAND_WRITABLE & mask);
		if ((now ^ old) & SIM_PCI_COMMAND_MEMORY)
			bus.mmio_gen++;
	} else if (reg >= 0x10 && reg < 0x28) {
		unsigned i = (reg - 0x10) / 4;
		uint32_t size = d->bar_size[i];
		if (upper_half(d, i)) {
			now = (old & ~mask) | (value & mask); /* BARs are under 4 GiB: all writable */
			bus.mmio_gen++;
		} else if (size) {
			uint32_t keep = d->bar_io[i] ? 3u : 0xfu;
			uint32_t addr = ((old & ~mask) | (value & mask)) & ~(size - 1) & ~keep;
			now = addr | (old & keep);
			bus.mmio_gen += !d->bar_io[i];
		}
	} else if (reg == 0x3c) {
		now = (old & ~(0xffu & mask)) | (value & 0xffu & mask); /* the interrupt line */
	}
	/* Everything else is read-only to the bus; a device may keep registers of its own. */
	sim_put32(c + reg, now);
	if (d->config_write)
		d->config_write(d, reg, value, mask);
}

/* The device whose enabled BAR of the kind (I/O or memory) holds addr, with the BAR and the
 * offset; the access of size bytes must lie inside it. */
static struct sim_pci_device *owner(uint64_t addr, unsigned size, bool io, unsigned *bar,
				    uint64_t *off)
{
	uint16_t decode = io ? SIM_PCI_COMMAND_IO : SIM_PCI_COMMAND_MEMORY;
	for (size_t k = 0; k < bus.ndevs; k++) {
		struct sim_pci_device *d = bus.devs[k];
		if (!(sim_get16(d->config + 0x04) & decode))
			continue;
		for (unsigned i = 0; i < 6; i++) {
			if (!d->bar_size[i] || d->bar_io[i] != io)
				continue;
			uint64_t base = sim_pci_bar_base(d, i);
			if (addr >= base && addr - base < d->bar_size[i] &&
			    size <= d->bar_size[i] - (addr - base)) {
				*bar = i;
				*off = addr - base;
				return d;
			}
		}
	}
	return NULL;
}

static uint32_t ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static uint64_t ones64(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

#define ISA_RANGES 8

static struct isa_range {
	uint16_t first, count;
	sim_port_in_fn in;
	sim_port_out_fn out;
} isa[ISA_RANGES];
static unsigned nisa;

void sim_isa_ports(uint16_t first, uint16_t count, sim_port_in_fn in, sim_port_out_fn out)
{
	if (nisa < ISA_RANGES)
		isa[nisa++] = (struct isa_range){first, count, in, out};
}

static const struct isa_range *isa_at(uint16_t port, unsigned size)
{
	for (unsigned i = 0; i < nisa; i++)
		if (port >= isa[i].first && port + size <= (unsigned)isa[i].first + isa[i].count)
			return &isa[i];
	return NULL;
}

uint32_t sim_port_in(uint16_t port, unsigned size)
{
	const struct isa_range *r = isa_at(port, size);
	if (r)
		return r->in(port, size) & ones(size);
	if (port == PORT_CONFIG_ADDRESS && size == 4)
		return bus.address;
	if (port >= PORT_CONFIG_DATA && port < PORT_CONFIG_DATA + 4) {
		unsigned reg, shift = 8 * (port - PORT_CONFIG_DATA);
		struct sim_pci_device *d = addressed(&reg);
		if (!d || shift + 8 * size > 32)
			return ones(size);
		if (reg >= 0x40 && d->config_read)
			d->config_read(d, reg);
		return sim_get32(d->config + reg) >> shift & ones(size);
	}
	unsigned bar;
	uint64_t off;
	struct sim_pci_device *d = owner(port, size, true, &bar, &off);
	if (d && d->io_read)
		return d->io_read(d, bar, (uint32_t)off, size) & ones(size);
	return ones(size);
}

void sim_port_out(uint16_t port, unsigned size, uint32_t value)
{
	const struct isa_range *r = isa_at(port, size);
	if (r) {
		r->out(port, size, value & ones(size));
		return;
	}
	if (port == PORT_CONFIG_ADDRESS && size == 4) {
		bus.address = value & 0x80fffffcu; /* the reserved bits read as zero */
		return;
	}
	if (port >= PORT_CONFIG_DATA && port < PORT_CONFIG_DATA + 4) {
		unsigned reg, shift = 8 * (port - PORT_CONFIG_DATA);
		struct sim_pci_device *d = addressed(&reg);
		if (d && shift + 8 * size <= 32)
			config_write(d, reg, value << shift, ones(size) << shift);
		return;
	}
	unsigned bar;
	uint64_t off;
	struct sim_pci_device *d = owner(port, size, true, &bar, &off);
	if (d && d->io_write)
		d->io_write(d, bar, (uint32_t)off, size, value & ones(size));
}

static bool mmio_size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

uint64_t sim_mmio_read(uint64_t pa, unsigned size)
{
	unsigned bar;
	uint64_t off;
	struct sim_pci_device *d = mmio_size_ok(size) ? owner(pa, size, false, &bar, &off) : NULL;
	if (d && d->bar_ram[bar]) {
		uint64_t v = 0;
		memcpy(&v, (uint8_t *)d->bar_ram[bar] + off, size);
		return v;
	}
	if (d && d->mem_read)
		return d->mem_read(d, bar, off, size) & ones64(size);
	return ones64(size);
}

void sim_mmio_write(uint64_t pa, unsigned size, uint64_t value)
{
	unsigned bar;
	uint64_t off;
	struct sim_pci_device *d = mmio_size_ok(size) ? owner(pa, size, false, &bar, &off) : NULL;
	if (d && d->bar_ram[bar])
		memcpy((uint8_t *)d->bar_ram[bar] + off, &value, size);
	else if (d && d->mem_write)
		d->mem_write(d, bar, off, size, value & ones64(size));
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

size_t sim_pci_mmio_windows(struct sim_mmio_window *out, size_t max)
{
	size_t n = 0;
	struct sim_mmio_window seen[6 * SIM_PCI_DEVICES];
	for (size_t k = 0; k < bus.ndevs; k++) {
		struct sim_pci_device *d = bus.devs[k];
		if (!(sim_get16(d->config + 0x04) & SIM_PCI_COMMAND_MEMORY))
			continue;
		for (unsigned i = 0; i < 6; i++) {
			if (!d->bar_size[i] || d->bar_io[i])
				continue;
			uint64_t base = sim_pci_bar_base(d, i) & ~0xfffull;
			uint64_t size = (sim_pci_bar_base(d, i) + d->bar_size[i] - base + 0xfff) & ~0xfffull;
			/* RAM wins over a BAR put on it (the chipset sends those addresses to DRAM). */
			bool skip = base + size < base || overlaps(base, size, 0, sim_ram_low()) ||
				    overlaps(base, size, SIM_RAM_HIGH_BASE,
					     sim_ram_size() - sim_ram_low());
			for (size_t j = 0; j < n && !skip; j++)
				skip = overlaps(base, size, seen[j].base, seen[j].size);
			if (skip)
				continue;
			seen[n] = (struct sim_mmio_window){base, size, d->bar_ram[i]};
			if (n < max)
				out[n] = seen[n];
			n++;
		}
	}
	return n;
}

uint64_t sim_pci_mmio_generation(void)
{
	return bus.mmio_gen;
}

static int dma_refused(const struct sim_pci_device *d, const char *what, uint64_t pa, size_t len,
		       int err)
{
	sim_dev_trace("%s: DMA %s of %zu bytes at %#llx refused: %s", d->name ? d->name : "device",
		      what, len, (unsigned long long)pa,
		      err == -EPERM ? "bus mastering is off" : "not RAM");
	return err;
}

int sim_dma_read(struct sim_pci_device *d, uint64_t pa, void *buf, size_t len)
{
	if (!(sim_get16(d->config + 0x04) & SIM_PCI_COMMAND_MASTER))
		return dma_refused(d, "read", pa, len, -EPERM);
	const void *src = sim_ram_ptr(pa, len);
	if (!src)
		return dma_refused(d, "read", pa, len, -EFAULT);
	memcpy(buf, src, len);
	return 0;
}

int sim_dma_write(struct sim_pci_device *d, uint64_t pa, const void *buf, size_t len)
{
	if (!(sim_get16(d->config + 0x04) & SIM_PCI_COMMAND_MASTER))
		return dma_refused(d, "write", pa, len, -EPERM);
	void *dst = sim_ram_ptr(pa, len);
	if (!dst)
		return dma_refused(d, "write", pa, len, -EFAULT);
	memcpy(dst, buf, len);
	for (uint64_t frame = pa & ~0xfffull; len && frame < pa + len; frame += 0x1000)
		sim_cpu_frame_written(frame);
	return 0;
}

uint32_t plat_pci_read(unsigned bus_nr, unsigned dev, unsigned fn, unsigned off)
{
	sim_port_out(PORT_CONFIG_ADDRESS, 4,
		     0x80000000u | (bus_nr & 0xff) << 16 | (dev & 0x1f) << 11 | (fn & 7) << 8 | (off & 0xfc));
	return sim_port_in(PORT_CONFIG_DATA, 4);
}

void plat_pci_write(unsigned bus_nr, unsigned dev, unsigned fn, unsigned off, uint32_t value)
{
	sim_port_out(PORT_CONFIG_ADDRESS, 4,
		     0x80000000u | (bus_nr & 0xff) << 16 | (dev & 0x1f) << 11 | (fn & 7) << 8 | (off & 0xfc));
	sim_port_out(PORT_CONFIG_DATA, 4, value);
}

/* The host bridge at 00:00.0, as QEMU's pc machine has it (an i440FX). */
static struct sim_pci_device host_bridge = {
	.name = "host bridge",
	.slot = 0,
	.vendor = 0x8086, .device = 0x1237, .subsys_vendor = 0x1af4, .subsys_device = 0x1100,
	.class_code = 0x06, .subclass = 0x00, .revision = 0x02,
};

void sim_pci_init(void)
{
	memset(&bus, 0, sizeof(bus));
	nisa = 0;
	sim_pci_add(&host_bridge);
	sim_piix_init();
}

void sim_pci_fini(void)
{
	memset(&bus, 0, sizeof(bus));
}

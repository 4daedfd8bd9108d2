/*
 * The PCI bus of the simulated machine. Configuration space is reached as on a PC, through the
 * address register at port 0xCF8 and the data window at 0xCFC-0xCFF; the kernel's
 * plat_pci_read and plat_pci_write go through the same ports. Only bus 0 exists. Each function's
 * 256-byte header is kept here: the bus makes the read-only parts read-only, BARs keep their
 * size's alignment and their type bits, the command register keeps its I/O, memory, bus-master
 * and interrupt-disable bits. The firmware's work (addresses in the BARs, decoding on, the
 * interrupt line) is done once when a device is added, as SeaBIOS does on QEMU.
 */
#include "pci.h"

#include <errno.h>
#include <kernel/core.h>
#include <string.h>

#define PORT_CONFIG_ADDRESS 0xcf8
#define PORT_CONFIG_DATA 0xcfc
#define IO_BASE 0xc000        /* where I/O BARs are placed, as SeaBIOS does */
#define IO_END 0x10000
#define COMMAND_IO 0x1u
#define COMMAND_MEMORY 0x2u
#define COMMAND_MASTER 0x4u
#define COMMAND_INTX_OFF 0x400u
#define COMMAND_WRITABLE (COMMAND_IO | COMMAND_MEMORY | COMMAND_MASTER | COMMAND_INTX_OFF)
/* PCI interrupt lines the machine routes INTA#..INTD# of slot s to: PIIX's PIRQ routing on
 * QEMU's pc machine gives lines 10, 10, 11, 11 in turn; the sim gives 10 and 11 alike. */
#define IRQ_FOR_SLOT(s) ((s) % 4 < 2 ? 10 : 11)

static struct {
	struct sim_pci_device *slots[SIM_PCI_SLOTS][SIM_PCI_FNS];
	uint32_t address; /* the last value written to 0xCF8 */
	uint32_t next_io; /* the next free I/O port for a BAR */
} bus;

static void put16(uint8_t *c, unsigned off, uint16_t v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *c, unsigned off, uint32_t v)
{
	put16(c, off, (uint16_t)v);
	put16(c, off + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *c, unsigned off)
{
	return (uint32_t)c[off] | (uint32_t)c[off + 1] << 8 | (uint32_t)c[off + 2] << 16 |
	       (uint32_t)c[off + 3] << 24;
}

static bool power_of_two(uint32_t v)
{
	return v && !(v & (v - 1));
}

int sim_pci_add(struct sim_pci_device *d)
{
	if (d->slot >= SIM_PCI_SLOTS || d->fn >= SIM_PCI_FNS || bus.slots[d->slot][d->fn])
		return -EBUSY;
	uint8_t *c = d->config;
	memset(c, 0, sizeof(d->config));
	put16(c, 0x00, d->vendor);
	put16(c, 0x02, d->device);
	c[0x08] = d->revision;
	c[0x09] = d->prog_if;
	c[0x0a] = d->subclass;
	c[0x0b] = d->class_code;
	put16(c, 0x2c, d->subsys_vendor);
	put16(c, 0x2e, d->subsys_device);
	c[0x3d] = d->irq_pin;
	c[0x3c] = !d->irq_pin ? 0 : d->irq_line ? d->irq_line : IRQ_FOR_SLOT(d->slot);
	uint16_t command = 0;
	for (unsigned i = 0; i < 6; i++) {
		uint32_t size = d->bar_size[i];
		if (!size)
			continue;
		if (!d->bar_io[i] || !power_of_two(size) || size < 4 || size > 256)
			return -EINVAL; /* memory BARs come with MMIO: not modelled yet */
		uint32_t base = (bus.next_io + size - 1) & ~(size - 1);
		if (base + size > IO_END)
			return -ENOSPC;
		bus.next_io = base + size;
		put32(c, 0x10 + 4 * i, base | 1u);
		command |= COMMAND_IO;
	}
	put16(c, 0x04, command);
	bus.slots[d->slot][d->fn] = d;
	/* Function 0 of a slot with others says so in its header type. */
	if (bus.slots[d->slot][0] && d->fn)
		bus.slots[d->slot][0]->config[0x0e] |= 0x80;
	if (!d->fn)
		for (unsigned fn = 1; fn < SIM_PCI_FNS; fn++)
			if (bus.slots[d->slot][fn])
				c[0x0e] |= 0x80;
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
	uint32_t old = get32(c, reg), now = old;
	if (reg == 0x04) {
		/* Command: the bits the bus keeps; status: nothing to clear. */
		now = (old & ~(COMMAND_WRITABLE & mask)) | (value & COMMAND_WRITABLE & mask);
	} else if (reg >= 0x10 && reg < 0x28) {
		unsigned i = (reg - 0x10) / 4;
		uint32_t size = d->bar_size[i];
		if (!size)
			return; /* not implemented: reads 0 */
		uint32_t keep = d->bar_io[i] ? 3u : 0xfu;
		uint32_t addr = ((old & ~mask) | (value & mask)) & ~(size - 1) & ~keep;
		now = addr | (old & keep);
	} else if (reg == 0x3c) {
		now = (old & ~(0xffu & mask)) | (value & 0xffu & mask); /* the interrupt line */
	} else {
		return; /* everything else is read-only */
	}
	put32(c, reg, now);
}

/* The device whose enabled I/O BAR holds port, with the BAR and the offset. */
static struct sim_pci_device *io_owner(uint16_t port, unsigned *bar, uint32_t *off)
{
	for (unsigned s = 0; s < SIM_PCI_SLOTS * SIM_PCI_FNS; s++) {
		struct sim_pci_device *d = bus.slots[s / SIM_PCI_FNS][s % SIM_PCI_FNS];
		if (!d || !(get32(d->config, 0x04) & COMMAND_IO))
			continue;
		for (unsigned i = 0; i < 6; i++) {
			uint32_t base = get32(d->config, 0x10 + 4 * i) & ~3u;
			if (d->bar_size[i] && d->bar_io[i] && port >= base && port - base < d->bar_size[i]) {
				*bar = i;
				*off = port - base;
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

uint32_t sim_port_in(uint16_t port, unsigned size)
{
	if (port == PORT_CONFIG_ADDRESS && size == 4)
		return bus.address;
	if (port >= PORT_CONFIG_DATA && port < PORT_CONFIG_DATA + 4) {
		unsigned reg, shift = 8 * (port - PORT_CONFIG_DATA);
		struct sim_pci_device *d = addressed(&reg);
		if (!d || shift + 8 * size > 32)
			return ones(size);
		return get32(d->config, reg) >> shift & ones(size);
	}
	unsigned bar;
	uint32_t off;
	struct sim_pci_device *d = io_owner(port, &bar, &off);
	if (d && d->io_read)
		return d->io_read(d, bar, off, size) & ones(size);
	return ones(size);
}

void sim_port_out(uint16_t port, unsigned size, uint32_t value)
{
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
	uint32_t off;
	struct sim_pci_device *d = io_owner(port, &bar, &off);
	if (d && d->io_write)
		d->io_write(d, bar, off, size, value & ones(size));
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
	memset(bus.slots, 0, sizeof(bus.slots));
	bus.address = 0;
	bus.next_io = IO_BASE;
	sim_pci_add(&host_bridge);
	sim_piix_init();
}

void sim_pci_fini(void)
{
	memset(bus.slots, 0, sizeof(bus.slots));
}

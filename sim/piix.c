/*
 * The south bridge of QEMU's pc machine, an Intel PIIX3 (with the PIIX4's power management
 * function, as QEMU has it), at slot 1: the ISA bridge (00:01.0), the IDE controller (00:01.1)
 * and the ACPI function (00:01.3), with QEMU's identities, so that a driver and lspci see the
 * same functions on both machines. Of the IDE controller only its bus-master DMA registers
 * (BAR4, 16 ports: two channels of command, status and PRD table address) are modelled; there
 * are no drives behind them, and a started transfer never completes. The ISA and ACPI functions
 * are their configuration headers.
 */
#include "pci.h"

#define BM_CMD_START 0x01u
#define BM_CMD_READ 0x08u
#define BM_STATUS_ACTIVE 0x01u
#define BM_STATUS_CLEAR 0x06u   /* error, interrupt: a 1 written clears */
#define BM_STATUS_DRIVES 0x60u  /* drive 0 and 1 DMA capable: plain read/write */

struct bm_channel {
	uint8_t cmd, status;
	uint32_t prd; /* the PRD table's address, dword aligned */
};

static struct bm_channel channels[2];

/* Port off of BAR4: channel off / 8, register off % 8. Byte registers answer byte accesses
 * only (others read all ones, as on QEMU); the PRD address takes 1, 2 and 4 bytes. */
static uint32_t ide_read(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size)
{
	(void)d;
	const struct bm_channel *c = &channels[off / 8 % 2];
	unsigned reg = off % 8;
	if (bar != 4)
		return 0xffffffffu;
	if (reg >= 4)
		return c->prd >> (8 * (reg - 4));
	if (size != 1)
		return 0xffffffffu;
	return reg == 0 ? c->cmd : reg == 2 ? c->status : 0;
}

static void ide_write(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size,
		      uint32_t value)
{
	(void)d;
	struct bm_channel *c = &channels[off / 8 % 2];
	unsigned reg = off % 8;
	if (bar != 4)
		return;
	if (reg >= 4) {
		unsigned shift = 8 * (reg - 4);
		uint32_t mask = (size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1) << shift;
		c->prd = ((c->prd & ~mask) | (value << shift & mask)) & ~3u;
		return;
	}
	if (size != 1)
		return;
	if (reg == 0) {
		c->cmd = (uint8_t)(value & (BM_CMD_START | BM_CMD_READ));
		/* Starting with nothing to transfer leaves it active; stopping ends it. */
		if (value & BM_CMD_START)
			c->status |= BM_STATUS_ACTIVE;
		else
			c->status &= (uint8_t)~BM_STATUS_ACTIVE;
	} else if (reg == 2) {
		c->status = (uint8_t)((value & BM_STATUS_DRIVES) | (c->status & BM_STATUS_ACTIVE) |
				      (c->status & ~value & BM_STATUS_CLEAR));
	}
}

static struct sim_pci_device isa = {
	.name = "PIIX3 ISA bridge", .slot = 1, .fn = 0,
	.vendor = 0x8086, .device = 0x7000, .subsys_vendor = 0x1af4, .subsys_device = 0x1100,
	.class_code = 0x06, .subclass = 0x01,
};

static struct sim_pci_device ide = {
	.name = "PIIX3 IDE", .slot = 1, .fn = 1,
	.vendor = 0x8086, .device = 0x7010, .subsys_vendor = 0x1af4, .subsys_device = 0x1100,
	.class_code = 0x01, .subclass = 0x01, .prog_if = 0x80,
	.bar_size = {0, 0, 0, 0, 16, 0},
	.bar_io = {false, false, false, false, true, false},
	.io_read = ide_read,
	.io_write = ide_write,
};

static struct sim_pci_device acpi = {
	.name = "PIIX4 ACPI", .slot = 1, .fn = 3,
	.vendor = 0x8086, .device = 0x7113, .subsys_vendor = 0x1af4, .subsys_device = 0x1100,
	.class_code = 0x06, .subclass = 0x80, .revision = 0x03,
	.irq_pin = 1, .irq_line = 9, /* the ACPI SCI */
};

void sim_piix_init(void)
{
	channels[0] = channels[1] = (struct bm_channel){0, 0, 0};
	sim_pci_add(&isa);
	sim_pci_add(&ide);
	sim_pci_add(&acpi);
}

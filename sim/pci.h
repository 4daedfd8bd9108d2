/*
 * The simulated machine's PCI bus (pci.c): configuration mechanism #1 at ports 0xCF8/0xCFC,
 * functions on bus 0 (several in a slot make it a multi-function device), and the port I/O of
 * their BARs. A device model is one file that fills a
 * struct sim_pci_device and adds it; the bus keeps its configuration space and answers
 * configuration cycles as a PC's host bridge does.
 */
#ifndef SIM_PCI_H
#define SIM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_PCI_SLOTS 32
#define SIM_PCI_FNS 8

struct sim_pci_device {
	const char *name;
	unsigned slot, fn; /* bus 0, device slot (0..31), function (0..7) */
	/* Identity and class; the bus builds the configuration header from them. */
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t irq_pin;  /* 0 none, 1 INTA# ... */
	uint8_t irq_line; /* the line it is routed to; 0: the bus's choice for the slot */
	/* BAR i: its size in bytes (a power of two, 0 for none) and whether it is I/O ports. */
	uint32_t bar_size[6];
	bool bar_io[6];
	/* Port access inside an enabled I/O BAR: offset from the BAR's base, size 1, 2 or 4. */
	uint32_t (*io_read)(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size);
	void (*io_write)(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size,
			 uint32_t value);
	void *state;
	/* Kept by the bus: the configuration space. */
	uint8_t config[256];
};

/* Puts the machine's devices on the bus: the host bridge, then the PIIX3 (piix.c). */
void sim_pci_init(void);
void sim_pci_fini(void);
/* Adds d at its slot and function: 0, -EBUSY when they are taken, -EINVAL for a BAR the bus
 * cannot place. */
int sim_pci_add(struct sim_pci_device *d);

/* The device models, each in its file: the PIIX3 south bridge (piix.c). */
void sim_piix_init(void);

/* Port I/O of the machine, as the CPU's in and out would do it (size 1, 2 or 4): the PCI
 * configuration ports and the I/O BARs of the devices; nothing answers with all ones. */
uint32_t sim_port_in(uint16_t port, unsigned size);
void sim_port_out(uint16_t port, unsigned size, uint32_t value);

#endif

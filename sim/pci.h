/*
 * The simulated machine's PCI bus (pci.c): configuration mechanism #1 at ports 0xCF8/0xCFC,
 * functions on bus 0 (several in a slot make it a multi-function device), the port I/O of their
 * I/O BARs, the MMIO of their memory BARs, and their DMA into guest RAM. A device model is one
 * file that fills a struct sim_pci_device and adds it; the bus keeps its configuration space
 * and answers configuration cycles as a PC's host bridge does.
 */
#ifndef SIM_PCI_H
#define SIM_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_PCI_SLOTS 32
#define SIM_PCI_FNS 8
#define SIM_PCI_DEVICES 32 /* functions on the bus at most */

#define SIM_PCI_COMMAND_IO 0x1u
#define SIM_PCI_COMMAND_MEMORY 0x2u
#define SIM_PCI_COMMAND_MASTER 0x4u
#define SIM_PCI_COMMAND_INTX_OFF 0x400u

struct sim_pci_device {
	const char *name;
	unsigned slot, fn; /* bus 0, device slot (0..31), function (0..7) */
	/* Identity and class; the bus builds the configuration header from them. */
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t irq_pin;  /* 0 none, 1 INTA# ... */
	uint8_t irq_line; /* the line it is routed to; 0: the bus's choice for the slot */
	/*
	 * BAR i: its size in bytes (a power of two, 0 for none), I/O ports or memory; a memory
	 * BAR may be 64-bit (it then takes BAR i + 1 too, whose size stays 0) and prefetchable.
	 */
	uint32_t bar_size[6];
	bool bar_io[6];
	bool bar_mem64[6];
	bool bar_prefetch[6];
	/* Port access inside an enabled I/O BAR: offset from the BAR's base, size 1, 2 or 4. */
	uint32_t (*io_read)(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size);
	void (*io_write)(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size,
			 uint32_t value);
	/* Access inside an enabled memory BAR: offset from its base, size 1, 2, 4 or 8. */
	uint64_t (*mem_read)(struct sim_pci_device *d, unsigned bar, uint64_t off, unsigned size);
	void (*mem_write)(struct sim_pci_device *d, unsigned bar, uint64_t off, unsigned size,
			  uint64_t value);
	/* Host memory behind memory BAR i (bar_size bytes, page-aligned), or NULL: the CPU maps it
	 * as RAM at the BAR and mem_read/mem_write are not called for it (video memory). */
	void *bar_ram[6];
	/*
	 * Optional. config_init fills the device-specific part of the configuration space
	 * (0x40-0xff: capabilities; sim_pci_add_cap links them) once the bus built the header.
	 * config_write is told of every configuration write, after the bus did its part (bytes
	 * selected by mask of the dword at reg); config_read may refresh the dword at reg
	 * (0x40 and up) before it is read.
	 */
	void (*config_init)(struct sim_pci_device *d);
	void (*config_write)(struct sim_pci_device *d, unsigned reg, uint32_t value, uint32_t mask);
	void (*config_read)(struct sim_pci_device *d, unsigned reg);
	void *state;
	/* Kept by the bus: the configuration space. */
	uint8_t config[256];
};

/* Puts the machine's fixed devices on the bus: the host bridge, then the PIIX3 (piix.c). */
void sim_pci_init(void);
void sim_pci_fini(void);
/* Adds d at its slot and function: 0, -EBUSY when they are taken, -EINVAL for a BAR the bus
 * cannot hold. Before sim_pci_firmware. */
int sim_pci_add(struct sim_pci_device *d);
/* What SeaBIOS does on QEMU's pc machine once every device is there: I/O BARs from port 0xc000
 * and memory BARs below 0xfec00000, each kind sorted by size (largest first), decoding on, the
 * interrupt lines set. 0, or -ENOSPC when the BARs do not fit. */
int sim_pci_firmware(void);

/* Little-endian fields of a configuration space or a register block. */
void sim_put16(uint8_t *p, uint16_t v);
void sim_put32(uint8_t *p, uint32_t v);
uint16_t sim_get16(const uint8_t *p);
uint32_t sim_get32(const uint8_t *p);
/* Adds a capability of len bytes (id, next pointer, then body[2..len)) at config offset at
 * (dword aligned, in 0x40..0xff), at the head of d's list, as QEMU's pci_add_capability does. */
void sim_pci_add_cap(struct sim_pci_device *d, unsigned at, const uint8_t *cap, unsigned len);

/* The address BAR i of d decodes now (base; the type bits masked off). */
uint64_t sim_pci_bar_base(const struct sim_pci_device *d, unsigned i);

/* The device models, each in its file: the PIIX3 south bridge (piix.c). */
void sim_piix_init(void);
/* The Bochs VBE display adapter (vga.c): 0 or -errno. sim_vga_frame gives the screen as QEMU's
 * display shows it (640x480 black while no mode of 15 bits or more is on), width x height
 * pixels 0xRRGGBB in malloc'd memory: 0 or -ENOMEM. */
int sim_vga_init(void);
void sim_vga_fini(void);
bool sim_vga_present(void);
int sim_vga_frame(uint32_t **pixels, unsigned *width, unsigned *height);
/* The AC'97 sound card (ac97.c) at 00:05.0, QEMU's -device AC97: 0 or -errno. What its PCM out
 * channel plays goes to the line out (audio.h) as the virtual clock passes it; sim_ac97_fini
 * hands over what was played up to now first. */
int sim_ac97_init(void);
void sim_ac97_fini(void);

/* The PC's keyboard controller (i8042.c) at ports 0x60 and 0x64, its keyboard on line 1 and its
 * mouse on line 12. sim_i8042_key: a Linux key code (KEY_*) pressed or released, false for a
 * key the keyboard does not have; sim_i8042_mouse: a move (dx right, dy down, in counts) with
 * the buttons held (bit 0 left, 1 right, 2 middle). */
void sim_i8042_init(void);
bool sim_i8042_key(unsigned key, bool down);
void sim_i8042_mouse(int dx, int dy, unsigned buttons);

/* Fixed ports of the machine's ISA devices (the i8042): count ports from first answered by in
 * and out, before the PCI functions' BARs. At most 8 ranges; sim_pci_init forgets them. */
typedef uint32_t (*sim_port_in_fn)(uint16_t port, unsigned size);
typedef void (*sim_port_out_fn)(uint16_t port, unsigned size, uint32_t value);
void sim_isa_ports(uint16_t first, uint16_t count, sim_port_in_fn in, sim_port_out_fn out);

/* Port I/O of the machine, as the CPU's in and out would do it (size 1, 2 or 4): the PCI
 * configuration ports and the I/O BARs of the devices; nothing answers with all ones. */
uint32_t sim_port_in(uint16_t port, unsigned size);
void sim_port_out(uint16_t port, unsigned size, uint32_t value);

/* Memory access outside RAM (size 1, 2, 4 or 8, within one BAR): the enabled memory BAR that
 * holds pa answers; nothing answers with all ones, and writes there are dropped. */
uint64_t sim_mmio_read(uint64_t pa, unsigned size);
void sim_mmio_write(uint64_t pa, unsigned size, uint64_t value);

/* The memory BARs the CPU must route to sim_mmio_*: those enabled, not on RAM and not
 * overlapping another one, each rounded out to whole 4 KiB pages. Writes up to max of them to
 * out and returns how many there are. sim_pci_mmio_generation changes whenever they may have. */
struct sim_mmio_window {
	uint64_t base, size;
	void *ram; /* the BAR's bar_ram: mapped as RAM, not as MMIO */
};
size_t sim_pci_mmio_windows(struct sim_mmio_window *out, size_t max);
uint64_t sim_pci_mmio_generation(void);

/* DMA by d into or out of guest RAM: 0, -EFAULT when any byte of [pa, pa + len) is not RAM
 * (nothing is moved then), -EPERM while d's bus-master bit is off. A write drops translated
 * code from the frames it touches. */
int sim_dma_read(struct sim_pci_device *d, uint64_t pa, void *buf, size_t len);
int sim_dma_write(struct sim_pci_device *d, uint64_t pa, const void *buf, size_t len);

#endif

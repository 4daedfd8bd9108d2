/* The keyboard controller's driver (i8042.h), as Linux's i8042 and atkbd/psmouse start it. */
#include "i8042.h"

#include <ecl/dev.h>
#include <ecl/time.h>
#include <errno.h>

#define PORT_DATA 0x60
#define PORT_STATUS 0x64
#define STAT_OBF 0x01u
#define STAT_IBF 0x02u
#define STAT_AUX 0x20u
#define MODE_KBD_INT 0x01u
#define MODE_MOUSE_INT 0x02u
#define MODE_SYS 0x04u
#define MODE_XLATE 0x40u
#define ACK 0xfa
#define TIMEOUT_NS 200000000ull /* an answer the controller or a device owes */

/* Not inlined: one in and one out instruction in the whole program. The sim watches each port
 * instruction's address (docs/sim-internals.md), in every address space: fewer of them slow
 * less of the other programs' code that happens to sit at the same addresses. */
__attribute__((noinline)) static uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

__attribute__((noinline)) static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}


/* Waits until the controller takes a byte; false after the timeout. */
static bool can_write(void)
{
	for (uint64_t end = monotonic_ns() + TIMEOUT_NS; inb(PORT_STATUS) & STAT_IBF;)
		if (monotonic_ns() > end)
			return false;
	return true;
}

static bool write_port(uint16_t port, uint8_t b)
{
	if (!can_write())
		return false;
	outb(port, b);
	return true;
}

/* The next byte of the output buffer, or -1 after the timeout. */
static int read_data(void)
{
	for (uint64_t end = monotonic_ns() + TIMEOUT_NS; !(inb(PORT_STATUS) & STAT_OBF);)
		if (monotonic_ns() > end)
			return -1;
	return inb(PORT_DATA);
}

static void flush(void)
{
	for (int i = 0; i < 256 && (inb(PORT_STATUS) & STAT_OBF); i++)
		(void)inb(PORT_DATA);
}

/* A command to the keyboard (aux: the mouse) and its acknowledgement. */
static bool device_command(bool aux, uint8_t cmd)
{
	if ((aux && !write_port(PORT_STATUS, 0xd4)) || !write_port(PORT_DATA, cmd))
		return false;
	return read_data() == ACK;
}

static int find(uint16_t pnp)
{
	struct pci_info f;
	for (unsigned i = 0; pci_device(i, &f) == 0; i++)
		if (f.header == PCI_HEADER_ISA && f.vendor == ISA_VENDOR_PNP && f.device == pnp)
			return (int)i;
	return -1;
}

static int fail(int err, const char **why, const char *what)
{
	*why = what;
	errno = err;
	return -1;
}

int i8042_open(struct i8042 *c, const char **why)
{
	c->kbd_index = find(0x0303);
	c->mouse_index = find(0x0f13);
	c->mouse = false;
	if (c->kbd_index < 0)
		return fail(ENODEV, why, "no keyboard controller (i8042)");
	if (dev_claim((unsigned)c->kbd_index) != 0)
		return fail(errno, why, "cannot claim the keyboard controller");
	if (c->mouse_index >= 0 && dev_claim((unsigned)c->mouse_index) != 0)
		c->mouse_index = -1; /* the keyboard alone */
	/* Both ports off and nothing left in the buffer while the controller is set up. */
	if (!write_port(PORT_STATUS, 0xad) || !write_port(PORT_STATUS, 0xa7))
		return fail(EIO, why, "the keyboard controller does not take commands");
	flush();
	if (!write_port(PORT_STATUS, 0x60) ||
	    !write_port(PORT_DATA, MODE_KBD_INT | (c->mouse_index >= 0 ? MODE_MOUSE_INT : 0) |
					   MODE_SYS | MODE_XLATE) ||
	    !write_port(PORT_STATUS, 0xae))
		return fail(EIO, why, "the keyboard controller does not take its command byte");
	/* The keyboard: reset (its self test answers 0xaa), then scanning on. */
	if (!device_command(false, 0xff) || read_data() != 0xaa || !device_command(false, 0xf4))
		return fail(EIO, why, "the keyboard does not answer its reset");
	if (c->mouse_index >= 0 && write_port(PORT_STATUS, 0xa8)) {
		/* The mouse: reset (0xaa, then its identity 0), then streaming on. */
		c->mouse = device_command(true, 0xff) && read_data() == 0xaa && read_data() == 0x00 &&
			   device_command(true, 0xf4);
	}
	flush();
	return 0;
}

int i8042_bind(struct i8042 *c)
{
	if (dev_irq((unsigned)c->kbd_index, DEV_IRQ_BIND) != 0)
		return -1;
	if (c->mouse_index >= 0 && dev_irq((unsigned)c->mouse_index, DEV_IRQ_BIND) != 0)
		return -1;
	return 0;
}

void i8042_drain(struct i8042 *c, void (*on_byte)(uint8_t b, bool aux, void *arg), void *arg)
{
	uint8_t status;
	while ((status = inb(PORT_STATUS)) & STAT_OBF) {
		uint8_t b = inb(PORT_DATA);
		on_byte(b, status & STAT_AUX, arg);
	}
	dev_irq((unsigned)c->kbd_index, DEV_IRQ_ACK);
	if (c->mouse_index >= 0)
		dev_irq((unsigned)c->mouse_index, DEV_IRQ_ACK);
}

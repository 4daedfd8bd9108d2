/* PCI configuration space through configuration mechanism #1: an address at port 0xCF8, the
 * register at 0xCFC. The kernel calls these only with interrupts off (it never runs with them
 * on), so the two accesses cannot be torn apart. */
#include "pc.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc

static uint32_t address(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	return 0x80000000u | (bus & 0xffu) << 16 | (dev & 0x1fu) << 11 | (fn & 7u) << 8 | (off & 0xfcu);
}

uint32_t plat_pci_read(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	outl(CONFIG_ADDRESS, address(bus, dev, fn, off));
	return inl(CONFIG_DATA);
}

void plat_pci_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t value)
{
	outl(CONFIG_ADDRESS, address(bus, dev, fn, off));
	outl(CONFIG_DATA, value);
}

/* A PC without a keyboard controller reads all ones at its status port (nothing decodes it). */
bool plat_has_i8042(void)
{
	return inb(0x64) != 0xff;
}

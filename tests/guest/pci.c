/* pci_device, the Eclipse call that lists the machine's PCI functions: the first is the host
 * bridge QEMU's pc machine and the sim both have, the list ends with ENODEV, every BAR found is
 * a naturally aligned power of two, and bad pointers are EFAULT. The same on sim and pc,
 * whatever else their buses hold. */
#include "check.h"

#include <eclipse.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static long pci_device(unsigned long index, void *info)
{
	return syscall(SYS_pci_device, index, info);
}

int main(void)
{
	struct pci_info f;
	memset(&f, 0xee, sizeof(f));
	check(pci_device(0, &f) == 0, "function 0 is there");
	check(f.bus == 0 && f.dev == 0 && f.fn == 0, "function 0 is 00:00.0");
	check(f.vendor == 0x8086 && f.device == 0x1237, "function 0 is an i440FX (8086:1237)");
	check(f.class_code == 0x06 && f.subclass == 0x00, "function 0 is a host bridge (0600)");
	check(f.header == 0 && f.irq_pin == 0, "a host bridge: header type 0, no interrupt pin");

	unsigned n = 0;
	int aligned = 1, ordered = 1;
	unsigned last = 0;
	for (;; n++) {
		long r = pci_device(n, &f);
		if (r != 0)
			break;
		unsigned bdf = (unsigned)f.bus << 8 | (unsigned)f.dev << 3 | f.fn;
		if (n && bdf <= last)
			ordered = 0;
		last = bdf;
		for (int i = 0; i < PCI_BARS; i++) {
			unsigned long long size = f.bars[i].size, base = f.bars[i].base;
			if (size && ((size & (size - 1)) || (base & (size - 1))))
				aligned = 0;
		}
		if (n > 1000)
			break;
	}
	check(n >= 1 && n <= 64, "the list ends, after at least one function");
	check(ordered, "functions come in bus:dev.fn order");
	check(aligned, "every BAR is a power of two at a multiple of its size");
	check_errno(pci_device(n, &f), ENODEV, "the index past the last: ENODEV");
	check_errno(pci_device(0xffffffffu, &f), ENODEV, "a huge index: ENODEV");
	check_errno(pci_device(0, NULL), EFAULT, "a NULL pointer: EFAULT");
	check_errno(pci_device(0, (void *)0xffff800000000000ull), EFAULT,
		    "a kernel pointer: EFAULT");
	check_errno(pci_device(0, (void *)(uintptr_t)0x10), EFAULT, "an unmapped pointer: EFAULT");
	return check_status();
}

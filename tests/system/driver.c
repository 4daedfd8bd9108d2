/* A test driver: claims the PIIX3 IDE function init granted it (services.conf's devices =
 * piix-ide), writes and reads its bus-master status register, then ends: 'driver crash' dies of
 * SIGSEGV still owning the device, 'driver' exits 0. Without a grant the claim is refused. */
#include <eclipse.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct pci_info f;
	long ide = -1;
	for (unsigned i = 0; syscall(SYS_pci_device, i, &f) == 0; i++)
		if (f.vendor == 0x8086 && f.device == 0x7010)
			ide = i;
	if (ide < 0) {
		printf("driver: no IDE function\n");
		return 1;
	}
	syscall(SYS_pci_device, ide, &f);
	if (syscall(SYS_dev_claim, ide) < 0) {
		printf("driver: pid %d cannot claim %02x:%02x.%x: %s\n", getpid(), f.bus, f.dev, f.fn,
		       strerror(errno));
		return 1;
	}
	uint16_t status = (uint16_t)(f.bars[4].base + 2);
	uint8_t v = 0x60;
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(status));
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(status));
	printf("driver: pid %d claimed %02x:%02x.%x, bus-master status %#x\n", getpid(), f.bus, f.dev,
	       f.fn, v);
	if (argc > 1 && !strcmp(argv[1], "crash")) {
		printf("driver: crashing with the device claimed\n");
		fflush(stdout);
		volatile int *volatile null = NULL;
		*null = 1;
	}
	return 0;
}

/*
 * lspci: the machine's PCI functions, as the kernel found them at boot (the pci_device call of
 * <eclipse.h>). The output follows pciutils' lspci: "-n" gives its numeric lines exactly,
 * "-v" adds the subsystem, the interrupt and each BAR, in its words. There is no pci.ids
 * database here: devices are named by their class only.
 *
 *   lspci [-n] [-v]
 */
#include <eclipse.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
	unsigned char class_code, subclass;
	const char *name;
} classes[] = {
	{0x00, 0x00, "Non-VGA unclassified device"},
	{0x01, 0x00, "SCSI storage controller"},
	{0x01, 0x01, "IDE interface"},
	{0x01, 0x06, "SATA controller"},
	{0x01, 0x08, "Non-Volatile memory controller"},
	{0x01, 0x80, "Mass storage controller"},
	{0x02, 0x00, "Ethernet controller"},
	{0x02, 0x80, "Network controller"},
	{0x03, 0x00, "VGA compatible controller"},
	{0x03, 0x80, "Display controller"},
	{0x04, 0x01, "Multimedia audio controller"},
	{0x04, 0x03, "Audio device"},
	{0x06, 0x00, "Host bridge"},
	{0x06, 0x01, "ISA bridge"},
	{0x06, 0x04, "PCI bridge"},
	{0x06, 0x80, "Bridge"},
	{0x07, 0x00, "Serial controller"},
	{0x08, 0x80, "System peripheral"},
	{0x09, 0x00, "Keyboard controller"},
	{0x0c, 0x03, "USB controller"},
	{0x0c, 0x05, "SMBus"},
	{0xff, 0x00, "Unassigned class"},
};

static const char *class_name(const struct pci_info *f)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (classes[i].class_code == f->class_code && classes[i].subclass == f->subclass)
			return classes[i].name;
	return "Class";
}

/* A size as lspci prints it: bytes, or K, M, G when it divides evenly. */
static void print_size(unsigned long long size)
{
	static const char units[] = "KMG";
	int u = -1;
	while (u < 2 && size >= 1024 && size % 1024 == 0) {
		size /= 1024;
		u++;
	}
	if (u < 0)
		printf("[size=%llu]", size);
	else
		printf("[size=%llu%c]", size, units[u]);
}

static void print_verbose(const struct pci_info *f)
{
	if (f->header == 0 && (f->subsys_vendor || f->subsys_device))
		printf("\tSubsystem: %04x:%04x\n", f->subsys_vendor, f->subsys_device);
	if (f->irq_pin)
		printf("\tInterrupt: pin %c routed to IRQ %u\n", 'A' + f->irq_pin - 1, f->irq_line);
	for (int i = 0; i < PCI_BARS; i++) {
		const struct pci_bar *b = &f->bars[i];
		if (!b->size)
			continue;
		if (b->flags & PCI_BAR_IO) {
			printf("\tRegion %d: I/O ports at %llx%s ", i, b->base,
			       f->command & 1 ? "" : " [disabled]");
		} else {
			printf("\tRegion %d: Memory at %llx (%s, %sprefetchable)%s ", i, b->base,
			       b->flags & PCI_BAR_64 ? "64-bit" : "32-bit",
			       b->flags & PCI_BAR_PREFETCH ? "" : "non-",
			       f->command & 2 ? "" : " [disabled]");
		}
		print_size(b->size);
		putchar('\n');
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	int numeric = 0, verbose = 0, opt;
	while ((opt = getopt(argc, argv, "nv")) != -1) {
		if (opt == 'n')
			numeric = 1;
		else if (opt == 'v')
			verbose = 1;
		else {
			fprintf(stderr, "usage: lspci [-n] [-v]\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lspci: unexpected argument '%s'\nusage: lspci [-n] [-v]\n", argv[optind]);
		return 2;
	}
	for (unsigned i = 0;; i++) {
		struct pci_info f;
		long r = syscall(SYS_pci_device, i, &f);
		if (r < 0 && errno == ENODEV)
			break;
		if (r < 0) {
			fprintf(stderr, "lspci: pci_device: %s\n", strerror(errno));
			return 1;
		}
		if (f.header == PCI_HEADER_ISA)
			continue; /* the ISA devices that follow the PCI functions: not PCI's */
		printf("%02x:%02x.%x ", f.bus, f.dev, f.fn);
		if (numeric)
			printf("%02x%02x:", f.class_code, f.subclass);
		else
			printf("%s [%02x%02x]:", class_name(&f), f.class_code, f.subclass);
		printf(" %04x:%04x", f.vendor, f.device);
		if (f.revision)
			printf(" (rev %02x)", f.revision);
		if (f.prog_if)
			printf(" (prog-if %02x)", f.prog_if);
		putchar('\n');
		if (verbose)
			print_verbose(&f);
	}
	return 0;
}

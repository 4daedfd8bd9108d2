/*
 * PCI enumeration: at boot the kernel walks configuration space (plat_pci_read, ports
 * 0xCF8/0xCFC on a PC) from bus 0 through PCI-to-PCI bridges, and keeps what each function is,
 * with its base address registers sized the usual way: decoding off, all ones written, the
 * size read back from the bits that stuck, the register and decoding put back.
 */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/pci.h>
#include <kernel/syscall.h>
#include <uapi/linux.h>

#define PCI_BUSES 256
#define PCI_DEVS 32
#define PCI_FNS 8
#define MAX_BRIDGE_DEPTH 8

#define REG_ID 0x00
#define REG_COMMAND 0x04
#define REG_CLASS 0x08
#define REG_HEADER 0x0c
#define REG_BAR0 0x10
#define REG_BUSES 0x18 /* a bridge's primary, secondary and subordinate bus numbers */
#define REG_SUBSYS 0x2c
#define REG_IRQ 0x3c
#define COMMAND_DECODE 0x3u /* I/O and memory space */

static struct pci_info found[PCI_MAX_FUNCTIONS];
static size_t nfound;
/* Per function: the pid process 1 granted it to (0: none), the process that claimed it. */
static int granted[PCI_MAX_FUNCTIONS];
static struct proc *owner[PCI_MAX_FUNCTIONS];
static bool overflowed;
static uint8_t visited[PCI_BUSES / 8];

/* Sizes BAR i of the function (its command register's decoding is off); returns how many
 * registers it took (2 for a 64-bit memory BAR). */
static unsigned size_bar(const struct pci_info *f, unsigned i, unsigned nbars, struct pci_bar *bar)
{
	unsigned off = REG_BAR0 + 4 * i;
	uint32_t orig = plat_pci_read(f->bus, f->dev, f->fn, off);
	plat_pci_write(f->bus, f->dev, f->fn, off, 0xffffffffu);
	uint32_t probe = plat_pci_read(f->bus, f->dev, f->fn, off);
	plat_pci_write(f->bus, f->dev, f->fn, off, orig);
	*bar = (struct pci_bar){0};
	if (orig & 1) { /* I/O: 32 bits of address, of which a PC decodes 16 */
		uint32_t mask = (probe & ~3u) | 0xffff0000u;
		bar->flags = PCI_BAR_IO;
		bar->base = orig & ~3u & 0xffffu;
		bar->size = (probe & ~3u) ? (uint32_t)(~mask + 1) : 0;
		return 1;
	}
	uint64_t mask = probe & ~0xfu, base = orig & ~0xfu;
	unsigned taken = 1;
	if (((orig >> 1) & 3) == 2 && i + 1 < nbars) { /* 64-bit: the next register is the top */
		uint32_t orig_hi = plat_pci_read(f->bus, f->dev, f->fn, off + 4);
		plat_pci_write(f->bus, f->dev, f->fn, off + 4, 0xffffffffu);
		uint32_t probe_hi = plat_pci_read(f->bus, f->dev, f->fn, off + 4);
		plat_pci_write(f->bus, f->dev, f->fn, off + 4, orig_hi);
		mask |= (uint64_t)probe_hi << 32;
		base |= (uint64_t)orig_hi << 32;
		bar->flags |= PCI_BAR_64;
		taken = 2;
	} else {
		mask |= 0xffffffff00000000ull;
	}
	if (orig & 8)
		bar->flags |= PCI_BAR_PREFETCH;
	bool implemented = taken == 2 ? (mask & ~0xfull) != 0 : (probe & ~0xfu) != 0;
	bar->base = implemented ? base : 0;
	bar->size = implemented ? ~mask + 1 : 0;
	return taken;
}

static void record(unsigned bus, unsigned dev, unsigned fn)
{
	if (nfound == PCI_MAX_FUNCTIONS) {
		overflowed = true;
		return;
	}
	struct pci_info *f = &found[nfound++];
	uint32_t id = plat_pci_read(bus, dev, fn, REG_ID);
	uint32_t cls = plat_pci_read(bus, dev, fn, REG_CLASS);
	uint32_t hdr = plat_pci_read(bus, dev, fn, REG_HEADER);
	uint32_t irq = plat_pci_read(bus, dev, fn, REG_IRQ);
	uint32_t command = plat_pci_read(bus, dev, fn, REG_COMMAND) & 0xffffu;
	*f = (struct pci_info){
		.bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)fn,
		.header = (uint8_t)(hdr >> 16 & 0x7f),
		.vendor = (uint16_t)id, .device = (uint16_t)(id >> 16),
		.class_code = (uint8_t)(cls >> 24), .subclass = (uint8_t)(cls >> 16),
		.prog_if = (uint8_t)(cls >> 8), .revision = (uint8_t)cls,
		.irq_line = (uint8_t)irq, .irq_pin = (uint8_t)(irq >> 8),
		.command = (uint16_t)command,
	};
	if (f->header == 0) {
		uint32_t sub = plat_pci_read(bus, dev, fn, REG_SUBSYS);
		f->subsys_vendor = (uint16_t)sub;
		f->subsys_device = (uint16_t)(sub >> 16);
	}
	unsigned nbars = f->header == 0 ? 6 : f->header == 1 ? 2 : 0;
	if (!nbars)
		return;
	/* Decoding off while the BARs hold all ones; the status half is written as zeros, which
	 * clears nothing (its bits clear when written with ones). */
	plat_pci_write(bus, dev, fn, REG_COMMAND, command & ~COMMAND_DECODE);
	for (unsigned i = 0; i < nbars;)
		i += size_bar(f, i, nbars, &f->bars[i]);
	plat_pci_write(bus, dev, fn, REG_COMMAND, command);
}

static void scan_bus(unsigned bus, unsigned depth)
{
	if (visited[bus / 8] & (1u << bus % 8))
		return; /* a loop of bridges, or two naming the same bus */
	visited[bus / 8] |= (uint8_t)(1u << bus % 8);
	for (unsigned dev = 0; dev < PCI_DEVS; dev++) {
		if ((plat_pci_read(bus, dev, 0, REG_ID) & 0xffff) == 0xffff)
			continue;
		bool multi = plat_pci_read(bus, dev, 0, REG_HEADER) >> 16 & 0x80;
		for (unsigned fn = 0; fn < (multi ? PCI_FNS : 1u); fn++) {
			if ((plat_pci_read(bus, dev, fn, REG_ID) & 0xffff) == 0xffff)
				continue;
			record(bus, dev, fn);
			uint32_t hdr = plat_pci_read(bus, dev, fn, REG_HEADER) >> 16 & 0x7f;
			unsigned secondary = plat_pci_read(bus, dev, fn, REG_BUSES) >> 8 & 0xff;
			if (hdr == 1 && secondary > bus && depth < MAX_BRIDGE_DEPTH)
				scan_bus(secondary, depth + 1);
		}
	}
}

/* bus:dev.fn as one number, for the order lspci lists them in. */
static unsigned bdf(const struct pci_info *f)
{
	return (unsigned)f->bus << 8 | (unsigned)f->dev << 3 | f->fn;
}

int pci_scan(void)
{
	pci_reset();
	scan_bus(0, 0);
	/* Bridges were followed as they came: sort by address (an insertion sort, a few dozen). */
	for (size_t i = 1; i < nfound; i++) {
		struct pci_info f = found[i];
		size_t j = i;
		for (; j > 0 && bdf(&found[j - 1]) > bdf(&f); j--)
			found[j] = found[j - 1];
		found[j] = f;
	}
	if (overflowed)
		kprintf(2, "%s: more than %d PCI functions: only the first are listed\n", plat_name,
			PCI_MAX_FUNCTIONS);
	return 0;
}

size_t pci_count(void)
{
	return nfound;
}

const struct pci_info *pci_get(size_t index)
{
	return index < nfound ? &found[index] : NULL;
}

void pci_reset(void)
{
	kmemset(granted, 0, sizeof(granted));
	kmemset(owner, 0, sizeof(owner));
	nfound = 0;
	overflowed = false;
	kmemset(visited, 0, sizeof(visited));
}

long sys_pci_device(struct thread *t, const uint64_t *a)
{
	const struct pci_info *f = pci_get(a[0]);
	if (!f)
		return -ENODEV;
	return copy_out(t->proc->mm, a[1], f, sizeof(*f)) ? -EFAULT : 0;
}

/* p's ports: the I/O BARs of the functions it owns, given to each of its threads. */
static void update_io(struct proc *p)
{
	struct plat_io_perm *io = &p->io;
	io->n = 0;
	for (size_t i = 0; i < nfound; i++) {
		if (owner[i] != p)
			continue;
		for (unsigned b = 0; b < PCI_BARS; b++) {
			const struct pci_bar *bar = &found[i].bars[b];
			if (!(bar->flags & PCI_BAR_IO) || !bar->size || bar->base + bar->size > 0x10000 ||
			    io->n == PLAT_IO_RANGES)
				continue;
			io->range[io->n].first = (uint16_t)bar->base;
			io->range[io->n].count = (uint16_t)bar->size;
			io->n++;
		}
	}
	for (struct thread *t = p->threads; t; t = t->sibling)
		t->ctx.io = io->n ? io : NULL;
}

void pci_proc_gone(struct proc *p)
{
	for (size_t i = 0; i < nfound; i++) {
		if (owner[i] == p)
			owner[i] = NULL;
		if (granted[i] == p->pid)
			granted[i] = 0;
	}
	p->io.n = 0;
}

void pci_proc_exec(struct proc *p)
{
	bool had = false;
	for (size_t i = 0; i < nfound; i++)
		if (owner[i] == p) {
			owner[i] = NULL;
			had = true;
		}
	if (had)
		update_io(p);
}

long sys_dev_grant(struct thread *t, const uint64_t *a)
{
	int pid = (int)a[0];
	if (t->proc->pid != 1)
		return -EPERM;
	if (a[1] >= nfound)
		return -ENODEV;
	struct proc *q = pid > 0 ? proc_find(pid) : NULL;
	if (!q || q->state != PROC_ALIVE)
		return -ESRCH;
	granted[a[1]] = pid;
	return 0;
}

long sys_dev_claim(struct thread *t, const uint64_t *a)
{
	struct proc *p = t->proc;
	if (a[0] >= nfound)
		return -ENODEV;
	if (granted[a[0]] != p->pid)
		return -EPERM;
	if (owner[a[0]] && owner[a[0]] != p)
		return -EBUSY;
	owner[a[0]] = p;
	update_io(p);
	return 0;
}

long sys_dev_release(struct thread *t, const uint64_t *a)
{
	struct proc *p = t->proc;
	if (a[0] >= nfound)
		return -ENODEV;
	if (owner[a[0]] != p)
		return -EINVAL;
	owner[a[0]] = NULL;
	update_io(p);
	return 0;
}

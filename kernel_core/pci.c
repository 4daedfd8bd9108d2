/*
 * PCI enumeration: at boot the kernel walks configuration space (plat_pci_read, ports
 * 0xCF8/0xCFC on a PC) from bus 0 through PCI-to-PCI bridges, and keeps what each function is,
 * with its base address registers sized the usual way: decoding off, all ones written, the
 * size read back from the bits that stuck, the register and decoding put back.
 */
#include <kernel/frame.h>
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/mm.h>
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
#define COMMAND_MASTER 0x4u
#define COMMAND_DRIVER 0x407u /* what a driver may set: decoding, bus mastering, INTx off */
#define REG_DEVICE_OWN 0x40 /* from here on the registers are the device's own */
#define IRQ_LINES 16
#define DMA_PINS 128

static struct pci_info found[PCI_MAX_FUNCTIONS];
static size_t nfound;
/* Per function: the pid process 1 granted it to (0: none), the process that claimed it. */
static int granted[PCI_MAX_FUNCTIONS];
static struct proc *owner[PCI_MAX_FUNCTIONS];
static bool overflowed;
static uint8_t visited[PCI_BUSES / 8];
/* Per function, while owned: the thread its interrupts go to (0: none), whether it was told of
 * one it has not acknowledged, and where each memory BAR is mapped in the owner (0: not). */
static int irq_tid[PCI_MAX_FUNCTIONS];
static bool irq_waiting[PCI_MAX_FUNCTIONS];
static uint64_t mapped_at[PCI_MAX_FUNCTIONS][PCI_BARS];
/* Per function, while owned: the process its owner lets map its memory BARs too (dev_share; 0:
 * none), and where each is mapped there. */
static int shared_pid[PCI_MAX_FUNCTIONS];
static uint64_t shared_at[PCI_MAX_FUNCTIONS][PCI_BARS];
/* DMA memory, reserved for the process that asked while it owns a device. */
static struct dma_pin {
	struct proc *proc;
	uint64_t pa;
	size_t pages;
} pins[DMA_PINS];

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

/* An ISA device of the machine, after the PCI functions (<eclipse.h>): the PC's i8042. */
static void isa_add(uint8_t fn, uint16_t pnp, uint8_t subclass, uint8_t line, unsigned nports,
		    const uint16_t *ports)
{
	if (nfound == PCI_MAX_FUNCTIONS) {
		overflowed = true;
		return;
	}
	struct pci_info *f = &found[nfound++];
	*f = (struct pci_info){
		.bus = 0xff, .dev = 0, .fn = fn, .header = PCI_HEADER_ISA,
		.vendor = ISA_VENDOR_PNP, .device = pnp, .class_code = 0x09, .subclass = subclass,
		.irq_line = line, .irq_pin = 1, .command = COMMAND_DECODE,
	};
	for (unsigned i = 0; i < nports; i++)
		f->bars[i] = (struct pci_bar){.base = ports[i], .size = 1, .flags = PCI_BAR_IO};
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
	/* The keyboard controller of QEMU's pc machine and of the sim. */
	static const uint16_t i8042_ports[] = {0x60, 0x64};
	if (plat_has_i8042()) {
		isa_add(0, 0x0303, 0x00, 1, 2, i8042_ports);
		isa_add(1, 0x0f13, 0x02, 12, 0, NULL);
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
	for (size_t i = 0; i < DMA_PINS; i++)
		for (size_t k = 0; pins[i].proc && k < pins[i].pages; k++)
			frame_put(pins[i].pa + k * PAGE_SIZE);
	kmemset(pins, 0, sizeof(pins));
	kmemset(granted, 0, sizeof(granted));
	kmemset(owner, 0, sizeof(owner));
	kmemset(irq_tid, 0, sizeof(irq_tid));
	kmemset(irq_waiting, 0, sizeof(irq_waiting));
	kmemset(mapped_at, 0, sizeof(mapped_at));
	kmemset(shared_pid, 0, sizeof(shared_pid));
	kmemset(shared_at, 0, sizeof(shared_at));
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

/* Function i's interrupt line, or -1 when it has none the kernel can take. */
static int line_of(size_t i)
{
	const struct pci_info *f = &found[i];
	return f->irq_pin && f->irq_line && f->irq_line < IRQ_LINES ? f->irq_line : -1;
}

/* A line interrupts while some driver waits for it and none has yet to handle its device. */
static void line_update(int line)
{
	bool bound = false, waiting = false;
	for (size_t i = 0; i < nfound; i++)
		if (line_of(i) == line && owner[i] && irq_tid[i]) {
			bound = true;
			waiting |= irq_waiting[i];
		}
	if (bound && !waiting)
		plat_irq_unmask((unsigned)line);
	else
		plat_irq_mask((unsigned)line);
}

void pci_irq_dispatch(void)
{
	uint32_t fired = plat_irq_take();
	for (int line = 1; fired && line < IRQ_LINES; line++) {
		if (!(fired & (1u << line)))
			continue;
		fired &= ~(1u << line);
		for (size_t i = 0; i < nfound; i++) {
			if (line_of(i) != line || !owner[i] || !irq_tid[i])
				continue;
			struct thread *t = thread_find(irq_tid[i]);
			if (!t || t->proc != owner[i] || t->state == THREAD_DEAD) {
				irq_tid[i] = 0; /* its thread ended: nobody waits */
				continue;
			}
			t->notify |= 1ull << i;
			irq_waiting[i] = true;
			ipc_notify_ready(t);
		}
		line_update(line);
	}
}

static bool owns_any(const struct proc *p)
{
	for (size_t i = 0; i < nfound; i++)
		if (owner[i] == p)
			return true;
	return false;
}

/* p owns no device any more: its DMA memory may go back (with its mappings, if any). */
static void unpin(struct proc *p)
{
	for (size_t i = 0; i < DMA_PINS; i++) {
		if (pins[i].proc != p)
			continue;
		for (size_t k = 0; k < pins[i].pages; k++)
			frame_put(pins[i].pa + k * PAGE_SIZE);
		pins[i] = (struct dma_pin){0};
	}
}

/* Whether BAR b of function i is still mapped in mm at va as dev_map left it. */
static bool still_mapped(struct mm *mm, size_t i, unsigned b, uint64_t va)
{
	struct vma *v = va ? mm_find(mm, va) : NULL;
	uint64_t pa;
	unsigned flags;
	return v && v->device && v->start == va &&
	       vm_translate(&mm->as, va, &pa, &flags) == 0 && pa == found[i].bars[b].base &&
	       (flags & VM_MMIO);
}

/* Function i is no longer shared: out of the sharer's memory (unmap; else that memory is going
 * away). */
static void unshare(size_t i, bool unmap)
{
	struct proc *q = shared_pid[i] ? proc_find(shared_pid[i]) : NULL;
	for (unsigned b = 0; b < PCI_BARS; b++) {
		uint64_t va = shared_at[i][b];
		if (unmap && q && q->mm && still_mapped(q->mm, i, b, va))
			mm_unmap(q->mm, va, PAGE_UP(found[i].bars[b].size));
		shared_at[i][b] = 0;
	}
	shared_pid[i] = 0;
}

/* The owner of function i lets it go: no more bus mastering, interrupts or mappings (unmap:
 * taken out of its memory, which is otherwise going away); the process it shared them with
 * loses them too. */
static void let_go(size_t i, bool unmap)
{
	unshare(i, true);
	struct proc *p = owner[i];
	const struct pci_info *f = &found[i];
	if (f->header != PCI_HEADER_ISA) { /* an ISA device does not master the bus */
		uint32_t cmd = plat_pci_read(f->bus, f->dev, f->fn, REG_COMMAND) & 0xffffu;
		plat_pci_write(f->bus, f->dev, f->fn, REG_COMMAND, cmd & ~COMMAND_MASTER);
	}
	for (unsigned b = 0; b < PCI_BARS; b++) {
		uint64_t va = mapped_at[i][b];
		if (unmap && p->mm && still_mapped(p->mm, i, b, va))
			mm_unmap(p->mm, va, PAGE_UP(f->bars[b].size));
		mapped_at[i][b] = 0;
	}
	owner[i] = NULL;
	irq_tid[i] = 0;
	irq_waiting[i] = false;
	if (line_of(i) >= 0)
		line_update(line_of(i));
	if (!owns_any(p))
		unpin(p);
}

void pci_proc_gone(struct proc *p)
{
	for (size_t i = 0; i < nfound; i++) {
		if (owner[i] == p)
			let_go(i, false);
		if (granted[i] == p->pid)
			granted[i] = 0;
		if (shared_pid[i] == p->pid)
			unshare(i, false);
	}
	unpin(p);
	p->io.n = 0;
}

void pci_proc_exec(struct proc *p)
{
	bool had = false;
	for (size_t i = 0; i < nfound; i++) {
		if (owner[i] == p) {
			let_go(i, false); /* the mappings went with the old memory */
			had = true;
		}
		if (shared_pid[i] == p->pid)
			unshare(i, false);
	}
	unpin(p);
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
	let_go(a[0], true);
	update_io(p);
	return 0;
}

/* The function a call names, owned by t's process: its index, or -errno. */
static long owned(struct thread *t, uint64_t index)
{
	if (index >= nfound)
		return -ENODEV;
	return owner[index] == t->proc ? (long)index : -EPERM;
}

long sys_dev_map(struct thread *t, const uint64_t *a)
{
	long i = owned(t, a[0]);
	/* The process the owner shares the function with maps it as the owner does. */
	bool sharer = i == -EPERM && shared_pid[a[0]] == t->proc->pid;
	if (sharer)
		i = (long)a[0];
	if (i < 0)
		return i;
	if (a[1] >= PCI_BARS)
		return -EINVAL;
	unsigned b = (unsigned)a[1];
	const struct pci_bar *bar = &found[i].bars[b];
	struct mm *mm = t->proc->mm;
	uint64_t *at = sharer ? &shared_at[i][b] : &mapped_at[i][b];
	if (found[i].header == PCI_HEADER_ISA)
		return -EINVAL;
	if (!bar->size || (bar->flags & PCI_BAR_IO) || (bar->base & PAGE_MASK) ||
	    bar->size > (1ull << 32))
		return -EINVAL;
	if (mm->refs > 1) /* a vfork child's memory is its parent's */
		return -EINVAL;
	if (still_mapped(mm, (size_t)i, b, *at))
		return (long)*at;
	uint64_t len = PAGE_UP(bar->size), va = mm_find_free(mm, len);
	if (!va || mm_map_device(mm, va, len, PROT_READ | PROT_WRITE))
		return -ENOMEM;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE)
		if (vm_map(&mm->as, va + off, bar->base + off, VM_WRITE | VM_DEVICE | VM_MMIO)) {
			mm_unmap(mm, va, len);
			return -ENOMEM;
		}
	*at = va;
	return (long)va;
}

long sys_dev_share(struct thread *t, const uint64_t *a)
{
	long i = owned(t, a[0]);
	if (i < 0)
		return i;
	int pid = (int)a[1];
	struct proc *q = pid > 0 ? proc_find(pid) : NULL;
	if (pid && (!q || q->state != PROC_ALIVE))
		return -ESRCH;
	if (q == t->proc)
		return -EINVAL;
	if (shared_pid[i] != pid)
		unshare((size_t)i, true);
	shared_pid[i] = pid;
	return 0;
}

long sys_dev_config(struct thread *t, const uint64_t *a)
{
	long i = owned(t, a[0]);
	if (i < 0)
		return i;
	uint64_t off = a[1], buf = a[2], len = a[3];
	bool write = a[4] != 0;
	const struct pci_info *f = &found[i];
	if (!len || off >= PCI_CONFIG_SIZE || len > PCI_CONFIG_SIZE - off ||
	    f->header == PCI_HEADER_ISA)
		return -EINVAL;
	uint8_t bytes[PCI_CONFIG_SIZE];
	unsigned first = (unsigned)off & ~3u, end = ((unsigned)(off + len) + 3) & ~3u;
	for (unsigned r = first; r < end; r += 4) {
		uint32_t v = plat_pci_read(f->bus, f->dev, f->fn, r);
		kmemcpy(&bytes[r], &v, 4);
	}
	if (!write)
		return copy_out(t->proc->mm, buf, &bytes[off], len) ? -EFAULT : 0;
	/* Only the device's own registers and the command register's low byte pair. */
	for (uint64_t k = off; k < off + len; k++)
		if (k < REG_DEVICE_OWN && k != REG_COMMAND && k != REG_COMMAND + 1)
			return -EPERM;
	uint8_t old_command[2] = {bytes[REG_COMMAND], bytes[REG_COMMAND + 1]};
	if (copy_in(t->proc->mm, &bytes[off], buf, len))
		return -EFAULT;
	for (unsigned r = first; r < end; r += 4) {
		uint32_t v;
		kmemcpy(&v, &bytes[r], 4);
		if (r == REG_COMMAND) {
			uint32_t was = (uint32_t)old_command[0] | (uint32_t)old_command[1] << 8;
			/* The status half as zeros: its bits clear when written with ones. */
			v = (was & ~COMMAND_DRIVER) | (v & COMMAND_DRIVER);
		}
		plat_pci_write(f->bus, f->dev, f->fn, r, v);
	}
	return 0;
}

long sys_dev_irq(struct thread *t, const uint64_t *a)
{
	long i = owned(t, a[0]);
	if (i < 0)
		return i;
	int line = line_of((size_t)i);
	if (line < 0)
		return -ENXIO;
	switch (a[1]) {
	case DEV_IRQ_BIND:
		irq_tid[i] = t->tid;
		break;
	case DEV_IRQ_ACK:
		irq_waiting[i] = false;
		break;
	case DEV_IRQ_UNBIND:
		irq_tid[i] = 0;
		irq_waiting[i] = false;
		break;
	default:
		return -EINVAL;
	}
	line_update(line);
	return 0;
}

long sys_dma_alloc(struct thread *t, const uint64_t *a)
{
	struct proc *p = t->proc;
	struct mm *mm = p->mm;
	uint64_t len = a[0], phys_at = a[1];
	if (!owns_any(p))
		return -EPERM;
	if (!len || len > DMA_ALLOC_MAX || mm->refs > 1)
		return -EINVAL;
	size_t pages = PAGE_UP(len) >> PAGE_SHIFT, held = 0;
	struct dma_pin *pin = NULL;
	for (size_t k = 0; k < DMA_PINS; k++) {
		if (pins[k].proc == p)
			held += pins[k].pages;
		else if (!pins[k].proc && !pin)
			pin = &pins[k];
	}
	if (!pin || (held + pages) * PAGE_SIZE > DMA_PROC_MAX)
		return -ENOMEM;
	if (uaccess_prepare(mm, phys_at, sizeof(uint64_t), true))
		return -EFAULT;
	uint64_t va = mm_find_free(mm, pages * PAGE_SIZE);
	uint64_t pa = va ? frame_alloc_contig(pages) : 0;
	if (!pa)
		return -ENOMEM;
	if (mm_map_device(mm, va, pages * PAGE_SIZE, PROT_READ | PROT_WRITE)) {
		for (size_t k = 0; k < pages; k++)
			frame_put(pa + k * PAGE_SIZE);
		return -ENOMEM;
	}
	/* Each frame: one reference for the mapping (dropped when it goes), one for the pin. */
	bool mapped = true;
	for (size_t k = 0; k < pages; k++) {
		frame_get(pa + k * PAGE_SIZE);
		if (mapped && vm_map(&mm->as, va + k * PAGE_SIZE, pa + k * PAGE_SIZE,
				     VM_WRITE | VM_DEVICE)) {
			frame_put(pa + k * PAGE_SIZE);
			mapped = false;
		} else if (!mapped) {
			frame_put(pa + k * PAGE_SIZE);
		}
	}
	if (!mapped || copy_out(mm, phys_at, &pa, sizeof(pa))) {
		mm_unmap(mm, va, pages * PAGE_SIZE);
		for (size_t k = 0; k < pages; k++)
			frame_put(pa + k * PAGE_SIZE);
		return mapped ? -EFAULT : -ENOMEM;
	}
	*pin = (struct dma_pin){p, pa, pages};
	return (long)va;
}

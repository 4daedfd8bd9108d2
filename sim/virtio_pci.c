/*
 * The virtio 1.x PCI transport, as QEMU 7.2's transitional virtio-*-pci devices show it on the
 * pc machine: vendor 1af4, subsystem 1af4:<device id>, interrupt pin A; BAR0 the legacy I/O
 * interface (its size only: legacy drivers are not served), BAR1 the MSI-X table and PBA (in
 * configuration space and readable, but MSI-X cannot be enabled: interrupts are INTx), BAR4 a
 * 64-bit prefetchable 16 KiB BAR with the common configuration at 0, the ISR at 0x1000, the
 * device configuration at 0x2000 and the notify registers at 0x3000 (4 bytes a queue); and the
 * capability list at QEMU's offsets: virtio common 0x40, ISR 0x50, device 0x60, notify 0x70,
 * PCI configuration access 0x84, MSI-X 0x98 (the head).
 *
 * Split virtqueues only. Every value the driver gives is checked before it is used: ring and
 * descriptor addresses must be RAM, indices inside the queue, chains shorter than the queue
 * and acyclic, buffers non-empty and readable ones first; anything else is a device error
 * (DEVICE_NEEDS_RESET), as QEMU's virtio_error makes it.
 */
#include "virtio.h"
#include "devices.h"

#include <string.h>

#define LEGACY_IO_SIZE 128u   /* QEMU's BAR0 for virtio-blk: 20 bytes + its 60-byte config */
#define MSIX_BAR_SIZE 0x1000u
#define MODERN_BAR_SIZE 0x4000u
#define MSIX_VECTORS 2u       /* QEMU: one per queue and one for configuration changes */
#define MSIX_PBA_OFF 0x800u
#define NO_VECTOR 0xffffu
#define PCI_STATUS_INTERRUPT 0x08u

#define CAP_VENDOR 0x09
#define CAP_MSIX 0x11
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4
#define CFG_PCI 5
#define CAP_AT_COMMON 0x40u
#define CAP_AT_ISR 0x50u
#define CAP_AT_DEVICE 0x60u
#define CAP_AT_NOTIFY 0x70u
#define CAP_AT_PCI 0x84u
#define CAP_AT_MSIX 0x98u
/* The PCI configuration access capability's fields the driver writes. */
#define PCICAP_BAR (CAP_AT_PCI + 4)
#define PCICAP_OFFSET (CAP_AT_PCI + 8)
#define PCICAP_LENGTH (CAP_AT_PCI + 12)
#define PCICAP_DATA (CAP_AT_PCI + 16)

static struct sim_virtio *of(struct sim_pci_device *d)
{
	return d->state;
}

static uint16_t command(const struct sim_virtio *v)
{
	return sim_get16(v->pci.config + 0x04);
}

/* The INTx line follows the ISR: asserted while it is not 0, unless the command register
 * disables INTx; on the line in configuration register 0x3c, which the driver may change. */
static void update_irq(struct sim_virtio *v)
{
	bool level = v->isr && !(command(v) & SIM_PCI_COMMAND_INTX_OFF);
	unsigned line = v->pci.config[0x3c];
	if (v->irq_asserted && (!level || line != v->irq_asserted)) {
		sim_irq_pci(v->irq_asserted, false);
		v->irq_asserted = 0;
	}
	if (level && !v->irq_asserted && line > 0 && line < 16) {
		v->irq_asserted = line;
		sim_irq_pci(line, true);
	}
	if (v->isr)
		v->pci.config[0x06] |= PCI_STATUS_INTERRUPT;
	else
		v->pci.config[0x06] &= (uint8_t)~PCI_STATUS_INTERRUPT;
}

static void raise_isr(struct sim_virtio *v, uint8_t bits)
{
	v->isr |= bits;
	update_irq(v);
}

static void reset(struct sim_virtio *v)
{
	v->ops->reset(v);
	v->driver_features = 0;
	v->dfselect = v->gfselect = 0;
	v->status = v->isr = 0;
	v->queue_sel = 0;
	for (unsigned i = 0; i < VIRTIO_QUEUES; i++)
		v->q[i] = (struct sim_virtq){.size = i < v->ops->nqueues ? v->ops->queue_max : 0};
	update_irq(v);
}

void sim_virtio_remove(struct sim_virtio *v)
{
	v->ops->reset(v);
	if (v->irq_asserted)
		sim_irq_pci(v->irq_asserted, false);
	v->irq_asserted = 0;
}

bool sim_virtio_ready(const struct sim_virtio *v)
{
	uint8_t want = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;
	return (v->status & (want | VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) == want;
}

void sim_virtio_error(struct sim_virtio *v)
{
	if (v->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	v->status |= VIRTIO_STATUS_NEEDS_RESET;
	sim_dev_trace("%s: device error: it needs a reset", v->pci.name);
	raise_isr(v, VIRTIO_ISR_CONFIG);
}

static struct sim_virtq *selected(struct sim_virtio *v)
{
	return v->queue_sel < v->ops->nqueues ? &v->q[v->queue_sel] : NULL;
}

/* A status write: 0 resets; FEATURES_OK only for features offered, VERSION_1 among them;
 * DRIVER_OK starts the queues; NEEDS_RESET stays until a reset. */
static void write_status(struct sim_virtio *v, uint8_t val)
{
	if (!val) {
		sim_dev_trace("%s: reset", v->pci.name);
		reset(v);
		return;
	}
	bool was_ready = sim_virtio_ready(v);
	if ((val & VIRTIO_STATUS_FEATURES_OK) && !(v->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((v->driver_features & ~v->ops->features) || !(v->driver_features & VIRTIO_F_VERSION_1)))
		val &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	v->status = (uint8_t)((val & ~VIRTIO_STATUS_NEEDS_RESET) |
			      (v->status & VIRTIO_STATUS_NEEDS_RESET));
	if (was_ready || !sim_virtio_ready(v))
		return;
	sim_dev_trace("%s: driver ready, features %#llx", v->pci.name,
		      (unsigned long long)v->driver_features);
	for (unsigned q = 0; q < v->ops->nqueues; q++)
		if (v->q[q].enabled)
			v->ops->notify(v, q);
}

static uint64_t common_read(struct sim_virtio *v, uint64_t off, unsigned size)
{
	struct sim_virtq *q = selected(v);
	switch (off) {
	case VIRTIO_COMMON_DFSELECT:
		return v->dfselect;
	case VIRTIO_COMMON_DF:
		return v->dfselect < 2 ? (uint32_t)(v->ops->features >> (32 * v->dfselect)) : 0;
	case VIRTIO_COMMON_GFSELECT:
		return v->gfselect;
	case VIRTIO_COMMON_GF:
		return v->gfselect < 2 ? (uint32_t)(v->driver_features >> (32 * v->gfselect)) : 0;
	case VIRTIO_COMMON_MSIX:
	case VIRTIO_COMMON_Q_MSIX:
		return NO_VECTOR;
	case VIRTIO_COMMON_NUMQ:
		return v->ops->nqueues;
	case VIRTIO_COMMON_STATUS:
		return v->status;
	case VIRTIO_COMMON_CFGGEN:
		return v->config_gen;
	case VIRTIO_COMMON_Q_SELECT:
		return v->queue_sel;
	case VIRTIO_COMMON_Q_SIZE:
		return q ? q->size : 0;
	case VIRTIO_COMMON_Q_ENABLE:
		return q ? q->enabled : 0;
	case VIRTIO_COMMON_Q_NOFF:
		return v->queue_sel; /* queue n notifies at n * VIRTIO_NOTIFY_MULTIPLIER */
	case VIRTIO_COMMON_Q_DESC:
	case VIRTIO_COMMON_Q_DESC + 4:
	case VIRTIO_COMMON_Q_AVAIL:
	case VIRTIO_COMMON_Q_AVAIL + 4:
	case VIRTIO_COMMON_Q_USED:
	case VIRTIO_COMMON_Q_USED + 4: {
		if (!q)
			return 0;
		uint64_t base = off - off % 8;
		uint64_t a = base == VIRTIO_COMMON_Q_DESC ? q->desc :
			     base == VIRTIO_COMMON_Q_AVAIL ? q->avail : q->used;
		return off % 8 ? a >> 32 : size == 8 ? a : (uint32_t)a;
	}
	default:
		return 0;
	}
}

/* Sets the 32-bit half of *a at off % 8, or all of it for an 8-byte write. */
static void set_address(uint64_t *a, uint64_t off, unsigned size, uint64_t value)
{
	if (size == 8)
		*a = value;
	else if (off % 8)
		*a = (*a & 0xffffffffull) | (uint64_t)(uint32_t)value << 32;
	else
		*a = (*a & ~0xffffffffull) | (uint32_t)value;
}

static void common_write(struct sim_virtio *v, uint64_t off, unsigned size, uint64_t value)
{
	struct sim_virtq *q = selected(v);
	bool setup = q && !q->enabled; /* a queue's layout is fixed once it is enabled */
	switch (off) {
	case VIRTIO_COMMON_DFSELECT:
		v->dfselect = (uint32_t)value;
		break;
	case VIRTIO_COMMON_GFSELECT:
		v->gfselect = (uint32_t)value;
		break;
	case VIRTIO_COMMON_GF:
		if (v->gfselect < 2 && !(v->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned shift = 32 * v->gfselect;
			v->driver_features = (v->driver_features & ~(0xffffffffull << shift)) |
					     (uint64_t)(uint32_t)value << shift;
		}
		break;
	case VIRTIO_COMMON_STATUS:
		write_status(v, (uint8_t)value);
		break;
	case VIRTIO_COMMON_Q_SELECT:
		v->queue_sel = (uint16_t)value;
		break;
	case VIRTIO_COMMON_Q_SIZE:
		/* A split queue's size is a power of two, at most what the device offers. */
		if (setup && value && value <= v->ops->queue_max && !(value & (value - 1)))
			q->size = (uint16_t)value;
		break;
	case VIRTIO_COMMON_Q_ENABLE:
		if (setup && value == 1) {
			q->enabled = true;
			if (sim_virtio_ready(v))
				v->ops->notify(v, v->queue_sel);
		}
		break;
	case VIRTIO_COMMON_Q_DESC:
	case VIRTIO_COMMON_Q_DESC + 4:
		if (setup)
			set_address(&q->desc, off, size, value);
		break;
	case VIRTIO_COMMON_Q_AVAIL:
	case VIRTIO_COMMON_Q_AVAIL + 4:
		if (setup)
			set_address(&q->avail, off, size, value);
		break;
	case VIRTIO_COMMON_Q_USED:
	case VIRTIO_COMMON_Q_USED + 4:
		if (setup)
			set_address(&q->used, off, size, value);
		break;
	default:
		break; /* read-only, or MSI-X vectors: there is no MSI-X to route */
	}
}

/* The modern BAR (4): common configuration, ISR, device configuration, notify. */
static uint64_t modern_read(struct sim_virtio *v, uint64_t off, unsigned size)
{
	if (off < VIRTIO_ISR_OFF)
		return common_read(v, off, size);
	if (off < VIRTIO_DEVICE_OFF) {
		/* Reading the ISR clears it, and with it the interrupt. */
		uint8_t isr = v->isr;
		v->isr = 0;
		update_irq(v);
		return off == VIRTIO_ISR_OFF ? isr : 0;
	}
	if (off < VIRTIO_NOTIFY_OFF) {
		unsigned len;
		const uint8_t *cfg = v->ops->config(v, &len);
		uint64_t at = off - VIRTIO_DEVICE_OFF, value = 0;
		for (unsigned i = 0; i < size && at + i < len; i++)
			value |= (uint64_t)cfg[at + i] << (8 * i);
		return value;
	}
	return 0;
}

static void modern_write(struct sim_virtio *v, uint64_t off, unsigned size, uint64_t value)
{
	if (off < VIRTIO_ISR_OFF) {
		common_write(v, off, size, value);
	} else if (off >= VIRTIO_NOTIFY_OFF && off < VIRTIO_NOTIFY_OFF + VIRTIO_REGION_SIZE) {
		unsigned q = (unsigned)((off - VIRTIO_NOTIFY_OFF) / VIRTIO_NOTIFY_MULTIPLIER);
		if (q < v->ops->nqueues && v->q[q].enabled && sim_virtio_ready(v))
			v->ops->notify(v, q);
	}
	/* The ISR and the device configuration are read-only here (virtio-blk's writeback
	 * field needs VIRTIO_BLK_F_CONFIG_WCE, not offered). */
}

/* BAR1: the MSI-X table (two vectors, masked) and its pending bits, kept but never used. */
static uint64_t msix_read(struct sim_virtio *v, uint64_t off, unsigned size)
{
	uint64_t value = 0;
	for (unsigned i = 0; i < size && off + i < sizeof(v->msix_table); i++)
		value |= (uint64_t)v->msix_table[off + i] << (8 * i);
	return value;
}

static void msix_write(struct sim_virtio *v, uint64_t off, unsigned size, uint64_t value)
{
	for (unsigned i = 0; i < size && off + i < sizeof(v->msix_table); i++)
		v->msix_table[off + i] = (uint8_t)(value >> (8 * i));
}

static uint64_t mem_read(struct sim_pci_device *d, unsigned bar, uint64_t off, unsigned size)
{
	if (bar == VIRTIO_BAR_MODERN)
		return modern_read(of(d), off, size);
	return bar == VIRTIO_BAR_MSIX ? msix_read(of(d), off, size) : 0;
}

static void mem_write(struct sim_pci_device *d, unsigned bar, uint64_t off, unsigned size,
		      uint64_t value)
{
	if (bar == VIRTIO_BAR_MODERN)
		modern_write(of(d), off, size, value);
	else if (bar == VIRTIO_BAR_MSIX)
		msix_write(of(d), off, size, value);
}

/* BAR0, the legacy interface, is not modelled: it reads as zeros and ignores writes. */
static uint32_t legacy_read(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size)
{
	(void)d, (void)bar, (void)off, (void)size;
	return 0;
}

static void legacy_write(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size,
			 uint32_t value)
{
	(void)d, (void)bar, (void)off, (void)size, (void)value;
}

/* A virtio capability (struct virtio_pci_cap): 16 bytes, or 20 with one more dword. */
static void add_virtio_cap(struct sim_pci_device *d, unsigned at, uint8_t type, uint8_t bar,
			   uint32_t offset, uint32_t length, unsigned len, uint32_t extra)
{
	uint8_t cap[20] = {CAP_VENDOR, 0, (uint8_t)len, type, bar};
	sim_put32(cap + 8, offset);
	sim_put32(cap + 12, length);
	sim_put32(cap + 16, extra);
	sim_pci_add_cap(d, at, cap, len);
}

static void config_init(struct sim_pci_device *d)
{
	add_virtio_cap(d, CAP_AT_COMMON, CFG_COMMON, VIRTIO_BAR_MODERN, VIRTIO_COMMON_OFF,
		       VIRTIO_REGION_SIZE, 16, 0);
	add_virtio_cap(d, CAP_AT_ISR, CFG_ISR, VIRTIO_BAR_MODERN, VIRTIO_ISR_OFF, VIRTIO_REGION_SIZE,
		       16, 0);
	add_virtio_cap(d, CAP_AT_DEVICE, CFG_DEVICE, VIRTIO_BAR_MODERN, VIRTIO_DEVICE_OFF,
		       VIRTIO_REGION_SIZE, 16, 0);
	add_virtio_cap(d, CAP_AT_NOTIFY, CFG_NOTIFY, VIRTIO_BAR_MODERN, VIRTIO_NOTIFY_OFF,
		       VIRTIO_REGION_SIZE, 20, VIRTIO_NOTIFY_MULTIPLIER);
	add_virtio_cap(d, CAP_AT_PCI, CFG_PCI, 0, 0, 0, 20, 0);
	/* MSI-X: table size N-1, the table at BAR1 offset 0, the PBA at BAR1 offset 0x800. */
	uint8_t msix[12] = {CAP_MSIX, 0};
	sim_put16(msix + 2, MSIX_VECTORS - 1);
	sim_put32(msix + 4, 0 | VIRTIO_BAR_MSIX);
	sim_put32(msix + 8, MSIX_PBA_OFF | VIRTIO_BAR_MSIX);
	sim_pci_add_cap(d, CAP_AT_MSIX, msix, sizeof(msix));
}

/* The PCI configuration access capability: a BAR access of 1, 2 or 4 bytes through
 * configuration space, at the BAR and offset the driver put in the capability. */
static bool pcicap_access(struct sim_pci_device *d, uint64_t *off, unsigned *len)
{
	uint32_t length = sim_get32(d->config + PCICAP_LENGTH);
	*off = sim_get32(d->config + PCICAP_OFFSET);
	*len = (unsigned)length;
	return d->config[PCICAP_BAR] == VIRTIO_BAR_MODERN &&
	       (length == 1 || length == 2 || length == 4) && *off % length == 0 &&
	       *off + length <= MODERN_BAR_SIZE;
}

static void config_write(struct sim_pci_device *d, unsigned reg, uint32_t value, uint32_t mask)
{
	struct sim_virtio *v = of(d);
	uint8_t *c = d->config;
	if (reg == 0x04 && !(command(v) & SIM_PCI_COMMAND_MASTER))
		/* No DMA any more: the device stops, as QEMU's does (DRIVER_OK goes). */
		v->status &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
	if (reg == 0x04 || reg == 0x3c)
		update_irq(v);
	if (reg == PCICAP_BAR) {
		c[PCICAP_BAR] = (uint8_t)((c[PCICAP_BAR] & ~mask) | (value & mask & 0xff));
	} else if (reg == PCICAP_OFFSET || reg == PCICAP_LENGTH || reg == PCICAP_DATA) {
		sim_put32(c + reg, (sim_get32(c + reg) & ~mask) | (value & mask));
		uint64_t off;
		unsigned len;
		if (reg == PCICAP_DATA && pcicap_access(d, &off, &len))
			modern_write(v, off, len, sim_get32(c + PCICAP_DATA) & (0xffffffffu >> (32 - 8 * len)));
	}
}

static void config_read(struct sim_pci_device *d, unsigned reg)
{
	uint64_t off;
	unsigned len;
	if (reg == PCICAP_DATA && pcicap_access(d, &off, &len))
		sim_put32(d->config + PCICAP_DATA, (uint32_t)modern_read(of(d), off, len));
}

void sim_virtio_pci_setup(struct sim_virtio *v, const struct sim_virtio_ops *ops, void *dev,
			  unsigned slot, uint16_t pci_device, uint16_t subsys)
{
	memset(v, 0, sizeof(*v));
	v->ops = ops;
	v->dev = dev;
	struct sim_pci_device *d = &v->pci;
	d->slot = slot;
	d->vendor = 0x1af4;
	d->device = pci_device;
	d->subsys_vendor = 0x1af4;
	d->subsys_device = subsys;
	d->irq_pin = 1;
	d->bar_size[VIRTIO_BAR_LEGACY] = LEGACY_IO_SIZE;
	d->bar_io[VIRTIO_BAR_LEGACY] = true;
	d->bar_size[VIRTIO_BAR_MSIX] = MSIX_BAR_SIZE;
	d->bar_size[VIRTIO_BAR_MODERN] = MODERN_BAR_SIZE;
	d->bar_mem64[VIRTIO_BAR_MODERN] = true;
	d->bar_prefetch[VIRTIO_BAR_MODERN] = true;
	d->io_read = legacy_read;
	d->io_write = legacy_write;
	d->mem_read = mem_read;
	d->mem_write = mem_write;
	d->config_init = config_init;
	d->config_write = config_write;
	d->config_read = config_read;
	d->state = v;
	for (unsigned i = 0; i < MSIX_VECTORS; i++)
		v->msix_table[16 * i + 12] = 1; /* vector control: masked */
	for (unsigned i = 0; i < VIRTIO_QUEUES; i++)
		v->q[i].size = i < ops->nqueues ? ops->queue_max : 0;
}

/* Reads a little-endian field of n bytes (2, 4 or 8) at pa by DMA: false on a device error. */
static bool dma_get(struct sim_virtio *v, uint64_t pa, unsigned n, uint64_t *value)
{
	uint8_t b[8];
	if (sim_dma_read(&v->pci, pa, b, n)) {
		sim_virtio_error(v);
		return false;
	}
	*value = 0;
	for (unsigned i = 0; i < n; i++)
		*value |= (uint64_t)b[i] << (8 * i);
	return true;
}

static bool dma_put(struct sim_virtio *v, uint64_t pa, unsigned n, uint64_t value)
{
	uint8_t b[8];
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(value >> (8 * i));
	if (sim_dma_write(&v->pci, pa, b, n)) {
		sim_virtio_error(v);
		return false;
	}
	return true;
}

static int fail(struct sim_virtio *v)
{
	sim_virtio_error(v);
	return -1;
}

int sim_virtq_pop(struct sim_virtio *v, unsigned qi, struct sim_virtq_elem *e)
{
	if (qi >= v->ops->nqueues || !sim_virtio_ready(v))
		return 0;
	struct sim_virtq *q = &v->q[qi];
	uint64_t avail_idx, head;
	if (!q->enabled || !dma_get(v, q->avail + 2, 2, &avail_idx))
		return q->enabled ? -1 : 0;
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending > q->size)
		return fail(v); /* the driver moved its index past what the ring holds */
	if (!pending)
		return 0;
	if (!dma_get(v, q->avail + 4 + 2ull * (q->last_avail % q->size), 2, &head))
		return -1;
	if (head >= q->size)
		return fail(v);
	*e = (struct sim_virtq_elem){.head = (uint16_t)head};
	uint64_t i = head;
	for (;;) {
		uint8_t desc[16];
		if (e->nseg == q->size)
			return fail(v); /* longer than the queue: a loop */
		if (sim_dma_read(&v->pci, q->desc + 16 * i, desc, sizeof(desc)))
			return fail(v);
		uint64_t addr = (uint64_t)sim_get32(desc) | (uint64_t)sim_get32(desc + 4) << 32;
		uint32_t len = sim_get32(desc + 8);
		uint16_t flags = sim_get16(desc + 12), next = sim_get16(desc + 14);
		bool write = flags & VIRTQ_DESC_F_WRITE;
		/* No indirect tables (not offered), no empty buffers, readable ones first, every
		 * byte in RAM. */
		if ((flags & VIRTQ_DESC_F_INDIRECT) || !len || (!write && e->in_len) ||
		    !sim_ram_ptr(addr, len))
			return fail(v);
		e->seg[e->nseg++] = (struct sim_virtq_seg){addr, len, write};
		if (write)
			e->in_len += len;
		else
			e->out_len += len;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		if (next >= q->size)
			return fail(v);
		i = next;
	}
	q->last_avail++;
	return 1;
}

int sim_virtq_push(struct sim_virtio *v, unsigned qi, uint16_t head, uint32_t len)
{
	struct sim_virtq *q = &v->q[qi];
	uint64_t slot = q->used + 4 + 8ull * (q->used_idx % q->size), flags;
	if (!dma_put(v, slot, 4, head) || !dma_put(v, slot + 4, 4, len) ||
	    !dma_put(v, q->used + 2, 2, (uint16_t)(q->used_idx + 1)))
		return -1;
	q->used_idx++;
	if (!dma_get(v, q->avail, 2, &flags))
		return -1;
	if (!(flags & VIRTQ_AVAIL_F_NO_INTERRUPT))
		raise_isr(v, VIRTIO_ISR_QUEUE);
	return 0;
}

/* Moves len bytes between buf and the segments of e of one direction, from byte off of them. */
static int copy(struct sim_virtio *v, const struct sim_virtq_elem *e, bool write, uint64_t off,
		uint8_t *buf, uint64_t len)
{
	for (unsigned i = 0; i < e->nseg && len; i++) {
		const struct sim_virtq_seg *s = &e->seg[i];
		if (s->write != write)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		uint64_t n = s->len - off < len ? s->len - off : len;
		int err = write ? sim_dma_write(&v->pci, s->addr + off, buf, n)
				: sim_dma_read(&v->pci, s->addr + off, buf, n);
		if (err)
			return fail(v);
		buf += n;
		len -= n;
		off = 0;
	}
	return len ? fail(v) : 0;
}

int sim_virtq_read(struct sim_virtio *v, const struct sim_virtq_elem *e, uint64_t off, void *buf,
		   uint64_t len)
{
	return copy(v, e, false, off, buf, len);
}

int sim_virtq_write(struct sim_virtio *v, const struct sim_virtq_elem *e, uint64_t off,
		    const void *buf, uint64_t len)
{
	return copy(v, e, true, off, (uint8_t *)buf, len);
}

/*
 * virtio 1.x over PCI from user space (virtio specification 1.2, sections 2.7 and 4.1): the
 * vendor-specific capabilities in configuration space say in which memory BAR, at which offset,
 * the common configuration, the notification registers, the ISR status and the device's own
 * configuration lie; dev_map maps those BARs. Queues are split virtqueues in DMA memory.
 */
#include <ecl/dev.h>
#include <ecl/virtio.h>
#include <errno.h>
#include <string.h>

#define PCI_STATUS 0x06
#define PCI_STATUS_CAPS 0x10u
#define PCI_CAPS 0x34
#define PCI_CAP_VENDOR 0x09
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2u
#define PCI_COMMAND_MASTER 0x4u
#define PCI_COMMAND_INTX_OFF 0x400u

#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* The common configuration structure's registers. */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_NUMQ 0x12
#define COMMON_STATUS 0x14
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_MSIX 0x1a
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF 0x1e
#define COMMON_Q_DESC 0x20
#define COMMON_Q_AVAIL 0x28
#define COMMON_Q_USED 0x30
#define VIRTIO_MSI_NO_VECTOR 0xffffu

#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct virtq_avail {
	uint16_t flags, idx;
	uint16_t ring[];
};
struct virtq_used_elem {
	uint32_t id, len;
};
struct virtq_used {
	uint16_t flags, idx;
	struct virtq_used_elem ring[];
};

static void w8(volatile uint8_t *base, unsigned off, uint8_t v)
{
	base[off] = v;
}
static void w16(volatile uint8_t *base, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(base + off) = v;
}
static void w32(volatile uint8_t *base, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}
static void w64(volatile uint8_t *base, unsigned off, uint64_t v)
{
	w32(base, off, (uint32_t)v);
	w32(base, off + 4, (uint32_t)(v >> 32));
}
static uint8_t r8(volatile uint8_t *base, unsigned off)
{
	return base[off];
}
static uint16_t r16(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint16_t *)(base + off);
}
static uint32_t r32(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

/* The structure a capability points to, mapped: NULL when its BAR cannot be mapped or it does
 * not fit inside it. */
static volatile uint8_t *locate(struct virtio_dev *d, const uint8_t cap[16])
{
	unsigned bar = cap[4];
	uint32_t offset, length;
	memcpy(&offset, cap + 8, 4);
	memcpy(&length, cap + 12, 4);
	if (bar >= PCI_BARS || (d->info.bars[bar].flags & PCI_BAR_IO) ||
	    (uint64_t)offset + length > d->info.bars[bar].size)
		return NULL;
	volatile uint8_t *base = dev_map(d->index, bar);
	return base ? base + offset : NULL;
}

/* Walks the capability list for the virtio structures. */
static int find_structures(struct virtio_dev *d)
{
	uint16_t status;
	uint8_t at;
	if (dev_config_read(d->index, PCI_STATUS, &status, 2) < 0 ||
	    dev_config_read(d->index, PCI_CAPS, &at, 1) < 0)
		return -errno;
	if (!(status & PCI_STATUS_CAPS))
		return -ENODEV;
	for (unsigned hops = 0; at >= 0x40 && !(at & 3) && hops < 48; hops++) {
		uint8_t cap[20] = {0};
		size_t room = (size_t)PCI_CONFIG_SIZE - at;
		if (dev_config_read(d->index, at, cap, room < sizeof(cap) ? room : sizeof(cap)) < 0)
			return -errno;
		if (cap[0] == PCI_CAP_VENDOR && cap[2] >= 16) {
			volatile uint8_t *p = NULL;
			switch (cap[3]) {
			case CAP_COMMON:
				p = d->common = d->common ? d->common : locate(d, cap);
				break;
			case CAP_NOTIFY:
				if (!d->notify_base && cap[2] >= 20) {
					memcpy(&d->notify_mult, cap + 16, 4);
					p = d->notify_base = locate(d, cap);
				}
				break;
			case CAP_ISR:
				p = d->isr = d->isr ? d->isr : locate(d, cap);
				break;
			case CAP_DEVICE:
				p = d->config = d->config ? d->config : locate(d, cap);
				break;
			}
			(void)p;
		}
		at = cap[1];
	}
	return d->common && d->notify_base && d->isr ? 0 : -ENODEV;
}

int virtio_open(struct virtio_dev *d, unsigned index)
{
	memset(d, 0, sizeof(*d));
	d->index = index;
	if (pci_device(index, &d->info) < 0 || dev_claim(index) < 0)
		return -errno;
	int err = find_structures(d);
	if (err) {
		dev_release(index);
		return err;
	}
	/* Reset first (a previous driver may have left it running), then bus mastering on. */
	w8(d->common, COMMON_STATUS, 0);
	for (int i = 0; i < 1000 && r8(d->common, COMMON_STATUS); i++)
		;
	uint16_t command;
	if (dev_config_read(index, PCI_COMMAND, &command, 2) < 0)
		goto fail;
	command = (uint16_t)((command | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER) & ~PCI_COMMAND_INTX_OFF);
	if (dev_config_write(index, PCI_COMMAND, &command, 2) < 0 || dev_irq(index, DEV_IRQ_BIND) < 0)
		goto fail;
	return 0;
fail:
	err = -errno;
	dev_release(index);
	return err;
}

int virtio_open_first(struct virtio_dev *d, uint16_t legacy, uint16_t modern)
{
	struct pci_info f;
	for (unsigned i = 0; pci_device(i, &f) == 0; i++) {
		if (f.vendor != VIRTIO_VENDOR || (f.device != legacy && f.device != modern))
			continue;
		int err = virtio_open(d, i);
		if (err != -EPERM && err != -EBUSY)
			return err;
		/* not ours: another's grant, or another driver's */
	}
	return -ENODEV;
}

int virtio_negotiate(struct virtio_dev *d, uint64_t want)
{
	w8(d->common, COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	w8(d->common, COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uint64_t offered = 0;
	for (unsigned half = 0; half < 2; half++) {
		w32(d->common, COMMON_DFSELECT, half);
		offered |= (uint64_t)r32(d->common, COMMON_DF) << (32 * half);
	}
	if (!(offered & VIRTIO_F_VERSION_1)) {
		w8(d->common, COMMON_STATUS, VIRTIO_STATUS_FAILED);
		return -ENODEV;
	}
	d->features = offered & (want | VIRTIO_F_VERSION_1);
	for (unsigned half = 0; half < 2; half++) {
		w32(d->common, COMMON_GFSELECT, half);
		w32(d->common, COMMON_GF, (uint32_t)(d->features >> (32 * half)));
	}
	uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	w8(d->common, COMMON_STATUS, s);
	if (!(r8(d->common, COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		w8(d->common, COMMON_STATUS, VIRTIO_STATUS_FAILED);
		return -EIO;
	}
	return 0;
}

int virtio_queue_init(struct virtio_dev *d, struct virtq *q, unsigned qi, unsigned size)
{
	memset(q, 0, sizeof(*q));
	if (qi >= r16(d->common, COMMON_NUMQ))
		return -ENOENT;
	w16(d->common, COMMON_Q_SELECT, (uint16_t)qi);
	unsigned max = r16(d->common, COMMON_Q_SIZE);
	if (!max)
		return -ENOENT;
	if (size > max)
		size = max;
	/* A power of two for the ring arithmetic (split queues need not be, but ours are). */
	while (size & (size - 1))
		size &= size - 1;
	size_t desc_len = 16u * size, avail_len = 6 + 2u * size;
	size_t used_at = (desc_len + avail_len + 3) & ~(size_t)3, total = used_at + 6 + 8u * size;
	uint64_t pa;
	uint8_t *mem = dma_alloc(total, &pa);
	if (!mem)
		return -errno;
	q->size = (uint16_t)size;
	q->index = (uint16_t)qi;
	q->desc = (volatile struct virtq_desc *)mem;
	q->avail = (volatile struct virtq_avail *)(mem + desc_len);
	q->used = (volatile struct virtq_used *)(mem + used_at);
	for (unsigned i = 0; i < size; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->nfree = (uint16_t)size;
	w16(d->common, COMMON_Q_SIZE, (uint16_t)size);
	w16(d->common, COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	w64(d->common, COMMON_Q_DESC, pa);
	w64(d->common, COMMON_Q_AVAIL, pa + desc_len);
	w64(d->common, COMMON_Q_USED, pa + used_at);
	uint16_t noff = r16(d->common, COMMON_Q_NOFF);
	q->notify = (volatile uint16_t *)(d->notify_base + (uint32_t)noff * d->notify_mult);
	w16(d->common, COMMON_Q_ENABLE, 1);
	return 0;
}

void virtio_ready(struct virtio_dev *d)
{
	w8(d->common, COMMON_STATUS, (uint8_t)(r8(d->common, COMMON_STATUS) | VIRTIO_STATUS_DRIVER_OK));
}

void virtio_close(struct virtio_dev *d)
{
	if (d->common)
		w8(d->common, COMMON_STATUS, 0);
	dev_irq(d->index, DEV_IRQ_UNBIND);
	dev_release(d->index);
}

unsigned virtio_interrupted(struct virtio_dev *d)
{
	unsigned isr = r8(d->isr, 0);
	dev_irq(d->index, DEV_IRQ_ACK);
	return isr;
}

bool virtio_broken(const struct virtio_dev *d)
{
	return (r8(d->common, COMMON_STATUS) & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) != 0;
}

int virtq_submit(struct virtq *q, const struct virtq_buf *bufs, unsigned n)
{
	if (!n || n > q->nfree)
		return -ENOSPC;
	uint16_t head = q->free_head, at = head;
	for (unsigned i = 0; i < n; i++) {
		volatile struct virtq_desc *e = &q->desc[at];
		uint16_t next = e->next;
		e->addr = bufs[i].phys;
		e->len = bufs[i].len;
		e->flags = (uint16_t)((bufs[i].write ? DESC_F_WRITE : 0) | (i + 1 < n ? DESC_F_NEXT : 0));
		if (i + 1 < n)
			at = next;
		else
			q->free_head = next;
	}
	q->nfree = (uint16_t)(q->nfree - n);
	q->avail->ring[q->avail_idx % q->size] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the entries before the index */
	q->avail->idx = ++q->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before the notification */
	*q->notify = q->index;
	return head;
}

bool virtq_reap(struct virtq *q, uint16_t *head, uint32_t *written)
{
	if (q->used->idx == q->last_used)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	struct virtq_used_elem e = {q->used->ring[q->last_used % q->size].id,
				     q->used->ring[q->last_used % q->size].len};
	q->last_used++;
	if (e.id >= q->size)
		return false; /* a device error: nothing we gave out */
	*head = (uint16_t)e.id;
	*written = e.len;
	/* The chain's entries go back on the free list. */
	uint16_t at = (uint16_t)e.id;
	unsigned n = 1;
	while ((q->desc[at].flags & DESC_F_NEXT) && n < q->size) {
		at = q->desc[at].next;
		n++;
	}
	q->desc[at].next = q->free_head;
	q->free_head = (uint16_t)e.id;
	q->nfree = (uint16_t)(q->nfree + n);
	return true;
}

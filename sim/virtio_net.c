/*
 * The network card: QEMU's virtio-net-pci (transitional, 1af4:1000, subsystem 1af4:0001, class
 * 0200) at 00:03.0, wired to a backend (the wire: slirp, or a test's). Two queues of 256
 * entries, receive (0) and transmit (1); no control queue. Features offered: VERSION_1, MAC,
 * STATUS, and nothing else: no checksum or segmentation offloads (frames carry whole checksums
 * both ways, as slirp wants them), no mergeable receive buffers. Every buffer starts with the
 * 12-byte virtio_net_hdr_v1: on receive the device writes it zero but for num_buffers 1, as the
 * specification says; on transmit it reads past it.
 *
 * On the virtual clock: the device takes what the transmit queue holds VIRTIO_NET_SUBMIT_NS
 * after a notify, hands each frame to the backend and returns the buffers. A frame from the
 * backend waits in a queue of VIRTIO_NET_RX_FRAMES and reaches the guest VIRTIO_NET_DELIVER_NS
 * after it came, into one receive buffer; while the driver has posted none, frames wait (the
 * next notify of the receive queue delivers them). A frame for which the queue has no room, or
 * larger than the buffer it would go into, is dropped, as a card drops it; the trace says so.
 * A malformed transmit chain (no header, a device-writable part) is a device error, as in QEMU.
 */
#include "virtio.h"
#include "devices.h"

#include <kernel/plat.h>
#include <stdlib.h>
#include <string.h>

#define SLOT 3            /* after the disk's 00:02.0 */
#define CONFIG_LEN 8u     /* mac and status: QEMU's size with these features */
#define HDR_LEN 12u       /* struct virtio_net_hdr_v1 */
#define FRAME_MIN 14u     /* an Ethernet header */
#define FRAME_MAX 1518u   /* 1500 bytes of payload, a VLAN tag: no offloads, no larger */
#define RXQ 0u
#define TXQ 1u

#define F_MAC (1ull << 5)
#define F_STATUS (1ull << 16)
#define S_LINK_UP 1u

struct frame {
	uint16_t len;
	uint8_t data[FRAME_MAX];
};

static struct net {
	struct sim_virtio v;
	struct sim_virtio_ops ops;
	struct sim_net_backend backend;
	uint8_t config[CONFIG_LEN];
	uint64_t kick;    /* the event that takes the transmit queue, or 0 */
	uint64_t deliver; /* the event that delivers received frames, or 0 */
	struct sim_virtq_elem elem;
	struct frame rx[VIRTIO_NET_RX_FRAMES]; /* frames from the wire, oldest at rx_head */
	unsigned rx_head, rx_len;
	struct frame tx;
	uint64_t dropped;
} *net;

static void on_kick(void *arg);
static void on_deliver(void *arg);

static void notify(struct sim_virtio *v, unsigned q)
{
	(void)v;
	uint64_t now = plat_clock_ns();
	if (q == TXQ && !net->kick)
		net->kick = sim_event_at(now + VIRTIO_NET_SUBMIT_NS, on_kick, NULL);
	if (q == RXQ && net->rx_len && !net->deliver)
		net->deliver = sim_event_at(now, on_deliver, NULL); /* buffers came: frames wait */
}

static void reset(struct sim_virtio *v)
{
	(void)v;
	sim_event_cancel(net->kick);
	sim_event_cancel(net->deliver);
	net->kick = net->deliver = 0;
	net->rx_head = net->rx_len = 0; /* a card's reset loses what it had not delivered */
}

static const uint8_t *config(struct sim_virtio *v, unsigned *len)
{
	(void)v;
	*len = CONFIG_LEN;
	return net->config;
}

static void drop(const char *why, size_t len)
{
	net->dropped++;
	sim_dev_trace("virtio-net: frame of %zu bytes dropped: %s", len, why);
}

/* Takes every chain of the transmit queue: each frame goes to the backend. */
static void on_kick(void *arg)
{
	(void)arg;
	net->kick = 0;
	struct sim_virtq_elem *e = &net->elem;
	for (int got; (got = sim_virtq_pop(&net->v, TXQ, e)) != 0;) {
		if (got < 0)
			return;
		if (e->out_len < HDR_LEN || e->in_len) {
			sim_virtio_error(&net->v); /* QEMU: "virtio-net header not in first element" */
			return;
		}
		uint64_t len = e->out_len - HDR_LEN;
		if (len < FRAME_MIN || len > FRAME_MAX) {
			drop(len < FRAME_MIN ? "shorter than an Ethernet header" : "longer than 1518 bytes",
			     (size_t)len);
		} else {
			if (sim_virtq_read(&net->v, e, HDR_LEN, net->tx.data, len))
				return;
			sim_dev_trace("virtio-net: sent %llu bytes", (unsigned long long)len);
			if (net->backend.transmit)
				net->backend.transmit(net->backend.ctx, net->tx.data, (size_t)len);
		}
		if (sim_virtq_push(&net->v, TXQ, e->head, 0))
			return;
	}
}

/* Delivers the waiting frames, each into a receive buffer, while the driver has posted some. */
static void on_deliver(void *arg)
{
	(void)arg;
	net->deliver = 0;
	struct sim_virtq_elem *e = &net->elem;
	while (net->rx_len) {
		int got = sim_virtq_pop(&net->v, RXQ, e);
		if (got <= 0)
			return; /* no buffer (the next notify delivers), or a device error */
		struct frame *f = &net->rx[net->rx_head];
		net->rx_head = (net->rx_head + 1) % VIRTIO_NET_RX_FRAMES;
		net->rx_len--;
		uint32_t used = 0;
		if (e->in_len < HDR_LEN + f->len) {
			drop("longer than the receive buffer", f->len);
		} else {
			uint8_t hdr[HDR_LEN] = {0};
			sim_put16(hdr + 10, 1); /* num_buffers */
			if (sim_virtq_write(&net->v, e, 0, hdr, HDR_LEN) ||
			    sim_virtq_write(&net->v, e, HDR_LEN, f->data, f->len))
				return;
			used = HDR_LEN + f->len;
			sim_dev_trace("virtio-net: received %u bytes", f->len);
		}
		if (sim_virtq_push(&net->v, RXQ, e->head, used))
			return;
	}
}

bool sim_virtio_net_receive(const void *frame, size_t len)
{
	if (!net)
		return false;
	if (!sim_virtio_ready(&net->v)) {
		drop("the driver has not set the card up", len);
		return false;
	}
	if (len < FRAME_MIN || len > FRAME_MAX) {
		drop("not an Ethernet frame's size", len);
		return false;
	}
	if (net->rx_len == VIRTIO_NET_RX_FRAMES) {
		drop("the card's receive queue is full", len);
		return false;
	}
	struct frame *f = &net->rx[(net->rx_head + net->rx_len) % VIRTIO_NET_RX_FRAMES];
	f->len = (uint16_t)len;
	memcpy(f->data, frame, len);
	net->rx_len++;
	if (!net->deliver)
		net->deliver = sim_event_at(plat_clock_ns() + VIRTIO_NET_DELIVER_NS, on_deliver, NULL);
	return true;
}

void sim_virtio_net_init(const uint8_t mac[6], const struct sim_net_backend *backend)
{
	net = calloc(1, sizeof(*net));
	if (!net)
		plat_panic("out of host memory for the network card");
	net->backend = *backend;
	net->ops = (struct sim_virtio_ops){
		.features = VIRTIO_F_VERSION_1 | F_MAC | F_STATUS,
		.nqueues = 2, .queue_max = VIRTIO_QUEUE_MAX,
		.config = config, .notify = notify, .reset = reset,
	};
	memcpy(net->config, mac, 6);
	sim_put16(net->config + 6, S_LINK_UP);
	sim_virtio_pci_setup(&net->v, &net->ops, net, SLOT, 0x1000, 1);
	net->v.pci.name = "virtio-net";
	net->v.pci.class_code = 0x02; /* network controller, Ethernet */
	sim_pci_add(&net->v.pci);
}

void sim_virtio_net_fini(void)
{
	if (!net)
		return;
	sim_virtio_remove(&net->v);
	free(net);
	net = NULL;
}

struct sim_virtio *sim_virtio_net(void)
{
	return net ? &net->v : NULL;
}

uint64_t sim_virtio_net_dropped(void)
{
	return net ? net->dropped : 0;
}

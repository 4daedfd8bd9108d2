/*
 * The virtio-net driver: a receive queue kept full of RX_BUFS buffers of one frame each, a
 * transmit queue of TX_BUFS buffers, every buffer led by the 12-byte virtio_net_hdr_v1 (all
 * zero: no offloads asked for or offered to). Frames are copied between the DMA buffers and
 * lwIP's pbufs. A frame sent while every transmit buffer is in flight is dropped, as a card
 * with a full ring drops it; TCP sends it again.
 */
#include "netdev.h"

#include <ecl/dev.h>
#include <ecl/virtio.h>
#include <errno.h>
#include <lwip/etharp.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <netif/ethernet.h>
#include <string.h>

#define VIRTIO_NET_LEGACY 0x1000
#define VIRTIO_NET 0x1041
#define F_MAC (1ull << 5)
#define HDR 12u
#define BUF 2048u /* a header and a 1518-byte frame, rounded */
#define RX_BUFS 128u
#define TX_BUFS 128u
#define FRAME_MAX 1514u

static struct {
	struct virtio_dev dev;
	struct virtq rxq, txq;
	uint8_t *dma; /* RX_BUFS receive buffers, then TX_BUFS transmit buffers */
	uint64_t dma_pa;
	int rx_of_head[RX_BUFS]; /* which buffer a receive request's head is */
	int tx_of_head[TX_BUFS];
	bool tx_busy[TX_BUFS];
	struct netif *netif;
} nd;

#define RX_AT(i) ((size_t)(i) * BUF)
#define TX_AT(i) ((size_t)(RX_BUFS + (i)) * BUF)

static void post_rx(unsigned i)
{
	struct virtq_buf b = {nd.dma_pa + RX_AT(i), BUF, true};
	int head = virtq_submit(&nd.rxq, &b, 1);
	if (head >= 0 && head < (int)RX_BUFS)
		nd.rx_of_head[head] = (int)i;
}

static void reap_tx(void)
{
	uint16_t head;
	uint32_t written;
	while (virtq_reap(&nd.txq, &head, &written))
		if (head < TX_BUFS)
			nd.tx_busy[nd.tx_of_head[head]] = false;
}

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	(void)netif;
	reap_tx();
	unsigned i = 0;
	while (i < TX_BUFS && nd.tx_busy[i])
		i++;
	if (i == TX_BUFS || p->tot_len > FRAME_MAX)
		return ERR_MEM;
	uint8_t *buf = nd.dma + TX_AT(i);
	memset(buf, 0, HDR);
	pbuf_copy_partial(p, buf + HDR, p->tot_len, 0);
	struct virtq_buf b = {nd.dma_pa + TX_AT(i), HDR + p->tot_len, false};
	int head = virtq_submit(&nd.txq, &b, 1);
	if (head < 0 || head >= (int)TX_BUFS)
		return ERR_MEM;
	nd.tx_of_head[head] = (int)i;
	nd.tx_busy[i] = true;
	return ERR_OK;
}

static err_t netif_setup(struct netif *netif)
{
	netif->name[0] = 'e';
	netif->name[1] = 't';
	netif->hwaddr_len = ETH_HWADDR_LEN;
	for (unsigned i = 0; i < ETH_HWADDR_LEN; i++)
		netif->hwaddr[i] = nd.dev.config[i];
	netif->mtu = 1500;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif->output = etharp_output;
	netif->linkoutput = linkoutput;
	return ERR_OK;
}

int netdev_open(struct netif *netif, struct pci_info *info)
{
	int err = virtio_open_first(&nd.dev, VIRTIO_NET_LEGACY, VIRTIO_NET);
	if (err)
		return err;
	*info = nd.dev.info;
	if ((err = virtio_negotiate(&nd.dev, F_MAC)) ||
	    (err = virtio_queue_init(&nd.dev, &nd.rxq, 0, RX_BUFS)) ||
	    (err = virtio_queue_init(&nd.dev, &nd.txq, 1, TX_BUFS)))
		goto fail;
	if (!(nd.dev.features & F_MAC) || !nd.dev.config) {
		err = -ENODEV;
		goto fail;
	}
	nd.dma = dma_alloc((size_t)(RX_BUFS + TX_BUFS) * BUF, &nd.dma_pa);
	if (!nd.dma) {
		err = -errno;
		goto fail;
	}
	virtio_ready(&nd.dev);
	for (unsigned i = 0; i < RX_BUFS; i++)
		post_rx(i);
	nd.netif = netif;
	if (!netif_add(netif, NULL, NULL, NULL, NULL, netif_setup, ethernet_input)) {
		err = -ENOMEM;
		goto fail;
	}
	netif_set_default(netif);
	netif_set_link_up(netif);
	netif_set_up(netif);
	return 0;
fail:
	virtio_close(&nd.dev);
	nd.dma = NULL;
	return err;
}

void netdev_poll(void)
{
	if (!nd.dma)
		return;
	virtio_interrupted(&nd.dev);
	reap_tx();
	uint16_t head;
	uint32_t written;
	while (virtq_reap(&nd.rxq, &head, &written)) {
		if (head >= RX_BUFS)
			continue;
		unsigned i = (unsigned)nd.rx_of_head[head];
		if (written > HDR && written - HDR <= FRAME_MAX + 4) {
			uint16_t len = (uint16_t)(written - HDR);
			struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);
			if (p) {
				pbuf_take(p, nd.dma + RX_AT(i) + HDR, len);
				if (nd.netif->input(p, nd.netif) != ERR_OK)
					pbuf_free(p);
			}
		}
		post_rx(i); /* a frame lwIP had no room for is dropped */
	}
}

void netdev_close(void)
{
	if (!nd.dma)
		return;
	netif_set_down(nd.netif);
	netif_remove(nd.netif);
	virtio_close(&nd.dev);
	nd.dma = NULL;
}

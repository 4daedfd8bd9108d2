/*
 * The network service's stack on hostile frames: lwIP as the service builds it (its lwipopts.h,
 * eth0 at 10.0.2.15/24 as DHCP leaves it), with what a server has open: a TCP listener on port
 * 80 that echoes what it receives and closes at a FIN, a UDP echo on port 7, a raw ICMP
 * socket. The input is a script: 0x00 LEN(2, big-endian) BYTES feeds a frame to eth0 (it arrives
 * as the card's driver hands it over), 0x01 MS(2) moves the clock and runs lwIP's timers,
 * anything else ends it. The frames lwIP sends go nowhere. Whatever the frames, every call
 * returns and the script ends: a crash, a sanitizer report or a hang is a bug. lwIP's state
 * carries over from one input to the next, as the service's does from frame to frame.
 */
#include "fuzz.h"

#include <lwip/init.h>
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/raw.h>
#include <lwip/tcp.h>
#include <lwip/timeouts.h>
#include <lwip/udp.h>
#include <netif/etharp.h>
#include <netif/ethernet.h>
#include <string.h>

#define FRAME_MAX 1518u

static struct netif eth0;
static uint32_t now_ms;
static unsigned long sent;

u32_t sys_now(void)
{
	return now_ms;
}

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	(void)netif;
	FUZZ_CHECK(p->tot_len <= FRAME_MAX, "a frame of %u bytes sent", p->tot_len);
	sent++;
	return ERR_OK;
}

static err_t setup(struct netif *netif)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	netif->hwaddr_len = 6;
	memcpy(netif->hwaddr, mac, 6);
	netif->mtu = 1500;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif->output = etharp_output;
	netif->linkoutput = linkoutput;
	return ERR_OK;
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg, (void)err;
	if (!p) {
		tcp_arg(pcb, NULL);
		tcp_recv(pcb, NULL);
		if (tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
		return p ? ERR_OK : ERR_ABRT;
	}
	tcp_recved(pcb, p->tot_len);
	for (struct pbuf *q = p; q; q = q->next)
		if (tcp_sndbuf(pcb) >= q->len)
			tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY);
	tcp_output(pcb);
	pbuf_free(p);
	return ERR_OK;
}

static err_t accepted(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	tcp_recv(pcb, echo_recv);
	return ERR_OK;
}

static void udp_echo(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	udp_sendto(pcb, p, addr, port);
	pbuf_free(p);
}

static u8_t raw_seen(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	(void)arg, (void)pcb, (void)addr, (void)p;
	return 0; /* not eaten: lwIP answers echo requests itself */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	lwip_init();
	ip4_addr_t addr, mask, gw;
	IP4_ADDR(&addr, 10, 0, 2, 15);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	IP4_ADDR(&gw, 10, 0, 2, 2);
	FUZZ_CHECK(netif_add(&eth0, &addr, &mask, &gw, NULL, setup, ethernet_input), "netif_add");
	netif_set_default(&eth0);
	netif_set_link_up(&eth0);
	netif_set_up(&eth0);
	struct tcp_pcb *listener = tcp_new();
	FUZZ_CHECK(listener && tcp_bind(listener, IP_ADDR_ANY, 80) == ERR_OK, "tcp_bind");
	listener = tcp_listen(listener);
	FUZZ_CHECK(listener, "tcp_listen");
	tcp_accept(listener, accepted);
	struct udp_pcb *u = udp_new();
	FUZZ_CHECK(u && udp_bind(u, IP_ADDR_ANY, 7) == ERR_OK, "udp_bind");
	udp_recv(u, udp_echo, NULL);
	struct raw_pcb *r = raw_new(IP_PROTO_ICMP);
	FUZZ_CHECK(r, "raw_new");
	raw_recv(r, raw_seen, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;
	while (at + 3 <= size) {
		uint8_t op = data[at];
		unsigned arg = (unsigned)data[at + 1] << 8 | data[at + 2];
		at += 3;
		if (op == 0) {
			unsigned len = arg < size - at ? arg : (unsigned)(size - at);
			if (len > FRAME_MAX)
				len = FRAME_MAX;
			struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
			if (p) {
				pbuf_take(p, data + at, (u16_t)len);
				if (eth0.input(p, &eth0) != ERR_OK)
					pbuf_free(p);
			}
			at += len;
		} else if (op == 1) {
			now_ms += arg;
			sys_check_timeouts();
		} else {
			break;
		}
	}
	/* Time goes on after every input, so that retransmissions and timeouts end what it began. */
	now_ms += 1000;
	sys_check_timeouts();
	return 0;
}

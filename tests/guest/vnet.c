/*
 * The network card end to end, below any network stack: run as process 1 on a machine with a
 * virtio-net card on QEMU's user-mode network (eclipse-sim --net=user, QEMU's -netdev user), a
 * granted child drives the card through libecl's virtio transport with hand-built frames:
 *   arp       an ARP request for the gateway 10.0.2.2 is answered with its address
 *   ping      an ICMP echo request to the gateway is answered with the same data
 *   closed    a SYN to the gateway's port 9 is answered with a reset
 *   hostfwd   (argument "hostfwd") prints "waiting for a host connection", then a host client
 *             connecting to the hostfwd port arrives as a SYN to 10.0.2.15:80
 *   guestfwd  (argument "guestfwd") a TCP connection to 10.0.2.100:80 reaches the host's server
 *             through the guestfwd rule: a GET is sent and the reply's first line printed
 *   contained (arguments "contained" [PORT]) a connection to an address no rule opens, and one
 *             to the host's loopback PORT through the gateway, are refused (slirp resets them)
 */
#include "check.h"

#include <ecl/dev.h>
#include <ecl/virtio.h>
#include <eclipse.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define F_MAC (1ull << 5)
#define HDR 12u
#define BUF 2048u
#define RX_BUFS 16u
#define GUEST 0x0a00020fu
#define GATEWAY 0x0a000202u

static struct virtio_dev dev;
static struct virtq rxq, txq;
static uint8_t *dma;
static uint64_t dma_pa;
static uint8_t mac[6], gw_mac[6];
static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* The DMA area: RX_BUFS receive buffers, then the transmit buffer. */
#define RX(i) (dma + (i) * BUF)
#define TX (dma + RX_BUFS * BUF)

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t sum(const uint8_t *p, size_t len, uint32_t acc)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		acc += get16(p + i);
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static int rx_of_head[RX_BUFS]; /* which receive buffer a request's head is */

static void post_rx(unsigned i)
{
	struct virtq_buf b = {dma_pa + i * BUF, BUF, true};
	int head = virtq_submit(&rxq, &b, 1);
	if (head >= 0 && head < (int)RX_BUFS)
		rx_of_head[head] = (int)i;
}

static const char *open_driver(unsigned index)
{
	if (virtio_open(&dev, index))
		return "virtio_open";
	if (virtio_negotiate(&dev, F_MAC) || !(dev.features & F_MAC))
		return "features";
	if (virtio_queue_init(&dev, &rxq, 0, RX_BUFS) || virtio_queue_init(&dev, &txq, 1, 4))
		return "queues";
	if (!(dma = dma_alloc((RX_BUFS + 1) * BUF, &dma_pa)))
		return "dma_alloc";
	for (unsigned i = 0; i < 6; i++)
		mac[i] = dev.config[i];
	virtio_ready(&dev);
	for (unsigned i = 0; i < RX_BUFS; i++)
		post_rx(i);
	return NULL;
}

/* Sends the frame at TX + HDR of len bytes: whether the card took it. */
static bool send_frame(size_t len)
{
	memset(TX, 0, HDR);
	struct virtq_buf b = {dma_pa + RX_BUFS * BUF, (uint32_t)(HDR + len), false};
	int head = virtq_submit(&txq, &b, 1);
	if (head < 0)
		return false;
	for (int waits = 0; waits < 50; waits++) {
		uint16_t done;
		uint32_t written;
		if (virtq_reap(&txq, &done, &written))
			return done == head;
		if (dev_irq_wait(100000000ull))
			virtio_interrupted(&dev);
	}
	return false;
}

/* The next frame within timeout_ns, copied to out (at most BUF): its length, or 0. */
static size_t recv_frame(uint8_t *out, uint64_t timeout_ns)
{
	uint64_t end = now_ns() + timeout_ns;
	for (;;) {
		uint16_t head;
		uint32_t written;
		if (virtq_reap(&rxq, &head, &written)) {
			unsigned i = head < RX_BUFS ? (unsigned)rx_of_head[head] : RX_BUFS;
			size_t len = written > HDR && i < RX_BUFS ? written - HDR : 0;
			if (len)
				memcpy(out, RX(i) + HDR, len);
			if (i < RX_BUFS)
				post_rx(i);
			if (len)
				return len;
			continue;
		}
		uint64_t t = now_ns();
		if (t >= end)
			return 0;
		if (dev_irq_wait(end - t))
			virtio_interrupted(&dev);
	}
}

/* An Ethernet header at f to dst of type, from us. */
static uint8_t *eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, type);
	return f + 14;
}

/* An IPv4 header at p for payload_len bytes of proto, from us to dst. */
static uint8_t *ip(uint8_t *p, uint32_t dst, uint8_t proto, size_t payload_len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(20 + payload_len));
	put16(p + 4, 1);
	p[8] = 64;
	p[9] = proto;
	put32(p + 12, GUEST);
	put32(p + 16, dst);
	put16(p + 10, fold(sum(p, 20, 0)));
	return p + 20;
}

/* A received IPv4 frame of proto: its payload and length, or NULL. */
static const uint8_t *ip_payload(const uint8_t *f, size_t len, uint8_t proto, size_t *plen)
{
	if (len < 34 || get16(f + 12) != 0x0800 || f[23] != proto || get32(f + 30) != GUEST)
		return NULL;
	size_t ihl = (size_t)(f[14] & 15) * 4, total = get16(f + 16);
	if (total < ihl || 14 + total > len)
		return NULL;
	*plen = total - ihl;
	return f + 14 + ihl;
}

static bool arp_gateway(void)
{
	uint8_t *a = eth(TX + HDR, broadcast, 0x0806);
	put16(a, 1), put16(a + 2, 0x0800), a[4] = 6, a[5] = 4, put16(a + 6, 1);
	memcpy(a + 8, mac, 6);
	put32(a + 14, GUEST);
	memset(a + 18, 0, 6);
	put32(a + 24, GATEWAY);
	if (!send_frame(14 + 28))
		return false;
	uint8_t f[BUF];
	for (size_t len; (len = recv_frame(f, 2000000000ull));) {
		if (len >= 42 && get16(f + 12) == 0x0806 && get16(f + 20) == 2 &&
		    get32(f + 28) == GATEWAY) {
			memcpy(gw_mac, f + 22, 6);
			return true;
		}
	}
	return false;
}

static bool ping_gateway(void)
{
	static const char data[] = "eclipse ping";
	uint8_t *icmp = ip(eth(TX + HDR, gw_mac, 0x0800), GATEWAY, 1, 8 + sizeof(data));
	memset(icmp, 0, 8);
	icmp[0] = 8;
	put16(icmp + 4, 0x1234), put16(icmp + 6, 1);
	memcpy(icmp + 8, data, sizeof(data));
	put16(icmp + 2, fold(sum(icmp, 8 + sizeof(data), 0)));
	if (!send_frame(14 + 20 + 8 + sizeof(data)))
		return false;
	uint8_t f[BUF];
	for (size_t len, plen; (len = recv_frame(f, 2000000000ull));) {
		const uint8_t *p = ip_payload(f, len, 1, &plen);
		if (p && plen == 8 + sizeof(data) && p[0] == 0 && get16(p + 4) == 0x1234 &&
		    !memcmp(p + 8, data, sizeof(data)))
			return true;
	}
	return false;
}

/* Sends a TCP segment from our port sport to dst:dport. */
static bool tcp_send(uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		     uint8_t flags, const void *data, size_t len)
{
	uint8_t *t = ip(eth(TX + HDR, gw_mac, 0x0800), dst, 6, 20 + len);
	memset(t, 0, 20);
	put16(t, sport), put16(t + 2, dport), put32(t + 4, seq), put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 65535);
	memcpy(t + 20, data, len);
	uint8_t pseudo[12];
	put32(pseudo, GUEST), put32(pseudo + 4, dst), pseudo[8] = 0, pseudo[9] = 6;
	put16(pseudo + 10, (uint16_t)(20 + len));
	put16(t + 16, fold(sum(t, 20 + len, sum(pseudo, 12, 0))));
	return send_frame(14 + 20 + 20 + len);
}

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* The next TCP segment to our port within timeout_ns: its header (and *plen the segment's
 * length), or NULL. */
static const uint8_t *tcp_recv(uint8_t *f, uint16_t port, uint64_t timeout_ns, size_t *plen)
{
	uint64_t end = now_ns() + timeout_ns;
	for (uint64_t t; (t = now_ns()) < end;) {
		size_t len = recv_frame(f, end - t);
		const uint8_t *p = len ? ip_payload(f, len, 6, plen) : NULL;
		if (p && *plen >= 20 && get16(p + 2) == port)
			return p;
	}
	return NULL;
}

static bool closed_port(void)
{
	uint8_t f[BUF];
	size_t plen;
	if (!tcp_send(GATEWAY, 40001, 9, 1000, 0, TCP_SYN, NULL, 0))
		return false;
	const uint8_t *t = tcp_recv(f, 40001, 2000000000ull, &plen);
	return t && (t[13] & TCP_RST);
}

static int hostfwd(void)
{
	printf("waiting for a host connection\n");
	fflush(stdout);
	uint8_t f[BUF];
	for (uint64_t end = now_ns() + 30000000000ull; now_ns() < end;) {
		size_t len = recv_frame(f, 1000000000ull), plen;
		const uint8_t *t = len ? ip_payload(f, len, 6, &plen) : NULL;
		if (t && plen >= 20 && get16(t + 2) == 80 && (t[13] & TCP_SYN)) {
			check(true, "a host connection to the hostfwd port arrives as a SYN to 10.0.2.15:80");
			return 0;
		}
	}
	check(false, "a host connection to the hostfwd port arrives as a SYN to 10.0.2.15:80");
	return 1;
}

static void guestfwd(void)
{
	const uint32_t server = 0x0a000264u; /* 10.0.2.100 */
	const uint16_t port = 40002;
	uint8_t f[BUF];
	size_t plen;
	uint32_t seq = 5000;
	tcp_send(server, port, 80, seq, 0, TCP_SYN, NULL, 0);
	const uint8_t *t = tcp_recv(f, port, 10000000000ull, &plen);
	bool up = t && (t[13] & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
	check(up, "a connection to the guestfwd address is accepted");
	if (!up)
		return;
	uint32_t ack = get32(t + 4) + 1;
	seq++;
	static const char get[] = "GET /page.txt HTTP/1.0\r\n\r\n";
	tcp_send(server, port, 80, seq, ack, TCP_ACK, NULL, 0);
	tcp_send(server, port, 80, seq, ack, TCP_ACK | TCP_PSH, get, sizeof(get) - 1);
	seq += sizeof(get) - 1;
	static char reply[65536];
	size_t got = 0;
	bool fin = false;
	while (!fin && (t = tcp_recv(f, port, 10000000000ull, &plen))) {
		size_t off = (size_t)(t[12] >> 4) * 4;
		if (off > plen)
			break;
		size_t n = plen - off;
		if (get32(t + 4) == ack) { /* in order: take it; slirp does not reorder */
			if (n && got + n < sizeof(reply)) {
				memcpy(reply + got, t + off, n);
				got += n;
			}
			ack += (uint32_t)n;
			if (t[13] & TCP_FIN) {
				ack++;
				fin = true;
			}
		}
		if (t[13] & TCP_RST)
			break;
		tcp_send(server, port, 80, seq, ack, TCP_ACK | (fin ? TCP_FIN : 0), NULL, 0);
	}
	reply[got] = 0;
	char *eol = strstr(reply, "\r\n");
	if (eol)
		*eol = 0;
	char *body = eol ? strstr(eol + 2, "\r\n\r\n") : NULL;
	printf("guestfwd reply: %s\n", reply);
	printf("guestfwd body: %s", body ? body + 4 : "(none)\n");
	check(fin, "the host's server ends the connection");
}

/* A connection attempt to dst:port: true when it was refused (a reset) or never answered, and
 * no handshake came back. */
static bool refused(uint32_t dst, uint16_t port, uint16_t sport)
{
	uint8_t f[BUF];
	size_t plen;
	tcp_send(dst, sport, port, 7000, 0, TCP_SYN, NULL, 0);
	const uint8_t *t = tcp_recv(f, sport, 1000000000ull, &plen);
	return !t || (t[13] & TCP_RST);
}

static void contained(const char *host_port)
{
	check(refused(0xc0000201u, 80, 40003), /* 192.0.2.1, TEST-NET-1 */
	      "a connection to an outside address no rule opens is refused");
	if (host_port)
		check(refused(GATEWAY, (uint16_t)atoi(host_port), 40004),
		      "a connection to the host's loopback through the gateway is refused");
}

static int drive(unsigned index, const char *mode, const char *arg)
{
	const char *failed = open_driver(index);
	if (failed) {
		printf("driver: %s failed\n", failed);
		return 1;
	}
	check(mac[0] == 0x52 && mac[1] == 0x54 && mac[2] == 0x00, "the card's address is QEMU's 52:54:00:...");
	check(arp_gateway(), "the gateway 10.0.2.2 answers ARP");
	if (!mode) {
		check(ping_gateway(), "the gateway answers a ping with its data");
		check(closed_port(), "a SYN to a closed port of the gateway is reset");
	} else if (!strcmp(mode, "hostfwd")) {
		hostfwd();
	} else if (!strcmp(mode, "guestfwd")) {
		guestfwd();
	} else if (!strcmp(mode, "contained")) {
		contained(arg);
	}
	return check_status();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	long card = -1;
	struct pci_info info;
	for (unsigned i = 0; pci_device(i, &info) == 0; i++)
		if (info.vendor == VIRTIO_VENDOR && (info.device == 0x1000 || info.device == 0x1041))
			card = i;
	check(card >= 0, "a virtio network card is there");
	if (card < 0)
		return check_status();
	fflush(stdout);
	pid_t driver = fork();
	if (driver == 0) {
		raise(SIGSTOP); /* until granted */
		_exit(drive((unsigned)card, argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL));
	}
	int status;
	waitpid(driver, &status, WUNTRACED);
	check(syscall(SYS_dev_grant, driver, card) == 0, "process 1 grants the card to a child");
	kill(driver, SIGCONT);
	waitpid(driver, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

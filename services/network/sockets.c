/*
 * The Internet sockets of every process, on lwIP's raw API: the kernel turns the socket calls
 * into requests (uapi <eclipse.h>, "Internet sockets"), and this file answers each at once.
 * What cannot be done yet is -EAGAIN; the kernel waits on the socket's readiness, which
 * sockets_flush() reports after every event that may have changed it. Received data waits
 * here in lwIP's pbufs until a receive takes it, and only then is the TCP window opened again,
 * so a slow reader slows its sender instead of filling the service's memory.
 */
#include "sockets.h"

#include <eclipse.h>
#include <errno.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/inet_chksum.h>
#include <lwip/pbuf.h>
#include <lwip/prot/icmp.h>
#include <lwip/prot/ip4.h>
#include <lwip/raw.h>
#include <lwip/tcp.h>
#include <lwip/udp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#define SLOTS NET_SOCKETS_MAX
#define BACKLOG_MAX 128
#define UDP_QUEUE_MAX (256u << 10) /* bytes of datagrams a socket keeps unread */
#define UDP_MSG_MAX 65507
#define MIN(a, b) ((a) < (b) ? (a) : (b))

struct dgram {
	struct dgram *next;
	struct pbuf *p;
	ip_addr_t from;
	u16_t port;
};

struct nsock {
	unsigned handle; /* 0: the slot is free */
	int type;        /* SOCK_STREAM, SOCK_DGRAM */
	struct tcp_pcb *tcp;
	struct udp_pcb *udp;
	struct raw_pcb *ping; /* an ICMP datagram socket ("ping socket"): echo requests out, their
			       * replies in, as Linux's SOCK_DGRAM IPPROTO_ICMP */
	u16_t echo_id;         /* the identifier its echo requests carry */
	bool icmp;             /* a ping socket, or a raw ICMP one (SOCK_RAW: whole IP packets in,
				* the caller's ICMP messages out as they are, as Linux's) */
	bool pending;    /* a connection accept has not taken: the kernel does not know it */
	bool listening, connecting, connected, shut_rd, shut_wr, rx_fin, gone;
	int err;         /* the error a call or SO_ERROR says next (positive), 0 none */
	struct pbuf *rx; /* TCP: what came and nobody read */
	struct dgram *dq, **dq_tail; /* UDP: the datagrams that came */
	size_t dq_bytes;
	unsigned queue[BACKLOG_MAX]; /* listening: connections accept has not taken */
	unsigned nq, backlog;
	struct net_addr local, peer;
	u8_t so_options;  /* SOF_* while there is no pcb */
	bool nodelay;
	unsigned mask, version; /* the readiness last reported */
};

static struct nsock socks[SLOTS];
static unsigned generation = 1;
static unsigned char io[NET_IO_MAX];

static long grant_copy(int client, uint64_t off, void *buf, size_t len, unsigned dir)
{
	return syscall(SYS_grant_copy, client, off, buf, len, dir);
}

static struct nsock *find(unsigned handle)
{
	unsigned slot = handle & 0xffffu;
	if (slot >= SLOTS || !handle || socks[slot].handle != handle)
		return NULL;
	return &socks[slot];
}

static struct nsock *alloc(int type)
{
	for (unsigned i = 0; i < SLOTS; i++) {
		if (socks[i].handle)
			continue;
		struct nsock *s = &socks[i];
		*s = (struct nsock){.type = type};
		generation = generation % 0x7fff + 1;
		s->handle = i | generation << 16;
		s->dq_tail = &s->dq;
		return s;
	}
	return NULL;
}

static int errno_of(err_t e)
{
	switch (e) {
	case ERR_OK: return 0;
	case ERR_MEM: case ERR_BUF: return ENOBUFS;
	case ERR_TIMEOUT: return ETIMEDOUT;
	case ERR_RTE: return ENETUNREACH;
	case ERR_INPROGRESS: return EINPROGRESS;
	case ERR_VAL: return EINVAL;
	case ERR_WOULDBLOCK: return EAGAIN;
	case ERR_USE: return EADDRINUSE;
	case ERR_ALREADY: return EALREADY;
	case ERR_ISCONN: return EISCONN;
	case ERR_CONN: return ENOTCONN;
	case ERR_IF: return ENETDOWN;
	case ERR_ABRT: return ECONNABORTED;
	case ERR_RST: return ECONNRESET;
	case ERR_CLSD: return ENOTCONN;
	case ERR_ARG: return EINVAL;
	default: return EIO;
	}
}

static struct net_addr addr_of(const ip_addr_t *ip, u16_t port)
{
	return (struct net_addr){AF_INET, lwip_htons(port), ip4_addr_get_u32(ip_2_ip4(ip))};
}

static void ip_of(const struct net_addr *a, ip_addr_t *ip)
{
	ip_addr_set_ip4_u32(ip, a->addr);
}

/* An error to say once: the pending one, taken. */
static long take_err(struct nsock *s)
{
	int e = s->err;
	s->err = 0;
	return -e;
}

/* Room for a send now. */
static bool room(const struct nsock *s)
{
	return s->tcp && tcp_sndbuf(s->tcp) > 0 && tcp_sndqueuelen(s->tcp) < TCP_SND_QUEUELEN - 4;
}

static unsigned readiness(const struct nsock *s)
{
	unsigned m = 0;
	if (s->type == SOCK_DGRAM) {
		m = POLLOUT;
		if (s->dq)
			m |= POLLIN;
		if (s->err)
			m |= POLLERR;
		return m;
	}
	if (s->listening)
		return s->nq ? POLLIN : 0;
	if (s->connecting)
		return 0;
	if (!s->connected && !s->gone)
		return POLLOUT | POLLHUP; /* a new socket, as Linux shows one */
	if (s->rx || s->rx_fin || s->shut_rd)
		m |= POLLIN;
	if (s->rx_fin || s->shut_rd)
		m |= POLLRDHUP;
	if (s->err)
		m |= POLLERR;
	if (s->gone)
		m |= POLLIN | POLLOUT | POLLHUP;
	else if (!s->shut_wr && room(s))
		m |= POLLOUT;
	if (s->rx_fin && s->shut_wr)
		m |= POLLHUP;
	return m;
}

void sockets_flush(void)
{
	struct net_ready batch[64];
	unsigned n = 0;
	for (unsigned i = 0; i < SLOTS; i++) {
		struct nsock *s = &socks[i];
		if (!s->handle || s->pending)
			continue;
		unsigned m = readiness(s);
		if (m == s->mask && s->version)
			continue;
		s->mask = m;
		s->version++;
		if (!s->version)
			s->version = 1;
		batch[n++] = (struct net_ready){s->handle, m, s->version};
		if (n == sizeof(batch) / sizeof(batch[0])) {
			syscall(SYS_net_ready, batch, n);
			n = 0;
		}
	}
	if (n)
		syscall(SYS_net_ready, batch, n);
}

/* The readiness a reply carries: s's now (and counted as reported). */
static void stamp(struct nsock *s, struct net_rep *rep)
{
	unsigned m = readiness(s);
	if (m != s->mask || !s->version) {
		s->mask = m;
		if (!++s->version)
			s->version = 1;
	}
	rep->mask = s->mask;
	rep->version = s->version;
}

static void enqueue(struct nsock *s, struct pbuf *p, const ip_addr_t *from, u16_t port);

/* lwIP's calls into us. */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)err;
	struct nsock *s = arg;
	if (!p) {
		s->rx_fin = true;
		return ERR_OK;
	}
	if (s->shut_rd) { /* Linux drops what comes after SHUT_RD */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	if (s->rx)
		pbuf_cat(s->rx, p);
	else
		s->rx = p;
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	struct nsock *s = arg;
	s->tcp = NULL; /* lwIP freed it */
	s->err = s->connecting && err == ERR_RST ? ECONNREFUSED
		 : s->connecting && err == ERR_ABRT ? ETIMEDOUT : errno_of(err);
	s->connecting = false;
	s->gone = true;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct nsock *s = arg;
	s->connecting = false;
	s->connected = err == ERR_OK;
	s->local = addr_of(&pcb->local_ip, pcb->local_port);
	return ERR_OK;
}

static void tcp_hooks(struct nsock *s, struct tcp_pcb *pcb)
{
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_err(pcb, on_err);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct nsock *l = arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	struct nsock *s = l->nq < l->backlog ? alloc(SOCK_STREAM) : NULL;
	if (!s) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	s->tcp = pcb;
	s->pending = true;
	s->connected = true;
	s->local = addr_of(&pcb->local_ip, pcb->local_port);
	s->peer = addr_of(&pcb->remote_ip, pcb->remote_port);
	if (l->nodelay)
		tcp_nagle_disable(pcb);
	tcp_hooks(s, pcb);
	l->queue[l->nq++] = s->handle;
	return ERR_OK;
}

static void on_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	(void)pcb;
	enqueue(arg, p, addr, port);
}

/* Keeps a datagram that came for s (p its own reference). */
static void enqueue(struct nsock *s, struct pbuf *p, const ip_addr_t *from, u16_t port)
{
	struct dgram *d = s->dq_bytes + p->tot_len <= UDP_QUEUE_MAX ? malloc(sizeof(*d)) : NULL;
	if (!d) {
		pbuf_free(p); /* a full receive queue drops it, as Linux's does */
		return;
	}
	*d = (struct dgram){NULL, p, *from, port};
	*s->dq_tail = d;
	s->dq_tail = &d->next;
	s->dq_bytes += p->tot_len;
}

/* An ICMP packet came (p at its IP header): an echo reply to one of ours is the socket's;
 * everything else goes on to lwIP's own ICMP. */
static u8_t on_icmp(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	(void)pcb;
	struct nsock *s = arg;
	if (p->len < IP_HLEN)
		return 0;
	if (!s->echo_id) { /* raw: every ICMP packet, IP header and all; lwIP sees it too */
		struct pbuf *q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
		if (q)
			enqueue(s, q, addr, 0);
		return 0;
	}
	u16_t hlen = (u16_t)(IPH_HL_BYTES((struct ip_hdr *)p->payload));
	struct icmp_echo_hdr h;
	if (p->tot_len < hlen + sizeof(h) || pbuf_copy_partial(p, &h, sizeof(h), hlen) != sizeof(h) ||
	    h.type != ICMP_ER || h.id != lwip_htons(s->echo_id))
		return 0;
	struct pbuf *q = pbuf_alloc(PBUF_RAW, (u16_t)(p->tot_len - hlen), PBUF_RAM);
	if (!q)
		return 0;
	pbuf_copy_partial(p, q->payload, q->len, hlen);
	enqueue(s, q, addr, 0);
	pbuf_free(p);
	return 1;
}

/* The pcb a socket works with, made when it has none. */
static bool ensure_pcb(struct nsock *s)
{
	if (s->icmp) {
		if (!s->ping && (s->ping = raw_new(IP_PROTO_ICMP)))
			raw_recv(s->ping, on_icmp, s);
		return s->ping != NULL;
	}
	if (s->type == SOCK_DGRAM) {
		if (!s->udp && (s->udp = udp_new())) {
			udp_recv(s->udp, on_udp, s);
			s->udp->so_options |= s->so_options;
		}
		return s->udp != NULL;
	}
	if (!s->tcp && !s->gone && (s->tcp = tcp_new())) {
		tcp_hooks(s, s->tcp);
		s->tcp->so_options |= s->so_options;
		if (s->nodelay)
			tcp_nagle_disable(s->tcp);
	}
	return s->tcp != NULL;
}

static void drop_rx(struct nsock *s)
{
	if (s->rx) {
		if (s->tcp)
			tcp_recved(s->tcp, s->rx->tot_len);
		pbuf_free(s->rx);
		s->rx = NULL;
	}
	while (s->dq) {
		struct dgram *d = s->dq;
		s->dq = d->next;
		pbuf_free(d->p);
		free(d);
	}
	s->dq_tail = &s->dq;
	s->dq_bytes = 0;
}

static void close_sock(struct nsock *s)
{
	for (unsigned i = 0; i < s->nq; i++) {
		struct nsock *c = find(s->queue[i]);
		if (c)
			close_sock(c); /* never accepted: reset */
	}
	if (s->tcp) {
		struct tcp_pcb *pcb = s->tcp;
		tcp_arg(pcb, NULL);
		if (!s->listening) {
			tcp_recv(pcb, NULL); /* lwIP's own then takes and drops what comes */
			tcp_err(pcb, NULL);
		}
		bool unread = s->rx != NULL;
		if (s->listening || !unread) {
			if (tcp_close(pcb) != ERR_OK)
				tcp_abort(pcb);
		} else {
			tcp_abort(pcb); /* unread data: Linux resets the connection */
		}
	}
	if (s->udp)
		udp_remove(s->udp);
	if (s->ping)
		raw_remove(s->ping);
	s->tcp = NULL;
	s->udp = NULL;
	s->ping = NULL;
	drop_rx(s);
	s->handle = 0;
}

/* An address this machine has (or any, or loopback). */
static bool local_addr(const ip_addr_t *ip)
{
	if (ip_addr_isany(ip) || ip4_addr_isloopback(ip_2_ip4(ip)))
		return true;
	struct netif *n;
	NETIF_FOREACH(n)
	if (ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
		return true;
	return false;
}

static long do_bind(struct nsock *s, const struct net_req *q)
{
	ip_addr_t ip;
	ip_of(&q->addr, &ip);
	if (!local_addr(&ip))
		return -EADDRNOTAVAIL;
	if (!ensure_pcb(s))
		return s->gone ? -EINVAL : -ENOMEM;
	u16_t port = lwip_ntohs(q->addr.port);
	err_t e;
	if (s->icmp) {
		e = raw_bind(s->ping, &ip);
		if (!e)
			s->local = (struct net_addr){AF_INET, 0, q->addr.addr};
	} else if (s->type == SOCK_DGRAM) {
		if (s->udp->local_port)
			return -EINVAL;
		e = udp_bind(s->udp, &ip, port);
		if (!e)
			s->local = addr_of(&s->udp->local_ip, s->udp->local_port);
	} else {
		if (s->tcp->local_port || s->listening || s->connected || s->connecting)
			return -EINVAL;
		e = tcp_bind(s->tcp, &ip, port);
		if (!e)
			s->local = addr_of(&s->tcp->local_ip, s->tcp->local_port);
	}
	return -errno_of(e);
}

static long do_listen(struct nsock *s, const struct net_req *q)
{
	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if (s->listening) {
		s->backlog = q->arg;
		return 0;
	}
	if (s->connected || s->connecting || !ensure_pcb(s))
		return -EINVAL;
	if (!s->tcp->local_port) { /* Linux picks a port for an unbound listener */
		err_t e = tcp_bind(s->tcp, IP_ADDR_ANY, 0);
		if (e)
			return -errno_of(e);
	}
	err_t e = ERR_OK;
	struct tcp_pcb *l = tcp_listen_with_backlog_and_err(s->tcp, (u8_t)MIN(q->arg, 255), &e);
	if (!l)
		return -errno_of(e);
	s->tcp = l; /* the old pcb was freed */
	tcp_arg(l, s);
	tcp_accept(l, on_accept);
	s->listening = true;
	s->backlog = q->arg;
	s->local = addr_of(&l->local_ip, l->local_port);
	return 0;
}

static long do_accept(struct nsock *l, struct net_rep *rep)
{
	if (l->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if (!l->listening)
		return -EINVAL;
	while (l->nq) {
		struct nsock *s = find(l->queue[0]);
		l->nq--;
		memmove(l->queue, l->queue + 1, l->nq * sizeof(l->queue[0]));
		if (!s)
			continue;
		s->pending = false;
		if (s->tcp)
			tcp_backlog_accepted(s->tcp);
		rep->handle = s->handle;
		rep->addr = s->peer;
		stamp(s, rep);
		return 0;
	}
	return -EAGAIN;
}

static long do_connect(struct nsock *s, const struct net_req *q)
{
	ip_addr_t ip;
	ip_of(&q->addr, &ip);
	u16_t port = lwip_ntohs(q->addr.port);
	if (s->icmp) {
		s->connected = q->addr.family != AF_UNSPEC;
		s->peer = q->addr;
		return 0;
	}
	if (s->type == SOCK_DGRAM) {
		if (!ensure_pcb(s))
			return -ENOMEM;
		if (q->addr.family == AF_UNSPEC) {
			udp_disconnect(s->udp);
			s->connected = false;
			return 0;
		}
		err_t e = udp_connect(s->udp, &ip, port);
		if (e)
			return -errno_of(e);
		s->connected = true;
		s->local = addr_of(&s->udp->local_ip, s->udp->local_port);
		s->peer = q->addr;
		return 0;
	}
	if (q->addr.family == AF_UNSPEC)
		return -EAFNOSUPPORT;
	if (s->listening)
		return -EISCONN;
	if (s->connecting)
		return -EALREADY;
	if (s->connected)
		return -EISCONN;
	if (!ensure_pcb(s))
		return -ENOMEM;
	s->err = 0;
	err_t e = tcp_connect(s->tcp, &ip, port, on_connected);
	if (e)
		return -errno_of(e);
	s->connecting = true;
	s->peer = q->addr;
	s->local = addr_of(&s->tcp->local_ip, s->tcp->local_port);
	return -EINPROGRESS;
}

static long do_connected(struct nsock *s)
{
	if (s->type != SOCK_STREAM)
		return s->connected ? 0 : -ENOTCONN;
	if (s->connecting)
		return -EAGAIN;
	if (s->err && !s->connected)
		return take_err(s);
	return s->connected ? 0 : -ENOTCONN;
}

static long send_tcp(struct nsock *s, const struct net_req *q, int client)
{
	if (s->err)
		return take_err(s);
	if (s->gone || s->shut_wr)
		return -EPIPE;
	if (!s->connected)
		return s->connecting ? -EAGAIN : -ENOTCONN;
	if (!q->len)
		return 0;
	size_t n = MIN(q->len, tcp_sndbuf(s->tcp));
	if (!n || !room(s))
		return -EAGAIN;
	if (grant_copy(client, 0, io, n, GRANT_FROM_CLIENT) < 0)
		return -EFAULT;
	err_t e;
	while ((e = tcp_write(s->tcp, io, (u16_t)MIN(n, 0xffff), TCP_WRITE_FLAG_COPY)) == ERR_MEM &&
	       n > TCP_MSS)
		n /= 2;
	if (e == ERR_MEM)
		return -EAGAIN;
	if (e)
		return -errno_of(e);
	n = MIN(n, 0xffff);
	tcp_output(s->tcp);
	return (long)n;
}

/* An echo request from a ping socket: the caller's ICMP header and data, with our identifier
 * and the checksum made again, as Linux does. */
static long send_ping(struct nsock *s, const struct net_req *q, int client)
{
	struct icmp_echo_hdr *h;
	if (q->len < sizeof(*h) || q->len > UDP_MSG_MAX)
		return q->len < sizeof(*h) ? -EINVAL : -EMSGSIZE;
	if (!q->has_addr && !s->connected)
		return -EDESTADDRREQ;
	struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)q->len, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	if (grant_copy(client, 0, p->payload, q->len, GRANT_FROM_CLIENT) < 0) {
		pbuf_free(p);
		return -EFAULT;
	}
	h = p->payload;
	if (s->echo_id) {
		if (h->type != ICMP_ECHO || h->code != 0) {
			pbuf_free(p);
			return -EINVAL;
		}
		h->id = lwip_htons(s->echo_id);
		h->chksum = 0;
		h->chksum = inet_chksum(p->payload, p->len);
	}
	ip_addr_t ip;
	ip_of(q->has_addr ? &q->addr : &s->peer, &ip);
	err_t e = raw_sendto(s->ping, p, &ip);
	pbuf_free(p);
	return e ? -errno_of(e) : (long)q->len;
}

static long send_udp(struct nsock *s, const struct net_req *q, int client)
{
	if (s->icmp)
		return send_ping(s, q, client);
	if (s->err)
		return take_err(s);
	if (q->len > UDP_MSG_MAX)
		return -EMSGSIZE;
	if (!q->has_addr && !s->connected)
		return -EDESTADDRREQ;
	if (!ensure_pcb(s))
		return -ENOMEM;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)q->len, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	if (q->len && grant_copy(client, 0, p->payload, q->len, GRANT_FROM_CLIENT) < 0) {
		pbuf_free(p);
		return -EFAULT;
	}
	err_t e;
	if (q->has_addr) {
		ip_addr_t ip;
		ip_of(&q->addr, &ip);
		e = udp_sendto(s->udp, p, &ip, lwip_ntohs(q->addr.port));
	} else {
		e = udp_send(s->udp, p);
	}
	pbuf_free(p);
	s->local = addr_of(&s->udp->local_ip, s->udp->local_port);
	return e ? -errno_of(e) : (long)q->len;
}

static long recv_tcp(struct nsock *s, const struct net_req *q, int client)
{
	if (s->listening)
		return -ENOTCONN;
	size_t avail = s->rx ? s->rx->tot_len : 0;
	if (!avail) {
		if (s->err)
			return take_err(s);
		if (s->rx_fin || s->shut_rd || s->gone)
			return 0;
		if (!s->connected)
			return s->connecting ? -EAGAIN : -ENOTCONN;
		return -EAGAIN;
	}
	size_t n = MIN(avail, q->len);
	if (!n)
		return 0;
	pbuf_copy_partial(s->rx, io, (u16_t)n, 0);
	if (grant_copy(client, 0, io, n, GRANT_TO_CLIENT) < 0)
		return -EFAULT;
	if (!(q->flags & MSG_PEEK)) {
		s->rx = pbuf_free_header(s->rx, (u16_t)n);
		if (s->tcp)
			tcp_recved(s->tcp, (u16_t)n);
	}
	return (long)n;
}

static long recv_udp(struct nsock *s, const struct net_req *q, int client, struct net_rep *rep)
{
	if (!s->dq)
		return s->err ? take_err(s) : -EAGAIN;
	struct dgram *d = s->dq;
	size_t size = d->p->tot_len, n = MIN(size, q->len);
	if (n) {
		pbuf_copy_partial(d->p, io, (u16_t)n, 0);
		if (grant_copy(client, 0, io, n, GRANT_TO_CLIENT) < 0)
			return -EFAULT;
	}
	rep->addr = addr_of(&d->from, d->port);
	if (n < size)
		rep->msg_flags = MSG_TRUNC;
	if (!(q->flags & MSG_PEEK)) {
		s->dq = d->next;
		if (!s->dq)
			s->dq_tail = &s->dq;
		s->dq_bytes -= size;
		pbuf_free(d->p);
		free(d);
	}
	return (long)((q->flags & MSG_TRUNC) ? size : n);
}

static long do_shutdown(struct nsock *s, const struct net_req *q)
{
	if (s->type == SOCK_DGRAM)
		return s->connected ? 0 : -ENOTCONN;
	if (!s->connected && !s->listening)
		return -ENOTCONN;
	if (q->arg != SHUT_WR && !s->shut_rd) {
		s->shut_rd = true;
		if (s->rx && s->tcp)
			tcp_recved(s->tcp, s->rx->tot_len);
		if (s->rx)
			pbuf_free(s->rx);
		s->rx = NULL;
	}
	if (q->arg != SHUT_RD && !s->shut_wr && s->connected) {
		s->shut_wr = true;
		if (s->tcp)
			tcp_shutdown(s->tcp, 0, 1);
	}
	return 0;
}

static long do_name(struct nsock *s, const struct net_req *q, struct net_rep *rep)
{
	if (q->arg) {
		if (!s->connected)
			return -ENOTCONN;
		rep->addr = s->peer;
	} else {
		rep->addr = s->local;
		rep->addr.family = AF_INET;
	}
	return 0;
}

/* The pcb's SOF_* options, or the socket's own while it has none. */
static u8_t *options(struct nsock *s)
{
	if (s->tcp && !s->listening)
		return &s->tcp->so_options;
	if (s->tcp)
		return &((struct tcp_pcb_listen *)(void *)s->tcp)->so_options;
	if (s->udp)
		return &s->udp->so_options;
	return &s->so_options;
}

static long do_getopt(struct nsock *s, const struct net_req *q, struct net_rep *rep)
{
	int v = 0;
	if (q->level == SOL_SOCKET) {
		switch (q->name) {
		case SO_REUSEADDR: v = (*options(s) & SOF_REUSEADDR) != 0; break;
		case SO_KEEPALIVE: v = (*options(s) & SOF_KEEPALIVE) != 0; break;
		case SO_BROADCAST: v = (*options(s) & SOF_BROADCAST) != 0; break;
		case SO_ERROR: v = -(int)take_err(s); break;
		case SO_ACCEPTCONN: v = s->listening; break;
		case SO_SNDBUF: v = s->type == SOCK_STREAM ? TCP_SND_BUF : UDP_QUEUE_MAX; break;
		case SO_RCVBUF: v = s->type == SOCK_STREAM ? TCP_WND : UDP_QUEUE_MAX; break;
		case SO_PROTOCOL:
			v = s->type == SOCK_STREAM ? IPPROTO_TCP : s->icmp ? IPPROTO_ICMP : IPPROTO_UDP;
			break;
		case SO_LINGER: v = 0; break;
		case SO_RCVLOWAT: case SO_SNDLOWAT: v = 1; break;
		default: return -ENOPROTOOPT;
		}
	} else if (q->level == IPPROTO_TCP && s->type == SOCK_STREAM) {
		switch (q->name) {
		case TCP_NODELAY: v = s->nodelay; break;
		case TCP_MAXSEG: v = TCP_MSS; break;
		default: return -ENOPROTOOPT;
		}
	} else if (q->level == IPPROTO_IP) {
		switch (q->name) {
		case IP_TTL: v = IP_DEFAULT_TTL; break;
		case IP_TOS: v = 0; break;
		default: return -ENOPROTOOPT;
		}
	} else {
		return -ENOPROTOOPT;
	}
	rep->optval = v;
	return 0;
}

static void flag(u8_t *opts, u8_t bit, int on)
{
	if (on)
		*opts |= bit;
	else
		*opts &= (u8_t)~bit;
}

static long do_setopt(struct nsock *s, const struct net_req *q)
{
	int v = q->optval;
	if (q->level == SOL_SOCKET) {
		switch (q->name) {
		case SO_REUSEADDR: flag(options(s), SOF_REUSEADDR, v); flag(&s->so_options, SOF_REUSEADDR, v); return 0;
		case SO_KEEPALIVE: flag(options(s), SOF_KEEPALIVE, v); flag(&s->so_options, SOF_KEEPALIVE, v); return 0;
		case SO_BROADCAST: flag(options(s), SOF_BROADCAST, v); flag(&s->so_options, SOF_BROADCAST, v); return 0;
		case SO_SNDBUF: case SO_RCVBUF: case SO_LINGER: case SO_RCVLOWAT: case SO_SNDLOWAT:
			return 0; /* lwIP's sizes are fixed; noted, as Linux notes a value it rounds */
		default: return -ENOPROTOOPT;
		}
	}
	if (q->level == IPPROTO_TCP && s->type == SOCK_STREAM) {
		switch (q->name) {
		case TCP_NODELAY:
			s->nodelay = v != 0;
			if (s->tcp && !s->listening) {
				if (v)
					tcp_nagle_disable(s->tcp);
				else
					tcp_nagle_enable(s->tcp);
			}
			return 0;
		case TCP_MAXSEG: case TCP_KEEPIDLE: case TCP_KEEPINTVL: case TCP_KEEPCNT:
			return v > 0 ? 0 : -EINVAL;
		default: return -ENOPROTOOPT;
		}
	}
	if (q->level == IPPROTO_IP && (q->name == IP_TTL || q->name == IP_TOS))
		return 0;
	return -ENOPROTOOPT;
}

static long do_ioctl(struct nsock *s, const struct net_req *q, int client, struct net_rep *rep)
{
	if (q->arg == FIONREAD) {
		if (s->type == SOCK_DGRAM)
			rep->optval = s->dq ? s->dq->p->tot_len : 0;
		else
			rep->optval = s->rx ? s->rx->tot_len : 0;
		return 0;
	}
	return ifconfig_ioctl(q->arg, q->ifreq, rep->ifreq, client, q->len);
}

long sockets_serve(unsigned op, const struct net_req *q, int client, struct net_rep *rep)
{
	if (op == NET_SOCKET) {
		if (q->arg != SOCK_STREAM && q->arg != SOCK_DGRAM && q->arg != SOCK_RAW)
			return -ESOCKTNOSUPPORT;
		if (q->arg == SOCK_RAW && q->flags != IPPROTO_ICMP)
			return -EPROTONOSUPPORT;
		struct nsock *s = alloc(q->arg == SOCK_STREAM ? SOCK_STREAM : SOCK_DGRAM);
		if (!s)
			return -ENFILE;
		static u16_t echo_ids;
		s->icmp = q->flags == IPPROTO_ICMP;
		if (q->arg == SOCK_DGRAM && s->icmp)
			s->echo_id = (u16_t)(++echo_ids ? echo_ids : ++echo_ids);
		if (!ensure_pcb(s)) {
			s->handle = 0;
			return -ENOBUFS;
		}
		rep->handle = s->handle;
		stamp(s, rep);
		return 0;
	}
	struct nsock *s = find(q->handle);
	if (!s)
		return op == NET_CLOSE ? 0 : -EBADF;
	long r;
	switch (op) {
	case NET_BIND: r = do_bind(s, q); break;
	case NET_LISTEN: r = do_listen(s, q); break;
	case NET_ACCEPT: r = do_accept(s, rep); break;
	case NET_CONNECT: r = do_connect(s, q); break;
	case NET_CONNECTED: r = do_connected(s); break;
	case NET_SEND: r = s->type == SOCK_STREAM ? send_tcp(s, q, client) : send_udp(s, q, client); break;
	case NET_RECV: r = s->type == SOCK_STREAM ? recv_tcp(s, q, client) : recv_udp(s, q, client, rep); break;
	case NET_SHUTDOWN: r = do_shutdown(s, q); break;
	case NET_NAME: r = do_name(s, q, rep); break;
	case NET_GETOPT: r = do_getopt(s, q, rep); break;
	case NET_SETOPT: r = do_setopt(s, q); break;
	case NET_IOCTL: r = do_ioctl(s, q, client, rep); break;
	case NET_CLOSE: close_sock(s); return 0;
	default: return -ENOSYS;
	}
	if (!rep->handle)
		stamp(s, rep);
	return r;
}

void sockets_close_all(void)
{
	for (unsigned i = 0; i < SLOTS; i++)
		if (socks[i].handle && socks[i].tcp && !socks[i].listening)
			tcp_abort(socks[i].tcp); /* tell the peers, as a dying Linux process's close does */
}

/*
 * The machine's network as eclipse-sim's --net option makes it: the card (virtio_net.c) on a
 * slirp wire (net_slirp.c) with the rules the option gives, and the event that lets slirp serve
 * its host sockets at points on the virtual clock: every SIM_NET_POLL_NS while the CPU runs,
 * sooner when slirp's TCP timers want it, and at once when an idle wait saw a socket ready
 * (machine.c waits on them). What the host sends thus enters the machine only at those points.
 *
 * And the guestfwd relay: slirp runs "eclipse-sim --net-relay=HOST:PORT" for each connection
 * the guest makes to a guestfwd address, with the connection as its standard input and output.
 */
#include "net.h"
#include "virtio.h"
#include "devices.h"

#include <arpa/inet.h>
#include <errno.h>
#include <kernel/plat.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct {
	bool active;
	uint64_t event; /* the next poll of slirp, or 0 */
	struct sim_net_backend wire; /* slirp's, or in a replay none */
} net;

static void on_poll(void *arg);

/* Record and replay of what the wire gives the card (net.h). */
struct sim_net_log sim_net_log;

static bool replaying(void)
{
	return sim_net_log.replaying && sim_net_log.replaying();
}

void sim_net_from_wire(const void *frame, size_t len)
{
	if (sim_net_log.frame)
		sim_net_log.frame(frame, len);
	sim_virtio_net_receive(frame, len);
}

/* The wire has said all it says at this point (a replay: says it now). */
static void wire_done(void)
{
	if (replaying()) {
		static uint8_t frame[65536];
		size_t len = sizeof(frame);
		while (sim_net_log.take_frame(frame, &len)) {
			sim_virtio_net_receive(frame, len);
			len = sizeof(frame);
		}
	} else if (sim_net_log.point) {
		sim_net_log.point();
	}
}

static void transmit(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	if (net.wire.transmit && !replaying())
		net.wire.transmit(net.wire.ctx, frame, len);
	wire_done();
}

static void schedule(uint64_t when)
{
	sim_event_cancel(net.event);
	net.event = sim_event_at(when, on_poll, NULL);
}

static void on_poll(void *arg)
{
	(void)arg;
	net.event = 0;
	uint32_t want_ms = replaying() ? UINT32_MAX : sim_slirp_poll(0);
	wire_done();
	/* Its TCP timers' wish is slirp's state, which a replay does not have: recorded. */
	if (sim_net_log.soon && sim_net_log.soon(want_ms == 0))
		want_ms = 0;
	uint64_t next = SIM_NET_POLL_NS;
	if (want_ms != UINT32_MAX && (uint64_t)want_ms * 1000000ull < next)
		next = want_ms ? (uint64_t)want_ms * 1000000ull : 1;
	schedule(plat_clock_ns() + next);
}

int sim_net_start(const struct sim_net_options *opt, char *why, size_t why_len)
{
	/* A replay's wire is the log: no slirp, no host sockets, no forwarded ports. */
	int err = replaying() ? 0 : sim_slirp_open(opt, why, why_len);
	if (err)
		return err;
	static const uint8_t mac[6] = SIM_NET_MAC;
	net.wire = replaying() ? (struct sim_net_backend){0} : sim_slirp_backend();
	struct sim_net_backend card_side = {.transmit = transmit};
	sim_virtio_net_init(mac, &card_side);
	net.active = true;
	schedule(plat_clock_ns() + SIM_NET_POLL_NS);
	return 0;
}

void sim_net_stop(void)
{
	if (!net.active)
		return;
	sim_event_cancel(net.event);
	net.event = 0;
	sim_virtio_net_fini();
	sim_slirp_close();
	net.active = false;
}

bool sim_net_active(void)
{
	return net.active;
}

unsigned sim_net_pollfds(struct pollfd *fds, unsigned max)
{
	return net.active && !replaying() ? sim_slirp_pollfds(fds, max) : 0;
}

void sim_net_ready(void)
{
	if (net.active)
		schedule(plat_clock_ns());
}

/* "ADDR" as an IPv4 address in network byte order; an empty one is dflt. */
static bool parse_addr(const char *s, size_t len, uint32_t dflt, uint32_t *addr)
{
	if (!len) {
		*addr = htonl(dflt);
		return true;
	}
	char buf[INET_ADDRSTRLEN];
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	struct in_addr a;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	*addr = a.s_addr;
	return true;
}

static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long v = 0;
	if (!len || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535 || !v)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* "[ADDR]:PORT" of len bytes. */
static bool parse_endpoint(const char *s, size_t len, uint32_t dflt, uint32_t *addr, uint16_t *port)
{
	const char *colon = memchr(s, ':', len);
	if (!colon)
		return false;
	size_t alen = (size_t)(colon - s);
	return parse_addr(s, alen, dflt, addr) &&
	       parse_port(colon + 1, len - alen - 1, port);
}

/* A rule's "[tcp]:FROM-TO" (udp is refused: restricted slirp drops the guest's UDP replies):
 * FROM and TO, without the protocol and the dash. */
static bool split_rule(const char *s, size_t len, const char **from, size_t *from_len,
		       const char **to, size_t *to_len)
{
	if (len >= 4 && !memcmp(s, "tcp:", 4))
		s += 3, len -= 3;
	if (!len || *s != ':')
		return false;
	s++, len--;
	const char *dash = memchr(s, '-', len);
	if (!dash)
		return false;
	*from = s;
	*from_len = (size_t)(dash - s);
	*to = dash + 1;
	*to_len = len - *from_len - 1;
	return true;
}

/* What follows "hostfwd=": [tcp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT. */
static bool parse_hostfwd(const char *s, size_t len, struct sim_hostfwd *h)
{
	*h = (struct sim_hostfwd){0};
	const char *host, *guest;
	size_t hlen, glen;
	return split_rule(s, len, &host, &hlen, &guest, &glen) &&
	       parse_endpoint(host, hlen, 0x7f000001u, &h->host_addr, &h->host_port) &&
	       parse_endpoint(guest, glen, SIM_NET_GUEST, &h->guest_addr, &h->guest_port);
}

/* What follows "guestfwd=": [tcp]:GUESTADDR:GUESTPORT-tcp:HOSTADDR:HOSTPORT. */
static bool parse_guestfwd(const char *s, size_t len, struct sim_guestfwd *g)
{
	*g = (struct sim_guestfwd){0};
	const char *guest, *host;
	size_t glen, hlen;
	if (!split_rule(s, len, &guest, &glen, &host, &hlen) || hlen < 5 || memcmp(host, "tcp:", 4))
		return false;
	return glen && *guest != ':' &&
	       parse_endpoint(guest, glen, 0, &g->guest_addr, &g->guest_port) && host[4] != ':' &&
	       parse_endpoint(host + 4, hlen - 4, 0, &g->host_addr, &g->host_port);
}

int sim_net_parse(const char *arg, struct sim_net_options *opt, char *why, size_t why_len)
{
	*opt = (struct sim_net_options){0};
	if (!strcmp(arg, "none"))
		return 0;
	if (strncmp(arg, "user", 4) || (arg[4] && arg[4] != ',')) {
		snprintf(why, why_len, "expected none or user[,OPTIONS]");
		return -1;
	}
	for (const char *s = arg + 4; *s;) {
		s++; /* the comma */
		size_t len = strcspn(s, ",");
		const char *eq = memchr(s, '=', len);
		size_t klen = eq ? (size_t)(eq - s) : len;
		const char *v = eq ? eq + 1 : s + len;
		size_t vlen = (size_t)(s + len - v);
		if (klen == 7 && !memcmp(s, "hostfwd", 7)) {
			if (opt->nhostfwd == SIM_NET_HOSTFWD_MAX) {
				snprintf(why, why_len, "at most %d hostfwd rules", SIM_NET_HOSTFWD_MAX);
				return -1;
			}
			if (!parse_hostfwd(v, vlen, &opt->hostfwd[opt->nhostfwd++])) {
				snprintf(why, why_len, "invalid hostfwd '%.*s' (expected "
					 "tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT; udp is not "
					 "forwarded)", (int)vlen, v);
				return -1;
			}
		} else if (klen == 8 && !memcmp(s, "guestfwd", 8)) {
			if (opt->nguestfwd == SIM_NET_GUESTFWD_MAX) {
				snprintf(why, why_len, "at most %d guestfwd rules", SIM_NET_GUESTFWD_MAX);
				return -1;
			}
			if (!parse_guestfwd(v, vlen, &opt->guestfwd[opt->nguestfwd++])) {
				snprintf(why, why_len, "invalid guestfwd '%.*s' (expected "
					 "tcp:GUESTADDR:GUESTPORT-tcp:HOSTADDR:HOSTPORT)", (int)vlen, v);
				return -1;
			}
		} else if (klen == 8 && !memcmp(s, "restrict", 8) && eq &&
			   ((vlen == 2 && !memcmp(v, "on", 2)) || (vlen == 3 && !memcmp(v, "off", 3)))) {
			opt->open = vlen == 3;
		} else {
			snprintf(why, why_len, "unknown --net=user option '%.*s' (expected hostfwd=, "
				 "guestfwd= or restrict=on|off)", (int)len, s);
			return -1;
		}
		s += len;
	}
	return 1;
}

/* Writes all of buf to fd: false when fd is gone. */
static bool write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

int sim_net_relay(const char *hostport)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	uint32_t addr;
	uint16_t port;
	if (!parse_endpoint(hostport, strlen(hostport), 0, &addr, &port)) {
		fprintf(stderr, "eclipse-sim: --net-relay: expected HOST:PORT, got '%s'\n", hostport);
		return 2;
	}
	sa.sin_addr.s_addr = addr;
	sa.sin_port = htons(port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "eclipse-sim: --net-relay: %s: %s\n", hostport, strerror(errno));
		return 1; /* slirp closes the guest's connection: it sees a reset or an end */
	}
	/* fd 0 (and 1, the same socket) is the guest's side; s the host's. */
	bool in_open = true, out_open = true;
	char buf[65536];
	while (in_open || out_open) {
		struct pollfd p[2] = {{in_open ? 0 : -1, POLLIN, 0}, {out_open ? s : -1, POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			ssize_t n = read(0, buf, sizeof(buf));
			if (n > 0 && write_all(s, buf, (size_t)n))
				continue;
			if (n < 0 && errno == EINTR)
				continue;
			in_open = false; /* the guest finished sending */
			shutdown(s, SHUT_WR);
		}
		if (p[1].revents) {
			ssize_t n = read(s, buf, sizeof(buf));
			if (n > 0 && write_all(1, buf, (size_t)n))
				continue;
			if (n < 0 && errno == EINTR)
				continue;
			out_open = false; /* the host's server finished */
			shutdown(1, SHUT_WR);
		}
	}
	close(s);
	return 0;
}

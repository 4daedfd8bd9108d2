/*
 * The wire behind the network card: libslirp, the user-mode network that QEMU's -netdev user
 * is, with QEMU's addressing (the guest 10.0.2.15 by DHCP, the gateway 10.0.2.2, DNS 10.0.2.3)
 * and in its restricted mode unless asked (restrict=off): the guest reaches nothing outside the
 * simulator but the gateway itself (ping, DHCP) and what a forwarding rule opens. A guestfwd
 * rule runs the relay command (sim_net_relay) for each connection, its standard input and
 * output the connection: slirp's exec rule, the one that gives each connection its own host
 * socket. No IPv6 (slirp's only timer,
 * for router advertisements, goes with it).
 *
 * slirp is not deterministic by itself: its host sockets bring data when the host does. It is
 * called at points on the virtual clock only (a frame the card sends, a poll of its sockets),
 * and the frames it gives the guest go through the card's queue onto that clock, so a run is
 * the same given the same frames. slirp answers some frames at once, inside slirp_input (ARP,
 * ping, TCP handshakes): send_packet only queues them on the card, never calls back.
 */
#include "net.h"
#include "virtio.h"
#include "devices.h"

#include <arpa/inet.h>
#include <errno.h>
#include <kernel/plat.h>
#include <libslirp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_MAX 1024 /* host sockets slirp may watch at once */

static struct {
	Slirp *slirp;
	struct pollfd fds[POLL_MAX];
	unsigned nfds;
} sl;

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	(void)opaque;
	sim_net_from_wire(buf, len); /* a frame the card drops is one the wire lost */
	return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	sim_dev_trace("slirp: %s", msg);
}

static int64_t clock_ns(void *opaque)
{
	(void)opaque;
	return (int64_t)plat_clock_ns();
}

/* Timers: slirp's only one is IPv6's router advertisement, and IPv6 is off. */
static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	(void)cb, (void)cb_opaque, (void)opaque;
	return NULL;
}

static void timer_free(void *timer, void *opaque)
{
	(void)timer, (void)opaque;
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)timer, (void)expire_ms, (void)opaque;
}

/* slirp says which sockets it has at each poll: nothing to track between polls. */
static void poll_fd(int fd, void *opaque)
{
	(void)fd, (void)opaque;
}

static void notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb callbacks = {
	.send_packet = send_packet,
	.guest_error = guest_error,
	.clock_get_ns = clock_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = poll_fd,
	.unregister_poll_fd = poll_fd,
	.notify = notify,
};

static void transmit(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	if (sl.slirp)
		slirp_input(sl.slirp, frame, (int)len);
}

static struct in_addr ip4(uint32_t host_order)
{
	return (struct in_addr){htonl(host_order)};
}

int sim_slirp_open(const struct sim_net_options *opt, char *why, size_t why_len)
{
	SlirpConfig cfg = {
		.version = 4,
		.restricted = !opt->open,
		.in_enabled = true,
		.vnetwork = ip4(SIM_NET_NETWORK),
		.vnetmask = ip4(0xffffff00u),
		.vhost = ip4(SIM_NET_GATEWAY),
		.vdhcp_start = ip4(SIM_NET_GUEST),
		.vnameserver = ip4(SIM_NET_DNS),
		.vhostname = "eclipse",
		.disable_host_loopback = false,
	};
	sl.slirp = slirp_new(&cfg, &callbacks, NULL);
	if (!sl.slirp) {
		snprintf(why, why_len, "slirp could not start");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < opt->nhostfwd; i++) {
		const struct sim_hostfwd *h = &opt->hostfwd[i];
		if (slirp_add_hostfwd(sl.slirp, h->udp, (struct in_addr){h->host_addr}, h->host_port,
				      (struct in_addr){h->guest_addr}, h->guest_port)) {
			int err = -errno;
			snprintf(why, why_len, "hostfwd %s:%u: %s", h->udp ? "udp" : "tcp", h->host_port,
				 strerror(errno));
			sim_slirp_close();
			return err ? err : -EINVAL;
		}
	}
	for (unsigned i = 0; i < opt->nguestfwd; i++) {
		const struct sim_guestfwd *g = &opt->guestfwd[i];
		char cmd[4096];
		struct in_addr guest = {g->guest_addr}, host = {g->host_addr};
		char host_text[INET_ADDRSTRLEN] = "";
		inet_ntop(AF_INET, &host, host_text, sizeof(host_text));
		if (!opt->relay || (size_t)snprintf(cmd, sizeof(cmd), "%s%s:%u", opt->relay, host_text,
						    g->host_port) >= sizeof(cmd) ||
		    slirp_add_exec(sl.slirp, cmd, &guest, g->guest_port)) {
			snprintf(why, why_len, "guestfwd to %s:%u: %s", host_text, g->host_port,
				 opt->relay ? "slirp refused the rule (a guest address outside "
					      "10.0.2.0/24, or one used twice)" : "no relay");
			sim_slirp_close();
			return -EINVAL;
		}
	}
	return 0;
}

void sim_slirp_close(void)
{
	if (sl.slirp)
		slirp_cleanup(sl.slirp);
	sl.slirp = NULL;
}

struct sim_net_backend sim_slirp_backend(void)
{
	return (struct sim_net_backend){.transmit = transmit};
}

static int add_poll(int fd, int events, void *opaque)
{
	(void)opaque;
	if (sl.nfds == POLL_MAX)
		return -1; /* slirp skips a socket with no index: it waits for the next poll */
	sl.fds[sl.nfds] = (struct pollfd){fd, (short)((events & SLIRP_POLL_IN ? POLLIN : 0) |
						     (events & SLIRP_POLL_OUT ? POLLOUT : 0) |
						     (events & SLIRP_POLL_PRI ? POLLPRI : 0)), 0};
	return (int)sl.nfds++;
}

static int get_revents(int idx, void *opaque)
{
	(void)opaque;
	if (idx < 0 || (unsigned)idx >= sl.nfds)
		return 0;
	short r = sl.fds[idx].revents;
	return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
	       (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
	       (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

static uint32_t fill(void)
{
	uint32_t want = UINT32_MAX;
	sl.nfds = 0;
	slirp_pollfds_fill(sl.slirp, &want, add_poll, NULL);
	return want;
}

unsigned sim_slirp_pollfds(struct pollfd *fds, unsigned max)
{
	if (!sl.slirp)
		return 0;
	fill();
	unsigned n = MIN(max, sl.nfds);
	memcpy(fds, sl.fds, n * sizeof(*fds));
	return n;
}

uint32_t sim_slirp_poll(int timeout_ms)
{
	if (!sl.slirp)
		return UINT32_MAX;
	uint32_t want = fill();
	int n = poll(sl.fds, sl.nfds, timeout_ms);
	slirp_pollfds_poll(sl.slirp, n < 0, get_revents, NULL);
	return want;
}

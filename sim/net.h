/*
 * The simulated machine's network: the card (virtio_net.c, declared in virtio.h) and the wire
 * behind it, slirp (net_slirp.c), with QEMU's user-mode addressing.
 */
#ifndef SIM_NET_H
#define SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pollfd;

struct sim_net_backend;

/* QEMU's -netdev user addresses (host byte order). */
#define SIM_NET_NETWORK 0x0a000200u /* 10.0.2.0/24 */
#define SIM_NET_GATEWAY 0x0a000202u /* 10.0.2.2: slirp itself */
#define SIM_NET_DNS 0x0a000203u     /* 10.0.2.3 */
#define SIM_NET_GUEST 0x0a00020fu   /* 10.0.2.15: the first address DHCP gives */
#define SIM_NET_HOSTFWD_MAX 16
#define SIM_NET_GUESTFWD_MAX 16
/* QEMU's virtio-net MAC for the first card. */
#define SIM_NET_MAC {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}
/* How often slirp's host sockets are looked at while the CPU runs, on the virtual clock. */
#define SIM_NET_POLL_NS 1000000ull

/* A host port forwarded into the guest: host_addr:host_port on the host (network byte order
 * addresses; ports in host order) to guest_addr:guest_port. */
struct sim_hostfwd {
	bool udp;
	uint32_t host_addr, guest_addr;
	uint16_t host_port, guest_port;
};

/* A guest address forwarded to the host: a TCP connection of the guest to guest_addr:guest_port
 * becomes one from the simulator to host_addr:host_port (same byte orders). */
struct sim_guestfwd {
	uint32_t guest_addr, host_addr;
	uint16_t guest_port, host_port;
};

struct sim_net_options {
	bool open; /* restrict=off: the guest reaches whatever the host reaches */
	struct sim_hostfwd hostfwd[SIM_NET_HOSTFWD_MAX];
	unsigned nhostfwd;
	struct sim_guestfwd guestfwd[SIM_NET_GUESTFWD_MAX];
	unsigned nguestfwd;
	/* The command that relays one guestfwd connection (its standard input and output) to
	 * HOST:PORT, which is appended to it: "'eclipse-sim' --net-relay=". NULL: guestfwd rules
	 * are refused. */
	const char *relay;
};

/*
 * The machine's network (net.c): --net=none or --net=user[,restrict=off][,hostfwd=...]
 * [,guestfwd=...], QEMU's syntax:
 *   hostfwd=[tcp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT  (HOSTADDR 127.0.0.1 unless given,
 *                                                            GUESTADDR 10.0.2.15)
 *   guestfwd=[tcp]:GUESTADDR:GUESTPORT-tcp:HOSTADDR:HOSTPORT
 * Parses arg into *opt (zeroed first): 1 for user, 0 for none, -1 with why for anything else.
 */
int sim_net_parse(const char *arg, struct sim_net_options *opt, char *why, size_t why_len);
/* The card on a slirp wire with opt's rules, and the event that polls slirp on the virtual
 * clock: 0, or -errno with why (a host port in use). Before sim_pci_firmware. */
int sim_net_start(const struct sim_net_options *opt, char *why, size_t why_len);
void sim_net_stop(void);
/* Whether the network is up (a host socket may bring frames at any time). */
bool sim_net_active(void);
/* For an idle wait: slirp's host sockets into fds (at most max): how many. */
unsigned sim_net_pollfds(struct pollfd *fds, unsigned max);
/* One of them is ready: slirp is polled at the current point of the virtual clock. */
void sim_net_ready(void);
/* The guestfwd relay (eclipse-sim --net-relay=HOST:PORT, run by slirp for each connection):
 * connects to HOST:PORT and copies standard input there and what comes back to standard
 * output, until both directions have ended. The exit status. */
int sim_net_relay(const char *hostport);

/* A frame from slirp for the card. */
void sim_net_from_wire(const void *frame, size_t len);

/* Record and replay of the wire (machine.c fills it in before sim_net_start; zero: neither).
 * The wire speaks at two kinds of point, a frame the card sends (slirp may answer at once)
 * and a poll of slirp; each frame it gives there is an input, and the point after the last
 * says there is no more. A replay runs no slirp: the card gets the logged frames at the same
 * points, and what the guest sends goes nowhere. */
struct sim_net_log {
	/* Whether the wire is the log now (a replay, or time travel's re-execution of a
	 * recording, which must not touch the recording's slirp). */
	bool (*replaying)(void);
	void (*frame)(const void *frame, size_t len); /* recording: a frame the wire gave */
	void (*point)(void);                          /* recording: it gave no more here */
	bool (*take_frame)(void *frame, size_t *len); /* replay: the next frame here, if any */
	/* At a poll: whether slirp wants the next one at once (live: what it said; a replay's
	 * answer comes from the log). */
	bool (*soon)(bool live);
};
extern struct sim_net_log sim_net_log;
/* Starts slirp with opt's rules (their host sockets bound now): 0, or -errno with why. */
int sim_slirp_open(const struct sim_net_options *opt, char *why, size_t why_len);
void sim_slirp_close(void);
/* The wire for the card: what the guest sends goes into slirp. */
struct sim_net_backend sim_slirp_backend(void);
/* Lets slirp serve its host sockets, waiting at most timeout_ms (0: not at all) for one to be
 * ready: what comes goes to the card. How soon slirp wants to be polled again, in ms
 * (UINT32_MAX: only when a socket is ready). */
uint32_t sim_slirp_poll(int timeout_ms);
/* slirp's host sockets as they are now, for a wait elsewhere: how many went into fds. */
unsigned sim_slirp_pollfds(struct pollfd *fds, unsigned max);

#endif

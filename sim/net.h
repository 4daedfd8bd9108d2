/*
 * The simulated machine's network: the card (virtio_net.c, declared in virtio.h) and the wire
 * behind it, slirp (net_slirp.c), with QEMU's user-mode addressing.
 */
#ifndef SIM_NET_H
#define SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_net_backend;

/* QEMU's -netdev user addresses (host byte order). */
#define SIM_NET_NETWORK 0x0a000200u /* 10.0.2.0/24 */
#define SIM_NET_GATEWAY 0x0a000202u /* 10.0.2.2: slirp itself */
#define SIM_NET_DNS 0x0a000203u     /* 10.0.2.3 */
#define SIM_NET_GUEST 0x0a00020fu   /* 10.0.2.15: the first address DHCP gives */
#define SIM_NET_HOSTFWD_MAX 16

/* A host port forwarded into the guest: host_addr:host_port on the host (network byte order
 * addresses; ports in host order) to guest_addr:guest_port. */
struct sim_hostfwd {
	bool udp;
	uint32_t host_addr, guest_addr;
	uint16_t host_port, guest_port;
};

struct sim_net_options {
	struct sim_hostfwd hostfwd[SIM_NET_HOSTFWD_MAX];
	unsigned nhostfwd;
};

/* Starts slirp with opt's rules (their host sockets bound now): 0, or -errno with why. */
int sim_slirp_open(const struct sim_net_options *opt, char *why, size_t why_len);
void sim_slirp_close(void);
/* The wire for the card: what the guest sends goes into slirp. */
struct sim_net_backend sim_slirp_backend(void);
/* Lets slirp serve its host sockets, waiting at most timeout_ms (0: not at all) for one to be
 * ready: what comes goes to the card. How soon slirp wants to be polled again, in ms
 * (UINT32_MAX: only when a socket is ready). */
uint32_t sim_slirp_poll(int timeout_ms);

#endif

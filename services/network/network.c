/*
 * The network service: the machine's TCP/IP stack, lwIP, over the network card it was granted
 * (netdev.c, virtio-net), with the loopback interface beside it, serving every process's
 * Internet sockets (sockets.c). One thread: between heartbeats it waits for the card's
 * interrupt, a socket request or lwIP's next timer, feeds received frames in, answers the
 * requests and runs the timers. eth0 gets its address by DHCP, as QEMU's user-mode network gives it.
 * Without a card the service has lo alone.
 */
#include "netdev.h"
#include "sockets.h"

#include <ecl/dev.h>
#include <ecl/ipc.h>
#include <ecl/service.h>
#include <ecl/time.h>
#include <errno.h>
#include <lwip/dhcp.h>
#include <lwip/init.h>
#include <lwip/netif.h>
#include <lwip/timeouts.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NAME "network"

static struct netif eth0;
static bool have_card;

u32_t sys_now(void)
{
	return (u32_t)monotonic_ms();
}

static void status_changed(struct netif *netif)
{
	if (!netif_is_up(netif) || ip4_addr_isany_val(*netif_ip4_addr(netif)))
		return;
	char addr[16], gw[16];
	ip4addr_ntoa_r(netif_ip4_addr(netif), addr, sizeof(addr));
	ip4addr_ntoa_r(netif_ip4_gw(netif), gw, sizeof(gw));
	const struct dhcp *d = netif_dhcp_data(netif);
	char server[16] = "";
	if (d)
		ip4addr_ntoa_r(ip_2_ip4(&d->server_ip_addr), server, sizeof(server));
	int prefix = __builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(netif)));
	printf(NAME ": eth0: %s/%d by DHCP from %s, gateway %s\n", addr, prefix, server,
	       ip4_addr_isany_val(*netif_ip4_gw(netif)) ? "none" : gw);
}

static int start(void)
{
	lwip_init();
	if (syscall(SYS_net_serve) < 0)
		fprintf(stderr, NAME ": cannot serve the sockets: %s\n", strerror(errno));
	struct pci_info f;
	int err = netdev_open(&eth0, &f);
	if (err == -ENODEV)
		return 0; /* no card of ours: lo alone */
	if (err) {
		fprintf(stderr, NAME ": cannot drive the network card: %s: lo alone\n", strerror(-err));
		return 0;
	}
	have_card = true;
	printf(NAME ": eth0: virtio-net at %02x:%02x.%x, %02x:%02x:%02x:%02x:%02x:%02x\n", f.bus, f.dev,
	       f.fn, eth0.hwaddr[0], eth0.hwaddr[1], eth0.hwaddr[2], eth0.hwaddr[3], eth0.hwaddr[4],
	       eth0.hwaddr[5]);
	netif_set_hostname(&eth0, "eclipse");
	netif_set_status_callback(&eth0, status_changed);
	dhcp_start(&eth0);
	return 0;
}

/* One message: the card's interrupt, or a socket request of the kernel's (answered at once). */
static void handle(pid_t client, const struct ipc_msg *in)
{
	static struct ipc_msg out;
	if (in->flags & IPC_NOTIFY) {
		netdev_poll();
		return;
	}
	if (!(in->flags & IPC_KERNEL) || in->type < NET_SOCKET || in->type > NET_CLOSE) {
		out = (struct ipc_msg){.type = in->type}; /* only the kernel speaks the protocol */
		if (client > 0)
			ipc_reply(client, &out);
		return;
	}
	struct net_req q = {0};
	memcpy(&q, in->data, in->len < sizeof(q) ? in->len : sizeof(q));
	struct net_rep *rep = (struct net_rep *)out.data;
	memset(rep, 0, sizeof(*rep));
	rep->status = sockets_serve(in->type, &q, client, rep);
	out.type = in->type;
	out.len = sizeof(*rep);
	if (client > 0) /* a posted close (sender 0) wants no answer */
		ipc_reply(client, &out);
}

/* Until ms have passed (or a signal): frames in, requests answered, timers run. */
static void wait(long long ms)
{
	static struct ipc_msg in;
	long long end = monotonic_ms() + ms;
	for (;;) {
		sys_check_timeouts();
		netif_poll_all(); /* what the loopback interface queued */
		sockets_flush();
		long long now = monotonic_ms();
		if (now >= end)
			return;
		long long left = end - now;
		u32_t timer = sys_timeouts_sleeptime();
		if (timer != SYS_TIMEOUTS_SLEEPTIME_INFINITE && (long long)timer < left)
			left = timer ? (long long)timer : 1;
		pid_t client = ipc_receive(0, &in, (uint64_t)left * 1000000ull);
		if (client < 0) {
			if (errno == EINTR)
				return; /* a signal */
			continue;
		}
		handle(client, &in);
		/* Whatever else waits goes before the timers: a burst of requests in one go. */
		while ((client = ipc_receive(0, &in, 0)) >= 0)
			handle(client, &in);
	}
}

static void stop(void)
{
	sockets_close_all();
	if (have_card) {
		dhcp_release_and_stop(&eth0);
		netdev_close();
	}
}

int main(int argc, char **argv)
{
	static const char *const setup[] = {"loopback interface lo: 127.0.0.1/8", NULL};
	static const struct service_info svc = {.name = NAME, .setup = setup, .heartbeat_ms = 5000,
						.start = start, .wait = wait, .stop = stop};
	return service_main(&svc, argc, argv);
}

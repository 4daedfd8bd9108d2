/*
 * The interface requests ifconfig makes (SIOCGIF* ioctls on any socket): lwIP's interfaces as
 * Linux names them, lo and eth0, with their addresses, flags, hardware address and MTU. Setting
 * them (SIOCSIF*) is not offered: eth0 is configured by DHCP, lo is fixed.
 */
#include "sockets.h"

#include <errno.h>
#include <lwip/netif.h>
#include <net/if.h>
#include <stdbool.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define IFREQ_SIZE 40

/* Linux's name of an lwIP interface. */
static void name_of(const struct netif *n, char name[IFNAMSIZ])
{
	memset(name, 0, IFNAMSIZ);
	strcpy(name, n->name[0] == 'l' && n->name[1] == 'o' ? "lo" : "eth0");
}

static struct netif *by_name(const char *name)
{
	struct netif *n;
	NETIF_FOREACH(n)
	{
		char own[IFNAMSIZ];
		name_of(n, own);
		if (!strncmp(own, name, IFNAMSIZ))
			return n;
	}
	return NULL;
}

static void put_addr(unsigned char *out, u32_t addr)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = addr};
	memcpy(out + IFNAMSIZ, &sin, sizeof(sin));
}

static bool loopback(const struct netif *n)
{
	return n->name[0] == 'l' && n->name[1] == 'o';
}

long ifconfig_ioctl(unsigned request, const unsigned char *in, unsigned char *out, int client,
		    unsigned long long len)
{
	if (request == SIOCGIFCONF) {
		unsigned long long at = 0;
		struct netif *n;
		NETIF_FOREACH(n)
		{
			if (!netif_is_up(n))
				continue;
			if (len && at + IFREQ_SIZE <= len) {
				unsigned char rec[IFREQ_SIZE] = {0};
				name_of(n, (char *)rec);
				put_addr(rec, ip4_addr_get_u32(netif_ip4_addr(n)));
				if (syscall(SYS_grant_copy, client, at, rec, sizeof(rec), GRANT_TO_CLIENT) < 0)
					return -EFAULT;
			} else if (len) {
				break;
			}
			at += IFREQ_SIZE;
		}
		return (long)at;
	}
	char name[IFNAMSIZ + 1] = {0};
	memcpy(name, in, IFNAMSIZ);
	struct netif *n = by_name(name);
	if (!n)
		return -ENODEV;
	memcpy(out, in, IFNAMSIZ);
	memset(out + IFNAMSIZ, 0, IFREQ_SIZE - IFNAMSIZ);
	int v = 0;
	switch (request) {
	case SIOCGIFFLAGS: {
		short f = 0;
		if (netif_is_up(n))
			f |= IFF_UP | IFF_RUNNING;
		if (loopback(n))
			f |= IFF_LOOPBACK;
		else
			f |= IFF_BROADCAST | IFF_MULTICAST;
		if (!netif_is_link_up(n))
			f &= (short)~IFF_RUNNING;
		memcpy(out + IFNAMSIZ, &f, sizeof(f));
		return 0;
	}
	case SIOCGIFADDR: put_addr(out, ip4_addr_get_u32(netif_ip4_addr(n))); return 0;
	case SIOCGIFNETMASK: put_addr(out, ip4_addr_get_u32(netif_ip4_netmask(n))); return 0;
	case SIOCGIFBRDADDR: {
		u32_t a = ip4_addr_get_u32(netif_ip4_addr(n)), m = ip4_addr_get_u32(netif_ip4_netmask(n));
		put_addr(out, loopback(n) ? 0 : (a & m) | ~m);
		return 0;
	}
	case SIOCGIFDSTADDR: put_addr(out, 0); return 0;
	case SIOCGIFHWADDR: {
		unsigned short family = loopback(n) ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
		memcpy(out + IFNAMSIZ, &family, sizeof(family));
		if (!loopback(n))
			memcpy(out + IFNAMSIZ + 2, n->hwaddr, n->hwaddr_len);
		return 0;
	}
	case SIOCGIFMTU: v = loopback(n) ? 65536 : n->mtu; break;
	case SIOCGIFMETRIC: v = 0; break;
	case SIOCGIFTXQLEN: v = loopback(n) ? 1000 : 128; break;
	case SIOCGIFINDEX: v = netif_get_index(n); break;
	case SIOCGIFMAP: return 0; /* no memory window or IRQ to show: zeros */
	default:
		return (request & 0xff00) == 0x8900 ? -EOPNOTSUPP : -EINVAL;
	}
	memcpy(out + IFNAMSIZ, &v, sizeof(v));
	return 0;
}

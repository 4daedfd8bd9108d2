/*
 * lwIP's configuration for the network service: no operating system layer (NO_SYS: one thread,
 * an event loop that feeds frames in and runs the timers), IPv4 with ARP, ICMP, UDP, TCP, DHCP,
 * DNS and the loopback interface; memory from the C library's malloc.
 */
#ifndef NETWORK_LWIPOPTS_H
#define NETWORK_LWIPOPTS_H

#include <stdlib.h>

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0

#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0 /* slirp's network has nobody else on it */
#define LWIP_DNS 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define SO_REUSE 1             /* SO_REUSEADDR */
#define TCP_LISTEN_BACKLOG 1   /* listen's backlog counts connections accept has not taken */
#define LWIP_TCP_KEEPALIVE 1   /* SO_KEEPALIVE */

#define TCP_MSS 1460
#define TCP_WND (32 * TCP_MSS)
#define TCP_SND_BUF (32 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define MEMP_NUM_TCP_PCB 256
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 64
#define MEMP_NUM_RAW_PCB 16
#define MEMP_NUM_TCP_SEG 1024
#define PBUF_POOL_SIZE 512

#define LWIP_STATS 0
#define LWIP_RAND() ((u32_t)random())

#endif

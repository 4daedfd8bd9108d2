/*
 * The Internet sockets the network service serves (sockets.c) and the interface requests of
 * ifconfig (ifconfig.c), over lwIP.
 */
#ifndef NETWORK_SOCKETS_H
#define NETWORK_SOCKETS_H

#include <eclipse.h>

/* Answers the kernel's request op (from client's call): its status, rep filled in. */
long sockets_serve(unsigned op, const struct net_req *q, int client, struct net_rep *rep);
/* Reports to the kernel the sockets whose readiness changed (net_ready). */
void sockets_flush(void);
/* The service stops: every connection is reset. */
void sockets_close_all(void);
/* An interface request (SIOCGIF*) with the caller's struct ifreq in; the answer to out. For
 * SIOCGIFCONF the records go to client's grant of len bytes: their length. */
long ifconfig_ioctl(unsigned request, const unsigned char *in, unsigned char *out, int client,
		    unsigned long long len);

#endif

/* The network card's driver (netdev.c): virtio-net (virtio 1.2 section 5.1) through libecl's
 * virtio transport, frames in and out as lwIP's pbufs. */
#ifndef NETWORK_NETDEV_H
#define NETWORK_NETDEV_H

#include <eclipse.h>
#include <stdint.h>

struct netif;

/* Finds a virtio-net card this process was granted, sets it up and adds it to lwIP as netif
 * (eth0, up, its address to come by DHCP): 0, -ENODEV when there is none, or -errno. */
int netdev_open(struct netif *netif, struct pci_info *info);
/* The card interrupted (or may have): takes the frames it received into lwIP and the
 * buffers it sent back. */
void netdev_poll(void);
void netdev_close(void);

#endif

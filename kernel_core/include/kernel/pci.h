/* The machine's PCI functions, found and sized once at boot (pci.c). */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H

#include <kernel/types.h>
#include <uapi/eclipse.h>

#define PCI_MAX_FUNCTIONS 64 /* more are not listed (the boot says so) */

/* Walks the buses from 0, through PCI-to-PCI bridges, and records every function with its
 * BARs sized. 0, or -ENOMEM when the list cannot be kept. */
int pci_scan(void);
/* The functions found, in bus order. */
size_t pci_count(void);
const struct pci_info *pci_get(size_t index);
/* Forgets them (kernel_fini). */
void pci_reset(void);

struct thread;
long sys_pci_device(struct thread *t, const uint64_t *a);

#endif

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
/* Forgets them, and every grant and claim (kernel_fini). */
void pci_reset(void);

struct proc;
/* p ends: its claims and grants go. */
void pci_proc_gone(struct proc *p);
/* p execs another program: its claims go (a grant stays: it names the process). */
void pci_proc_exec(struct proc *p);

struct thread;
long sys_pci_device(struct thread *t, const uint64_t *a);
long sys_dev_grant(struct thread *t, const uint64_t *a);
long sys_dev_claim(struct thread *t, const uint64_t *a);
long sys_dev_release(struct thread *t, const uint64_t *a);
long sys_dev_map(struct thread *t, const uint64_t *a);
long sys_dev_share(struct thread *t, const uint64_t *a);
long sys_dev_config(struct thread *t, const uint64_t *a);
long sys_dev_irq(struct thread *t, const uint64_t *a);
long sys_dma_alloc(struct thread *t, const uint64_t *a);

/* Takes the interrupt lines that fired (plat_irq_take) and notifies their drivers. */
void pci_irq_dispatch(void);

#endif

/*
 * Drivers: libc-style wrappers of the Eclipse device calls 510-517 and 520 (<eclipse.h> says
 * what each does). They return -1 with errno set on failure, as the C library's calls do.
 */
#ifndef ECL_DEV_H
#define ECL_DEV_H

#include <eclipse.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int pci_device(unsigned index, struct pci_info *info);
int dev_claim(unsigned index);
int dev_release(unsigned index);
/* Memory BAR bar of an owned function, mapped uncached: its address, or NULL. */
volatile void *dev_map(unsigned index, unsigned bar);
/* Lets process pid map the owned function's memory BARs (dev_map), 0 for nobody. */
int dev_share(unsigned index, pid_t pid);
int dev_config_read(unsigned index, unsigned offset, void *buf, size_t len);
int dev_config_write(unsigned index, unsigned offset, const void *buf, size_t len);
int dev_irq(unsigned index, unsigned op);
/* len bytes of zeroed, physically contiguous memory: its address (NULL on failure), *phys
 * its physical address for the device. */
void *dma_alloc(size_t len, uint64_t *phys);
/* Waits up to timeout_ns for interrupt notifications: the bits of the functions that
 * interrupted, or 0 with errno ETIMEDOUT (or EINTR). */
uint64_t dev_irq_wait(uint64_t timeout_ns);

#endif

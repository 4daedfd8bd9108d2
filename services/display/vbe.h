/*
 * The display adapter's driver (vbe.c): the Bochs VBE ("dispi") adapter of QEMU's -device VGA
 * and of eclipse-sim (PCI 1234:1111), through its register BAR (BAR2) and its linear
 * framebuffer (BAR0), as Linux's bochs-drm drives it.
 */
#ifndef DISPLAY_VBE_H
#define DISPLAY_VBE_H

#include <stddef.h>
#include <stdint.h>

struct vbe {
	unsigned index; /* the PCI function, as pci_device numbers it */
	volatile uint8_t *regs;
	volatile uint32_t *fb;
	size_t fb_size;
	unsigned max_width, max_height, max_bpp; /* what the adapter says it can do */
	unsigned width, height, bpp, pitch;      /* the mode set: pitch in bytes */
};

/* Finds and claims the adapter and maps its BARs: 0, or -1 with errno (ENODEV: none; what
 * dev_claim and dev_map say) and why (a message) set. */
int vbe_open(struct vbe *v, const char **why);
/* Sets width x height x bpp: 0, or -1 with errno EINVAL (out of the adapter's range, or
 * not what it took) and why set. Only 32 bits per pixel are drawn by this service. */
int vbe_set_mode(struct vbe *v, unsigned width, unsigned height, unsigned bpp, const char **why);
/* Lets the adapter go; its mode and picture stay. */
void vbe_close(struct vbe *v);

#endif

/* The Bochs VBE adapter's driver (vbe.h). */
#include "vbe.h"

#include <ecl/dev.h>
#include <errno.h>

#define VENDOR 0x1234
#define DEVICE 0x1111
#define REG_VGA 0x400   /* VGA port p at 0x400 + p - 0x3c0 */
#define REG_DISPI 0x500 /* dispi register i at 0x500 + 2 i */

enum {
	DISPI_ID, DISPI_XRES, DISPI_YRES, DISPI_BPP, DISPI_ENABLE, DISPI_BANK, DISPI_VIRT_WIDTH,
	DISPI_VIRT_HEIGHT, DISPI_X_OFFSET, DISPI_Y_OFFSET, DISPI_VIDEO_MEMORY_64K
};
#define DISPI_ID0 0xb0c0u
#define DISPI_ID5 0xb0c5u
#define DISPI_ENABLED 0x01u
#define DISPI_GETCAPS 0x02u
#define DISPI_LFB_ENABLED 0x40u
#define VGA_AR_ENABLE_DISPLAY 0x20u /* attribute index: the palette source, screen on */

static uint16_t dispi_get(const struct vbe *v, unsigned i)
{
	return *(volatile uint16_t *)(v->regs + REG_DISPI + 2 * i);
}

static void dispi_set(const struct vbe *v, unsigned i, uint16_t value)
{
	*(volatile uint16_t *)(v->regs + REG_DISPI + 2 * i) = value;
}

static int fail(int err, const char **why, const char *what)
{
	*why = what;
	errno = err;
	return -1;
}

int vbe_open(struct vbe *v, const char **why)
{
	struct pci_info info;
	unsigned i = 0;
	while (pci_device(i, &info) == 0 && !(info.vendor == VENDOR && info.device == DEVICE))
		i++;
	if (pci_device(i, &info) != 0)
		return fail(ENODEV, why, "no Bochs VBE display adapter (PCI 1234:1111)");
	if (dev_claim(i) != 0)
		return fail(errno, why, "cannot claim the display adapter");
	v->index = i;
	v->regs = dev_map(i, 2);
	v->fb = dev_map(i, 0);
	if (!v->regs || !v->fb) {
		int err = errno;
		dev_release(i);
		return fail(err, why, "cannot map the display adapter's BARs");
	}
	uint16_t id = dispi_get(v, DISPI_ID);
	if (id < DISPI_ID0 || id > DISPI_ID5) {
		dev_release(i);
		return fail(ENODEV, why, "the display adapter has no dispi registers");
	}
	v->fb_size = (size_t)dispi_get(v, DISPI_VIDEO_MEMORY_64K) << 16;
	dispi_set(v, DISPI_ENABLE, DISPI_GETCAPS);
	v->max_width = dispi_get(v, DISPI_XRES);
	v->max_height = dispi_get(v, DISPI_YRES);
	v->max_bpp = dispi_get(v, DISPI_BPP);
	dispi_set(v, DISPI_ENABLE, 0);
	return 0;
}

int vbe_set_mode(struct vbe *v, unsigned width, unsigned height, unsigned bpp, const char **why)
{
	if (bpp != 32)
		return fail(EINVAL, why, "only 32 bits per pixel are drawn");
	if (!width || !height || width % 8 || width > v->max_width || height > v->max_height ||
	    bpp > v->max_bpp)
		return fail(EINVAL, why, "out of the adapter's range (a width a multiple of 8)");
	if ((size_t)width * height * (bpp / 8) > v->fb_size)
		return fail(EINVAL, why, "more than the adapter's video memory");
	dispi_set(v, DISPI_ENABLE, 0);
	dispi_set(v, DISPI_BPP, (uint16_t)bpp);
	dispi_set(v, DISPI_XRES, (uint16_t)width);
	dispi_set(v, DISPI_YRES, (uint16_t)height);
	dispi_set(v, DISPI_BANK, 0);
	dispi_set(v, DISPI_ENABLE, DISPI_ENABLED | DISPI_LFB_ENABLED);
	if (dispi_get(v, DISPI_XRES) != width || dispi_get(v, DISPI_YRES) != height ||
	    dispi_get(v, DISPI_BPP) != bpp) {
		dispi_set(v, DISPI_ENABLE, 0);
		return fail(EINVAL, why, "the adapter did not take the mode");
	}
	/* The screen shows once the attribute controller's index says so: reading input status
	 * 1 puts its flip-flop at the index, as Linux's bochs-drm does. */
	(void)v->regs[REG_VGA + 0x1a];
	v->regs[REG_VGA] = VGA_AR_ENABLE_DISPLAY;
	v->width = width;
	v->height = height;
	v->bpp = bpp;
	v->pitch = dispi_get(v, DISPI_VIRT_WIDTH) * (bpp / 8);
	return 0;
}

void vbe_close(struct vbe *v)
{
	/* The mode stays on: the last picture stays on the screen, as Linux leaves it. */
	dev_release(v->index);
	v->regs = NULL;
	v->fb = NULL;
}

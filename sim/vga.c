/*
 * The display adapter of QEMU's "-device VGA" (what -vga std gives): PCI 1234:1111, a Bochs VBE
 * ("dispi") adapter with a linear framebuffer. BAR0 is the 16 MiB of video memory,
 * prefetchable; BAR2 is QEMU's 4 KiB register block: the VGA ports 0x3c0-0x3df at 0x400, the
 * dispi registers (16 bits each, index i at 0x500 + 2 i) at 0x500, and QEMU's extended
 * registers (the block's size, the byte order) at 0x600. It sits at 00:04.0, where
 * scripts/run-metal.sh puts QEMU's.
 *
 * The video memory is host memory that the CPU maps as guest RAM at the BAR (bar_ram): a
 * driver draws at RAM speed, and the screen (sim_vga_frame) is read from it as QEMU's display
 * does. Of the VGA proper only what a linear-framebuffer driver touches is here: the attribute
 * controller's index port with its flip-flop (the screen is blank until "palette address
 * source" is set, as on QEMU) and input status 1, which resets the flip-flop. The dispi
 * registers follow QEMU's rules: a mode is set by writing the resolution and depth, then
 * ENABLE; the values are fixed up to what the memory holds (width a multiple of 8, the height
 * cut to the memory), and GETCAPS makes XRES, YRES and BPP read as the maxima.
 */
#include "devices.h"
#include "pci.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLOT 4
#define VRAM_SIZE (16u << 20)
#define MMIO_SIZE 0x1000u
#define MMIO_VGA 0x400u   /* ports 0x3c0-0x3df */
#define MMIO_DISPI 0x500u /* dispi register i at 0x500 + 2 i */
#define MMIO_QEXT 0x600u  /* size, byte order */

enum {
	DISPI_ID, DISPI_XRES, DISPI_YRES, DISPI_BPP, DISPI_ENABLE, DISPI_BANK, DISPI_VIRT_WIDTH,
	DISPI_VIRT_HEIGHT, DISPI_X_OFFSET, DISPI_Y_OFFSET, DISPI_VIDEO_MEMORY_64K, DISPI_REGS
};
#define DISPI_ID0 0xb0c0u
#define DISPI_ID5 0xb0c5u
#define DISPI_ENABLED 0x01u
#define DISPI_GETCAPS 0x02u
#define DISPI_8BIT_DAC 0x20u
#define DISPI_LFB_ENABLED 0x40u
#define DISPI_NOCLEARMEM 0x80u
#define DISPI_MAX_XRES 16000u
#define DISPI_MAX_YRES 12000u
#define DISPI_MAX_BPP 32u

static struct {
	uint8_t *vram;
	uint16_t regs[DISPI_REGS];
	uint32_t line_bytes, start; /* of the enabled mode */
	uint8_t ar_index;
	bool ar_flip;
} vga;

static unsigned bits_of(uint16_t bpp)
{
	return bpp == 15 ? 16 : bpp;
}

/* QEMU's vbe_fixup_regs: the registers of an enabled mode brought within the memory. */
static void fixup(void)
{
	uint16_t *r = vga.regs;
	if (!(r[DISPI_ENABLE] & DISPI_ENABLED))
		return;
	if (r[DISPI_BPP] != 4 && r[DISPI_BPP] != 8 && r[DISPI_BPP] != 15 && r[DISPI_BPP] != 16 &&
	    r[DISPI_BPP] != 24 && r[DISPI_BPP] != 32)
		r[DISPI_BPP] = 8;
	unsigned bits = bits_of(r[DISPI_BPP]);
	r[DISPI_XRES] &= (uint16_t)~7u;
	if (!r[DISPI_XRES])
		r[DISPI_XRES] = 8;
	if (r[DISPI_XRES] > DISPI_MAX_XRES)
		r[DISPI_XRES] = DISPI_MAX_XRES;
	r[DISPI_VIRT_WIDTH] &= (uint16_t)~7u;
	if (r[DISPI_VIRT_WIDTH] > DISPI_MAX_XRES)
		r[DISPI_VIRT_WIDTH] = DISPI_MAX_XRES;
	if (r[DISPI_VIRT_WIDTH] < r[DISPI_XRES])
		r[DISPI_VIRT_WIDTH] = r[DISPI_XRES];
	uint32_t line = r[DISPI_VIRT_WIDTH] * bits / 8, maxy = VRAM_SIZE / line;
	if (!r[DISPI_YRES])
		r[DISPI_YRES] = 1;
	if (r[DISPI_YRES] > DISPI_MAX_YRES)
		r[DISPI_YRES] = DISPI_MAX_YRES;
	if (r[DISPI_YRES] > maxy)
		r[DISPI_YRES] = (uint16_t)maxy;
	if (r[DISPI_X_OFFSET] > DISPI_MAX_XRES)
		r[DISPI_X_OFFSET] = DISPI_MAX_XRES;
	if (r[DISPI_Y_OFFSET] > DISPI_MAX_YRES)
		r[DISPI_Y_OFFSET] = DISPI_MAX_YRES;
	uint32_t start = r[DISPI_X_OFFSET] * bits / 8 + r[DISPI_Y_OFFSET] * line;
	if (start + r[DISPI_YRES] * line > VRAM_SIZE) {
		r[DISPI_Y_OFFSET] = 0;
		start = r[DISPI_X_OFFSET] * bits / 8;
		if (start + r[DISPI_YRES] * line > VRAM_SIZE) {
			r[DISPI_X_OFFSET] = 0;
			start = 0;
		}
	}
	r[DISPI_VIRT_HEIGHT] = (uint16_t)(maxy > 0xffff ? 0xffff : maxy);
	vga.line_bytes = line;
	vga.start = start;
}

static uint16_t dispi_read(unsigned index)
{
	const uint16_t *r = vga.regs;
	if (index >= DISPI_REGS)
		return 0;
	if (r[DISPI_ENABLE] & DISPI_GETCAPS) {
		if (index == DISPI_XRES)
			return DISPI_MAX_XRES;
		if (index == DISPI_YRES)
			return DISPI_MAX_YRES;
		if (index == DISPI_BPP)
			return DISPI_MAX_BPP;
	}
	if (index == DISPI_VIDEO_MEMORY_64K)
		return VRAM_SIZE >> 16;
	return r[index];
}

static void dispi_write(unsigned index, uint16_t value)
{
	uint16_t *r = vga.regs;
	switch (index) {
	case DISPI_ID:
		if (value >= DISPI_ID0 && value <= DISPI_ID5)
			r[DISPI_ID] = value;
		break;
	case DISPI_XRES: case DISPI_YRES: case DISPI_BPP: case DISPI_VIRT_WIDTH:
	case DISPI_X_OFFSET: case DISPI_Y_OFFSET:
		r[index] = value;
		fixup();
		break;
	case DISPI_BANK:
		r[DISPI_BANK] = value & 0xff; /* 64 KiB banks of the 16 MiB */
		break;
	case DISPI_ENABLE: {
		bool was = r[DISPI_ENABLE] & DISPI_ENABLED;
		r[DISPI_ENABLE] = value & (DISPI_ENABLED | DISPI_GETCAPS | DISPI_8BIT_DAC |
					   DISPI_LFB_ENABLED | DISPI_NOCLEARMEM);
		if ((value & DISPI_ENABLED) && !was) {
			r[DISPI_VIRT_WIDTH] = r[DISPI_XRES];
			r[DISPI_X_OFFSET] = r[DISPI_Y_OFFSET] = 0;
			fixup();
			if (!(value & DISPI_NOCLEARMEM))
				memset(vga.vram, 0, (size_t)r[DISPI_YRES] * vga.line_bytes);
		}
		if (SIM_DEV_TRACING())
			sim_dev_trace("vga: dispi %s %ux%ux%u", value & DISPI_ENABLED ? "on" : "off",
				      r[DISPI_XRES], r[DISPI_YRES], r[DISPI_BPP]);
		break;
	}
	default:
		break;
	}
}

static uint8_t vga_port_read(unsigned port)
{
	if (port == 0x3da) {
		vga.ar_flip = false;
		return 0;
	}
	if (port == 0x3c0)
		return vga.ar_index;
	return 0xff;
}

static void vga_port_write(unsigned port, uint8_t value)
{
	if (port != 0x3c0)
		return;
	if (!vga.ar_flip)
		vga.ar_index = value & 0x3f;
	vga.ar_flip = !vga.ar_flip;
}

static uint64_t mmio_read(struct sim_pci_device *d, unsigned bar, uint64_t off, unsigned size)
{
	(void)d;
	if (bar != 2)
		return ~0ull;
	if (off >= MMIO_VGA && off < MMIO_VGA + 0x20) {
		uint64_t v = 0;
		for (unsigned i = 0; i < size && off + i < MMIO_VGA + 0x20; i++)
			v |= (uint64_t)vga_port_read(0x3c0 + (unsigned)(off - MMIO_VGA) + i) << 8 * i;
		return v;
	}
	if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * DISPI_REGS && size == 2 && !(off & 1))
		return dispi_read((unsigned)(off - MMIO_DISPI) / 2);
	if (off == MMIO_QEXT && size == 4)
		return 8;          /* the extended block's size */
	if (off == MMIO_QEXT + 4 && size == 4)
		return 0x1e1e1e1e; /* little-endian framebuffer */
	return ~0ull;
}

static void mmio_write(struct sim_pci_device *d, unsigned bar, uint64_t off, unsigned size,
		       uint64_t value)
{
	(void)d;
	if (bar != 2)
		return;
	if (off >= MMIO_VGA && off < MMIO_VGA + 0x20) {
		for (unsigned i = 0; i < size && off + i < MMIO_VGA + 0x20; i++)
			vga_port_write(0x3c0 + (unsigned)(off - MMIO_VGA) + i, (uint8_t)(value >> 8 * i));
		return;
	}
	if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * DISPI_REGS && size == 2 && !(off & 1))
		dispi_write((unsigned)(off - MMIO_DISPI) / 2, (uint16_t)value);
}

static struct sim_pci_device dev = {
	.name = "VGA", .slot = SLOT, .fn = 0,
	.vendor = 0x1234, .device = 0x1111, .subsys_vendor = 0x1af4, .subsys_device = 0x1100,
	.class_code = 0x03, .subclass = 0x00, .revision = 0x02,
	.bar_size = {VRAM_SIZE, 0, MMIO_SIZE},
	.bar_prefetch = {true},
	.mem_read = mmio_read, .mem_write = mmio_write,
};

int sim_vga_init(void)
{
	void *p = mmap(NULL, VRAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	memset(&vga, 0, sizeof(vga));
	vga.vram = p;
	vga.regs[DISPI_ID] = DISPI_ID5;
	vga.regs[DISPI_XRES] = 640; /* the power-on values QEMU's reset gives */
	vga.regs[DISPI_YRES] = 480;
	vga.regs[DISPI_BPP] = 8;
	dev.bar_ram[0] = p;
	int err = sim_pci_add(&dev);
	if (err)
		sim_vga_fini();
	return err;
}

void sim_vga_fini(void)
{
	if (vga.vram)
		munmap(vga.vram, VRAM_SIZE);
	vga.vram = NULL;
	dev.bar_ram[0] = NULL;
}

bool sim_vga_present(void)
{
	return vga.vram != NULL;
}

/* One pixel of the enabled mode at byte offset at of the memory, as 0xRRGGBB. */
static uint32_t pixel(uint32_t at, unsigned bpp)
{
	const uint8_t *p = vga.vram + at;
	switch (bpp) {
	case 32: case 24:
		return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	case 16: {
		unsigned v = sim_get16(p), r = v >> 11, g = v >> 5 & 0x3f, b = v & 0x1f;
		return (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
	}
	case 15: {
		unsigned v = sim_get16(p), r = v >> 10 & 0x1f, g = v >> 5 & 0x1f, b = v & 0x1f;
		return (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
	}
	default:
		return 0;
	}
}

int sim_vga_frame(uint32_t **pixels, unsigned *width, unsigned *height)
{
	const uint16_t *r = vga.regs;
	bool on = vga.vram && (r[DISPI_ENABLE] & DISPI_ENABLED) && (vga.ar_index & 0x20);
	unsigned bpp = r[DISPI_BPP];
	bool drawn = on && bpp >= 15;
	unsigned w = drawn ? r[DISPI_XRES] : 640, h = drawn ? r[DISPI_YRES] : 480;
	uint32_t *px = calloc((size_t)w * h, sizeof(*px));
	if (!px)
		return -ENOMEM;
	unsigned step = bits_of((uint16_t)bpp) / 8;
	for (unsigned y = 0; drawn && y < h; y++)
		for (unsigned x = 0; x < w; x++)
			px[(size_t)y * w + x] = pixel(vga.start + y * vga.line_bytes + x * step, bpp);
	*pixels = px;
	*width = w;
	*height = h;
	return 0;
}

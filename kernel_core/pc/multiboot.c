/*
 * Physical memory and the boot image, from the multiboot information: the usable RAM is what
 * the memory map calls available, above 1 MiB and below 4 GiB (what the direct map covers),
 * without the kernel image and the boot image, which is the first module (others are ignored,
 * and become frames). What is needed later is copied out here, so the loader's structures may
 * become frames too.
 */
#include "pc.h"

#include <kernel/klib.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define MULTIBOOT_MAGIC 0x2badb002u
#define MBI_CMDLINE 0x4u
#define MBI_MODS 0x8u
#define MBI_MMAP 0x40u
#define MMAP_AVAILABLE 1
#define LOW_MEMORY (1ull << 20) /* BIOS data, the loader's tables: left alone */
#define MAX_RANGES 16
#define MAX_HOLES 2 /* the kernel image, the boot image */

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, cmdline, reserved;
};

struct mb_mmap_entry {
	uint32_t size; /* of the rest of the entry */
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct hole {
	uint64_t start, end;
};

static struct plat_mem_range ranges[MAX_RANGES];
static size_t nranges;
static const void *image;
static size_t image_len;

void *plat_phys(uint64_t pa)
{
	if (pa >= PC_DIRECT_MAP_SIZE)
		kpanic("physical address %#llx outside the direct map", (unsigned long long)pa);
	return (void *)(PC_DIRECT_MAP + pa);
}

uint64_t plat_pa(const void *p)
{
	return (uint64_t)p - PC_DIRECT_MAP;
}

size_t plat_mem_ranges(const struct plat_mem_range **out)
{
	*out = ranges;
	return nranges;
}

bool plat_mem_take_zeroed(void)
{
	return false; /* what the firmware and the boot loader left there */
}

const void *plat_boot_image(size_t *len)
{
	*len = image_len;
	return image;
}

/* No files outside the boot image on bare metal. */
int plat_file_open(const char *path, const void **data, size_t *len, uint64_t *id,
		   unsigned *mode)
{
	(void)path, (void)data, (void)len, (void)id, (void)mode;
	return -ENOENT;
}

void plat_file_close(const void *data, size_t len)
{
	(void)data, (void)len;
}

static void add_range(uint64_t start, uint64_t end)
{
	start = PAGE_UP(start);
	end = PAGE_DOWN(end);
	if (start < end && nranges < MAX_RANGES)
		ranges[nranges++] = (struct plat_mem_range){start, end - start};
}

/* Adds [start, end) without the holes (sorted by start). */
static void add_available(uint64_t start, uint64_t end, const struct hole *holes, size_t nholes)
{
	start = MAX(start, LOW_MEMORY);
	end = MIN(end, PC_DIRECT_MAP_SIZE);
	for (size_t i = 0; i < nholes && start < end; i++) {
		if (holes[i].end <= start || holes[i].start >= end)
			continue;
		add_range(start, holes[i].start);
		start = MAX(start, holes[i].end);
	}
	if (start < end)
		add_range(start, end);
}

static void add_hole(struct hole *holes, size_t *n, uint64_t start, uint64_t end)
{
	size_t i = (*n)++;
	for (; i > 0 && holes[i - 1].start > start; i--)
		holes[i] = holes[i - 1];
	holes[i] = (struct hole){PAGE_DOWN(start), PAGE_UP(end)};
}

int pc_multiboot_init(uint32_t magic, uint32_t info_pa, char *cmdline, size_t size)
{
	extern char pc_image_start[], pc_bss_end[];
	if (magic != MULTIBOOT_MAGIC)
		return -EINVAL;
	const struct mb_info *mbi = plat_phys(info_pa);
	if (!(mbi->flags & MBI_MMAP))
		return -EINVAL;
	cmdline[0] = 0;
	if (mbi->flags & MBI_CMDLINE)
		kstrlcpy(cmdline, plat_phys(mbi->cmdline), size);

	struct hole holes[MAX_HOLES];
	size_t nholes = 0;
	add_hole(holes, &nholes, (uint64_t)pc_image_start - PC_KERNEL_VMA,
		 (uint64_t)pc_bss_end - PC_KERNEL_VMA);
	if ((mbi->flags & MBI_MODS) && mbi->mods_count) {
		const struct mb_module *mod = plat_phys(mbi->mods_addr);
		add_hole(holes, &nholes, mod->start, mod->end);
		image = plat_phys(mod->start);
		image_len = mod->end - mod->start;
	}

	nranges = 0;
	for (uint32_t off = 0; off + sizeof(struct mb_mmap_entry) <= mbi->mmap_length;) {
		const struct mb_mmap_entry *e = plat_phys(mbi->mmap_addr + off);
		if (e->type == MMAP_AVAILABLE)
			add_available(e->addr, e->addr + e->len, holes, nholes);
		off += e->size + sizeof(e->size);
	}
	return nranges ? 0 : -ENOMEM;
}

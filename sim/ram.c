/*
 * Guest RAM: one host buffer behind one or two physical ranges. QEMU's pc machine puts RAM at
 * 0 up to 3.5 GiB; with more, the first 3 GiB stay low and the rest goes above 4 GiB, leaving
 * the hole below 4 GiB to PCI BARs (0xfebf.... on the pc machine), the I/O APIC and the
 * firmware. The sim does the same, so that a BAR never lands on RAM and the kernel sees the
 * same physical map on both machines. The buffer is private and lazily backed: only what the
 * guest touches costs host memory.
 */
#include "devices.h"

#include <errno.h>
#include <kernel/plat.h>
#include <sys/mman.h>

#define GUARD 4096ull /* an inaccessible page on each side of the buffer */

static struct {
	uint8_t *map;   /* the mapping, guards included */
	uint8_t *buf;   /* guest RAM */
	uint64_t size;  /* its bytes */
	uint64_t low;   /* the bytes at physical 0; the rest is at SIM_RAM_HIGH_BASE */
	bool zeroed;    /* as mapped, not yet handed to a kernel */
	struct plat_mem_range ranges[2];
	size_t nranges;
} ram;

int sim_ram_init(uint64_t size)
{
	if (!size || (size & 4095))
		return -EINVAL;
	void *map = mmap(NULL, size + 2 * GUARD, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return -ENOMEM;
	if (mprotect((uint8_t *)map + GUARD, size, PROT_READ | PROT_WRITE)) {
		munmap(map, size + 2 * GUARD);
		return -ENOMEM;
	}
	ram.map = map;
	ram.zeroed = true;
	ram.buf = ram.map + GUARD;
	ram.size = size;
	ram.low = size < SIM_RAM_LOW_MAX ? size : SIM_RAM_LOW_SPLIT;
	/* Physical page 0 stays unused so that frame address 0 can mean "none". */
	ram.ranges[0] = (struct plat_mem_range){4096, ram.low - 4096};
	ram.ranges[1] = (struct plat_mem_range){SIM_RAM_HIGH_BASE, size - ram.low};
	ram.nranges = size > ram.low ? 2 : 1;
	return 0;
}

void sim_ram_fini(void)
{
	if (ram.map)
		munmap(ram.map, ram.size + 2 * GUARD);
	ram.map = ram.buf = NULL;
	ram.size = ram.low = 0;
	ram.nranges = 0;
}

uint8_t *sim_ram(void)
{
	return ram.buf;
}

uint64_t sim_ram_size(void)
{
	return ram.size;
}

uint64_t sim_ram_low(void)
{
	return ram.low;
}

uint64_t sim_ram_top(void)
{
	return ram.size > ram.low ? SIM_RAM_HIGH_BASE + (ram.size - ram.low) : ram.low;
}

void *sim_ram_ptr(uint64_t pa, uint64_t len)
{
	if (pa < ram.low)
		return len <= ram.low - pa ? ram.buf + pa : NULL;
	if (pa >= SIM_RAM_HIGH_BASE && pa - SIM_RAM_HIGH_BASE < ram.size - ram.low &&
	    len <= ram.size - ram.low - (pa - SIM_RAM_HIGH_BASE))
		return ram.buf + ram.low + (pa - SIM_RAM_HIGH_BASE);
	return NULL;
}

size_t plat_mem_ranges(const struct plat_mem_range **ranges)
{
	*ranges = ram.ranges;
	return ram.nranges;
}

bool plat_mem_take_zeroed(void)
{
	bool zeroed = ram.zeroed;
	ram.zeroed = false;
	return zeroed;
}

void *plat_phys(uint64_t pa)
{
	void *p = sim_ram_ptr(pa, 1);
	if (!p)
		plat_panic("physical address outside RAM");
	return p;
}

uint64_t plat_pa(const void *p)
{
	uint64_t off = (uint64_t)((const uint8_t *)p - ram.buf);
	return off < ram.low ? off : SIM_RAM_HIGH_BASE + (off - ram.low);
}

/* Process memory: regions, demand paging, copy-on-write, and the user-memory copy helpers. */
#include "unit.h"

#include <kernel/frame.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <string.h>

#define RAM (32 * 1024 * 1024)
#define PG 4096ull
#define B 0x400000ull /* a region base */
#define RW (PROT_READ | PROT_WRITE)
#define RO PROT_READ
#define RX (PROT_READ | PROT_EXEC)

static struct mm mm;
static size_t free0;

static void setup(void)
{
	fake_plat_reset(RAM);
	ck_assert_int_eq(frame_init(), 0);
	ck_assert_int_eq(vm_init(), 0);
	free0 = frame_free_count();
	ck_assert_int_eq(mm_create(&mm), 0);
}

static void teardown(void)
{
	fake_plat_release();
}

struct want {
	uint64_t start, end;
	unsigned prot;
};

static void expect_regions(const struct mm *m, const struct want *w, int n)
{
	int i = 0;
	for (const struct vma *v = m->vmas; v; v = v->next, i++) {
		ck_assert_msg(i < n, "more than %d regions", n);
		ck_assert_msg(v->start == w[i].start && v->end == w[i].end && v->prot == w[i].prot,
			      "region %d is [%#llx, %#llx) prot %u, expected [%#llx, %#llx) prot %u", i,
			      (unsigned long long)v->start, (unsigned long long)v->end, v->prot,
			      (unsigned long long)w[i].start, (unsigned long long)w[i].end, w[i].prot);
	}
	ck_assert_int_eq(i, n);
}

static bool present(const struct mm *m, uint64_t va, unsigned *flags)
{
	uint64_t pa;
	unsigned f;
	bool ok = vm_translate(&m->as, va, &pa, &f) == 0;
	if (flags)
		*flags = ok ? f : 0;
	return ok;
}

static void fill(struct mm *m, uint64_t va, int c, size_t n)
{
	static unsigned char buf[8 * 4096];
	ck_assert_uint_le(n, sizeof(buf));
	memset(buf, c, n);
	ck_assert_int_eq(copy_out(m, va, buf, n), 0);
}

static bool holds(struct mm *m, uint64_t va, int c, size_t n)
{
	static unsigned char buf[8 * 4096];
	ck_assert_uint_le(n, sizeof(buf));
	ck_assert_int_eq(copy_in(m, buf, va, n), 0);
	for (size_t i = 0; i < n; i++)
		if (buf[i] != (unsigned char)c)
			return false;
	return true;
}

START_TEST(test_map_find_overlaps)
{
	ck_assert_int_eq(mm_map(&mm, B, 3 * PG - 100, RW), 0); /* rounded up to pages */
	expect_regions(&mm, (struct want[]){{B, B + 3 * PG, RW}}, 1);
	ck_assert_ptr_eq(mm_find(&mm, B), mm.vmas);
	ck_assert_ptr_eq(mm_find(&mm, B + 3 * PG - 1), mm.vmas);
	ck_assert_ptr_null(mm_find(&mm, B + 3 * PG));
	ck_assert_ptr_null(mm_find(&mm, B - 1));
	ck_assert(mm_overlaps(&mm, B - PG, PG + 1));
	ck_assert(!mm_overlaps(&mm, B - PG, PG));
	ck_assert(!mm_overlaps(&mm, B + 3 * PG, PG));
	ck_assert(!present(&mm, B, NULL)); /* nothing allocated until touched */
}
END_TEST

START_TEST(test_map_bad_arguments)
{
	ck_assert_int_eq(mm_map(&mm, B, 0, RW), -EINVAL);
	ck_assert_int_eq(mm_map(&mm, B + 1, PG, RW), -EINVAL);
	ck_assert_int_eq(mm_map(&mm, 0, PG, RW), -EINVAL);
	ck_assert_int_eq(mm_map(&mm, USER_MIN - PG, PG, RW), -EINVAL);
	ck_assert_int_eq(mm_map(&mm, USER_END, PG, RW), -EINVAL);
	ck_assert_int_eq(mm_map(&mm, KERNEL_HALF, PG, RW), -EINVAL);
	ck_assert_int_eq(mm_map(&mm, USER_END - PG, 2 * PG, RW), -EINVAL);
	ck_assert_int_eq(mm_map(&mm, B, UINT64_MAX - PG, RW), -EINVAL);
	ck_assert_ptr_null(mm.vmas);
	ck_assert_int_eq(mm_map(&mm, USER_END - PG, PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, USER_MIN, PG, RW), 0);
}
END_TEST

START_TEST(test_unmap_middle_splits)
{
	ck_assert_int_eq(mm_map(&mm, B, 5 * PG, RW), 0);
	for (int i = 0; i < 5; i++)
		fill(&mm, B + i * PG, 'a' + i, PG);
	size_t before = frame_free_count();
	ck_assert_int_eq(mm_unmap(&mm, B + 2 * PG, PG), 0);
	expect_regions(&mm, (struct want[]){{B, B + 2 * PG, RW}, {B + 3 * PG, B + 5 * PG, RW}}, 2);
	ck_assert_uint_eq(frame_free_count(), before + 1);
	ck_assert(!present(&mm, B + 2 * PG, NULL));
	char c;
	ck_assert_int_eq(copy_in(&mm, &c, B + 2 * PG, 1), -EFAULT);
	ck_assert(holds(&mm, B, 'a', PG));
	ck_assert(holds(&mm, B + PG, 'b', PG));
	ck_assert(holds(&mm, B + 3 * PG, 'd', PG));
	ck_assert(holds(&mm, B + 4 * PG, 'e', PG));
}
END_TEST

START_TEST(test_unmap_across_regions)
{
	ck_assert_int_eq(mm_map(&mm, B, 2 * PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, B + 3 * PG, 2 * PG, RO), 0);
	ck_assert_int_eq(mm_map(&mm, B + 6 * PG, 2 * PG, RX), 0);
	fill(&mm, B, 'x', 2 * PG);
	ck_assert_int_eq(mm_unmap(&mm, B + PG, 6 * PG), 0);
	expect_regions(&mm, (struct want[]){{B, B + PG, RW}, {B + 7 * PG, B + 8 * PG, RX}}, 2);
	ck_assert(!present(&mm, B + PG, NULL));
	ck_assert(holds(&mm, B, 'x', PG));
	ck_assert_int_eq(mm_unmap(&mm, B + 20 * PG, PG), 0); /* nothing there: fine */
	ck_assert_int_eq(mm_unmap(&mm, B + 1, PG), -EINVAL);
	ck_assert_int_eq(mm_unmap(&mm, B, 0), -EINVAL);
	ck_assert_int_eq(mm_unmap(&mm, KERNEL_HALF, PG), -EINVAL);
}
END_TEST

START_TEST(test_map_replaces_old_contents)
{
	ck_assert_int_eq(mm_map(&mm, B, 4 * PG, RW), 0);
	fill(&mm, B, 'o', 4 * PG);
	ck_assert_int_eq(mm_map(&mm, B + PG, 2 * PG, RO), 0);
	expect_regions(&mm, (struct want[]){{B, B + PG, RW}, {B + PG, B + 3 * PG, RO},
					    {B + 3 * PG, B + 4 * PG, RW}},
		       3);
	ck_assert(holds(&mm, B + PG, 0, 2 * PG)); /* fresh zero pages */
	ck_assert(holds(&mm, B, 'o', PG));
	ck_assert(holds(&mm, B + 3 * PG, 'o', PG));
}
END_TEST

START_TEST(test_protect_middle_splits)
{
	ck_assert_int_eq(mm_map(&mm, B, 5 * PG, RW), 0);
	fill(&mm, B, 'p', 5 * PG);
	ck_assert_int_eq(mm_protect(&mm, B + PG, 3 * PG, RO), 0);
	expect_regions(&mm, (struct want[]){{B, B + PG, RW}, {B + PG, B + 4 * PG, RO},
					    {B + 4 * PG, B + 5 * PG, RW}},
		       3);
	unsigned f;
	ck_assert(present(&mm, B, &f) && (f & VM_WRITE));
	ck_assert(present(&mm, B + 2 * PG, &f) && !(f & VM_WRITE));
	ck_assert(present(&mm, B + 4 * PG, &f) && (f & VM_WRITE));
	ck_assert_int_eq(copy_out(&mm, B + 2 * PG, "x", 1), -EFAULT);
	ck_assert(holds(&mm, B, 'p', 5 * PG));
	fill(&mm, B + 4 * PG, 'q', PG);

	/* Protecting regions that already line up splits nothing. */
	ck_assert_int_eq(mm_protect(&mm, B + PG, 3 * PG, RX), 0);
	expect_regions(&mm, (struct want[]){{B, B + PG, RW}, {B + PG, B + 4 * PG, RX},
					    {B + 4 * PG, B + 5 * PG, RW}},
		       3);
	ck_assert(present(&mm, B + 3 * PG, &f) && (f & VM_EXEC) && !(f & VM_WRITE));
}
END_TEST

START_TEST(test_protect_across_adjacent_regions)
{
	ck_assert_int_eq(mm_map(&mm, B, 2 * PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, B + 2 * PG, 2 * PG, RX), 0);
	ck_assert_int_eq(mm_protect(&mm, B + PG, 2 * PG, RO), 0);
	expect_regions(&mm, (struct want[]){{B, B + PG, RW}, {B + PG, B + 2 * PG, RO},
					    {B + 2 * PG, B + 3 * PG, RO}, {B + 3 * PG, B + 4 * PG, RX}},
		       4);
}
END_TEST

START_TEST(test_protect_errors)
{
	ck_assert_int_eq(mm_map(&mm, B, 2 * PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, B + 3 * PG, PG, RW), 0);
	ck_assert_int_eq(mm_protect(&mm, B, 4 * PG, RO), -ENOMEM); /* a hole at B + 2 pages */
	ck_assert_int_eq(mm_protect(&mm, B - PG, 2 * PG, RO), -ENOMEM);
	ck_assert_int_eq(mm_protect(&mm, B + 1, PG, RO), -EINVAL);
	ck_assert_int_eq(mm_protect(&mm, B, 0, RO), -EINVAL);
	expect_regions(&mm, (struct want[]){{B, B + 2 * PG, RW}, {B + 3 * PG, B + 4 * PG, RW}}, 2);
	fill(&mm, B, 'w', 2 * PG); /* still writable */
}
END_TEST

START_TEST(test_find_free)
{
	const uint64_t T = MMAP_TOP;
	/* Too big for the space below the top, with no region below it (one above it). */
	ck_assert_uint_eq(mm_find_free(&mm, T - PG), 0);
	ck_assert_int_eq(mm_map(&mm, T + PG, PG, RW), 0);
	ck_assert_uint_eq(mm_find_free(&mm, T - PG), 0);
	ck_assert_int_eq(mm_unmap(&mm, T + PG, PG), 0);
	ck_assert_uint_eq(mm_find_free(&mm, 3 * PG), T - 3 * PG);
	ck_assert_uint_eq(mm_find_free(&mm, 1), T - PG);
	ck_assert_int_eq(mm_map(&mm, T - 2 * PG, 2 * PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, T - 5 * PG, 2 * PG, RW), 0);
	ck_assert_uint_eq(mm_find_free(&mm, PG), T - 3 * PG); /* the one-page hole */
	ck_assert_uint_eq(mm_find_free(&mm, 2 * PG), T - 7 * PG);
	ck_assert(!mm_overlaps(&mm, mm_find_free(&mm, 2 * PG), 2 * PG));
	ck_assert_uint_eq(mm_find_free(&mm, 0), 0);
	ck_assert_uint_eq(mm_find_free(&mm, T), 0);
	ck_assert_uint_eq(mm_find_free(&mm, UINT64_MAX - PG), 0);

	/* Nothing below the heap. */
	mm.brk_start = mm.brk = B;
	ck_assert_int_eq(mm_map(&mm, B + PG, T - 5 * PG - (B + PG), RW), 0);
	ck_assert_uint_eq(mm_find_free(&mm, PG), T - 3 * PG);
	ck_assert_uint_eq(mm_find_free(&mm, 2 * PG), 0);
}
END_TEST

/* The platform hears of every kernel write into a frame mapped executable, and only of those. */
START_TEST(test_code_written)
{
	uint64_t pa;
	unsigned f;
	ck_assert_int_eq(mm_map(&mm, B, PG, RW | PROT_EXEC), 0);
	ck_assert_int_eq(mm_map(&mm, B + PG, PG, RW), 0);
	fill(&mm, B + PG, 1, 16);
	ck_assert_uint_eq(fake_counts.code_frames_written, 0);
	fill(&mm, B + 8, 2, 16);
	ck_assert_int_eq(vm_translate(&mm.as, B, &pa, &f), 0);
	ck_assert_uint_eq(fake_counts.code_frames_written, 1);
	ck_assert_uint_eq(fake_counts.last_code_frame_written, pa);
	ck_assert_int_eq(mm_poke(&mm, B + 100, "x", 1), 0);
	ck_assert_uint_eq(fake_counts.code_frames_written, 2);
}
END_TEST

START_TEST(test_demand_paging)
{
	ck_assert_int_eq(mm_map(&mm, B, 4 * PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, B + 8 * PG, PG, RX), 0);
	unsigned f;
	ck_assert_int_eq(mm_fault(&mm, B + 10, PF_USER, true), 0); /* a known read */
	ck_assert(present(&mm, B, &f));
	ck_assert_uint_eq(f, VM_USER | VM_COW); /* the zero frame, until written */
	ck_assert(holds(&mm, B, 0, PG));
	uint64_t pa;
	ck_assert_int_eq(vm_translate(&mm.as, B, &pa, &f), 0);
	ck_assert_uint_eq(pa, frame_zero());
	size_t free_before = frame_free_count();
	ck_assert_int_eq(mm_fault(&mm, B + 10, PF_WRITE | PF_USER | PF_PRESENT, true), 0);
	ck_assert(present(&mm, B, &f));
	ck_assert_uint_eq(f, VM_USER | VM_WRITE);
	ck_assert_uint_eq(free_before - frame_free_count(), 1);
	ck_assert_int_eq(mm_fault(&mm, B + PG + 5, 0, false), 0); /* unknown access */
	ck_assert(present(&mm, B + PG, &f));
	ck_assert_int_eq(mm_fault(&mm, B + 2 * PG, PF_WRITE | PF_USER, true), 0);
	ck_assert(!present(&mm, B + 3 * PG, NULL));
	ck_assert_int_eq(mm_fault(&mm, B + 8 * PG, PF_FETCH | PF_USER, true), 0);
	ck_assert(present(&mm, B + 8 * PG, &f));
	ck_assert_uint_eq(f, VM_USER | VM_EXEC | VM_COW);
}
END_TEST

START_TEST(test_fault_not_allowed)
{
	ck_assert_int_eq(mm_map(&mm, B, PG, RO), 0);
	ck_assert_int_eq(mm_map(&mm, B + PG, PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, B + 2 * PG, PG, PROT_NONE), 0);
	ck_assert_int_eq(mm_fault(&mm, B - 1, 0, true), -EFAULT);
	ck_assert_int_eq(mm_fault(&mm, B + 3 * PG, 0, false), -EFAULT);
	ck_assert_int_eq(mm_fault(&mm, KERNEL_HALF, 0, false), -EFAULT);
	ck_assert_int_eq(mm_fault(&mm, B, PF_WRITE | PF_USER, true), -EFAULT);
	ck_assert_int_eq(mm_fault(&mm, B + PG, PF_FETCH | PF_USER, true), -EFAULT);
	ck_assert_int_eq(mm_fault(&mm, B + 2 * PG, PF_USER, true), -EFAULT);
	ck_assert_int_eq(mm_fault(&mm, B + 2 * PG, 0, false), -EFAULT);
	ck_assert(!present(&mm, B, NULL));
	ck_assert(!present(&mm, B + PG, NULL));
	ck_assert(!present(&mm, B + 2 * PG, NULL));
	/* A read of the read-only page is fine; writing it afterwards still is not. */
	ck_assert_int_eq(mm_fault(&mm, B, PF_USER, true), 0);
	ck_assert_int_eq(mm_fault(&mm, B, PF_WRITE | PF_PRESENT | PF_USER, true), -EFAULT);
}
END_TEST

/* Maps frame f copy-on-write at va in m, in a read-write region, taking a reference. */
static void share_cow(struct mm *m, uint64_t va, uint64_t f, unsigned prot)
{
	ck_assert_int_eq(mm_map(m, va, PG, prot), 0);
	frame_get(f);
	ck_assert_int_eq(vm_map(&m->as, va, f, VM_COW), 0);
}

static uint64_t frame_at(struct mm *m, uint64_t va, unsigned *flags)
{
	uint64_t pa;
	unsigned f;
	ck_assert_int_eq(vm_translate(&m->as, va, &pa, &f), 0);
	if (flags)
		*flags = f;
	return pa;
}

START_TEST(test_cow_write_fault_copies)
{
	struct mm other;
	ck_assert_int_eq(mm_create(&other), 0);
	uint64_t f = frame_alloc();
	strcpy(plat_phys(f), "shared page");
	share_cow(&mm, B, f, RW);
	share_cow(&other, B, f, RW);
	frame_put(f); /* now held by the two mappings only */
	ck_assert_uint_eq(frame_refcount(f), 2);

	ck_assert_int_eq(mm_fault(&mm, B + 8, PF_WRITE | PF_PRESENT | PF_USER, true), 0);
	unsigned flags;
	uint64_t mine = frame_at(&mm, B, &flags);
	ck_assert_uint_ne(mine, f);
	ck_assert_uint_eq(flags, VM_USER | VM_WRITE);
	ck_assert_str_eq(plat_phys(mine), "shared page");
	ck_assert_uint_eq(frame_at(&other, B, &flags), f);
	ck_assert_uint_eq(flags, VM_USER | VM_COW);
	ck_assert_uint_eq(frame_refcount(f), 1);

	ck_assert_int_eq(copy_out(&mm, B, "mine", 5), 0);
	char buf[16];
	ck_assert_int_eq(copy_in(&other, buf, B, 12), 0);
	ck_assert_str_eq(buf, "shared page");

	/* The last holder keeps the frame and just gets write access. */
	ck_assert_int_eq(mm_fault(&other, B, PF_WRITE | PF_PRESENT | PF_USER, true), 0);
	ck_assert_uint_eq(frame_at(&other, B, &flags), f);
	ck_assert_uint_eq(flags, VM_USER | VM_WRITE);
	ck_assert_uint_eq(frame_refcount(f), 1);
	ck_assert_int_eq(copy_out(&other, B, "theirs", 7), 0);
	ck_assert_int_eq(copy_in(&mm, buf, B, 5), 0);
	ck_assert_str_eq(buf, "mine");
	mm_destroy(&other);
}
END_TEST

START_TEST(test_cow_broken_by_copy_out)
{
	struct mm other;
	ck_assert_int_eq(mm_create(&other), 0);
	uint64_t f = frame_alloc();
	memset(plat_phys(f), 'S', PG);
	share_cow(&mm, B, f, RW);
	share_cow(&other, B, f, RW);
	frame_put(f);
	ck_assert_int_eq(copy_out(&mm, B + PG - 2, "zz", 2), 0);
	ck_assert(holds(&other, B, 'S', PG));
	ck_assert(holds(&mm, B, 'S', PG - 2));
	ck_assert_uint_ne(frame_at(&mm, B, NULL), f);
	mm_destroy(&other);
}
END_TEST

START_TEST(test_cow_in_read_only_region_not_copied)
{
	struct mm other;
	ck_assert_int_eq(mm_create(&other), 0);
	uint64_t f = frame_alloc();
	share_cow(&mm, B, f, RO);
	share_cow(&other, B, f, RO);
	frame_put(f);
	ck_assert_int_eq(mm_fault(&mm, B, PF_WRITE | PF_PRESENT | PF_USER, true), -EFAULT);
	ck_assert_int_eq(copy_out(&mm, B, "x", 1), -EFAULT);
	ck_assert_uint_eq(frame_at(&mm, B, NULL), f);
	ck_assert_uint_eq(frame_refcount(f), 2);
	mm_destroy(&other);
}
END_TEST

START_TEST(test_copy_across_pages)
{
	ck_assert_int_eq(mm_map(&mm, B, 3 * PG, RW), 0);
	char out[6000], in[6000];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + 1);
	ck_assert_int_eq(copy_out(&mm, B + PG - 100, out, sizeof(out)), 0);
	ck_assert_int_eq(copy_in(&mm, in, B + PG - 100, sizeof(in)), 0);
	ck_assert_mem_eq(in, out, sizeof(out));
	/* The bytes really are in the frames the page tables name. */
	ck_assert_mem_eq((char *)plat_phys(frame_at(&mm, B, NULL)) + PG - 100, out, 100);
	ck_assert_mem_eq(plat_phys(frame_at(&mm, B + PG, NULL)), out + 100, PG);
	ck_assert_mem_eq(plat_phys(frame_at(&mm, B + 2 * PG, NULL)), out + 100 + PG,
			 sizeof(out) - 100 - PG);
	ck_assert_int_eq(copy_in(&mm, in, B, 0), 0);
	ck_assert_int_eq(copy_out(&mm, 0, out, 0), 0);
}
END_TEST

START_TEST(test_copy_faults)
{
	ck_assert_int_eq(mm_map(&mm, B, 2 * PG, RW), 0);
	char buf[64] = "untouched";
	ck_assert_int_eq(copy_in(&mm, buf, B + 8 * PG, 4), -EFAULT);
	ck_assert_int_eq(copy_in(&mm, buf, 0, 4), -EFAULT);
	ck_assert_int_eq(copy_in(&mm, buf, KERNEL_HALF + B, 4), -EFAULT);
	ck_assert_int_eq(copy_in(&mm, buf, USER_END - 2, 4), -EFAULT);
	ck_assert_int_eq(copy_in(&mm, buf, B, SIZE_MAX), -EFAULT);      /* wraps */
	ck_assert_int_eq(copy_in(&mm, buf, B + 8, SIZE_MAX - 4), -EFAULT);
	ck_assert_int_eq(copy_in(&mm, buf, B + 2 * PG - 4, 8), -EFAULT); /* partly mapped */
	ck_assert_int_eq(copy_in(&mm, buf, B - 4, 8), -EFAULT);
	ck_assert_str_eq(buf, "untouched");
	ck_assert_int_eq(copy_out(&mm, KERNEL_HALF, buf, 4), -EFAULT);
	ck_assert_int_eq(copy_out(&mm, 0xfffffffffffffff0ull, buf, 32), -EFAULT);
	ck_assert_int_eq(copy_out(&mm, B, buf, SIZE_MAX), -EFAULT);

	/* A copy out that does not fit writes nothing, not even the part that would. */
	fill(&mm, B + PG, 'k', PG);
	memset(buf, 'N', sizeof(buf));
	ck_assert_int_eq(copy_out(&mm, B + 2 * PG - 32, buf, 64), -EFAULT);
	ck_assert(holds(&mm, B + PG, 'k', PG));
}
END_TEST

START_TEST(test_copy_out_read_only_writes_nothing)
{
	ck_assert_int_eq(mm_map(&mm, B, PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, B + PG, PG, RO), 0);
	char text[PG];
	memset(text, 'r', sizeof(text));
	ck_assert_int_eq(mm_poke(&mm, B + PG, text, sizeof(text)), 0);
	fill(&mm, B, 'w', PG);
	char buf[256];
	memset(buf, 'X', sizeof(buf));
	ck_assert_int_eq(copy_out(&mm, B + PG, buf, 10), -EFAULT);
	ck_assert_int_eq(copy_out(&mm, B + PG - 128, buf, 256), -EFAULT);
	ck_assert(holds(&mm, B, 'w', PG));
	ck_assert(holds(&mm, B + PG, 'r', PG));
}
END_TEST

START_TEST(test_copy_out_demand_pages)
{
	ck_assert_int_eq(mm_map(&mm, B, 4 * PG, RW), 0);
	ck_assert(!present(&mm, B + PG, NULL));
	ck_assert_int_eq(copy_out(&mm, B + PG + 10, "fresh", 6), 0);
	ck_assert(present(&mm, B + PG, NULL));
	ck_assert(!present(&mm, B, NULL));
	ck_assert(!present(&mm, B + 2 * PG, NULL));
	char buf[6];
	ck_assert_int_eq(copy_in(&mm, buf, B + PG + 10, 6), 0);
	ck_assert_str_eq(buf, "fresh");
	ck_assert_int_eq(copy_in(&mm, buf, B + 3 * PG, 6), 0); /* reads fault in too */
	ck_assert(holds(&mm, B + 3 * PG, 0, PG));
}
END_TEST

START_TEST(test_copy_str_in)
{
	ck_assert_int_eq(mm_map(&mm, B, 2 * PG, RW), 0);
	char s[64];
	ck_assert_int_eq(copy_out(&mm, B + PG - 3, "hello", 6), 0); /* crosses a page */
	ck_assert_int_eq(copy_str_in(&mm, s, B + PG - 3, sizeof(s)), 5);
	ck_assert_str_eq(s, "hello");
	ck_assert_int_eq(copy_str_in(&mm, s, B + PG - 3, 6), 5); /* exactly fits */
	ck_assert_str_eq(s, "hello");
	ck_assert_int_eq(copy_str_in(&mm, s, B + PG - 3, 5), -ENAMETOOLONG);
	ck_assert_uint_eq(strnlen(s, 5), 4); /* still terminated */
	ck_assert_int_eq(copy_str_in(&mm, NULL, B + PG - 3, 64), 5);
	ck_assert_int_eq(copy_str_in(&mm, s, B + 2 * PG, sizeof(s)), -EFAULT);
	ck_assert_int_eq(copy_str_in(&mm, s, KERNEL_HALF, sizeof(s)), -EFAULT);
	ck_assert_int_eq(copy_str_in(&mm, s, 0, sizeof(s)), -EFAULT);
	/* A string running into an unmapped page. */
	fill(&mm, B + PG, 'z', PG);
	ck_assert_int_eq(copy_str_in(&mm, s, B + 2 * PG - 10, sizeof(s)), -EFAULT);
	ck_assert_int_eq(copy_str_in(&mm, s, B + 2 * PG - 10, 10), -ENAMETOOLONG);
	ck_assert_int_eq(copy_str_in(&mm, s, B + 2 * PG - 10, 11), -EFAULT);
}
END_TEST

START_TEST(test_poke_read_only_stays_read_only)
{
	ck_assert_int_eq(mm_map(&mm, B, 2 * PG, RX), 0);
	ck_assert_int_eq(mm_poke(&mm, B + PG - 2, "code", 4), 0);
	unsigned f;
	ck_assert(present(&mm, B, &f));
	ck_assert_uint_eq(f, VM_USER | VM_EXEC);
	ck_assert(present(&mm, B + PG, &f));
	ck_assert_uint_eq(f, VM_USER | VM_EXEC);
	char buf[5] = {0};
	ck_assert_int_eq(copy_in(&mm, buf, B + PG - 2, 4), 0);
	ck_assert_str_eq(buf, "code");
	ck_assert_int_eq(copy_out(&mm, B, "x", 1), -EFAULT);
	ck_assert_int_eq(mm_poke(&mm, B + 4 * PG, "x", 1), -EFAULT);
}
END_TEST

START_TEST(test_prot_none_not_readable)
{
	/* mprotect(PROT_NONE) on touched pages: the user must lose access to their bytes. */
	ck_assert_int_eq(mm_map(&mm, B, PG, RW), 0);
	ck_assert_int_eq(copy_out(&mm, B, "secret", 7), 0);
	ck_assert_int_eq(mm_protect(&mm, B, PG, PROT_NONE), 0);
	char buf[7];
	ck_assert_msg(copy_in(&mm, buf, B, 7) == -EFAULT,
		      "copy_in read a PROT_NONE page: its PTE is still present and user-accessible");
	unsigned f;
	ck_assert_msg(!present(&mm, B, &f) || !(f & VM_USER),
		      "the MMU would let the user read a PROT_NONE page (flags %#x)", f);
}
END_TEST

START_TEST(test_prot_none_and_back_keeps_data)
{
	ck_assert_int_eq(mm_map(&mm, B, PG, RW), 0);
	ck_assert_int_eq(copy_out(&mm, B, "kept", 5), 0);
	ck_assert_int_eq(mm_protect(&mm, B, PG, PROT_NONE), 0);
	ck_assert_int_eq(mm_protect(&mm, B, PG, RW), 0);
	char buf[5];
	ck_assert_int_eq(copy_in(&mm, buf, B, 5), 0);
	ck_assert_str_eq(buf, "kept");
}
END_TEST

START_TEST(test_clone_shares_until_written)
{
	ck_assert_int_eq(mm_map(&mm, B, 2 * PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, B + 4 * PG, PG, RX), 0);
	ck_assert_int_eq(copy_out(&mm, B, "parent data", 12), 0);
	ck_assert_int_eq(mm_poke(&mm, B + 4 * PG, "code", 5), 0);
	mm.brk_start = mm.brk = B + 8 * PG;
	struct mm child;
	ck_assert_int_eq(mm_clone(&child, &mm), 0);
	expect_regions(&child, (struct want[]){{B, B + 2 * PG, RW}, {B + 4 * PG, B + 5 * PG, RX}}, 2);
	ck_assert_uint_eq(child.brk, mm.brk);
	ck_assert_uint_eq(frame_at(&child, B, NULL), frame_at(&mm, B, NULL));
	ck_assert_int_eq(copy_out(&mm, B, "changed", 8), 0);
	ck_assert_int_eq(copy_out(&child, B + PG, "kid", 4), 0);
	char s[12];
	ck_assert_int_eq(copy_in(&child, s, B, 12), 0);
	ck_assert_str_eq(s, "parent data");
	ck_assert_int_eq(copy_in(&mm, s, B + PG, 4), 0);
	ck_assert_str_eq(s, "");
	ck_assert_int_eq(copy_in(&child, s, B + 4 * PG, 5), 0);
	ck_assert_str_eq(s, "code");
	mm_destroy(&child);
	mm_destroy(&mm);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

START_TEST(test_clone_read_only_then_made_writable)
{
	/* A page read-only at fork, made writable again by the parent (mprotect), then written:
	 * the child must keep its own view, as after any fork. */
	ck_assert_int_eq(mm_map(&mm, B, PG, RW), 0);
	ck_assert_int_eq(copy_out(&mm, B, "original", 9), 0);
	ck_assert_int_eq(mm_protect(&mm, B, PG, RO), 0);
	struct mm child;
	ck_assert_int_eq(mm_clone(&child, &mm), 0);
	ck_assert_int_eq(mm_protect(&mm, B, PG, RW), 0);
	ck_assert_int_eq(copy_out(&mm, B, "PARENT", 6), 0);
	char s[9];
	ck_assert_int_eq(copy_in(&child, s, B, 9), 0);
	ck_assert_msg(!strcmp(s, "original"),
		      "the parent's write after fork shows in the child: \"%s\"", s);
	mm_destroy(&child);
}
END_TEST

START_TEST(test_destroy_frees_everything)
{
	struct mm other;
	ck_assert_int_eq(mm_create(&other), 0);
	ck_assert_int_eq(mm_map(&mm, B, 16 * PG, RW), 0);
	ck_assert_int_eq(mm_map(&mm, 0x7f0000000000ull, 4 * PG, RX), 0);
	fill(&mm, B, 1, 8 * PG);
	fill(&mm, B + 8 * PG, 2, 8 * PG);
	ck_assert_int_eq(mm_poke(&mm, 0x7f0000001000ull, "abc", 3), 0);
	ck_assert_int_eq(mm_unmap(&mm, B + 4 * PG, PG), 0);
	ck_assert_int_eq(mm_protect(&mm, B + 8 * PG, 2 * PG, RO), 0);
	uint64_t f = frame_alloc();
	share_cow(&mm, 0x500000000000ull, f, RW);
	share_cow(&other, 0x500000000000ull, f, RW);
	frame_put(f);
	ck_assert_int_eq(copy_out(&other, 0x500000000000ull, "c", 1), 0);
	mm_destroy(&mm);
	mm_destroy(&other);
	ck_assert_uint_eq(kmalloc_live(), 0);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

Suite *mm_suite(void)
{
	Suite *s = suite_create("mm");
	TCase *regions = unit_tcase(s, "regions", setup, teardown);
	tcase_add_test(regions, test_map_find_overlaps);
	tcase_add_test(regions, test_map_bad_arguments);
	tcase_add_test(regions, test_unmap_middle_splits);
	tcase_add_test(regions, test_unmap_across_regions);
	tcase_add_test(regions, test_map_replaces_old_contents);
	tcase_add_test(regions, test_protect_middle_splits);
	tcase_add_test(regions, test_protect_across_adjacent_regions);
	tcase_add_test(regions, test_protect_errors);
	tcase_add_test(regions, test_find_free);
	TCase *faults = unit_tcase(s, "faults", setup, teardown);
	tcase_add_test(faults, test_demand_paging);
	tcase_add_test(faults, test_code_written);
	tcase_add_test(faults, test_fault_not_allowed);
	tcase_add_test(faults, test_cow_write_fault_copies);
	tcase_add_test(faults, test_cow_broken_by_copy_out);
	tcase_add_test(faults, test_cow_in_read_only_region_not_copied);
	tcase_add_test(faults, test_prot_none_not_readable);
	tcase_add_test(faults, test_prot_none_and_back_keeps_data);
	tcase_add_test(faults, test_clone_shares_until_written);
	tcase_add_test(faults, test_clone_read_only_then_made_writable);
	TCase *uaccess = unit_tcase(s, "uaccess", setup, teardown);
	tcase_add_test(uaccess, test_copy_across_pages);
	tcase_add_test(uaccess, test_copy_faults);
	tcase_add_test(uaccess, test_copy_out_read_only_writes_nothing);
	tcase_add_test(uaccess, test_copy_out_demand_pages);
	tcase_add_test(uaccess, test_copy_str_in);
	tcase_add_test(uaccess, test_poke_read_only_stays_read_only);
	tcase_add_test(uaccess, test_destroy_frees_everything);
	return s;
}

/* x86_64 page tables: mappings, flags as the MMU reads them, ranges, teardown. */
#include "unit.h"

#include <kernel/frame.h>
#include <kernel/vm.h>
#include <time.h>

#define RAM (16 * 1024 * 1024)
#define PG 4096ull
#define VA 0x400000ull
#define TIB (1ull << 40)

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static struct addrspace as;
static size_t free_before_as;

static void setup(void)
{
	fake_plat_reset(RAM);
	ck_assert_int_eq(frame_init(), 0);
	ck_assert_int_eq(vm_init(), 0);
	free_before_as = frame_free_count();
	ck_assert_int_eq(vm_create(&as), 0);
}

static void teardown(void)
{
	fake_plat_release();
}

/* The raw entry for va at level (3: PML4 ... 0: page table), read as the MMU would. */
static uint64_t raw_entry(uint64_t root, uint64_t va, int level)
{
	uint64_t table = root;
	for (int l = 3;; l--) {
		const uint64_t *t = (const uint64_t *)(fake_ram() + table);
		uint64_t e = t[(va >> (12 + 9 * l)) & 511];
		if (l == level || !(e & PTE_P))
			return l == level ? e : 0;
		table = e & PTE_ADDR;
	}
}

static uint64_t map_new(uint64_t va, unsigned flags)
{
	uint64_t pa = frame_alloc();
	ck_assert_uint_ne(pa, 0);
	ck_assert_int_eq(vm_map(&as, va, pa, flags), 0);
	return pa;
}

static unsigned flags_of(uint64_t va)
{
	uint64_t pa;
	unsigned f;
	ck_assert_int_eq(vm_translate(&as, va, &pa, &f), 0);
	return f;
}

START_TEST(test_map_translate_unmap)
{
	uint64_t pa = map_new(VA, VM_WRITE);
	uint64_t got;
	unsigned f;
	ck_assert_int_eq(vm_translate(&as, VA + 0x123, &got, &f), 0);
	ck_assert_uint_eq(got, pa);
	ck_assert_uint_eq(f, VM_WRITE | VM_USER);
	ck_assert_int_eq(vm_translate(&as, VA + PG, &got, &f), -EFAULT);
	ck_assert_int_eq(vm_translate(&as, VA - PG, &got, &f), -EFAULT);

	ck_assert_int_eq(vm_unmap(&as, VA), 0);
	ck_assert_int_eq(vm_translate(&as, VA, &got, &f), -EFAULT);
	ck_assert_uint_eq(frame_refcount(pa), 0);
	ck_assert_uint_eq(raw_entry(as.root, VA, 0), 0);
	ck_assert_uint_eq(fake_counts.last_flush_root, as.root);
	ck_assert_uint_eq(fake_counts.last_flush_va, VA);
}
END_TEST

START_TEST(test_flags_round_trip)
{
	static const unsigned cases[] = {0, VM_WRITE, VM_EXEC, VM_WRITE | VM_EXEC};
	for (unsigned i = 0; i < 4; i++) {
		map_new(VA + i * PG, cases[i]);
		ck_assert_uint_eq(flags_of(VA + i * PG), cases[i] | VM_USER);
	}
}
END_TEST

START_TEST(test_raw_page_table_bits)
{
	uint64_t rw = map_new(VA, VM_WRITE);
	uint64_t rx = map_new(VA + PG, VM_EXEC);
	uint64_t ro = map_new(0x7fff00000000ull, 0);

	uint64_t e = raw_entry(as.root, VA, 0);
	ck_assert_uint_eq(e & PTE_ADDR, rw);
	ck_assert_uint_eq(e & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W | PTE_U);
	ck_assert_msg(e & PTE_NX, "data page is executable: NX (bit 63) clear in %#llx",
		      (unsigned long long)e);

	e = raw_entry(as.root, VA + PG, 0);
	ck_assert_uint_eq(e & PTE_ADDR, rx);
	ck_assert_uint_eq(e & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_U);
	ck_assert_uint_eq(e & PTE_NX, 0);

	e = raw_entry(as.root, 0x7fff00000000ull, 0);
	ck_assert_uint_eq(e & PTE_ADDR, ro);
	ck_assert_uint_eq(e & (PTE_P | PTE_W | PTE_U | PTE_NX), PTE_P | PTE_U | PTE_NX);

	/* Upper levels must let the leaf decide: present, writable, user, executable. */
	for (int level = 3; level >= 1; level--) {
		e = raw_entry(as.root, VA, level);
		ck_assert_uint_eq(e & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W | PTE_U);
		ck_assert_uint_eq(e & PTE_NX, 0);
		ck_assert_uint_ne(frame_refcount(e & PTE_ADDR), 0);
	}
}
END_TEST

START_TEST(test_map_twice_eexist)
{
	uint64_t first = map_new(VA, VM_WRITE);
	uint64_t second = frame_alloc();
	ck_assert_int_eq(vm_map(&as, VA, second, 0), -EEXIST);
	uint64_t pa;
	unsigned f;
	ck_assert_int_eq(vm_translate(&as, VA, &pa, &f), 0);
	ck_assert_uint_eq(pa, first);
	ck_assert_uint_eq(f, VM_WRITE | VM_USER);
	ck_assert_uint_eq(frame_refcount(second), 1); /* still the caller's */
	frame_put(second);
}
END_TEST

START_TEST(test_missing_pages_enoent)
{
	map_new(VA, 0); /* the tables exist, the neighbour's entry does not */
	uint64_t pa = frame_alloc();
	ck_assert_int_eq(vm_unmap(&as, VA + PG), -ENOENT);
	ck_assert_int_eq(vm_protect(&as, VA + PG, VM_WRITE), -ENOENT);
	ck_assert_int_eq(vm_remap(&as, VA + PG, pa, 0), -ENOENT);
	ck_assert_int_eq(vm_unmap(&as, 0x500000000000ull), -ENOENT);
	ck_assert_int_eq(vm_protect(&as, 0x500000000000ull, 0), -ENOENT);
	ck_assert_uint_eq(frame_refcount(pa), 1);
	frame_put(pa);
}
END_TEST

START_TEST(test_bad_addresses_rejected)
{
	size_t free0 = frame_free_count();
	uint64_t pa = frame_alloc();
	ck_assert_int_eq(vm_map(&as, VA + 1, pa, 0), -EINVAL);
	ck_assert_int_eq(vm_map(&as, VA, pa + 8, 0), -EINVAL);
	ck_assert_int_eq(vm_map(&as, USER_END, pa, 0), -EINVAL);
	ck_assert_int_eq(vm_map(&as, KERNEL_HALF, pa, 0), -EINVAL);
	ck_assert_int_eq(vm_map(&as, 0xfffffffffffff000ull, pa, 0), -EINVAL);
	ck_assert_int_eq(vm_unmap(&as, KERNEL_HALF), -ENOENT);
	ck_assert_int_eq(vm_unmap(&as, VA + 1), -ENOENT);
	ck_assert_int_eq(vm_protect(&as, KERNEL_HALF, 0), -ENOENT);
	unsigned f;
	uint64_t got;
	ck_assert_int_eq(vm_translate(&as, KERNEL_HALF, &got, &f), -EFAULT);
	ck_assert_int_eq(vm_translate(&as, USER_END, &got, &f), -EFAULT);
	frame_put(pa);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

START_TEST(test_protect_keeps_frame)
{
	uint64_t pa = map_new(VA, VM_WRITE);
	*(uint32_t *)plat_phys(pa) = 0xfeedf00d;
	unsigned flushes = fake_counts.tlb_flushes;
	ck_assert_int_eq(vm_protect(&as, VA, VM_EXEC), 0);
	ck_assert_uint_gt(fake_counts.tlb_flushes, flushes);
	ck_assert_uint_eq(fake_counts.last_flush_va, VA);
	uint64_t got;
	unsigned f;
	ck_assert_int_eq(vm_translate(&as, VA, &got, &f), 0);
	ck_assert_uint_eq(got, pa);
	ck_assert_uint_eq(f, VM_EXEC | VM_USER);
	ck_assert_uint_eq(frame_refcount(pa), 1);
	ck_assert_uint_eq(*(uint32_t *)plat_phys(pa), 0xfeedf00d);
}
END_TEST

START_TEST(test_remap_drops_old_reference)
{
	uint64_t old = map_new(VA, 0);
	frame_get(old); /* someone else holds it too */
	uint64_t fresh = frame_alloc();
	ck_assert_int_eq(vm_remap(&as, VA, fresh, VM_WRITE), 0);
	ck_assert_uint_eq(frame_refcount(old), 1);
	ck_assert_uint_eq(frame_refcount(fresh), 1);
	uint64_t got;
	unsigned f;
	ck_assert_int_eq(vm_translate(&as, VA, &got, &f), 0);
	ck_assert_uint_eq(got, fresh);
	ck_assert_uint_eq(f, VM_WRITE | VM_USER);

	uint64_t third = frame_alloc();
	ck_assert_int_eq(vm_remap(&as, VA, third, 0), 0);
	ck_assert_uint_eq(frame_refcount(fresh), 0);
	frame_put(old);
}
END_TEST

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_unmap_range_sparse_terabyte)
{
	static const uint64_t inside[] = {0x10000, 0x8000000000ull, TIB - PG, 0x123456789000ull % TIB};
	uint64_t pa[4];
	for (int i = 0; i < 4; i++)
		pa[i] = map_new(inside[i], VM_WRITE);
	uint64_t keep = map_new(TIB, VM_WRITE);
	double t0 = seconds_now();
	vm_unmap_range(&as, 0, TIB);
	double took = seconds_now() - t0;
	ck_assert_msg(took < 2.0, "unmapping a sparse TiB took %.3f s", took);
	for (int i = 0; i < 4; i++) {
		uint64_t got;
		unsigned f;
		ck_assert_int_eq(vm_translate(&as, inside[i], &got, &f), -EFAULT);
		ck_assert_uint_eq(frame_refcount(pa[i]), 0);
	}
	ck_assert_uint_eq(flags_of(TIB), VM_WRITE | VM_USER);
	ck_assert_uint_eq(frame_refcount(keep), 1);

	t0 = seconds_now();
	vm_unmap_range(&as, 0, USER_END); /* the whole user half */
	ck_assert_msg(seconds_now() - t0 < 2.0, "unmapping the user half is slow");
	ck_assert_uint_eq(frame_refcount(keep), 0);
}
END_TEST

START_TEST(test_protect_range_sparse_keeps_cow_read_only)
{
	map_new(0x10000, 0);
	map_new(0x9000000000ull, VM_WRITE);
	uint64_t cow = map_new(0x9000001000ull, VM_COW);
	map_new(TIB + PG, VM_WRITE); /* outside */
	double t0 = seconds_now();
	vm_protect_range(&as, 0, TIB, VM_WRITE | VM_EXEC);
	ck_assert_msg(seconds_now() - t0 < 2.0, "protecting a sparse TiB is slow");
	ck_assert_uint_eq(flags_of(0x10000), VM_WRITE | VM_EXEC | VM_USER);
	ck_assert_uint_eq(flags_of(0x9000000000ull), VM_WRITE | VM_EXEC | VM_USER);
	ck_assert_uint_eq(flags_of(0x9000001000ull), VM_COW | VM_EXEC | VM_USER);
	ck_assert_uint_eq(raw_entry(as.root, 0x9000001000ull, 0) & PTE_W, 0);
	ck_assert_uint_eq(flags_of(TIB + PG), VM_WRITE | VM_USER);
	ck_assert_uint_eq(frame_refcount(cow), 1);

	vm_protect_range(&as, 0, USER_END, 0);
	ck_assert_uint_eq(flags_of(0x9000000000ull), VM_USER);
	ck_assert_uint_eq(flags_of(0x9000001000ull), VM_COW | VM_USER);
	ck_assert_uint_eq(flags_of(TIB + PG), VM_USER);
}
END_TEST

START_TEST(test_partial_range_edges)
{
	for (int i = 0; i < 4; i++)
		map_new(VA + i * PG, VM_WRITE);
	vm_protect_range(&as, VA + PG, VA + 3 * PG, 0);
	vm_unmap_range(&as, VA + 3 * PG, VA + 4 * PG);
	ck_assert_uint_eq(flags_of(VA), VM_WRITE | VM_USER);
	ck_assert_uint_eq(flags_of(VA + PG), VM_USER);
	ck_assert_uint_eq(flags_of(VA + 2 * PG), VM_USER);
	uint64_t pa;
	unsigned f;
	ck_assert_int_eq(vm_translate(&as, VA + 3 * PG, &pa, &f), -EFAULT);
}
END_TEST

START_TEST(test_destroy_returns_every_frame)
{
	/* Pages in many tables at every level, some shared with a second address space. */
	struct addrspace other;
	ck_assert_int_eq(vm_create(&other), 0);
	for (uint64_t i = 0; i < 64; i++) {
		uint64_t va = 0x10000 + i * 0x40201000ull;
		uint64_t pa = map_new(va, i % 3 ? VM_WRITE : VM_EXEC);
		if (i % 4 == 0) {
			frame_get(pa);
			ck_assert_int_eq(vm_map(&other, va, pa, VM_COW), 0);
		}
	}
	ck_assert_uint_gt(as.tables, 3);
	vm_destroy(&as);
	ck_assert_uint_eq(as.root, 0);
	for (uint64_t i = 0; i < 64; i += 4) {
		uint64_t pa;
		unsigned f;
		ck_assert_int_eq(vm_translate(&other, 0x10000 + i * 0x40201000ull, &pa, &f), 0);
		ck_assert_uint_eq(frame_refcount(pa), 1);
	}
	vm_destroy(&other);
	ck_assert_uint_eq(frame_free_count(), free_before_as);
	vm_destroy(&other); /* twice is harmless */
	ck_assert_uint_eq(frame_free_count(), free_before_as);
}
END_TEST

START_TEST(test_kernel_half_shared)
{
	vm_destroy(&as);
	uint64_t kpage = frame_alloc();
	uint64_t kva = KERNEL_HALF + 0x200000;
	ck_assert_int_eq(vm_kernel_map(kva, kpage, VM_WRITE), 0);
	ck_assert_int_eq(vm_kernel_map(VA, kpage, 0), -EINVAL);
	ck_assert_int_eq(vm_kernel_map(kva + 1, kpage, 0), -EINVAL);

	struct addrspace a, b;
	ck_assert_int_eq(vm_create(&a), 0);
	ck_assert_int_eq(vm_create(&b), 0);
	uint64_t e = raw_entry(a.root, kva, 0);
	ck_assert_uint_eq(e & PTE_ADDR, kpage);
	ck_assert_uint_eq(e & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W);
	for (int level = 3; level >= 0; level--)
		ck_assert_uint_eq(raw_entry(a.root, kva, level), raw_entry(b.root, kva, level));
	ck_assert_uint_eq(raw_entry(a.root, kva, 3), raw_entry(vm_kernel_root(), kva, 3));
	ck_assert_uint_eq(raw_entry(a.root, kva, 3) & PTE_U, 0);

	/* A user address space going away leaves the shared kernel tables alone. */
	uint64_t kernel_table = raw_entry(a.root, kva, 3) & PTE_ADDR;
	vm_destroy(&a);
	ck_assert_uint_eq(frame_refcount(kernel_table), 1);
	ck_assert_uint_eq(raw_entry(b.root, kva, 0) & PTE_ADDR, kpage);
	vm_destroy(&b);
	vm_fini();
	ck_assert_uint_eq(frame_refcount(kpage), 1); /* the kernel's own page is not the tables' */
	frame_put(kpage);
	ck_assert_uint_eq(frame_free_count(), frame_total_count());
}
END_TEST

START_TEST(test_map_out_of_memory)
{
	uint64_t pa = frame_alloc();
	while (frame_alloc())
		;
	ck_assert_int_eq(vm_map(&as, 0x600000000000ull & (USER_END - 1), pa, 0), -ENOMEM);
	ck_assert_uint_eq(frame_refcount(pa), 1);
}
END_TEST

START_TEST(test_exec_mapping_marks_code_frame)
{
	uint64_t code = map_new(VA, VM_EXEC);
	uint64_t data = map_new(VA + PG, VM_WRITE);
	vm_unmap(&as, VA + PG);
	ck_assert_uint_eq(fake_counts.code_frames_freed, 0);
	vm_unmap(&as, VA);
	ck_assert_uint_eq(fake_counts.code_frames_freed, 1);
	ck_assert_uint_eq(fake_counts.last_code_frame_freed, code);
	(void)data;
}
END_TEST

Suite *vm_suite(void)
{
	Suite *s = suite_create("vm");
	TCase *tc = unit_tcase(s, "vm", setup, teardown);
	tcase_add_test(tc, test_map_translate_unmap);
	tcase_add_test(tc, test_flags_round_trip);
	tcase_add_test(tc, test_raw_page_table_bits);
	tcase_add_test(tc, test_map_twice_eexist);
	tcase_add_test(tc, test_missing_pages_enoent);
	tcase_add_test(tc, test_bad_addresses_rejected);
	tcase_add_test(tc, test_protect_keeps_frame);
	tcase_add_test(tc, test_remap_drops_old_reference);
	tcase_add_test(tc, test_unmap_range_sparse_terabyte);
	tcase_add_test(tc, test_protect_range_sparse_keeps_cow_read_only);
	tcase_add_test(tc, test_partial_range_edges);
	tcase_add_test(tc, test_destroy_returns_every_frame);
	tcase_add_test(tc, test_kernel_half_shared);
	tcase_add_test(tc, test_map_out_of_memory);
	tcase_add_test(tc, test_exec_mapping_marks_code_frame);
	return s;
}

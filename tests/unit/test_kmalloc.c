/* The kernel object allocator: every size class, zeroing, no overlap, frames given back. */
#include "unit.h"

#include <kernel/frame.h>
#include <kernel/kmalloc.h>
#include <stdlib.h>
#include <string.h>

#define RAM (16 * 1024 * 1024)

static void setup(void)
{
	fake_plat_reset(RAM);
	ck_assert_int_eq(frame_init(), 0);
}

static void teardown(void)
{
	fake_plat_release();
}

struct object {
	unsigned char *p;
	size_t size;
};

static int cmp_object(const void *a, const void *b)
{
	const struct object *x = a, *y = b;
	return x->p < y->p ? -1 : x->p > y->p;
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

START_TEST(test_every_size_zeroed_disjoint)
{
	size_t free0 = frame_free_count();
	static struct object obj[KMALLOC_MAX];
	for (size_t size = 1; size <= KMALLOC_MAX; size++) {
		struct object *o = &obj[size - 1];
		o->size = size;
		o->p = kmalloc(size);
		ck_assert_msg(o->p != NULL, "kmalloc(%zu) failed", size);
		ck_assert_msg(all_bytes(o->p, size, 0), "kmalloc(%zu) not zeroed", size);
		ck_assert_msg((uintptr_t)o->p % 16 == 0, "kmalloc(%zu) = %p is not 16-byte aligned",
			      size, (void *)o->p);
		ck_assert_msg(o->p >= fake_ram() && o->p + size <= fake_ram() + fake_ram_size(),
			      "kmalloc(%zu) outside RAM", size);
		memset(o->p, (int)(size & 0xff), size);
	}
	ck_assert_uint_eq(kmalloc_live(), KMALLOC_MAX);
	for (size_t i = 0; i < KMALLOC_MAX; i++)
		ck_assert_msg(all_bytes(obj[i].p, obj[i].size, (unsigned char)(obj[i].size & 0xff)),
			      "object of %zu bytes was overwritten", obj[i].size);
	qsort(obj, KMALLOC_MAX, sizeof(obj[0]), cmp_object);
	for (size_t i = 1; i < KMALLOC_MAX; i++)
		ck_assert_msg(obj[i - 1].p + obj[i - 1].size <= obj[i].p, "objects %p and %p overlap",
			      (void *)obj[i - 1].p, (void *)obj[i].p);
	for (size_t i = 0; i < KMALLOC_MAX; i++)
		kfree(obj[i].p);
	ck_assert_uint_eq(kmalloc_live(), 0);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

START_TEST(test_bad_sizes_return_null)
{
	size_t free0 = frame_free_count();
	ck_assert_ptr_null(kmalloc(0));
	ck_assert_ptr_null(kmalloc(KMALLOC_MAX + 1));
	ck_assert_ptr_null(kmalloc(4096));
	ck_assert_ptr_null(kmalloc(SIZE_MAX));
	ck_assert_uint_eq(kmalloc_live(), 0);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

START_TEST(test_reused_object_is_zeroed)
{
	for (size_t size = 16; size <= KMALLOC_MAX; size *= 2) {
		unsigned char *keep = kmalloc(size); /* keeps the slab alive */
		unsigned char *p = kmalloc(size);
		memset(p, 0xee, size);
		kfree(p);
		unsigned char *q = kmalloc(size);
		ck_assert_msg(all_bytes(q, size, 0), "reused object of %zu bytes not zeroed", size);
		kfree(q);
		kfree(keep);
	}
	ck_assert_uint_eq(kmalloc_live(), 0);
}
END_TEST

START_TEST(test_empty_slabs_give_frames_back)
{
	size_t free0 = frame_free_count();
	enum { N = 600 };
	static void *p[N];
	for (int i = 0; i < N; i++)
		p[i] = kmalloc(i % 2 ? 64 : 200);
	ck_assert_uint_lt(frame_free_count(), free0 - 10);
	/* Free in an interleaved order so slabs empty in the middle of their lists. */
	for (int i = 0; i < N; i += 3)
		kfree(p[i]);
	for (int i = 1; i < N; i += 3)
		kfree(p[i]);
	for (int i = 2; i < N; i += 3)
		kfree(p[i]);
	ck_assert_uint_eq(kmalloc_live(), 0);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

START_TEST(test_kfree_null_ignored)
{
	size_t free0 = frame_free_count();
	kfree(NULL);
	kpage_free(NULL);
	ck_assert_uint_eq(kmalloc_live(), 0);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

START_TEST(test_kpage_alloc_free)
{
	size_t free0 = frame_free_count();
	unsigned char *a = kpage_alloc(), *b = kpage_alloc();
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq((uintptr_t)a % 4096, 0);
	ck_assert(all_bytes(a, 4096, 0));
	ck_assert_uint_eq(frame_refcount(plat_pa(a)), 1);
	ck_assert_uint_eq(kmalloc_live(), 2);
	ck_assert_uint_eq(frame_free_count(), free0 - 2);
	memset(a, 1, 4096);
	memset(b, 2, 4096);
	ck_assert(all_bytes(a, 4096, 1));
	kpage_free(a);
	kpage_free(b);
	ck_assert_uint_eq(kmalloc_live(), 0);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

START_TEST(test_exhaustion_returns_null_then_recovers)
{
	fake_plat_reset(64 * 4096);
	ck_assert_int_eq(frame_init(), 0);
	size_t free0 = frame_free_count();
	static void *p[64 * 4];
	size_t n = 0;
	while ((p[n] = kmalloc(1024)))
		ck_assert_uint_lt(++n, 64 * 4);
	ck_assert_uint_eq(frame_free_count(), 0);
	ck_assert_ptr_null(kpage_alloc());
	kfree(p[0]);
	ck_assert_ptr_nonnull(p[0] = kmalloc(1024));
	for (size_t i = 0; i < n; i++)
		kfree(p[i]);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

static void kfree_it(void *arg)
{
	kfree(arg);
}

START_TEST(test_kfree_of_foreign_memory_panics)
{
	void *page = kpage_alloc();
	ck_assert(fake_expect_panic(kfree_it, (char *)page + 64, NULL));
	void *obj = kmalloc(100);
	kfree(obj);
	ck_assert_msg(fake_expect_panic(kfree_it, obj, NULL), "double free of a slab's last object");
	kpage_free(page);
}
END_TEST

Suite *kmalloc_suite(void)
{
	Suite *s = suite_create("kmalloc");
	TCase *tc = unit_tcase(s, "kmalloc", setup, teardown);
	tcase_add_test(tc, test_every_size_zeroed_disjoint);
	tcase_add_test(tc, test_bad_sizes_return_null);
	tcase_add_test(tc, test_reused_object_is_zeroed);
	tcase_add_test(tc, test_empty_slabs_give_frames_back);
	tcase_add_test(tc, test_kfree_null_ignored);
	tcase_add_test(tc, test_kpage_alloc_free);
	tcase_add_test(tc, test_exhaustion_returns_null_then_recovers);
	tcase_add_test(tc, test_kfree_of_foreign_memory_panics);
	return s;
}

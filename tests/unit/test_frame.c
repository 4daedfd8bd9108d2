/* The physical frame allocator: exhaustion, uniqueness, zeroing, reference counts. */
#include "unit.h"

#include <kernel/frame.h>
#include <stdlib.h>
#include <string.h>

#define RAM (1024 * 1024)

static uint64_t *frames; /* every frame, once a test took them all */
static size_t nframes;

static void setup(void)
{
	fake_plat_reset(RAM);
	ck_assert_int_eq(frame_init(), 0);
	frames = NULL;
	nframes = 0;
}

static void teardown(void)
{
	free(frames);
	fake_plat_release();
}

/* Allocates until frame_alloc fails, keeping every frame in frames[]. */
static void take_all(void)
{
	free(frames);
	nframes = 0;
	frames = calloc(frame_total_count() + 1, sizeof(*frames));
	ck_assert_ptr_nonnull(frames);
	uint64_t pa;
	while ((pa = frame_alloc())) {
		ck_assert_uint_lt(nframes, frame_total_count());
		frames[nframes++] = pa;
	}
}

static void put_all(void)
{
	for (size_t i = 0; i < nframes; i++)
		frame_put(frames[i]);
	nframes = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

START_TEST(test_all_frames_free_after_init)
{
	/* 255 pages after page 0; a page of them holds the reference counts. */
	ck_assert_uint_ge(frame_total_count(), 250);
	ck_assert_uint_le(frame_total_count(), (RAM - FAKE_RAM_BASE) / 4096);
	ck_assert_uint_eq(frame_free_count(), frame_total_count());
}
END_TEST

START_TEST(test_exhaustion_returns_zero_then_recovers)
{
	size_t total = frame_total_count();
	take_all();
	ck_assert_uint_eq(nframes, total);
	ck_assert_uint_eq(frame_free_count(), 0);
	ck_assert_uint_eq(frame_alloc(), 0);
	ck_assert_uint_eq(frame_alloc(), 0);

	frame_put(frames[7]);
	ck_assert_uint_eq(frame_free_count(), 1);
	uint64_t again = frame_alloc();
	ck_assert_uint_eq(again, frames[7]);
	ck_assert_uint_eq(frame_alloc(), 0);

	put_all();
	ck_assert_uint_eq(frame_free_count(), total);
	ck_assert_uint_ne(frame_alloc(), 0);
}
END_TEST

START_TEST(test_frames_distinct_aligned_inside_ram)
{
	take_all();
	qsort(frames, nframes, sizeof(*frames), cmp_u64);
	for (size_t i = 0; i < nframes; i++) {
		ck_assert_uint_ne(frames[i], 0);
		ck_assert_uint_ge(frames[i], FAKE_RAM_BASE);
		ck_assert_uint_eq(frames[i] % 4096, 0);
		ck_assert_uint_le(frames[i] + 4096, RAM);
		if (i)
			ck_assert_msg(frames[i] != frames[i - 1], "frame %#llx handed out twice",
				      (unsigned long long)frames[i]);
	}
}
END_TEST

START_TEST(test_frames_do_not_hold_the_counts)
{
	/* Scribbling over every frame handed out must not disturb the allocator's own data. */
	take_all();
	for (size_t i = 0; i < nframes; i++)
		memset(plat_phys(frames[i]), 0xff, 4096);
	for (size_t i = 0; i < nframes; i++)
		ck_assert_uint_eq(frame_refcount(frames[i]), 1);
	put_all();
	ck_assert_uint_eq(frame_free_count(), frame_total_count());
	take_all();
	ck_assert_uint_eq(nframes, frame_total_count());
}
END_TEST

START_TEST(test_fresh_frame_is_zeroed)
{
	uint64_t pa = frame_alloc();
	ck_assert_uint_ne(pa, 0);
	const unsigned char *p = plat_phys(pa);
	for (size_t i = 0; i < 4096; i++)
		ck_assert_msg(p[i] == 0, "byte %zu of a fresh frame is %#x", i, p[i]);
}
END_TEST

START_TEST(test_reused_frames_are_zeroed)
{
	take_all();
	for (size_t i = 0; i < nframes; i++)
		memset(plat_phys(frames[i]), 0x5a, 4096);
	put_all();
	take_all();
	static const unsigned char zero[4096];
	for (size_t i = 0; i < nframes; i++)
		ck_assert_msg(!memcmp(plat_phys(frames[i]), zero, 4096), "reused frame %#llx not zeroed",
			      (unsigned long long)frames[i]);
}
END_TEST

START_TEST(test_refcount_get_put)
{
	size_t free0 = frame_free_count();
	uint64_t pa = frame_alloc();
	ck_assert_uint_eq(frame_refcount(pa), 1);
	ck_assert_uint_eq(frame_free_count(), free0 - 1);
	frame_get(pa);
	frame_get(pa);
	ck_assert_uint_eq(frame_refcount(pa), 3);
	frame_put(pa);
	frame_put(pa);
	ck_assert_uint_eq(frame_refcount(pa), 1);
	ck_assert_uint_eq(frame_free_count(), free0 - 1);
	frame_put(pa);
	ck_assert_uint_eq(frame_refcount(pa), 0);
	ck_assert_uint_eq(frame_free_count(), free0);
}
END_TEST

START_TEST(test_code_frame_freed_reported_once_at_zero)
{
	uint64_t code = frame_alloc(), data = frame_alloc();
	frame_mark_code(code);
	frame_get(code);
	ck_assert_uint_eq(frame_refcount(code), 2);
	frame_put(code);
	ck_assert_uint_eq(fake_counts.code_frames_freed, 0);
	frame_put(code);
	ck_assert_uint_eq(fake_counts.code_frames_freed, 1);
	ck_assert_uint_eq(fake_counts.last_code_frame_freed, code);
	ck_assert_uint_eq(frame_refcount(code), 0);

	frame_put(data);
	ck_assert_uint_eq(fake_counts.code_frames_freed, 1);

	/* Reused for data, the frame no longer counts as code. */
	uint64_t again = frame_alloc();
	ck_assert_uint_eq(frame_refcount(again), 1);
	frame_put(again);
	frame_put(frame_alloc());
	ck_assert_uint_eq(fake_counts.code_frames_freed, 1);
	ck_assert_uint_eq(frame_free_count(), frame_total_count());
}
END_TEST

static void put_it(void *arg)
{
	frame_put(*(uint64_t *)arg);
}

static void get_it(void *arg)
{
	frame_get(*(uint64_t *)arg);
}

static void count_it(void *arg)
{
	frame_refcount(*(uint64_t *)arg);
}

START_TEST(test_misuse_panics)
{
	uint64_t pa = frame_alloc();
	frame_put(pa);
	ck_assert(fake_expect_panic(put_it, &pa, NULL));
	ck_assert(fake_expect_panic(get_it, &pa, NULL));
	uint64_t outside[] = {0, FAKE_RAM_BASE, RAM, RAM + 4096};
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		ck_assert_msg(fake_expect_panic(count_it, &outside[i], NULL),
			      "frame %#llx is not managed RAM", (unsigned long long)outside[i]);
	ck_assert_uint_eq(fake_counts.panics, 6);
	ck_assert_uint_eq(frame_free_count(), frame_total_count()); /* nothing half-done */
}
END_TEST

START_TEST(test_refcount_saturation_panics)
{
	uint64_t pa = frame_alloc();
	unsigned n = 1;
	while (n < 40000 && !fake_expect_panic(get_it, &pa, NULL))
		n++;
	ck_assert_msg(n < 40000, "frame_get never refused: the count wraps");
	ck_assert_uint_ge(n, 32000);
	ck_assert_uint_eq(frame_refcount(pa), n);
}
END_TEST

START_TEST(test_no_usable_ram)
{
	fake_plat_reset(2 * 4096); /* one page after page 0: no room for counts and frames */
	ck_assert_int_eq(frame_init(), -ENOMEM);
	ck_assert_uint_eq(frame_total_count(), 0);
	ck_assert_uint_eq(frame_alloc(), 0);
}
END_TEST

START_TEST(test_init_again_frees_everything)
{
	for (int i = 0; i < 10; i++)
		frame_alloc();
	ck_assert_int_eq(frame_init(), 0);
	ck_assert_uint_eq(frame_free_count(), frame_total_count());
	take_all();
	ck_assert_uint_eq(nframes, frame_total_count());
}
END_TEST

Suite *frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = unit_tcase(s, "frame", setup, teardown);
	tcase_add_test(tc, test_all_frames_free_after_init);
	tcase_add_test(tc, test_exhaustion_returns_zero_then_recovers);
	tcase_add_test(tc, test_frames_distinct_aligned_inside_ram);
	tcase_add_test(tc, test_frames_do_not_hold_the_counts);
	tcase_add_test(tc, test_fresh_frame_is_zeroed);
	tcase_add_test(tc, test_reused_frames_are_zeroed);
	tcase_add_test(tc, test_refcount_get_put);
	tcase_add_test(tc, test_code_frame_freed_reported_once_at_zero);
	tcase_add_test(tc, test_misuse_panics);
	tcase_add_test(tc, test_refcount_saturation_panics);
	tcase_add_test(tc, test_no_usable_ram);
	tcase_add_test(tc, test_init_again_frees_everything);
	return s;
}

/* The boot image reader: newc archives built here, found, walked, and every malformation. */
#include "unit.h"

#include <kernel/cpio.h>
#include <stdlib.h>
#include <string.h>

static struct newc ar;
static char *exact; /* the archive in a buffer of exactly its size */

static void setup(void)
{
	memset(&ar, 0, sizeof(ar));
	exact = NULL;
}

static void teardown(void)
{
	free(ar.buf);
	free(exact);
}

/* The archive so far (or its first len bytes) in an exactly sized heap buffer. */
static const char *exact_copy(size_t len)
{
	free(exact);
	exact = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(exact);
	memcpy(exact, ar.buf, len);
	return exact;
}

/* The sample archive: entries with and without "./" and "/", odd sizes, an empty file. */
static size_t sample(void)
{
	newc_entry(&ar, ".", "", 0, 040755);
	newc_entry(&ar, "sbin/init", "INIT", 4, 0100755);
	newc_entry(&ar, "./etc/services.conf", "fs\nnet\n", 7, 0100644);
	newc_entry(&ar, "/bin/echo", "E", 1, 0100755);
	newc_entry(&ar, "empty", "", 0, 0100644);
	size_t end_of_files = ar.len;
	newc_trailer(&ar);
	return end_of_files;
}

START_TEST(test_find_by_every_spelling)
{
	sample();
	const char *a = exact_copy(ar.len);
	struct cpio_entry e;
	static const char *const init_names[] = {"/sbin/init", "sbin/init", "./sbin/init"};
	for (int i = 0; i < 3; i++) {
		memset(&e, 0, sizeof(e));
		ck_assert_int_eq(cpio_find(a, ar.len, init_names[i], &e), 0);
		ck_assert_str_eq(e.name, "sbin/init");
		ck_assert_uint_eq(e.size, 4);
		ck_assert_mem_eq(e.data, "INIT", 4);
		ck_assert_uint_eq(e.mode, 0100755);
	}
	static const char *const conf_names[] = {"/etc/services.conf", "etc/services.conf",
						 "./etc/services.conf"};
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(cpio_find(a, ar.len, conf_names[i], &e), 0);
		ck_assert_str_eq(e.name, "etc/services.conf");
		ck_assert_uint_eq(e.size, 7);
		ck_assert_mem_eq(e.data, "fs\nnet\n", 7);
	}
	ck_assert_int_eq(cpio_find(a, ar.len, "./bin/echo", &e), 0);
	ck_assert_mem_eq(e.data, "E", 1);
	ck_assert_int_eq(cpio_find(a, ar.len, "empty", &e), 0);
	ck_assert_uint_eq(e.size, 0);
	ck_assert((const char *)e.data >= a);
	ck_assert((const char *)e.data <= a + ar.len);
}
END_TEST

START_TEST(test_find_missing)
{
	sample();
	const char *a = exact_copy(ar.len);
	struct cpio_entry e;
	static const char *const missing[] = {"sbin/ini", "sbin/init2", "sbin", "/etc",
					      "TRAILER!!!", "init", "bin/echo/x"};
	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
		ck_assert_msg(cpio_find(a, ar.len, missing[i], &e) == -ENOENT, "%s found", missing[i]);
}
END_TEST

START_TEST(test_walk_in_order)
{
	sample();
	const char *a = exact_copy(ar.len);
	static const char *const names[] = {".", "sbin/init", "etc/services.conf", "bin/echo", "empty"};
	static const size_t sizes[] = {0, 4, 7, 1, 0};
	size_t off = 0, prev = 0;
	struct cpio_entry e;
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(cpio_next(a, ar.len, &off, &e), CPIO_ENTRY);
		ck_assert_str_eq(e.name, names[i]);
		ck_assert_uint_eq(e.size, sizes[i]);
		ck_assert_uint_gt(off, prev);
		ck_assert_uint_eq(off % 4, 0);
		prev = off;
	}
	ck_assert_int_eq(cpio_next(a, ar.len, &off, &e), CPIO_END);
}
END_TEST

START_TEST(test_crc_magic_accepted)
{
	newc_header(&ar, "070702", 0100644, 3, 4);
	newc_put(&ar, "abc", 4);
	newc_pad(&ar);
	newc_put(&ar, "xyz", 3);
	newc_pad(&ar);
	newc_trailer(&ar);
	struct cpio_entry e;
	ck_assert_int_eq(cpio_find(exact_copy(ar.len), ar.len, "abc", &e), 0);
	ck_assert_mem_eq(e.data, "xyz", 3);
}
END_TEST

/* One malformed archive: what to do to a valid start, and the expected walk result. */
static void expect_walk(int want)
{
	const char *a = exact_copy(ar.len);
	size_t off = 0;
	struct cpio_entry e;
	ck_assert_int_eq(cpio_next(a, ar.len, &off, &e), want);
	ck_assert_uint_eq(off, 0);
	ck_assert_int_eq(cpio_find(a, ar.len, "file", &e), -EINVAL);
}

START_TEST(test_truncated_header)
{
	newc_entry(&ar, "file", "data", 4, 0100644);
	ar.len = 50;
	expect_walk(CPIO_ERR_HEADER);
	ar.len = 109;
	expect_walk(CPIO_ERR_HEADER);
	ar.len = 0;
	expect_walk(CPIO_ERR_HEADER);
}
END_TEST

START_TEST(test_bad_magic)
{
	newc_entry(&ar, "file", "data", 4, 0100644);
	memcpy(ar.buf, "070707", 6); /* the old portable format, not newc */
	expect_walk(CPIO_ERR_HEADER);
	memcpy(ar.buf, "\x7f" "ELF\2\1", 6);
	expect_walk(CPIO_ERR_HEADER);
}
END_TEST

START_TEST(test_non_hex_fields)
{
	static const int fields[] = {1, 6, 11}; /* mode, filesize, namesize */
	static const char bad[] = {'g', ' ', 'x', '-'};
	for (int f = 0; f < 3; f++)
		for (int b = 0; b < 4; b++) {
			ar.len = 0;
			newc_entry(&ar, "file", "data", 4, 0100644);
			ar.buf[6 + fields[f] * 8 + 7 - b % 2 * 7] = bad[b];
			expect_walk(CPIO_ERR_HEADER);
		}
}
END_TEST

START_TEST(test_name_past_end)
{
	newc_header(&ar, "070701", 0100644, 0, 0x1000);
	newc_put(&ar, "file", 5);
	expect_walk(CPIO_ERR_NAME);
	ar.len = 0;
	newc_header(&ar, "070701", 0100644, 0, 0xffffffffu);
	newc_put(&ar, "file", 5);
	expect_walk(CPIO_ERR_NAME);
	ar.len = 0;
	newc_header(&ar, "070701", 0100644, 0, 5); /* the archive ends inside the name */
	newc_put(&ar, "fil", 3);
	expect_walk(CPIO_ERR_NAME);
}
END_TEST

START_TEST(test_name_without_nul)
{
	newc_header(&ar, "070701", 0100644, 0, 4);
	newc_put(&ar, "file", 4);
	newc_pad(&ar);
	newc_trailer(&ar);
	expect_walk(CPIO_ERR_NAME);
	ar.len = 0;
	newc_header(&ar, "070701", 0100644, 0, 0); /* no name at all */
	newc_trailer(&ar);
	expect_walk(CPIO_ERR_NAME);
	ar.len = 0;
	newc_header(&ar, "070701", 0100644, 0, 6); /* a NUL inside the name */
	newc_put(&ar, "fi\0le", 6);
	newc_pad(&ar);
	newc_trailer(&ar);
	expect_walk(CPIO_ERR_NAME);
}
END_TEST

START_TEST(test_data_past_end)
{
	newc_header(&ar, "070701", 0100644, 100, 5);
	newc_put(&ar, "file", 5);
	newc_pad(&ar);
	newc_put(&ar, "only some of the data", 21);
	expect_walk(CPIO_ERR_DATA);
	ar.len = 0;
	newc_header(&ar, "070701", 0100644, 0xffffffffu, 5);
	newc_put(&ar, "file", 5);
	newc_pad(&ar);
	expect_walk(CPIO_ERR_DATA);
}
END_TEST

START_TEST(test_no_trailer)
{
	newc_entry(&ar, "first", "1", 1, 0100644);
	newc_entry(&ar, "file", "2", 1, 0100644);
	const char *a = exact_copy(ar.len);
	struct cpio_entry e;
	ck_assert_int_eq(cpio_find(a, ar.len, "file", &e), 0);
	ck_assert_int_eq(cpio_find(a, ar.len, "other", &e), -EINVAL);
	size_t off = ar.len + 1;
	ck_assert_int_eq(cpio_next(a, ar.len, &off, &e), CPIO_ERR_HEADER);
}
END_TEST

START_TEST(test_every_truncation_is_safe)
{
	/* Under ASan, any read past a truncated copy is caught. */
	size_t end_of_files = sample();
	size_t full = ar.len;
	for (size_t len = 0; len <= full; len++) {
		const char *a = exact_copy(len);
		struct cpio_entry e;
		int r = cpio_find(a, len, "empty", &e);
		if (len >= end_of_files)
			ck_assert_msg(r == 0, "length %zu: %d", len, r);
		else
			ck_assert_msg(r == -EINVAL, "length %zu: %d", len, r);
		size_t off = 0;
		int w;
		while ((w = cpio_next(a, len, &off, &e)) == CPIO_ENTRY)
			ck_assert_uint_le(off, len);
		if (len == full)
			ck_assert_int_eq(w, CPIO_END);
		else
			ck_assert_msg(w < 0, "length %zu of %zu: the walk ended with %d", len, full, w);
	}
}
END_TEST

Suite *cpio_suite(void)
{
	Suite *s = suite_create("cpio");
	TCase *good = unit_tcase(s, "well-formed", setup, teardown);
	tcase_add_test(good, test_find_by_every_spelling);
	tcase_add_test(good, test_find_missing);
	tcase_add_test(good, test_walk_in_order);
	tcase_add_test(good, test_crc_magic_accepted);
	TCase *bad = unit_tcase(s, "malformed", setup, teardown);
	tcase_add_test(bad, test_truncated_header);
	tcase_add_test(bad, test_bad_magic);
	tcase_add_test(bad, test_non_hex_fields);
	tcase_add_test(bad, test_name_past_end);
	tcase_add_test(bad, test_name_without_nul);
	tcase_add_test(bad, test_data_past_end);
	tcase_add_test(bad, test_no_trailer);
	tcase_add_test(bad, test_every_truncation_is_safe);
	return s;
}

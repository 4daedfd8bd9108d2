/* The one duration parser (services/lib/duration.c) that eclipse-sim, the pc kernel and the
 * guests share: units, fractions, the limits, and what it refuses. */
#include "unit.h"

#include <ecl/duration.h>
#include <string.h>

/* The duration s stands for, asserting it parses. */
static uint64_t parsed(const char *s)
{
	uint64_t ns = 12345;
	ck_assert_msg(duration_parse_ns(s, strlen(s), &ns) == 0, "'%s' was refused", s);
	return ns;
}

static void refused(const char *s)
{
	uint64_t ns = 12345;
	ck_assert_msg(duration_parse_ns(s, strlen(s), &ns) == -1, "'%s' was accepted as %llu ns", s,
		      (unsigned long long)ns);
	ck_assert_msg(ns == 12345, "'%s' changed the result though refused", s);
}

START_TEST(units)
{
	ck_assert_uint_eq(parsed("7ns"), 7);
	ck_assert_uint_eq(parsed("7us"), 7000);
	ck_assert_uint_eq(parsed("250ms"), 250000000);
	ck_assert_uint_eq(parsed("10s"), 10000000000ull);
	ck_assert_uint_eq(parsed("2m"), 120000000000ull);
	ck_assert_uint_eq(parsed("1h"), 3600000000000ull);
	ck_assert_uint_eq(parsed("0s"), 0);
	ck_assert_uint_eq(parsed("007s"), 7000000000ull);
}
END_TEST

START_TEST(fractions)
{
	ck_assert_uint_eq(parsed("1.5s"), 1500000000ull);
	ck_assert_uint_eq(parsed("0.25h"), 900000000000ull);
	ck_assert_uint_eq(parsed("1.5m"), 90000000000ull);
	ck_assert_uint_eq(parsed("0.001s"), 1000000);
	ck_assert_uint_eq(parsed("2.5ms"), 2500000);
	ck_assert_uint_eq(parsed("0.000000001s"), 1);
	ck_assert_uint_eq(parsed("1.123456789h"), 4044444440400ull);
	/* What is finer than a nanosecond is dropped, not rounded. */
	ck_assert_uint_eq(parsed("1.5ns"), 1);
	ck_assert_uint_eq(parsed("0.0009us"), 0);
	ck_assert_uint_eq(parsed("1.999999999us"), 1999);
}
END_TEST

START_TEST(limits)
{
	ck_assert_uint_eq(parsed("18446744073709551615ns"), UINT64_MAX);
	ck_assert_uint_eq(parsed("18446744073.709551615s"), UINT64_MAX);
	refused("18446744073709551616ns");
	refused("18446744073.709551616s");
	refused("5124096h");
	refused("99999999999999999999999s");
}
END_TEST

START_TEST(malformed)
{
	static const char *const bad[] = {
		"", "s", "10", "1.5", "-1s", "+1s", " 1s", "1s ", "1 s", ".5s", "1.s", "1..5s",
		"1.5.5s", "1e3ms", "1S", "1sec", "1mss", "1msx", "10 parsecs", "1.0000000001s", "0x10s",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(bad[i]);
}
END_TEST

/* The length bounds the text: the pc kernel hands over words of its command line in place. */
START_TEST(length_bounds)
{
	uint64_t ns;
	ck_assert_int_eq(duration_parse_ns("1.5s max-procs=8", 4, &ns), 0);
	ck_assert_uint_eq(ns, 1500000000ull);
	ck_assert_int_eq(duration_parse_ns("12s", 2, &ns), -1);
	ck_assert_int_eq(duration_parse_ns("1ms", 2, &ns), 0);
	ck_assert_uint_eq(ns, 60000000000ull);
}
END_TEST

Suite *duration_suite(void)
{
	Suite *s = suite_create("duration");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, units);
	tcase_add_test(tc, fractions);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, length_bounds);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * Stands in for Check's <check.h> when the unit tests' fake platform (tests/unit/fake_plat.c,
 * newc.c, unit.h) is built into the fuzz harnesses, which run outside a Check runner: Check's
 * assertions need one even when they hold. Here they abort with their message instead, like
 * every broken invariant of a harness. Only what those files use.
 */
#ifndef FUZZ_HOST_CHECK_H
#define FUZZ_HOST_CHECK_H

#include <stdint.h>

#include "fuzz.h"

typedef struct Suite Suite;
typedef struct TCase TCase;

#define ck_assert_msg(cond, ...) FUZZ_CHECK(cond, __VA_ARGS__)
#define ck_abort_msg(...) fuzz_fail(__FILE__, __LINE__, "unreachable", __VA_ARGS__)
#define ck_assert_uint_lt(a, b)                                                                  \
	FUZZ_CHECK((a) < (b), "%ju is not below %ju", (uintmax_t)(a), (uintmax_t)(b))
#define ck_assert_ptr_nonnull(p) FUZZ_CHECK((p) != NULL, "a NULL pointer")

#endif

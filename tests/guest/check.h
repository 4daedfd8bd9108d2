/* Shared by the guest tests: each check prints "what: ok" or "what: FAIL" and counts failures. */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#include <errno.h>
#include <stdio.h>

static int check_failures;

/* Reports whether ok held. */
static inline void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		check_failures++;
}

/* Reports whether a call returned -1 with errno err (read before anything can change it). */
static inline void check_errno(long ret, int err, const char *what)
{
	int got = errno;
	if (ret == -1 && got == err) {
		printf("%s: ok\n", what);
		return;
	}
	printf("%s: FAIL (returned %ld, errno %d, wanted errno %d)\n", what, ret, got, err);
	check_failures++;
}

/* The exit status of a test: 0 if every check passed, 1 otherwise. */
static inline int check_status(void)
{
	return check_failures ? 1 : 0;
}

#endif

/*
 * Shared by the userland tests: checks that print "PASS: what" or "FAIL: what (details)" and
 * count failures, and a private temporary directory. Every line a test prints must be the same
 * natively and under eclipse-sim, so nothing printed may depend on pids, times, addresses or
 * the temporary directory's name.
 */
#ifndef UL_H
#define UL_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int ul_failures;

/* Reports whether ok held. */
static inline int check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		ul_failures++;
	return ok;
}

/* Reports whether a call returned -1 with errno err (read before anything can change it). */
static inline int check_errno(long ret, int err, const char *what)
{
	int got = errno;
	if (ret == -1 && got == err) {
		printf("PASS: %s\n", what);
		return 1;
	}
	printf("FAIL: %s (returned %ld, errno %d %s, wanted %d %s)\n", what, ret, got,
	       strerror(got), err, strerror(err));
	ul_failures++;
	return 0;
}

/* The exit status of a test: 0 if every check passed, 1 otherwise. */
static inline int check_status(void)
{
	fflush(stdout);
	return ul_failures ? 1 : 0;
}

static char ul_dir[4096];

/*
 * Makes a private directory under $TMPDIR (the runner gives a native run its own) or /tmp
 * (under eclipse-sim the filesystem service's writable /tmp) and makes it the current
 * directory. Exits the test when it cannot.
 */
static inline void ul_enter_tmpdir(const char *name)
{
	const char *base = getenv("TMPDIR");
	snprintf(ul_dir, sizeof ul_dir, "%s/%s.XXXXXX", base && *base ? base : "/tmp", name);
	if (!mkdtemp(ul_dir) || chdir(ul_dir)) {
		printf("FAIL: a temporary directory under %s (%s)\n", base ? base : "/tmp",
		       strerror(errno));
		exit(1);
	}
}

static inline int ul_remove(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

/* Removes the directory ul_enter_tmpdir made, with whatever is left in it. */
static inline void ul_leave_tmpdir(void)
{
	if (chdir("/") == 0 && ul_dir[0])
		nftw(ul_dir, ul_remove, 16, FTW_DEPTH | FTW_PHYS);
}

#endif

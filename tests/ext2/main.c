/* Runs one suite of the ext2 tests: test_ext2 read|write|enospc|crash|corrupt. */
#include "ext2_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	void (*run)(void);
} suites[] = {
	{"read", suite_read},     {"write", suite_write},     {"enospc", suite_enospc},
	{"crash", suite_crash},   {"corrupt", suite_corrupt},
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc == 2 && i < sizeof(suites) / sizeof(suites[0]); i++)
		if (!strcmp(argv[1], suites[i].name)) {
			suites[i].run();
			if (!test_failures)
				run("rm -rf '%s'", work_dir());
			else
				fprintf(stderr, "files kept in %s\n", work_dir());
			printf("ext2 %s: %s (%d failures)\n", argv[1], test_failures ? "FAIL" : "ok",
			       test_failures);
			return test_failures != 0;
		}
	fprintf(stderr, "usage: %s read|write|enospc|crash|corrupt\n", argv[0]);
	return 2;
}

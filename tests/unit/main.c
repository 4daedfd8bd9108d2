/* Runs one unit suite (named on the command line) or all of them; exit status 1 on a failure. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	Suite *(*make)(void);
} suites[] = {
	{"frame", frame_suite}, {"kmalloc", kmalloc_suite}, {"vm", vm_suite},
	{"mm", mm_suite},       {"cpio", cpio_suite},       {"elf", elf_suite},
	{"exec", exec_suite},   {"syscall", syscall_suite}, {"trace", trace_suite},
	{"duration", duration_suite}, {"pci", pci_suite}, {"driver", driver_suite}, {"vt", vt_suite},
};

unsigned char *unit_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *buf = NULL;
	long size = -1;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size)) && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = buf ? (size_t)size : 0;
	return buf;
}

unsigned char *unit_load_guest(const char *var, size_t *len)
{
	const char *path = getenv(var);
	ck_assert_msg(path && *path, "%s is not set: run the unit tests through ctest", var);
	unsigned char *image = unit_read_file(path, len);
	ck_assert_msg(image != NULL, "cannot read guest program %s", path);
	return image;
}

TCase *unit_tcase(Suite *s, const char *name, void (*setup)(void), void (*teardown)(void))
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, UNIT_TIMEOUT);
	suite_add_tcase(s, tc);
	return tc;
}

int main(int argc, char **argv)
{
	SRunner *sr = NULL;
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (argc > 1 && strcmp(argv[1], suites[i].name))
			continue;
		if (sr)
			srunner_add_suite(sr, suites[i].make());
		else
			sr = srunner_create(suites[i].make());
	}
	if (!sr) {
		fprintf(stderr, "usage: %s [frame|kmalloc|vm|mm|cpio|elf|exec|syscall]\n", argv[0]);
		return 2;
	}
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

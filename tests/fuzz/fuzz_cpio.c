/*
 * The boot-image reader (kernel_core/cpio.c) on arbitrary bytes: walking an archive with
 * cpio_next must stay inside it, move forward and end; every entry must be well formed; and
 * cpio_find must find each name the walk saw, agreeing with the first entry of that name.
 */
#include "fuzz.h"
/* The guest ABI before the C library: its wait-status macros must win (see unit.h). */
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#include <kernel/cpio.h>
#include <stdlib.h>
#include <string.h>

#define NEWC_HEADER_LEN 110

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The first entry named name, walking as cpio_find does; false if the walk ends before it. */
static bool first_named(const char *archive, size_t len, const char *name, struct cpio_entry *e)
{
	size_t off = 0;
	while (cpio_next(archive, len, &off, e) == CPIO_ENTRY)
		if (!strcmp(e->name, name))
			return true;
	return false;
}

static void check_entry(const char *archive, size_t len, size_t at, size_t next,
			const struct cpio_entry *e)
{
	const char *end = archive + len;
	FUZZ_CHECK(next > at && next <= len, "offset %zu -> %zu of %zu", at, next, len);
	FUZZ_CHECK(next - at > NEWC_HEADER_LEN, "entry at %zu only %zu bytes", at, next - at);
	FUZZ_CHECK(e->name > archive + at && e->name < end, "name outside the archive");
	size_t room = (size_t)(end - e->name);
	FUZZ_CHECK(strnlen(e->name, room) < room, "name at %zu not NUL-terminated inside", at);
	FUZZ_CHECK(e->name[0] != '/' && strncmp(e->name, "./", 2), "name '%s' keeps its prefix",
		   e->name);
	const char *data = e->data;
	FUZZ_CHECK(data >= archive + at + NEWC_HEADER_LEN && data <= end, "data outside the archive");
	FUZZ_CHECK(e->size <= (size_t)(end - data), "%zu bytes of data run past the end", e->size);
	FUZZ_CHECK((size_t)(data - archive) % 4 == 0, "data at %zu not 4-byte aligned",
		   (size_t)(data - archive));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exactly sized copy, so that reading one byte too far trips AddressSanitizer. */
	char *archive = malloc(size ? size : 1);
	memcpy(archive, data, size);
	size_t off = 0, entries = 0;
	struct cpio_entry e;
	int r;
	while ((r = cpio_next(archive, size, &off, &e)) == CPIO_ENTRY) {
		entries++;
		FUZZ_CHECK(entries <= size / NEWC_HEADER_LEN, "%zu entries in %zu bytes", entries, size);
		struct cpio_entry found;
		FUZZ_CHECK(cpio_find(archive, size, e.name, &found) == 0, "'%s' not found", e.name);
		struct cpio_entry first;
		FUZZ_CHECK(first_named(archive, size, e.name, &first), "'%s' not walked", e.name);
		FUZZ_CHECK(found.data == first.data && found.size == first.size &&
				   found.mode == first.mode && found.name == first.name,
			   "cpio_find('%s') is not the first entry of that name", e.name);
	}
	FUZZ_CHECK(r == CPIO_END || r == CPIO_ERR_HEADER || r == CPIO_ERR_NAME || r == CPIO_ERR_DATA,
		   "cpio_next returned %d", r);
	/* Again, checking every entry against the offsets around it. */
	off = 0;
	for (size_t at = 0; cpio_next(archive, size, &off, &e) == CPIO_ENTRY; at = off)
		check_entry(archive, size, at, off, &e);
	static const char *const paths[] = {"/sbin/init", "sbin/init", "./etc/services.conf", "",
					    "/", "TRAILER!!!"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int f = cpio_find(archive, size, paths[i], &e);
		FUZZ_CHECK(f == 0 || f == -ENOENT || f == -EINVAL, "cpio_find('%s') = %d", paths[i], f);
	}
	free(archive);
	return 0;
}

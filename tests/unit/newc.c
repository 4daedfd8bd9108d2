/* Building cpio "newc" archives for the tests: 110-byte ASCII headers, 4-byte padding. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void newc_put(struct newc *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2 + 512;
		a->buf = realloc(a->buf, a->cap);
		ck_assert_ptr_nonnull(a->buf);
	}
	if (n)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void newc_pad(struct newc *a)
{
	while (a->len % 4)
		newc_put(a, "", 1);
}

void newc_header(struct newc *a, const char *magic, uint32_t mode, uint32_t filesize,
		 uint32_t namesize)
{
	char h[111];
	snprintf(h, sizeof(h), "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic, 1u,
		 mode, 0u, 0u, 1u, 0u, filesize, 0u, 0u, 0u, 0u, namesize, 0u);
	newc_put(a, h, 110);
}

void newc_entry(struct newc *a, const char *name, const void *data, size_t size, uint32_t mode)
{
	newc_header(a, "070701", mode, (uint32_t)size, (uint32_t)strlen(name) + 1);
	newc_put(a, name, strlen(name) + 1);
	newc_pad(a);
	newc_put(a, data, size);
	newc_pad(a);
}

void newc_trailer(struct newc *a)
{
	newc_entry(a, "TRAILER!!!", "", 0, 0);
}

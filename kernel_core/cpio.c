/* cpio "newc": a 110-byte ASCII header, the name, then the data, each padded to 4 bytes. */
#include <kernel/cpio.h>
#include <kernel/klib.h>
#include <uapi/linux.h>

#define HDR_LEN 110
#define FIELD_LEN 8
#define F_MODE 1
#define F_MTIME 5
#define F_FILESIZE 6
#define F_NAMESIZE 11

static bool hex_field(const char *hdr, int index, uint32_t *out)
{
	const char *s = hdr + 6 + index * FIELD_LEN;
	uint32_t v = 0;
	for (int i = 0; i < FIELD_LEN; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static const char *strip_prefix(const char *name)
{
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			return name;
	}
}

int cpio_next(const void *archive, size_t len, size_t *off, struct cpio_entry *e)
{
	const char *base = archive;
	size_t at = *off;
	if (at > len || len - at < HDR_LEN)
		return CPIO_ERR_HEADER;
	const char *hdr = base + at;
	if (kmemcmp(hdr, "070701", 6) && kmemcmp(hdr, "070702", 6))
		return CPIO_ERR_HEADER;
	uint32_t mode, size, namesize, mtime;
	if (!hex_field(hdr, F_MODE, &mode) || !hex_field(hdr, F_FILESIZE, &size) ||
	    !hex_field(hdr, F_MTIME, &mtime) ||
	    !hex_field(hdr, F_NAMESIZE, &namesize))
		return CPIO_ERR_HEADER;
	size_t name_at = at + HDR_LEN;
	if (namesize == 0 || namesize > len - name_at || base[name_at + namesize - 1] != 0 ||
	    kstrnlen(base + name_at, namesize) != namesize - 1)
		return CPIO_ERR_NAME;
	size_t data_at = pad4(name_at + namesize);
	if (data_at > len || size > len - data_at)
		return CPIO_ERR_DATA;
	const char *name = base + name_at;
	if (!kstrcmp(name, "TRAILER!!!"))
		return CPIO_END;
	e->name = strip_prefix(name);
	e->data = base + data_at;
	e->size = size;
	e->mode = mode;
	e->mtime = mtime;
	*off = MIN(pad4(data_at + size), len);
	return CPIO_ENTRY;
}

int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *e)
{
	path = strip_prefix(path);
	size_t off = 0;
	struct cpio_entry cur;
	int r;
	while ((r = cpio_next(archive, len, &off, &cur)) == CPIO_ENTRY) {
		if (!kstrcmp(cur.name, path)) {
			*e = cur;
			return 0;
		}
	}
	return r == CPIO_END ? -ENOENT : -EINVAL;
}

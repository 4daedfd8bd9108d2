/*
 * eclipse-mkimage: writes a boot image, a cpio "newc" archive (the Linux initramfs format).
 *
 *   eclipse-mkimage OUTPUT ARCHIVE_PATH=HOST_FILE...
 *
 * Each argument stores HOST_FILE at ARCHIVE_PATH (leading '/' dropped, as in an initramfs),
 * in argument order, preceded by an entry for each parent directory the first time it is
 * needed. The image depends only on the arguments and the files' contents: mtime 0, uid and
 * gid 0, inode numbers counting up from 1, mode 0100755 for files and 040755 for directories.
 * OUTPUT is written under a temporary name and renamed, so it is never left half-written.
 * Exits 0, 1 on an I/O error, 2 on a bad command line, saying why on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_IO 1
#define EXIT_USAGE 2
#define MODE_FILE 0100755u
#define MODE_DIR 040755u
#define PATH_LIMIT 4096

/* The archive being written. */
struct image {
	FILE *out;
	const char *out_name;
	uint32_t next_ino;
	uint64_t offset;     /* bytes written so far, for the 4-byte padding */
	char **dirs;         /* directory entries written so far */
	size_t ndirs;
};

/* The half-written output, removed when we give up. */
static const char *partial;

static void give_up(int status)
{
	if (partial)
		remove(partial);
	exit(status);
}

static void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "eclipse-mkimage: %s '%s'\n"
			"usage: eclipse-mkimage OUTPUT ARCHIVE_PATH=HOST_FILE...\n", what, arg);
	exit(EXIT_USAGE);
}

static void io_error(const char *path)
{
	fprintf(stderr, "eclipse-mkimage: %s: %s\n", path, strerror(errno));
	give_up(EXIT_IO);
}

static void out_of_memory(void)
{
	fprintf(stderr, "eclipse-mkimage: out of memory\n");
	give_up(EXIT_IO);
}

static void put(struct image *img, const void *data, size_t len)
{
	if (len && fwrite(data, 1, len, img->out) != len)
		io_error(img->out_name);
	img->offset += len;
}

static void pad4(struct image *img)
{
	static const char zeros[3];
	put(img, zeros, (size_t)(-img->offset & 3));
}

/* Writes one header, the name and the data, each padded to 4 bytes as newc requires. */
static void put_entry(struct image *img, const char *name, uint32_t ino, uint32_t mode,
		      uint32_t nlink, const void *data, uint32_t size)
{
	char hdr[111];
	size_t namesize = strlen(name) + 1;
	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, dev major/minor, rdev major/minor,
	 * namesize, check */
	snprintf(hdr, sizeof hdr, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", ino, mode,
		 0u, 0u, nlink, 0u, size, 0u, 0u, 0u, 0u, (unsigned)namesize, 0u);
	put(img, hdr, 110);
	put(img, name, namesize);
	pad4(img);
	put(img, data, size);
	pad4(img);
}

static int dir_written(const struct image *img, const char *dir)
{
	for (size_t i = 0; i < img->ndirs; i++)
		if (!strcmp(img->dirs[i], dir))
			return 1;
	return 0;
}

/* Writes entries for the parent directories of path that have none yet, outermost first. */
static void put_parents(struct image *img, const char *path)
{
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t len = (size_t)(slash - path);
		char *dir = malloc(len + 1);
		if (!dir)
			out_of_memory();
		memcpy(dir, path, len);
		dir[len] = '\0';
		if (dir_written(img, dir)) {
			free(dir);
			continue;
		}
		char **dirs = realloc(img->dirs, (img->ndirs + 1) * sizeof *dirs);
		if (!dirs)
			out_of_memory();
		img->dirs = dirs;
		img->dirs[img->ndirs++] = dir;
		put_entry(img, dir, img->next_ino++, MODE_DIR, 2, NULL, 0);
	}
}

/* Reads all of path into a new buffer; stores its size. Exits on failure. */
static void *read_file(const char *path, uint32_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		io_error(path);
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	if (!buf)
		out_of_memory();
	size_t n;
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len > UINT32_MAX) {
			fprintf(stderr, "eclipse-mkimage: %s: larger than the 4 GiB a cpio entry holds\n", path);
			give_up(EXIT_IO);
		}
		if (len == cap) {
			cap *= 2;
			if (!(buf = realloc(buf, cap)))
				out_of_memory();
		}
	}
	if (ferror(f))
		io_error(path);
	fclose(f);
	*size = (uint32_t)len;
	return buf;
}

/* Returns arg's archive path without leading '/', or exits if it is empty or has an empty,
 * "." or ".." component. */
static const char *archive_path(const char *arg, size_t len)
{
	while (len && *arg == '/')
		arg++, len--;
	if (len == 0 || len >= PATH_LIMIT)
		usage_error("bad archive path in", arg);
	for (const char *c = arg; c < arg + len;) {
		const char *end = memchr(c, '/', (size_t)(arg + len - c));
		size_t n = end ? (size_t)(end - c) : (size_t)(arg + len - c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			usage_error("bad archive path in", arg);
		c += n + 1;
	}
	return arg;
}

/* Exits if name was given by an earlier argument, or names a directory of one or the other. */
static void check_unique(char **argv, int i, const char *name, size_t len)
{
	for (int j = 2; j < i; j++) {
		const char *other = archive_path(argv[j], (size_t)(strchr(argv[j], '=') - argv[j]));
		size_t olen = (size_t)(strchr(other, '=') - other);
		size_t common = len < olen ? len : olen;
		if (!strncmp(name, other, common) &&
		    (len == olen || (len < olen ? other[len] : name[olen]) == '/'))
			usage_error("archive path clashes with an earlier one in", argv[i]);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage_error("need an output and at least one entry, got", argc > 1 ? argv[1] : "");
	struct image img = {.out_name = argv[1], .next_ino = 1};
	size_t tmp_len = strlen(argv[1]) + sizeof ".tmp";
	char *tmp = malloc(tmp_len);
	if (!tmp)
		out_of_memory();
	snprintf(tmp, tmp_len, "%s.tmp", argv[1]);

	for (int i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (!eq || !eq[1])
			usage_error("expected ARCHIVE_PATH=HOST_FILE, got", argv[i]);
		const char *name = archive_path(argv[i], (size_t)(eq - argv[i]));
		check_unique(argv, i, name, (size_t)(eq - name));
	}
	if (!(img.out = fopen(tmp, "wb")))
		io_error(tmp);
	img.out_name = partial = tmp;
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		*eq = '\0';
		const char *name = archive_path(argv[i], strlen(argv[i]));
		uint32_t size;
		void *data = read_file(eq + 1, &size);
		put_parents(&img, name);
		put_entry(&img, name, img.next_ino++, MODE_FILE, 1, data, size);
		free(data);
	}
	put_entry(&img, "TRAILER!!!", 0, 0, 1, NULL, 0);
	if (fclose(img.out))
		io_error(tmp);
	if (rename(tmp, argv[1]))
		io_error(argv[1]);
	for (size_t i = 0; i < img.ndirs; i++)
		free(img.dirs[i]);
	free(img.dirs);
	free(tmp);
	return 0;
}

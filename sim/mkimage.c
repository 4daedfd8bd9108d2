/*
 * eclipse-mkimage: writes a boot image, a cpio "newc" archive (the Linux initramfs format) of
 * regular files, directories and symbolic links. usage() is the manual; README.md has it too.
 *
 * The image depends only on the arguments and the files' contents: entries in argument order,
 * each missing parent directory just before the first entry under it, mtime 0, uid and gid 0,
 * inode numbers counting up from 1. OUTPUT is written under a temporary name and renamed, so
 * it is never left half-written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_IO 1
#define EXIT_USAGE 2
#define PATH_LIMIT 4096
#define TYPE_FILE 0100000u
#define TYPE_DIR 040000u
#define TYPE_LINK 0120000u
#define PERM_BITS 07777u

/* An entry written so far: its archive path and its type bits. */
struct written {
	char *path;
	uint32_t type;
};

/* The archive being written. */
struct image {
	FILE *out;
	const char *out_name;
	uint32_t next_ino;
	uint64_t offset; /* bytes written so far, for the 4-byte padding */
	struct written *entries;
	size_t nentries;
};

/* The half-written output, removed when we give up. */
static const char *partial;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: eclipse-mkimage OUTPUT ENTRY...\n"
		"Write OUTPUT, a boot image for Eclipse OS: a cpio \"newc\" archive (what Linux\n"
		"calls an initramfs; cpio -t < OUTPUT lists it) holding each ENTRY in the order\n"
		"given. Each directory an entry is in that no entry gave yet is written just\n"
		"before it, with mode 0755. A leading '/' of a PATH is dropped, as in an\n"
		"initramfs.\n"
		"\n"
		"Entries:\n"
		"  PATH=FILE           a regular file holding the bytes of the host's FILE\n"
		"                      (mode 0755)\n"
		"  --dir=PATH          a directory (mode 0755)\n"
		"  --link=PATH=TARGET  a symbolic link to TARGET, as written: relative to the\n"
		"                      link's directory, or absolute in the image (mode 0777)\n"
		"  --mode=MODE         the permission bits of the next entry instead, in octal:\n"
		"                      0644, 0700, 4755\n"
		"  @LIST               the entries (and --mode options) in the host's file LIST,\n"
		"                      one a line, as they would be written here; empty lines\n"
		"                      and lines starting with '#' are skipped\n"
		"\n"
		"Every entry belongs to root (uid and gid 0) and has modification time 0, so the\n"
		"same arguments and files make the same image, byte for byte. A PATH may not be\n"
		"given twice (a directory comes before what is in it), have an empty, '.' or\n"
		"'..' component, or lie under a PATH that is not a directory.\n"
		"\n"
		"  -h, --help          show this help and exit\n"
		"\n"
		"Exit status: 0, 1 when a file cannot be read or OUTPUT written, 2 for a bad\n"
		"command line; OUTPUT is then left as it was.\n"
		"\n"
		"Example: eclipse-mkimage boot.cpio /sbin/init=build/guest/init \\\n"
		"           --mode=0644 /etc/services.conf=services.conf \\\n"
		"           /bin/busybox=busybox --link=/bin/sh=busybox\n");
}

_Noreturn static void give_up(int status)
{
	if (partial)
		remove(partial);
	exit(status);
}

_Noreturn static void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "eclipse-mkimage: %s '%s'\n"
			"Try 'eclipse-mkimage --help' for more information.\n", what, arg);
	give_up(EXIT_USAGE);
}

_Noreturn static void io_error(const char *path)
{
	fprintf(stderr, "eclipse-mkimage: %s: %s\n", path, strerror(errno));
	give_up(EXIT_IO);
}

_Noreturn static void out_of_memory(void)
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

static const struct written *find_written(const struct image *img, const char *path, size_t len)
{
	for (size_t i = 0; i < img->nentries; i++)
		if (!strncmp(img->entries[i].path, path, len) && !img->entries[i].path[len])
			return &img->entries[i];
	return NULL;
}

static void remember(struct image *img, const char *path, size_t len, uint32_t type)
{
	struct written *grown = realloc(img->entries, (img->nentries + 1) * sizeof *grown);
	char *copy = malloc(len + 1);
	if (!grown || !copy)
		out_of_memory();
	memcpy(copy, path, len);
	copy[len] = '\0';
	img->entries = grown;
	img->entries[img->nentries++] = (struct written){copy, type};
}

/* Writes entries for the parent directories of path that have none yet, outermost first;
 * exits if one of them is in the image as something else. arg is the argument, for errors. */
static void put_parents(struct image *img, const char *path, const char *arg)
{
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t len = (size_t)(slash - path);
		const struct written *w = find_written(img, path, len);
		if (w && w->type != TYPE_DIR)
			usage_error("a path under an entry that is not a directory in", arg);
		if (w)
			continue;
		remember(img, path, len, TYPE_DIR);
		put_entry(img, img->entries[img->nentries - 1].path, img->next_ino++, TYPE_DIR | 0755u, 2,
			  NULL, 0);
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

/* Returns the archive path of len bytes at path, without leading '/', as a new string; exits
 * if it is empty or has an empty, "." or ".." component. arg is the argument, for errors. */
static char *archive_path(const char *path, size_t len, const char *arg)
{
	while (len && *path == '/')
		path++, len--;
	if (len == 0 || len >= PATH_LIMIT)
		usage_error("bad archive path in", arg);
	for (const char *c = path; c < path + len;) {
		const char *end = memchr(c, '/', (size_t)(path + len - c));
		size_t n = end ? (size_t)(end - c) : (size_t)(path + len - c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			usage_error("bad archive path in", arg);
		c += n + 1;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		out_of_memory();
	memcpy(copy, path, len);
	copy[len] = '\0';
	return copy;
}

/* "--name=" at the start of arg: the rest, or NULL. */
static const char *option(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(arg, name, n) && arg[n] == '=' ? arg + n + 1 : NULL;
}

/* Writes the entry that arg gives, with permission bits perm (or the kind's own if negative). */
static void add(struct image *img, const char *arg, long perm)
{
	const char *spec, *value = NULL, *eq;
	uint32_t type;
	if ((spec = option(arg, "--dir"))) {
		type = TYPE_DIR;
	} else if ((spec = option(arg, "--link"))) {
		type = TYPE_LINK;
		if (!(eq = strchr(spec, '=')) || !eq[1])
			usage_error("expected --link=PATH=TARGET, got", arg);
		value = eq + 1;
	} else if (arg[0] == '-') {
		usage_error("unrecognized option", arg);
	} else {
		type = TYPE_FILE;
		spec = arg;
		if (!(eq = strchr(spec, '=')) || !eq[1])
			usage_error("expected PATH=FILE, got", arg);
		value = eq + 1;
	}
	char *name = archive_path(spec, value ? (size_t)(value - 1 - spec) : strlen(spec), arg);
	if (find_written(img, name, strlen(name)))
		usage_error("a path that is in the image already (give a directory before what is in it) in",
			    arg);
	put_parents(img, name, arg);
	remember(img, name, strlen(name), type);
	uint32_t mode = type | (uint32_t)(perm >= 0 ? perm : type == TYPE_LINK ? 0777 : 0755);
	if (type == TYPE_FILE) {
		uint32_t size;
		void *data = read_file(value, &size);
		put_entry(img, name, img->next_ino++, mode, 1, data, size);
		free(data);
	} else if (type == TYPE_LINK) {
		put_entry(img, name, img->next_ino++, mode, 1, value, (uint32_t)strlen(value));
	} else {
		put_entry(img, name, img->next_ino++, mode, 2, NULL, 0);
	}
	free(name);
}

/* Parses the octal permission bits of --mode=MODE. */
static long parse_mode(const char *arg, const char *s)
{
	char *end;
	if (*s < '0' || *s > '7')
		usage_error("expected --mode=MODE in octal, such as 0644, got", arg);
	long v = strtol(s, &end, 8);
	if (*end || v > (long)PERM_BITS)
		usage_error("expected --mode=MODE in octal, such as 0644, got", arg);
	return v;
}

/* A --mode that waits for its entry. */
struct pending {
	long perm;
	const char *mode; /* the option, or NULL */
};

/* Takes one argument: an entry, or a --mode for the next one. */
static void take(struct image *img, const char *arg, struct pending *pend)
{
	const char *m = option(arg, "--mode");
	if (m) {
		if (pend->mode)
			usage_error("--mode given twice for one entry:", arg);
		pend->perm = parse_mode(arg, m);
		pend->mode = arg;
		return;
	}
	add(img, arg, pend->perm);
	pend->perm = -1;
	pend->mode = NULL;
}

/* The texts of the @LIST files read, freed at the end. */
static char **lists;
static size_t nlists;

/* Takes the arguments of @LIST, one a line. */
static void take_list(struct image *img, const char *list, struct pending *pend)
{
	if (!*list)
		usage_error("expected @LIST, a file of entries, got", "@");
	uint32_t size;
	char *text = read_file(list, &size);
	char *copy = realloc(text, (size_t)size + 1);
	if (!copy)
		out_of_memory();
	copy[size] = 0;
	if (memchr(copy, 0, size))
		usage_error("a NUL byte in the entry list", list);
	for (char *line = copy, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!*line || *line == '#')
			continue;
		if (*line == '@')
			usage_error("an entry list may not name another, in", list);
		take(img, line, pend);
	}
	/* Kept to the end: a pending --mode (and its message) may point into it. */
	lists = realloc(lists, (nlists + 1) * sizeof(*lists));
	if (!lists)
		out_of_memory();
	lists[nlists++] = copy;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
	if (argc < 3 || argv[1][0] == '-')
		usage_error("expected an output and at least one entry, got", argc > 1 ? argv[1] : "");
	struct image img = {.out_name = argv[1], .next_ino = 1};
	size_t tmp_len = strlen(argv[1]) + sizeof ".tmp";
	char *tmp = malloc(tmp_len);
	if (!tmp)
		out_of_memory();
	snprintf(tmp, tmp_len, "%s.tmp", argv[1]);
	if (!(img.out = fopen(tmp, "wb")))
		io_error(tmp);
	img.out_name = partial = tmp;

	struct pending pend = {.perm = -1};
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '@')
			take_list(&img, argv[i] + 1, &pend);
		else
			take(&img, argv[i], &pend);
	}
	const char *pending_mode = pend.mode;
	if (pending_mode)
		usage_error("no entry after", pending_mode);
	put_entry(&img, "TRAILER!!!", 0, 0, 1, NULL, 0);
	if (fclose(img.out))
		io_error(tmp);
	if (rename(tmp, argv[1]))
		io_error(argv[1]);
	for (size_t i = 0; i < img.nentries; i++)
		free(img.entries[i].path);
	free(img.entries);
	free(tmp);
	for (size_t i = 0; i < nlists; i++)
		free(lists[i]);
	free(lists);
	return 0;
}

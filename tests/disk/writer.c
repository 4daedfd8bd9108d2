/*
 * The crash tests' workload: files written and made durable one after another, with churn
 * between them that is never made durable. For each file it writes NAME (f0000, f0001, ...)
 * in DIR, fsyncs it, fsyncs DIR, and only then prints
 *
 *     synced NAME SIZE HASH
 *
 * (HASH: FNV-1a, 32 bits, of the contents, in hex). A file named on such a line must read back
 * whole after any crash that comes later. Between two such files: 8 KiB appended to DIR/scratch,
 * which every fifth round is renamed to DIR/junk and the previous junk removed; none of that is
 * synced, so a crash may leave any state of it that e2fsck accepts.
 *
 * usage: disk_writer DIR [COUNT]   (COUNT files, or without end when 0 or absent)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 16384
#define SIZE_SPAN 200000 /* sizes from 1 byte to ~200 KB: direct, then indirect blocks */

static const char *dir;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "disk_writer: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static const char *at(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* The file's bytes: xorshift32 from a seed of its number. */
static void fill(unsigned char *buf, size_t len, uint32_t *state)
{
	for (size_t i = 0; i < len; i++) {
		uint32_t x = *state;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		*state = x;
		buf[i] = (unsigned char)x;
	}
}

static void write_all(int fd, const unsigned char *buf, size_t len, const char *path)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write", path);
		buf += n;
		len -= (size_t)n;
	}
}

static void durable_file(unsigned i, int dirfd)
{
	char name[32];
	snprintf(name, sizeof(name), "f%04u", i);
	const char *path = at(name);
	size_t size = 1 + (size_t)(i * 7919u * 13u) % SIZE_SPAN;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open", path);
	static unsigned char buf[CHUNK];
	uint32_t state = 0x9e3779b9u ^ (i * 2654435761u), hash = 2166136261u;
	if (!state)
		state = 1;
	for (size_t done = 0; done < size;) {
		size_t n = size - done < CHUNK ? size - done : CHUNK;
		fill(buf, n, &state);
		for (size_t k = 0; k < n; k++)
			hash = (hash ^ buf[k]) * 16777619u;
		write_all(fd, buf, n, path);
		done += n;
	}
	if (fsync(fd))
		die("fsync", path);
	close(fd);
	if (fsync(dirfd))
		die("fsync", dir);
	printf("synced %s %zu %08x\n", name, size, hash);
	fflush(stdout);
}

static void churn(unsigned i)
{
	static unsigned char buf[8192];
	memset(buf, 'a' + (int)(i % 26), sizeof(buf));
	char scratch[4096]; /* at() reuses its buffer */
	snprintf(scratch, sizeof(scratch), "%s", at("scratch"));
	int fd = open(scratch, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		die("open", scratch);
	write_all(fd, buf, sizeof(buf), scratch);
	close(fd);
	if (i % 5 == 4) {
		char junk[4096];
		snprintf(junk, sizeof(junk), "%s", at("junk"));
		unlink(junk); /* may be absent: ENOENT is fine */
		if (rename(scratch, junk))
			die("rename", scratch);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: disk_writer DIR [COUNT]\n");
		return 2;
	}
	dir = argv[1];
	unsigned long count = argc == 3 ? strtoul(argv[2], NULL, 10) : 0;
	if (mkdir(dir, 0755) && errno != EEXIST)
		die("mkdir", dir);
	sync(); /* DIR's own entry, durable before the first file */
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dirfd < 0)
		die("open", dir);
	for (unsigned i = 0; !count || i < count; i++) {
		durable_file(i, dirfd);
		churn(i);
	}
	printf("done\n");
	return 0;
}

/*
 * Writing through the library, judged by e2fsprogs: after a workload of every call (files
 * written, overwritten, appended, truncated both ways, sparse; directories made and removed;
 * renames in and across directories, over files, exchanges; links, symbolic links, fifos,
 * attributes; an unlinked file kept open) and ext2_unmount, e2fsck -fn finds nothing, debugfs
 * gives back the same bytes and attributes, and so does the library after a new mount. And a
 * cold file read in runs while the cache is full of dirty data reads back whole.
 */
#include "ext2_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BIG_FAR (70ull << 20) /* past 64 MiB: triple indirect with 1 KiB blocks */
#define MANY 300
#define TIME_NS 1234567890123456789ll

struct expect {
	const char *path;
	unsigned char *data;
	size_t len;
};

static struct expect expected[16];
static size_t nexpected;

static void expect(const char *path, const unsigned char *data, size_t len)
{
	struct expect *e = &expected[nexpected++];
	e->path = path;
	e->data = malloc(len ? len : 1);
	memcpy(e->data, data, len);
	e->len = len;
}

static uint64_t mk(uint64_t dir, const char *name, unsigned mode, const char *target)
{
	uint64_t node = 0;
	long r = ext2_create(dir, name, mode, target, &node);
	CHECK(r == 0, "create %s: %ld", name, r);
	check_no_pins();
	return node;
}

static void wr(uint64_t node, uint64_t off, const void *buf, size_t len, bool append)
{
	uint64_t at;
	long n = ext2_write(node, off, len, buf, append, &at);
	CHECK(n == (long)len, "write %zu at %llu: %ld", len, (unsigned long long)off, n);
	check_no_pins();
}

static void set_size(uint64_t node, uint64_t size)
{
	struct vfs_attr a = {.size = size};
	OK(ext2_setattr(node, VFS_SET_SIZE, &a));
}

/* f1: written, overwritten in the middle, appended to. */
static void files(void)
{
	unsigned char buf[20000], want[20000];
	uint64_t f1 = mk(VFS_ROOT_NODE, "f1", S_IFREG | 0644, NULL);
	fill_pattern(want, 10000, 1);
	wr(f1, 0, want, 10000, false);
	fill_pattern(buf, 1000, 2);
	wr(f1, 3000, buf, 1000, false);
	memcpy(want + 3000, buf, 1000);
	fill_pattern(buf, 5000, 3);
	wr(f1, 0, buf, 5000, true);
	memcpy(want + 10000, buf, 5000);
	expect("d/moved", want, 15000);

	/* Truncated down into a block, then up: the cut-off bytes read back as zeros. */
	uint64_t t = mk(VFS_ROOT_NODE, "trunc", S_IFREG | 0644, NULL);
	unsigned char *big = malloc(100000);
	fill_pattern(big, 100000, 4);
	wr(t, 0, big, 100000, false);
	set_size(t, 5000);
	set_size(t, 20000);
	memset(big + 5000, 0, 15000);
	expect("trunc", big, 20000);
	size_t len;
	unsigned char *got = read_all(t, &len);
	CHECK(len == 20000 && !memcmp(got, big, len), "trunc reads back");
	free(got);
	struct vfs_attr a;
	OK(ext2_attr(t, &a));
	CHECK(a.blocks <= 48 + 8, "trunc keeps %llu sectors for 20000 bytes", a.blocks);

	/* big: double indirect blocks, then a piece 70 MiB out. */
	uint64_t b = mk(VFS_ROOT_NODE, "big", S_IFREG | 0600, NULL);
	unsigned char *data = malloc(300 * 1024);
	fill_pattern(data, 300 * 1024, 5);
	wr(b, 0, data, 300 * 1024, false);
	fill_pattern(buf, 5000, 6);
	wr(b, BIG_FAR, buf, 5000, false);
	OK(ext2_attr(b, &a));
	CHECK(a.size == BIG_FAR + 5000 && a.blocks < 2 * (300 + 20 + 16), "big: %llu bytes, %llu "
	      "sectors", a.size, a.blocks);
	unsigned char back[5000];
	CHECK(ext2_read(b, BIG_FAR, 5000, back) == 5000 && !memcmp(back, buf, 5000), "far read");
	CHECK(ext2_read(b, BIG_FAR - 5000, 5000, back) == 5000 && !back[0] && !back[4999],
	      "a hole reads as zeros");
	expect("big", data, 300 * 1024); /* its first part; the far part is checked above */
	free(data);
	free(big);

	/* r1 renamed over r2: r2 has r1's bytes, r1 is gone and r2's inode freed. */
	uint64_t r1 = mk(VFS_ROOT_NODE, "r1", S_IFREG | 0644, NULL);
	uint64_t r2 = mk(VFS_ROOT_NODE, "r2", S_IFREG | 0644, NULL);
	wr(r1, 0, "first", 5, false);
	wr(r2, 0, "second", 6, false);
	OK(ext2_rename(VFS_ROOT_NODE, "r1", VFS_ROOT_NODE, "r2", 0));
	CHECK(walk("r2") == r1 && !walk("r1"), "rename over a file");
	CHECK(ext2_check(r2, 0) == -ESTALE, "the replaced file is gone");
	expect("r2", (const unsigned char *)"first", 5);

	uint64_t gone = mk(VFS_ROOT_NODE, "gone", S_IFREG | 0644, NULL);
	wr(gone, 0, buf, 3000, false);
	OK(ext2_unlink(VFS_ROOT_NODE, "gone", false));
	CHECK(!walk("gone"), "unlinked");
}

/* Directories: made, filled, moved, removed. */
static void dirs(void)
{
	uint64_t d = mk(VFS_ROOT_NODE, "d", S_IFDIR | 0755, NULL);
	uint64_t e = mk(d, "e", S_IFDIR | 0750, NULL);
	uint64_t g = mk(e, "g", S_IFREG | 0644, NULL);
	wr(g, 0, "in e", 4, false);
	expect("e2/g", (const unsigned char *)"in e", 4);
	mk(VFS_ROOT_NODE, "x", S_IFDIR | 0755, NULL);
	CHECK(ext2_unlink(VFS_ROOT_NODE, "x", false) == -EISDIR, "unlink of a directory");
	OK(ext2_unlink(VFS_ROOT_NODE, "x", true));
	CHECK(ext2_unlink(VFS_ROOT_NODE, "d", true) == -ENOTEMPTY, "rmdir of a full directory");
	CHECK(ext2_create(VFS_ROOT_NODE, "d", S_IFREG | 0644, NULL, &g) == -EEXIST, "EEXIST");
	OK(ext2_rename(VFS_ROOT_NODE, "f1", d, "moved", 0));
	OK(ext2_rename(d, "e", VFS_ROOT_NODE, "e2", 0));
	uint64_t up;
	CHECK(ext2_lookup(e, "..", &up) == 0 && up == VFS_ROOT_NODE, "e2/.. follows the move");
	CHECK(ext2_rename(VFS_ROOT_NODE, "e2", e, "sub", 0) == -EINVAL, "into its own tree");
	struct vfs_attr a;
	OK(ext2_attr(d, &a));
	CHECK(a.nlink == 2, "d has %u links", a.nlink);
	OK(ext2_attr(VFS_ROOT_NODE, &a));
	CHECK(a.nlink == 5, "/ has %u links (., .., lost+found, d, e2)", a.nlink);

	/* Many entries: the directory grows past a block, then loses every other one. */
	uint64_t m = mk(VFS_ROOT_NODE, "many", S_IFDIR | 0755, NULL);
	for (int i = 0; i < MANY; i++) {
		char name[64];
		snprintf(name, sizeof(name), "a-rather-long-file-name-number-%03d", i);
		mk(m, name, S_IFREG | 0644, NULL);
	}
	for (int i = 0; i < MANY; i += 2) {
		char name[64];
		snprintf(name, sizeof(name), "a-rather-long-file-name-number-%03d", i);
		OK(ext2_unlink(m, name, false));
	}
	OK(ext2_attr(m, &a));
	CHECK(a.size > 4096, "many/ is %llu bytes", a.size);
}

static void links_and_attrs(void)
{
	uint64_t moved = walk("d/moved");
	OK(ext2_link(VFS_ROOT_NODE, "hard", moved));
	CHECK(ext2_link(VFS_ROOT_NODE, "dirlink", walk("d")) == -EPERM, "a link to a directory");
	mk(VFS_ROOT_NODE, "sf", S_IFLNK | 0777, "target");
	char slow[201];
	memset(slow, 's', 200);
	slow[200] = '\0';
	mk(VFS_ROOT_NODE, "sl", S_IFLNK | 0777, slow);
	mk(VFS_ROOT_NODE, "p", S_IFIFO | 0644, NULL);
	struct vfs_attr a = {.mode = 0600, .uid = 1000, .gid = 70000, .atime_ns = TIME_NS,
			     .mtime_ns = TIME_NS};
	OK(ext2_setattr(moved, VFS_SET_MODE | VFS_SET_UID | VFS_SET_GID | VFS_SET_ATIME |
				       VFS_SET_MTIME, &a));
	char target[300];
	CHECK(ext2_readlink(walk("sl"), target, sizeof(target)) == 200 && !strcmp(target, slow),
	      "slow link");

	/* Exchange two names; NOREPLACE refuses an existing one. */
	OK(ext2_rename(VFS_ROOT_NODE, "r2", VFS_ROOT_NODE, "sf", VFS_RENAME_EXCHANGE));
	CHECK(ext2_readlink(walk("r2"), target, sizeof(target)) == 6, "exchanged");
	CHECK(ext2_rename(VFS_ROOT_NODE, "sf", VFS_ROOT_NODE, "hard", VFS_RENAME_NOREPLACE) ==
		      -EEXIST, "NOREPLACE");
	OK(ext2_rename(VFS_ROOT_NODE, "sf", VFS_ROOT_NODE, "r2", VFS_RENAME_EXCHANGE));
}

/* A file unlinked while open lives until its last close, then its blocks come back. */
static void open_unlinked(void)
{
	struct vfs_statfs before, during, after;
	OK(ext2_statfs(&before));
	uint64_t o = mk(VFS_ROOT_NODE, "o", S_IFREG | 0644, NULL);
	unsigned char buf[40000], back[40000];
	fill_pattern(buf, sizeof(buf), 7);
	wr(o, 0, buf, 20000, false);
	ext2_open(o);
	OK(ext2_unlink(VFS_ROOT_NODE, "o", false));
	struct vfs_attr a;
	OK(ext2_attr(o, &a));
	CHECK(ext2_check(o, a.gen) == 0, "an unlinked open file is still valid");
	wr(o, 20000, buf + 20000, 20000, false);
	CHECK(ext2_read(o, 0, sizeof(back), back) == (long)sizeof(back) &&
	      !memcmp(buf, back, sizeof(back)), "an unlinked open file reads back");
	OK(ext2_attr(o, &a));
	CHECK(a.nlink == 0, "nlink %u", a.nlink);
	OK(ext2_statfs(&during));
	CHECK(during.bfree < before.bfree, "its blocks are held");
	ext2_close(o);
	OK(ext2_statfs(&after));
	CHECK(after.bfree == before.bfree && after.ffree == before.ffree,
	      "blocks %llu -> %llu, inodes %llu -> %llu after the last close", before.bfree,
	      after.bfree, before.ffree, after.ffree);
	CHECK(ext2_attr(o, &a) == -ESTALE, "gone after the last close");
}

/* A number after key in debugfs output, or -1. */
static long field(const char *out, const char *key)
{
	const char *p = strstr(out, key);
	return p ? strtol(p + strlen(key), NULL, 0) : -1;
}

static void check_with_debugfs(const char *img, bool big_inode)
{
	for (size_t i = 0; i < nexpected; i++) {
		const char *out = work_path("cat.out");
		run("'%s' -R 'cat /%s' '%s' >'%s' 2>/dev/null", tool("debugfs"), expected[i].path, img,
		    out);
		size_t len;
		unsigned char *got = NULL;
		FILE *f = fopen(out, "rb");
		if (f) {
			got = malloc(expected[i].len + 1);
			len = fread(got, 1, expected[i].len + 1, f);
			fclose(f);
		}
		bool prefix = !strcmp(expected[i].path, "big");
		CHECK(got && (len == expected[i].len || (prefix && len > expected[i].len)) &&
			      !memcmp(got, expected[i].data, expected[i].len),
		      "debugfs cat /%s differs", expected[i].path);
		free(got);
	}
	char *st = capture("'%s' -R 'stat /hard' '%s' 2>/dev/null", tool("debugfs"), img);
	CHECK(field(st, "Mode:") == 0600 && field(st, "User:") == 1000 &&
	      field(st, "Group:") == 70000 && field(st, "Links:") == 2 &&
	      field(st, "Size:") == 15000, "debugfs stat /hard:\n%s", st);
	CHECK(field(st, "mtime:") == TIME_NS / 1000000000, "mtime");
	if (big_inode)
		CHECK(strstr(st, ":1d6f3454"), "mtime's nanoseconds stored in the inode:\n%s", st);
	free(st);
	st = capture("'%s' -R 'stat /big' '%s' 2>/dev/null", tool("debugfs"), img);
	CHECK((unsigned long long)field(st, "Size:") == BIG_FAR + 5000, "big's size:\n%s", st);
	free(st);
	st = capture("'%s' -R 'stat /sl' '%s' 2>/dev/null; '%s' -R 'stat /p' '%s' 2>/dev/null",
		     tool("debugfs"), img, tool("debugfs"), img);
	CHECK(strstr(st, "Type: symlink") && strstr(st, "Type: FIFO"), "types:\n%s", st);
	free(st);
	st = capture("'%s' -R 'ls -l /many' '%s' 2>/dev/null | wc -l", tool("debugfs"), img);
	CHECK(atoi(st) >= MANY / 2 + 2, "debugfs lists %s entries in many/", st);
	free(st);
}

/* After a new mount the library sees what it wrote. */
static void check_after_remount(bool big_inode)
{
	struct vfs_attr a;
	OK(ext2_attr(walk("hard"), &a));
	CHECK(a.mode == (S_IFREG | 0600) && a.uid == 1000 && a.gid == 70000 && a.nlink == 2,
	      "hard: mode %o owner %u:%u links %u", a.mode, a.uid, a.gid, a.nlink);
	CHECK(a.mtime_ns == (big_inode ? TIME_NS : TIME_NS / 1000000000 * 1000000000) &&
	      a.atime_ns / 1000000000 == TIME_NS / 1000000000, "hard: mtime %lld", a.mtime_ns);
	for (size_t i = 0; i < nexpected; i++) {
		size_t len;
		unsigned char *got = read_all(walk(expected[i].path), &len);
		bool prefix = !strcmp(expected[i].path, "big");
		CHECK(got && (len == expected[i].len || prefix) &&
			      !memcmp(got, expected[i].data, expected[i].len),
		      "/%s differs after a remount", expected[i].path);
		free(got);
	}
}

/* Reads that come in runs (read-ahead) while the cache is full of written-back data: taking a
 * buffer for the run writes dirty neighbours first, and that must not spoil the run's bytes. A
 * file written once by the library, cold after a remount, is read after 6 MiB of new data. */
static void cache_pressure(void)
{
	const char *img = work_path("pressure.img");
	make_image(img, 32768, 4096, 256, NULL, NULL);
	struct filedev f;
	if (!mount_image(&f, img, false))
		return;
	size_t cold_len = 3u << 20, len;
	unsigned char *cold = malloc(cold_len), *chunk = malloc(64 * 1024);
	fill_pattern(cold, cold_len, 40);
	wr(mk(VFS_ROOT_NODE, "cold", S_IFREG | 0644, NULL), 0, cold, cold_len, false);
	OK(ext2_unmount());
	filedev_close(&f);
	if (!mount_image(&f, img, false))
		return;
	for (unsigned i = 0; i < 96; i++) {
		char name[32];
		snprintf(name, sizeof(name), "new%u", i);
		fill_pattern(chunk, 64 * 1024, 100 + i);
		wr(mk(VFS_ROOT_NODE, name, S_IFREG | 0644, NULL), 0, chunk, 64 * 1024, false);
	}
	unsigned char *got = read_all(walk("cold"), &len);
	CHECK(got && len == cold_len && !memcmp(got, cold, cold_len),
	      "a cold file read while the cache holds dirty data differs");
	free(got);
	OK(ext2_unmount());
	filedev_close(&f);
	CHECK(fsck(img, false) == 0, "%s: e2fsck -fn after the pressure", img);
	free(cold);
	free(chunk);
}

void suite_write(void)
{
	cache_pressure();
	static const unsigned configs[][2] = {{1024, 128}, {1024, 256}, {2048, 128}, {4096, 256}};
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		char img[600];
		bool big_inode = configs[i][1] > 128;
		snprintf(img, sizeof(img), "%s/write-%u-%u.img", work_dir(), configs[i][0],
			 configs[i][1]);
		make_image(img, 8192, configs[i][0], configs[i][1], NULL, NULL);
		struct filedev f;
		if (!mount_image(&f, img, false))
			continue;
		nexpected = 0;
		files();
		dirs();
		links_and_attrs();
		open_unlinked();
		OK(ext2_unmount());
		filedev_close(&f);
		int st = fsck(img, false);
		CHECK(st == 0, "%s: e2fsck -fn says %d:\n%s", img, st,
		      capture("cat '%s.fsck'", img));
		check_with_debugfs(img, big_inode);
		if (!mount_image(&f, img, false))
			continue;
		check_after_remount(big_inode);
		OK(ext2_unmount());
		filedev_close(&f);
		CHECK(fsck(img, false) == 0, "%s: e2fsck -fn after the remount", img);
		for (size_t k = 0; k < nexpected; k++)
			free(expected[k].data);
	}
}

/*
 * Running out of space, and losing power. ENOSPC: a tiny image filled by a write that comes
 * back short, more creates refused, then e2fsck -fn clean, and the space back after a delete.
 * Crashes: one workload of creates, writes, syncs, unlinks, renames, truncations and
 * directories, run again and again with the device dropping every write after the Nth, for
 * every N; each image must then be repaired by e2fsck -p without a question (exit 0 or 1), and
 * every file whose sync returned before the power went must read back whole.
 */
#include "ext2_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILES 30
#define CHUNK 4096

/* ---- ENOSPC ---- */

void suite_enospc(void)
{
	const char *img = work_path("tiny.img");
	make_image(img, 512, 1024, 128, NULL, "-N 32");
	struct filedev f;
	if (!mount_image(&f, img, false))
		return;
	uint64_t node = 0, at;
	OK(ext2_create(VFS_ROOT_NODE, "fill", S_IFREG | 0644, NULL, &node));
	unsigned char *buf = malloc(1 << 20), *back = malloc(1 << 20);
	fill_pattern(buf, 1 << 20, 11);
	uint64_t total = 0;
	long n;
	while ((n = ext2_write(node, total, 8192, buf + total, false, &at)) == 8192)
		total += 8192;
	CHECK(n == -ENOSPC || (n > 0 && n < 8192), "the last write: %ld", n);
	if (n > 0)
		total += (uint64_t)n;
	CHECK(ext2_write(node, total, 100, buf, false, &at) == -ENOSPC, "nothing fits");
	struct vfs_statfs s;
	OK(ext2_statfs(&s));
	CHECK(s.bfree == 0, "%llu blocks free when full", s.bfree);
	CHECK(total > 300 * 1024, "only %llu bytes fit", (unsigned long long)total);
	CHECK(ext2_read(node, 0, total, back) == (long)total && !memcmp(buf, back, total),
	      "the full file reads back");
	uint64_t d;
	CHECK(ext2_create(VFS_ROOT_NODE, "dir", S_IFDIR | 0755, NULL, &d) == -ENOSPC,
	      "mkdir on a full disk");
	char slow[100];
	memset(slow, 'y', 99);
	slow[99] = '\0';
	CHECK(ext2_create(VFS_ROOT_NODE, "slow", S_IFLNK | 0777, slow, &d) == -ENOSPC,
	      "a slow symbolic link on a full disk");
	int made = 0;
	long r;
	for (char name[16]; made < 100; made++) {
		snprintf(name, sizeof(name), "e%d", made);
		if ((r = ext2_create(VFS_ROOT_NODE, name, S_IFREG | 0644, NULL, &d)) < 0)
			break;
	}
	CHECK(r == -ENOSPC && made < 32, "%d empty files made, then %ld", made, r);
	check_no_pins();
	OK(ext2_unmount());
	filedev_close(&f);
	CHECK(fsck(img, false) == 0, "e2fsck -fn of the full image:\n%s",
	      capture("cat '%s.fsck'", img));

	if (!mount_image(&f, img, false))
		return;
	OK(ext2_unlink(VFS_ROOT_NODE, "fill", false));
	OK(ext2_statfs(&s));
	CHECK(s.bfree * 1024 >= total, "%llu blocks free after the delete", s.bfree);
	OK(ext2_create(VFS_ROOT_NODE, "again", S_IFREG | 0644, NULL, &node));
	CHECK(ext2_write(node, 0, 200000, buf, false, &at) == 200000, "the space came back");
	OK(ext2_unmount());
	filedev_close(&f);
	CHECK(fsck(img, false) == 0, "e2fsck -fn after the delete");
	free(buf);
	free(back);
}

/* ---- Crashes ---- */

struct synced {
	char path[160];
	size_t len;
	unsigned seed;
};

static struct synced synced[FILES + 1];
static size_t nsynced;
static struct filedev dev;

static bool power_on(void)
{
	return dev.writes_left != 0;
}

static size_t file_len(int i)
{
	return i % 7 == 0 ? 300 * 1024 + 123 : (size_t)(i * 37 % 13 + 1) * 3000;
}

static void write_file(uint64_t node, int i)
{
	size_t len = file_len(i);
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, 1000 + (unsigned)i);
	uint64_t at;
	for (size_t off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		long w = ext2_write(node, off, n, buf + off, false, &at);
		if (power_on())
			CHECK(w == (long)n, "write: %ld", w);
	}
	free(buf);
}

/* The workload; with the power on throughout, its calls must all succeed. */
static void workload(void)
{
	uint64_t dir = VFS_ROOT_NODE, prev = 0;
	char prev_name[64] = "", dirname[64] = "";
	nsynced = 0;
	for (int i = 0; i < FILES; i++) {
		char name[64];
		long r;
		if (i % 5 == 0) {
			snprintf(dirname, sizeof(dirname), "d%d", i);
			r = ext2_create(VFS_ROOT_NODE, dirname, S_IFDIR | 0755, NULL, &dir);
			if (power_on())
				CHECK(r == 0, "mkdir %s: %ld", dirname, r);
		}
		snprintf(name, sizeof(name), "file-%d", i);
		uint64_t node = 0;
		r = ext2_create(dir, name, S_IFREG | 0644, NULL, &node);
		if (power_on())
			CHECK(r == 0, "create %s: %ld", name, r);
		if (r)
			continue;
		write_file(node, i);
		if (i % 3 == 0) {
			r = ext2_sync(node);
			if (power_on()) {
				CHECK(r == 0, "sync: %ld", r);
				struct synced *s = &synced[nsynced++];
				snprintf(s->path, sizeof(s->path), "%s/%s", dirname, name);
				s->len = file_len(i);
				s->seed = 1000 + (unsigned)i;
			}
			continue; /* synced files stay as they are */
		}
		if (i % 4 == 1 && prev)
			ext2_unlink(dir, prev_name, false);
		else if (i % 4 == 2 && prev)
			ext2_rename(dir, prev_name, VFS_ROOT_NODE, name, 0);
		else if (i % 4 == 3) {
			struct vfs_attr a = {.size = file_len(i) / 2};
			ext2_setattr(node, VFS_SET_SIZE, &a);
		}
		if (i % 10 == 4) {
			uint64_t e, l;
			ext2_create(VFS_ROOT_NODE, "tmpdir", S_IFDIR | 0700, NULL, &e);
			ext2_create(e, "link", S_IFLNK | 0777,
				    "a-target-that-is-too-long-for-the-inode-so-it-takes-a-block-of-its-own",
				    &l);
			ext2_unlink(e, "link", false);
			ext2_unlink(VFS_ROOT_NODE, "tmpdir", true);
			ext2_link(VFS_ROOT_NODE, "hard", node);
		}
		if (i == 15) {
			r = ext2_sync(0);
			if (power_on())
				CHECK(r == 0, "sync everything: %ld", r);
		}
		prev = node;
		snprintf(prev_name, sizeof(prev_name), "%s", name);
	}
}

/* Runs the workload on a copy of base with the power going after `limit` writes (-1: never):
 * how many writes it made. */
static uint64_t crash_run(const char *base, const char *img, int64_t limit)
{
	run("cp '%s' '%s'", base, img);
	if (!mount_image(&dev, img, false))
		return 0;
	dev.writes_left = limit;
	workload();
	uint64_t writes = dev.writes;
	if (limit >= 0)
		dev.writes_left = 0; /* nothing more reaches the disk: the machine is off */
	int r = ext2_unmount();
	if (limit < 0)
		CHECK(r == 0, "unmount: %d", r);
	filedev_close(&dev);
	return writes;
}

static void check_synced(const char *img, int64_t limit)
{
	struct filedev f;
	if (!mount_image(&f, img, true))
		return;
	for (size_t i = 0; i < nsynced; i++) {
		size_t len;
		unsigned char *got = read_all(walk(synced[i].path), &len);
		unsigned char *want = malloc(synced[i].len);
		fill_pattern(want, synced[i].len, synced[i].seed);
		CHECK(got && len == synced[i].len && !memcmp(got, want, len),
		      "crash after %lld writes: synced %s lost (%zu of %zu bytes)", (long long)limit,
		      synced[i].path, got ? len : 0, synced[i].len);
		free(got);
		free(want);
	}
	ext2_unmount();
	filedev_close(&f);
}

static void crash_config(unsigned bs, unsigned is)
{
	char base[600], img[600];
	snprintf(base, sizeof(base), "%s/crash-base-%u-%u.img", work_dir(), bs, is);
	snprintf(img, sizeof(img), "%s/crash-%u-%u.img", work_dir(), bs, is);
	make_image(base, 8192, bs, is, NULL, NULL);
	uint64_t total = crash_run(base, img, -1);
	CHECK(fsck(img, false) == 0, "the workload without a crash leaves an unclean image");
	CHECK(total > 100, "the workload made %llu writes", (unsigned long long)total);
	int runs = 0, repaired = 0;
	for (uint64_t n = 0; n <= total; n++, runs++) {
		crash_run(base, img, (int64_t)n);
		int st = fsck(img, true);
		CHECK(st == 0 || st == 1, "%u/%u: crash after %llu of %llu writes: e2fsck -p says %d:\n%s",
		      bs, is, (unsigned long long)n, (unsigned long long)total, st,
		      capture("cat '%s.fsck'", img));
		repaired += st == 1;
		st = fsck(img, false);
		CHECK(st == 0, "crash after %llu writes: still unclean after e2fsck -p:\n%s",
		      (unsigned long long)n, capture("cat '%s.fsck'", img));
		check_synced(img, (int64_t)n);
	}
	printf("%u-byte blocks, %u-byte inodes: %d crashes in %llu writes, %d repaired\n", bs, is,
	       runs, (unsigned long long)total, repaired);
}

void suite_crash(void)
{
	crash_config(1024, 128);
	crash_config(4096, 256);
}

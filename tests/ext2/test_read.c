/*
 * Reading images mke2fs made from a host tree (-d): every file, directory, link and attribute
 * the library gives must be what the host tree holds, for 1 and 4 KiB blocks and 128- and
 * 256-byte inodes. The tree has files reaching double and triple indirect blocks (sparse, so
 * cheap), holes, fast and slow symbolic links, hard links, nested and indexed directories.
 */
#include "ext2_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define MANY 400

static void write_at(const char *path, off_t off, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);
	fill_pattern(buf, len, seed);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0 && pwrite(fd, buf, len, off) == (ssize_t)len, "writing %s", path);
	close(fd);
	free(buf);
}

static const char *at(const char *root, const char *name)
{
	static char paths[4][1024];
	static unsigned n;
	char *p = paths[n++ % 4];
	snprintf(p, 1024, "%s/%s", root, name);
	return p;
}

/* The host tree every image of this suite is made from. */
static void make_tree(const char *root)
{
	run("rm -rf '%s' && mkdir -p '%s/a/b/c/d' '%s/many' '%s/private'", root, root, root, root);
	write_at(at(root, "small"), 0, 100, 1);
	close(open(at(root, "empty"), O_WRONLY | O_CREAT, 0644));
	write_at(at(root, "medium"), 0, 300 * 1024 + 17, 2);       /* double indirect at 1 KiB */
	write_at(at(root, "holes"), 0, 5000, 3);
	write_at(at(root, "holes"), 512 * 1024, 4096, 4);
	write_at(at(root, "holes"), 2 * 1024 * 1024 - 10, 10, 5);
	write_at(at(root, "sparse_big"), 0, 3000, 6);
	write_at(at(root, "sparse_big"), 5 << 20, 5000, 7);
	write_at(at(root, "sparse_big"), 70ll << 20, 9000, 8);      /* triple indirect at 1 KiB */
	write_at(at(root, "a/b/c/d/deep"), 0, 777, 9);
	CHECK(symlink("small", at(root, "fast")) == 0, "symlink");
	char slow[200];
	memset(slow, 'x', sizeof(slow) - 1);
	slow[sizeof(slow) - 1] = '\0';
	memcpy(slow, "a/b/", 4);
	CHECK(symlink(slow, at(root, "slow")) == 0, "symlink");
	CHECK(link(at(root, "small"), at(root, "hard")) == 0, "link");
	CHECK(link(at(root, "small"), at(root, "a/hard2")) == 0, "link");
	CHECK(mkfifo(at(root, "fifo"), 0600) == 0, "mkfifo");
	for (int i = 0; i < MANY; i++) {
		char name[64];
		snprintf(name, sizeof(name), "many/entry-with-a-longer-name-%03d", i);
		write_at(at(root, name), 0, (size_t)(i % 7) * 100, 100 + (unsigned)i);
	}
	chmod(at(root, "private"), 0700);
	chmod(at(root, "small"), 0640);
	if (geteuid() == 0) {
		CHECK(lchown(at(root, "medium"), 1234, 5678) == 0, "chown");
		CHECK(lchown(at(root, "a/b"), 70000, 80000) == 0, "chown"); /* the high 16 bits */
	}
	struct timeval tv[2] = {{1000000000, 0}, {1234567890, 0}};
	utimes(at(root, "medium"), tv);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

struct listing {
	char names[MANY + 64][64];
	int count;
};

static bool collect(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg)
{
	struct listing *l = arg;
	(void)node, (void)mode, (void)next;
	if (l->count < MANY + 64)
		snprintf(l->names[l->count++], 64, "%s", name);
	return true;
}

static void compare_file(const char *host, uint64_t node, const struct stat *st)
{
	size_t len;
	unsigned char *got = read_all(node, &len);
	unsigned char *want = malloc((size_t)st->st_size + 1);
	int fd = open(host, O_RDONLY);
	CHECK(read(fd, want, (size_t)st->st_size) == st->st_size, "reading %s", host);
	close(fd);
	CHECK(len == (size_t)st->st_size && got && !memcmp(got, want, len), "%s: contents differ",
	      host);
	/* Reads that start and end inside blocks, across holes. */
	if (st->st_size > 3000) {
		unsigned char part[2500];
		uint64_t off = (uint64_t)st->st_size / 2 - 1234;
		long n = ext2_read(node, off, sizeof(part), part);
		CHECK(n == (long)sizeof(part) && !memcmp(part, want + off, sizeof(part)),
		      "%s: a read at %llu", host, (unsigned long long)off);
	}
	CHECK(ext2_read(node, (uint64_t)st->st_size, 10, want) == 0, "%s: read at the end", host);
	free(got);
	free(want);
}

static void compare_attr(const char *host, uint64_t node, const struct stat *st, bool big_inode)
{
	struct vfs_attr a;
	if (OK(ext2_attr(node, &a)) < 0)
		return;
	CHECK(a.mode == st->st_mode, "%s: mode %o, host %o", host, a.mode, st->st_mode);
	CHECK(a.uid == st->st_uid && a.gid == st->st_gid, "%s: owner %u:%u, host %u:%u", host, a.uid,
	      a.gid, st->st_uid, st->st_gid);
	CHECK(a.nlink == st->st_nlink || S_ISDIR(st->st_mode), "%s: nlink %u, host %lu", host,
	      a.nlink, (unsigned long)st->st_nlink);
	CHECK(a.mtime_ns / 1000000000 == st->st_mtim.tv_sec, "%s: mtime %lld, host %ld", host,
	      a.mtime_ns, (long)st->st_mtim.tv_sec);
	CHECK(!big_inode || a.mtime_ns % 1000000000 == 0, "%s: mke2fs stores no nanoseconds", host);
	if (!S_ISDIR(st->st_mode))
		CHECK(a.size == (uint64_t)st->st_size, "%s: size %llu, host %lld", host, a.size,
		      (long long)st->st_size);
	if (S_ISREG(st->st_mode))
		CHECK(a.blocks <= (uint64_t)st->st_size / 512 + 64, "%s: %llu blocks for a sparse file",
		      host, a.blocks);
	CHECK(node == VFS_ROOT_NODE ? a.ino == 2 : a.ino == node, "%s: ino %llu of node %llu", host,
	      a.ino, (unsigned long long)node);
}

static void compare_dir(const char *host, uint64_t dir, bool big_inode)
{
	struct dirent **names;
	int n = scandir(host, &names, NULL, by_name);
	struct listing *l = calloc(1, sizeof(*l));
	uint64_t end = ext2_list(dir, 0, collect, l);
	check_no_pins();
	CHECK(end > 0, "%s: listing ended at %llu", host, (unsigned long long)end);
	bool root = dir == VFS_ROOT_NODE;
	CHECK(l->count == n + root, "%s: %d entries, host %d (and lost+found)", host, l->count, n);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		bool listed = false;
		for (int k = 0; k < l->count && !listed; k++)
			listed = !strcmp(l->names[k], name);
		CHECK(listed, "%s: %s not listed", host, name);
		uint64_t node;
		long r = ext2_lookup(dir, name, &node);
		CHECK(r == 0, "%s: lookup %s: %ld", host, name, r);
		if (r || !strcmp(name, ".") || !strcmp(name, "..")) {
			free(names[i]);
			continue;
		}
		char path[2048];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", host, name);
		lstat(path, &st);
		compare_attr(path, node, &st, big_inode);
		if (S_ISREG(st.st_mode))
			compare_file(path, node, &st);
		if (S_ISLNK(st.st_mode)) {
			char want[512] = "", got[512];
			CHECK(readlink(path, want, sizeof(want)) > 0, "readlink");
			long len = ext2_readlink(node, got, sizeof(got));
			CHECK(len == (long)strlen(want) && !strcmp(got, want), "%s: target '%s'", path,
			      len > 0 ? got : "");
		}
		if (S_ISDIR(st.st_mode))
			compare_dir(path, node, big_inode);
		check_no_pins();
		free(names[i]);
	}
	free(names);
	free(l);
}

/* The same file through two names and the same ino; ".." of the root is the root. */
static void check_links(void)
{
	uint64_t a = walk("small"), b = walk("hard"), c = walk("a/hard2"), up;
	CHECK(a && a == b && b == c, "hard links: %llu %llu %llu", (unsigned long long)a,
	      (unsigned long long)b, (unsigned long long)c);
	CHECK(ext2_lookup(VFS_ROOT_NODE, "..", &up) == 0 && up == VFS_ROOT_NODE, "root's ..");
	CHECK(ext2_lookup(walk("a/b"), "..", &up) == 0 && up == walk("a"), "a/b's ..");
	CHECK(ext2_lookup(VFS_ROOT_NODE, "nothing", &up) == -ENOENT, "a missing name");
	CHECK(ext2_lookup(walk("small"), "x", &up) == -ENOTDIR, "lookup in a file");
	struct vfs_attr attr;
	CHECK(ext2_check(a, 12345) == -ESTALE || ext2_attr(a, &attr) || attr.gen == 12345,
	      "a wrong generation");
	CHECK(ext2_check(VFS_ROOT_NODE, 0) == 0, "the root");
	CHECK(ext2_check(999999, 0) == -ESTALE, "a node past the inodes");
	uint64_t unused = 0;
	CHECK(ext2_write(a, 0, 1, "x", false, &unused) == -EROFS, "a write to a read-only mount");
	char target[8];
	CHECK(ext2_readlink(walk("fast"), target, sizeof(target)) == 5 && !strcmp(target, "small"),
	      "readlink into a buffer");
}

/* A listing resumed from every cookie gives the rest of the directory. */
static bool count_one(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg)
{
	(void)name, (void)node, (void)mode, (void)next;
	return ++*(int *)arg < 7;
}

static void check_cookies(void)
{
	uint64_t dir = walk("many"), cookie = 0;
	int total = 0, rounds = 0;
	for (;;) {
		int got = 0;
		uint64_t next = ext2_list(dir, cookie, count_one, &got);
		total += got == 7 ? 6 : got;
		if (got < 7)
			break;
		CHECK(next > cookie, "cookie %llu -> %llu", (unsigned long long)cookie,
		      (unsigned long long)next);
		cookie = next;
		if (++rounds > 1000)
			break;
	}
	CHECK(total == MANY + 2, "%d entries through cookies", total);
}

/* Read-ahead: a file read from start to end in 64 KiB calls comes off the device in large
 * transfers; reads at scattered offsets transfer the blocks they ask for, not a read-ahead
 * window each (which made a random 4 KiB read cost up to 256 KiB). */
static void read_ahead(void)
{
	const char *dir = work_path("ra");
	run("rm -rf '%s' && mkdir -p '%s' && head -c 8388608 /dev/urandom > '%s/big'", dir, dir, dir);
	char img[600];
	snprintf(img, sizeof(img), "%s/ra.img", work_dir());
	make_image(img, 32768, 4096, 256, dir, NULL);
	struct filedev f;
	if (!mount_image(&f, img, true))
		return;
	uint64_t node = walk("/big");
	static unsigned char buf[65536];
	uint64_t reads = f.reads, bytes = f.read_bytes;
	for (uint64_t off = 0; off < 8388608; off += sizeof(buf))
		CHECK(ext2_read(node, off, sizeof(buf), buf) == (long)sizeof(buf), "read at %llu",
		      (unsigned long long)off);
	/* 256 KiB transfers, and the map, the inode and the groups. */
	CHECK(f.reads - reads <= 8388608 / (256 * 1024) + 16,
	      "a sequential 8 MiB read took %llu device reads", (unsigned long long)(f.reads - reads));
	OK(ext2_unmount());
	filedev_close(&f);

	if (!mount_image(&f, img, true))
		return;
	node = walk("/big");
	reads = f.reads;
	bytes = f.read_bytes;
	/* 32 reads of 4 KiB, 256 KiB apart, out of order. */
	for (unsigned i = 0; i < 32; i++) {
		uint64_t off = (uint64_t)((i * 13) % 32) * 256 * 1024 + 8192;
		CHECK(ext2_read(node, off, 4096, buf) == 4096, "read at %llu", (unsigned long long)off);
	}
	/* The data (128 KiB) and the map's indirect blocks, not 32 windows (8 MiB). */
	CHECK(f.read_bytes - bytes <= 32 * 4096 + 16 * 4096,
	      "32 random 4 KiB reads moved %llu bytes in %llu device reads",
	      (unsigned long long)(f.read_bytes - bytes), (unsigned long long)(f.reads - reads));
	OK(ext2_unmount());
	filedev_close(&f);
}

void suite_read(void)
{
	read_ahead();
	const char *tree = work_path("tree");
	make_tree(tree);
	static const unsigned configs[][2] = {{1024, 128}, {1024, 256}, {4096, 128}, {4096, 256}};
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		char img[600];
		snprintf(img, sizeof(img), "%s/read-%u-%u.img", work_dir(), configs[i][0], configs[i][1]);
		make_image(img, 16384, configs[i][0], configs[i][1], tree, NULL);
		char *features = capture("'%s' -h '%s' 2>/dev/null | grep -i 'features'", tool("dumpe2fs"),
					 img);
		CHECK(strstr(features, "dir_index") && strstr(features, "filetype"),
		      "mke2fs's features: %s", features);
		free(features);
		/* e2fsck -D indexes a directory this big: the library reads it as a plain list. */
		int fixed = run("'%s' -fyD '%s' >/dev/null 2>&1", tool("e2fsck"), img);
		CHECK(fixed == 0 || fixed == 1, "e2fsck -fyD: %d", fixed);
		char *flags = capture("'%s' -R 'stat /many' '%s' 2>/dev/null | head -1", tool("debugfs"),
				      img);
		CHECK(strstr(flags, "Flags: 0x1000"), "many/ is indexed: %s", flags);
		free(flags);
		struct filedev f;
		if (!mount_image(&f, img, true))
			continue;
		struct stat st;
		lstat(tree, &st);
		compare_dir(tree, VFS_ROOT_NODE, configs[i][1] > 128);
		check_links();
		check_cookies();
		struct vfs_statfs s;
		OK(ext2_statfs(&s));
		CHECK(s.bsize == configs[i][0] && s.blocks == 16384 * 1024 / configs[i][0],
		      "statfs: %llu blocks of %llu", s.blocks, s.bsize);
		OK(ext2_unmount());
		filedev_close(&f);
		CHECK(fsck(img, false) == 0, "%s: e2fsck -fn after a read-only mount", img);
	}
}

/*
 * Hostile images: a valid image with one thing broken (superblock geometry, features, group
 * descriptors, a directory entry, a block pointer, an indirect loop, absurd sizes). The mount
 * is refused, or the calls that meet the damage fail with EUCLEAN or EIO, and nothing else
 * goes wrong (the sanitizer build watches every access).
 */
#include "ext2_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[600], img[600];

static void poke(uint64_t off, const void *bytes, size_t len)
{
	int fd = open(img, O_RDWR);
	CHECK(fd >= 0 && pwrite(fd, bytes, len, (off_t)off) == (ssize_t)len, "poke at %llu",
	      (unsigned long long)off);
	close(fd);
}

static void poke32(uint64_t off, uint32_t v)
{
	poke(off, &v, 4);
}

static void fresh(void)
{
	run("cp '%s' '%s'", base, img);
}

static void debugfs_w(const char *cmd)
{
	run("'%s' -w -R '%s' '%s' >/dev/null 2>&1", tool("debugfs"), cmd, img);
}

/* A number debugfs prints after key for path's inode in the intact image. */
static long stat_field(const char *path, const char *key)
{
	char *out = capture("'%s' -R 'stat %s' '%s' 2>/dev/null", tool("debugfs"), path, base);
	const char *p = strstr(out, key);
	long v = p ? strtol(p + strlen(key), NULL, 0) : -1;
	free(out);
	return v;
}

static void refused(const char *what, int want)
{
	struct filedev f;
	char why[128] = "";
	filedev_open(&f, img, false);
	int r = ext2_mount(&f.dev, false, why, sizeof(why));
	CHECK(r == want, "%s: mount says %d (%s), not %d", what, r, why, want);
	CHECK(r == 0 || why[0], "%s: no reason given", what);
	if (!r)
		ext2_unmount();
	filedev_close(&f);
}

static bool list_all(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg)
{
	(void)name, (void)node, (void)mode, (void)next;
	++*(int *)arg;
	return true;
}

/* Every call on everything reachable: none may crash; returns how many failed EUCLEAN/EIO. */
static int poke_everything(void)
{
	int bad = 0;
	static const char *const paths[] = {"a", "d", "d/x", "big", "fast", "slow", "nothing"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		uint64_t node = walk(paths[i]), at;
		unsigned char buf[8192];
		char target[128];
		struct vfs_attr a;
		int n = 0;
		long r[] = {node ? 0 : -EUCLEAN, ext2_read(node, 0, sizeof(buf), buf),
			    ext2_readlink(node, target, sizeof(target)),
			    (long)ext2_list(node, 0, list_all, &n), ext2_attr(node, &a),
			    ext2_write(node, 100, 10, "0123456789", false, &at),
			    ext2_create(VFS_ROOT_NODE, "new", S_IFREG | 0644, NULL, &at),
			    ext2_unlink(VFS_ROOT_NODE, "new", false),
			    ext2_unlink(VFS_ROOT_NODE, paths[i], false)};
		for (size_t k = 0; k < sizeof(r) / sizeof(r[0]); k++)
			bad += r[k] == -EUCLEAN || r[k] == -EIO;
		check_no_pins();
	}
	return bad;
}

/* Mounts the broken image and runs every call: some must meet the damage. */
static void calls_fail(const char *what)
{
	struct filedev f;
	char why[128] = "";
	filedev_open(&f, img, false);
	int r = ext2_mount(&f.dev, false, why, sizeof(why));
	CHECK(r == 0, "%s: mount says %d (%s)", what, r, why);
	if (!r) {
		int bad = poke_everything();
		CHECK(bad > 0, "%s: no call noticed", what);
		ext2_unmount();
	}
	filedev_close(&f);
}

void suite_corrupt(void)
{
	const char *tree = work_path("tree");
	run("rm -rf '%s' && mkdir -p '%s/d' && head -c 5000 /dev/urandom >'%s/a' && "
	    "echo x >'%s/d/x' && head -c 400000 /dev/urandom >'%s/big' && ln -s a '%s/fast' && "
	    "ln -s %0100d '%s/slow'", tree, tree, tree, tree, tree, tree, 0, tree);
	snprintf(base, sizeof(base), "%s/corrupt-base.img", work_dir());
	snprintf(img, sizeof(img), "%s/corrupt.img", work_dir());
	make_image(base, 2048, 1024, 128, tree, NULL);
	const uint64_t sb = 1024, gd = 2048;

	fresh();
	refused("a clean image", 0);
	poke32(sb + 56, 0);
	refused("no magic", -EUCLEAN);
	fresh();
	poke32(sb + 24, 9);
	refused("a 512 KiB block size", -EUCLEAN);
	fresh();
	poke32(sb + 0, 1u << 30);
	refused("inodes_count", -EUCLEAN);
	fresh();
	poke32(sb + 4, 1u << 30);
	refused("blocks past the device", -EUCLEAN);
	fresh();
	poke32(sb + 32, 0);
	refused("no blocks per group", -EUCLEAN);
	fresh();
	poke32(sb + 96, 0x42);
	refused("extents (an unknown INCOMPAT feature)", -EUCLEAN);
	fresh();
	poke32(sb + 100, 0x403);
	refused("metadata_csum (an unknown RO_COMPAT feature), read-write", -EROFS);
	struct filedev f;
	char why[128];
	filedev_open(&f, img, true);
	CHECK(ext2_mount(&f.dev, true, why, sizeof(why)) == 0 && walk("d/x"),
	      "an unknown RO_COMPAT feature mounts read-only");
	ext2_unmount();
	filedev_close(&f);
	fresh();
	poke32(gd + 8, 99999999);
	refused("an inode table outside the filesystem", -EUCLEAN);
	fresh();
	poke32(gd + 0, 0);
	refused("a block bitmap at block 0", -EUCLEAN);

	/* The root directory's first block: rec_len 0, then a name past its record. */
	long root_block = stat_field("/", "(0):");
	CHECK(root_block > 0, "the root's block");
	fresh();
	poke(root_block * 1024 + 4, "\0\0", 2);
	calls_fail("rec_len 0");
	fresh();
	poke(root_block * 1024 + 12 + 4, "\xff\x0f", 2);
	calls_fail("rec_len past the block");
	fresh();
	poke(root_block * 1024 + 12 + 6, "\xf0", 1);
	calls_fail("name_len past rec_len");
	fresh();
	poke32(root_block * 1024 + 24, 1u << 30);
	calls_fail("an entry's inode past the inodes");

	fresh();
	debugfs_w("sif /a block[0] 3000000");
	calls_fail("a block pointer outside the filesystem");
	fresh();
	debugfs_w("sif /a blocks 0xfffffff0");
	calls_fail("absurd i_blocks");
	fresh();
	debugfs_w("sif /d size 0x7ffffc00");
	calls_fail("an absurd directory size");
	fresh();
	debugfs_w("sif /fast size 200");
	calls_fail("a fast link longer than its room");

	/* big's single indirect block names itself, then its double indirect block does. */
	long ind = stat_field("/big", "(IND):");
	CHECK(ind > 0, "big's indirect block");
	fresh();
	poke32((uint64_t)ind * 1024, (uint32_t)ind);
	poke32((uint64_t)ind * 1024 + 4, (uint32_t)ind);
	calls_fail("an indirect block that names itself");
	long dind = stat_field("/big", "(DIND):");
	CHECK(dind > 0, "big's double indirect block");
	fresh();
	poke32((uint64_t)dind * 1024 + 4, (uint32_t)dind);
	calls_fail("a double indirect block that names itself");
	fresh();
	debugfs_w("sif /big block[IND] 2");
	calls_fail("an indirect block in the group descriptors");
}

/*
 * The ext2 library (services/filesystem/ext2*.c) on an arbitrary image: mounted over a block
 * device in memory, walked (every directory listed and looked up, every file read, every link
 * read), changed (a file created, written, unlinked; a directory made and removed), then
 * unmounted. Whatever the bytes, each call returns 0, a count or -errno, and the walk ends:
 * a crash, a leak, a hang or a pinned cache block is a bug.
 */
#include "fuzz.h"

#include "ext2.h"
#include "ext2_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NODES_MAX 64     /* nodes the walk visits */
#define NAMES_MAX 32     /* entries of a directory it follows */
#define DEPTH_MAX 6
#define READ_MAX (64 * 1024)

struct memdev {
	unsigned char *bytes;
	uint64_t sectors;
};

static int mem_read(void *ctx, uint64_t sector, void *buf, uint32_t count)
{
	struct memdev *m = ctx;
	if (sector > m->sectors || count > m->sectors - sector)
		return -EIO;
	memcpy(buf, m->bytes + sector * BLOCKDEV_SECTOR, (size_t)count * BLOCKDEV_SECTOR);
	return 0;
}

static int mem_write(void *ctx, uint64_t sector, const void *buf, uint32_t count)
{
	struct memdev *m = ctx;
	if (sector > m->sectors || count > m->sectors - sector)
		return -EIO;
	memcpy(m->bytes + sector * BLOCKDEV_SECTOR, buf, (size_t)count * BLOCKDEV_SECTOR);
	return 0;
}

static int mem_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

struct names {
	char name[NAMES_MAX][EXT2_NAME_MAX + 1];
	int count;
	uint64_t last;
};

static bool collect(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg)
{
	struct names *n = arg;
	(void)node, (void)mode;
	FUZZ_CHECK(strlen(name) <= EXT2_NAME_MAX, "a name of %zu bytes", strlen(name));
	FUZZ_CHECK(next > n->last || n->count == 0, "cookie %llu after %llu",
		   (unsigned long long)next, (unsigned long long)n->last);
	n->last = next;
	if (n->count == NAMES_MAX)
		return false;
	strcpy(n->name[n->count++], name);
	return true;
}

static void check_result(long r, const char *call)
{
	FUZZ_CHECK(r >= -4095, "%s returned %ld", call, r);
	FUZZ_CHECK(bc_pinned() == 0, "%s left %u cache blocks pinned", call, bc_pinned());
}

static int visited;

static void visit(uint64_t node, int depth, unsigned char *buf)
{
	struct vfs_attr a;
	if (++visited > NODES_MAX || ext2_attr(node, &a) < 0)
		return;
	if (S_ISREG(a.mode)) {
		long n = ext2_read(node, 0, READ_MAX, buf);
		check_result(n, "read");
		FUZZ_CHECK(n <= READ_MAX && (n < 0 || (uint64_t)n <= a.size), "read %ld of %llu", n,
			   a.size);
		check_result(ext2_read(node, a.size > 100 ? a.size - 100 : 0, 200, buf), "read");
	} else if (S_ISLNK(a.mode)) {
		char target[128];
		long n = ext2_readlink(node, target, sizeof(target));
		check_result(n, "readlink");
		FUZZ_CHECK(n < 0 || (size_t)n == strlen(target), "readlink %ld", n);
	} else if (S_ISDIR(a.mode) && depth < DEPTH_MAX) {
		struct names *names = calloc(1, sizeof(*names));
		ext2_list(node, 0, collect, names);
		check_result(0, "list");
		for (int i = 0; i < names->count; i++) {
			uint64_t child;
			long r = ext2_lookup(node, names->name[i], &child);
			check_result(r, "lookup");
			if (!r && strcmp(names->name[i], ".") && strcmp(names->name[i], ".."))
				visit(child, depth + 1, buf);
		}
		free(names);
	}
}

/* Changes to the tree: each call may fail, none may misbehave. */
static void change(unsigned char *buf)
{
	uint64_t node, dir, at;
	long r = ext2_create(VFS_ROOT_NODE, "fuzz-new", S_IFREG | 0644, NULL, &node);
	check_result(r, "create");
	if (!r) {
		memset(buf, 'z', 5000);
		check_result(ext2_write(node, 0, 5000, buf, false, &at), "write");
		check_result(ext2_write(node, 1 << 20, 100, buf, false, &at), "sparse write");
		struct vfs_attr a = {.size = 10};
		check_result(ext2_setattr(node, VFS_SET_SIZE, &a), "truncate");
		check_result(ext2_sync(node), "sync");
		check_result(ext2_unlink(VFS_ROOT_NODE, "fuzz-new", false), "unlink");
	}
	r = ext2_create(VFS_ROOT_NODE, "fuzz-dir", S_IFDIR | 0755, NULL, &dir);
	check_result(r, "mkdir");
	if (!r) {
		check_result(ext2_rename(VFS_ROOT_NODE, "fuzz-dir", VFS_ROOT_NODE, "fuzz-dir2", 0),
			     "rename");
		check_result(ext2_unlink(VFS_ROOT_NODE, "fuzz-dir2", true), "rmdir");
	}
	/* An existing file goes too: its blocks are freed through whatever map it has. */
	struct names *names = calloc(1, sizeof(*names));
	ext2_list(VFS_ROOT_NODE, 0, collect, names);
	for (int i = 0; i < names->count && i < 4; i++)
		check_result(ext2_unlink(VFS_ROOT_NODE, names->name[i], false), "unlink");
	free(names);
	check_result(ext2_sync(0), "sync all");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exactly sized copy, so that reading one byte too far trips AddressSanitizer. */
	struct memdev m = {malloc(size ? size : 1), size / BLOCKDEV_SECTOR};
	memcpy(m.bytes, data, size);
	struct blockdev dev = {.ctx = &m, .sectors = m.sectors, .read = mem_read, .write = mem_write,
			       .flush = mem_flush};
	char why[128];
	unsigned char *buf = malloc(READ_MAX);
	for (int pass = 0; pass < 2; pass++) {
		bool ro = pass == 0;
		int r = ext2_mount(&dev, ro, why, sizeof(why));
		FUZZ_CHECK(r <= 0 && r >= -4095, "mount returned %d", r);
		if (r)
			continue;
		visited = 0;
		visit(VFS_ROOT_NODE, 0, buf);
		if (!ro)
			change(buf);
		check_result(ext2_unmount(), "unmount");
	}
	free(buf);
	free(m.bytes);
	return 0;
}

/* The tests' tools: the image-file block device, running e2fsprogs, walking the library. */
#include "ext2_test.h"
#include "ext2_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int test_failures;

void test_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: FAILED: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	test_failures++;
}

static int fd_read(void *ctx, uint64_t sector, void *buf, uint32_t count)
{
	struct filedev *f = ctx;
	size_t len = (size_t)count * BLOCKDEV_SECTOR;
	f->reads++;
	f->read_bytes += len;
	if (sector + count > f->dev.sectors)
		return -EIO;
	return pread(f->fd, buf, len, (off_t)(sector * BLOCKDEV_SECTOR)) == (ssize_t)len ? 0 : -EIO;
}

static int fd_write(void *ctx, uint64_t sector, const void *buf, uint32_t count)
{
	struct filedev *f = ctx;
	size_t len = (size_t)count * BLOCKDEV_SECTOR;
	f->writes++;
	if (sector + count > f->dev.sectors)
		return -EIO;
	if (f->dev.readonly)
		return -EROFS;
	if (f->writes_left == 0)
		return 0; /* the power is off: nothing reaches the disk */
	if (f->writes_left > 0)
		f->writes_left--;
	return pwrite(f->fd, buf, len, (off_t)(sector * BLOCKDEV_SECTOR)) == (ssize_t)len ? 0 : -EIO;
}

static int fd_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

void filedev_open(struct filedev *f, const char *path, bool readonly)
{
	*f = (struct filedev){.fd = open(path, readonly ? O_RDONLY : O_RDWR), .writes_left = -1};
	if (f->fd < 0) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	struct stat st;
	fstat(f->fd, &st);
	f->dev = (struct blockdev){.ctx = f, .sectors = (uint64_t)st.st_size / BLOCKDEV_SECTOR,
				   .readonly = readonly, .read = fd_read, .write = fd_write,
				   .flush = fd_flush};
}

void filedev_close(struct filedev *f)
{
	close(f->fd);
	f->fd = -1;
}

const char *work_dir(void)
{
	static char dir[256];
	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/ext2test.XXXXXX", tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return dir;
}

const char *work_path(const char *name)
{
	static char paths[8][512];
	static unsigned next;
	char *p = paths[next++ % 8];
	snprintf(p, 512, "%s/%s", work_dir(), name);
	return p;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		exit(1);
	return s;
}

int run(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = vformat(fmt, ap);
	va_end(ap);
	int st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

char *capture(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = vformat(fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	free(cmd);
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	size_t n;
	while (p && (n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 1024)
			out = realloc(out, cap *= 2);
	}
	out[len] = '\0';
	if (p)
		pclose(p);
	return out;
}

const char *tool(const char *name)
{
	char var[64];
	snprintf(var, sizeof(var), "EXT2_TEST_%s", name);
	for (char *c = var; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	const char *path = getenv(var);
	return path && *path ? path : name;
}

void make_image(const char *img, unsigned kib, unsigned bs, unsigned is, const char *dir,
		const char *extra)
{
	char d[600] = "";
	if (dir)
		snprintf(d, sizeof(d), "-d '%s'", dir);
	unlink(img);
	int st = run("'%s' -q -F -t ext2 -b %u -I %u %s %s '%s' %uk >/dev/null 2>&1", tool("mke2fs"),
		     bs, is, extra ? extra : "", d, img, kib);
	if (st) {
		fprintf(stderr, "mke2fs failed (%d) for %s\n", st, img);
		exit(1);
	}
}

int fsck(const char *img, bool preen)
{
	return run("'%s' -f%s '%s' >'%s.fsck' 2>&1", tool("e2fsck"), preen ? "p" : "n", img, img);
}

bool mount_image(struct filedev *f, const char *img, bool readonly)
{
	char why[128] = "";
	filedev_open(f, img, readonly);
	int r = ext2_mount(&f->dev, readonly, why, sizeof(why));
	CHECK(r == 0, "mount %s: %d (%s)", img, r, why);
	if (r)
		filedev_close(f);
	return r == 0;
}

uint64_t walk(const char *path)
{
	uint64_t node = VFS_ROOT_NODE;
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save, *part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save))
		if (ext2_lookup(node, part, &node) < 0)
			return 0;
	return node;
}

unsigned char *read_all(uint64_t node, size_t *len)
{
	struct vfs_attr a;
	if (ext2_attr(node, &a) < 0) {
		*len = 0;
		return NULL;
	}
	unsigned char *buf = malloc(a.size + 1);
	long n = ext2_read(node, 0, a.size, buf);
	CHECK(n == (long)a.size, "read %llu bytes of node %llu: %ld", a.size,
	      (unsigned long long)node, n);
	*len = n > 0 ? (size_t)n : 0;
	return buf;
}

uint64_t put_file(uint64_t dir, const char *name, const void *data, size_t len)
{
	uint64_t node, at;
	if (ext2_lookup(dir, name, &node) < 0)
		OK(ext2_create(dir, name, S_IFREG | 0644, NULL, &node));
	long n = ext2_write(node, 0, len, data, false, &at);
	CHECK(n == (long)len, "write %zu bytes to %s: %ld", len, name, n);
	return node;
}

void fill_pattern(unsigned char *buf, size_t len, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 12345;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

void check_no_pins(void)
{
	uint32_t pins = bc_pinned();
	CHECK(pins == 0, "%u cache blocks still pinned after a call", pins);
}

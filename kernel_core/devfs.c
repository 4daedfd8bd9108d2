/*
 * /dev: the kernel's character devices (null, zero, full, random, urandom, kmsg, tty, console,
 * tty1 and its other end vt1: vt.c) and the links to the current process's descriptors. A device node elsewhere (a server's mknod) opens
 * the same device through chrdev_open. And the socket nodes programs bind there (syslogd's
 * /dev/log), SOCKETS_MAX of them, until unlinked: the only nodes /dev takes.
 */
#include <kernel/klib.h>
#include <kernel/klog.h>
#include <kernel/plat.h>
#include <kernel/random.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <kernel/vt.h>
#include <uapi/linux.h>

#define MKDEV(major, minor) ((major) << 8 | (minor))
#define VT_MAJOR 240 /* /dev/vt1: Linux's range for local use */

static const struct {
	const char *name;
	unsigned mode;
	unsigned rdev;
	const char *link;
} entries[] = {
	{"null", S_IFCHR | 0666, MKDEV(1, 3), NULL},
	{"zero", S_IFCHR | 0666, MKDEV(1, 5), NULL},
	{"full", S_IFCHR | 0666, MKDEV(1, 7), NULL},
	{"random", S_IFCHR | 0666, MKDEV(1, 8), NULL},
	{"urandom", S_IFCHR | 0666, MKDEV(1, 9), NULL},
	{"kmsg", S_IFCHR | 0644, MKDEV(1, 11), NULL},
	{"tty", S_IFCHR | 0666, MKDEV(5, 0), NULL},
	{"console", S_IFCHR | 0600, MKDEV(5, 1), NULL},
	{"tty1", S_IFCHR | 0620, MKDEV(4, 1), NULL},
	{"vt1", S_IFCHR | 0600, MKDEV(VT_MAJOR, 1), NULL},
	{"dsp", S_IFCHR | 0666, CHR_RDEV_DSP, NULL},
	{"mixer", S_IFCHR | 0666, CHR_RDEV_MIXER, NULL},
	{"fd", S_IFLNK | 0777, 0, "/proc/self/fd"},
	{"stdin", S_IFLNK | 0777, 0, "/proc/self/fd/0"},
	{"stdout", S_IFLNK | 0777, 0, "/proc/self/fd/1"},
	{"stderr", S_IFLNK | 0777, 0, "/proc/self/fd/2"},
};

#define SOCKETS_MAX 16
#define SOCKET_NAME_MAX 32
#define SOCKET_INO 0x20000ull /* node SOCKET_INO + i: socket slot i */

static struct {
	char name[SOCKET_NAME_MAX + 1]; /* "" for a free slot */
	unsigned mode;
} sockets[SOCKETS_MAX];

/* Node 1 is the directory, node i+2 entry i. */
int devfs_init(struct inode **root)
{
	kmemset(sockets, 0, sizeof(sockets)); /* a new boot's /dev has none */
	*root = inode_new(&devfs_type, NULL, 1, S_IFDIR | 0755);
	return *root ? 0 : -ENOMEM;
}

static int devfs_lookup(struct thread *t, struct inode *dir, const char *name, size_t len,
			struct inode **out)
{
	(void)t;
	for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
		if (kstrlen(entries[i].name) != len || kmemcmp(entries[i].name, name, len))
			continue;
		*out = inode_new(&devfs_type, dir->mnt, i + 2, entries[i].mode);
		return *out ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < SOCKETS_MAX; i++) {
		if (!sockets[i].name[0] || kstrlen(sockets[i].name) != len ||
		    kmemcmp(sockets[i].name, name, len))
			continue;
		*out = inode_new(&devfs_type, dir->mnt, SOCKET_INO + i, sockets[i].mode);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static int devfs_create(struct thread *t, struct inode *dir, const char *name, unsigned mode,
			struct inode **out)
{
	if ((mode & S_IFMT) != S_IFSOCK)
		return -EROFS; /* the devices are the kernel's */
	size_t len = kstrlen(name);
	struct inode *there;
	if (devfs_lookup(t, dir, name, len, &there) == 0) {
		inode_put(there);
		return -EEXIST;
	}
	if (len > SOCKET_NAME_MAX)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < SOCKETS_MAX; i++) {
		if (sockets[i].name[0])
			continue;
		kmemcpy(sockets[i].name, name, len + 1);
		sockets[i].mode = mode;
		*out = inode_new(&devfs_type, dir->mnt, SOCKET_INO + i, mode);
		if (!*out)
			sockets[i].name[0] = 0;
		return *out ? 0 : -ENOMEM;
	}
	return -ENOSPC;
}

static int devfs_unlink(struct thread *t, struct inode *dir, const char *name)
{
	(void)t, (void)dir;
	for (size_t i = 0; i < SOCKETS_MAX; i++)
		if (sockets[i].name[0] && !kstrcmp(sockets[i].name, name)) {
			sockets[i].name[0] = 0;
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(entries); i++)
		if (!kstrcmp(entries[i].name, name))
			return -EROFS;
	return -ENOENT;
}

static int devfs_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a)
{
	(void)t;
	a->ino = ino->ino;
	a->blksize = PAGE_SIZE;
	if (ino->ino - DEVFS_STREAM_INO < 3) { /* the console as byte streams (tty_std_files) */
		a->mode = ino->mode;
		a->rdev = MKDEV(5, 1);
		a->nlink = 1;
		return 0;
	}
	if (ino->ino == 1) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
		return 0;
	}
	if (ino->ino >= SOCKET_INO) {
		a->mode = ino->mode;
		a->nlink = 1;
		return 0;
	}
	a->mode = entries[ino->ino - 2].mode;
	a->rdev = entries[ino->ino - 2].rdev;
	a->nlink = 1;
	if (entries[ino->ino - 2].link)
		a->size = kstrlen(entries[ino->ino - 2].link);
	return 0;
}

static long devfs_readdir(struct thread *t, struct file *f, uint64_t buf, uint64_t len)
{
	uint64_t done = 0;
	const uint64_t nfixed = ARRAY_SIZE(entries) + 2;
	while (f->offset < nfixed + SOCKETS_MAX) {
		uint64_t pos = f->offset;
		if (pos >= nfixed && !sockets[pos - nfixed].name[0]) {
			f->offset++; /* a free socket slot */
			continue;
		}
		const char *name = pos == 0 ? "." : pos == 1 ? ".." : pos < nfixed ? entries[pos - 2].name
							     : sockets[pos - nfixed].name;
		unsigned mode = pos < 2 ? S_IFDIR : pos < nfixed ? entries[pos - 2].mode
							: sockets[pos - nfixed].mode;
		uint64_t ino = pos < 2 ? 1 : pos < nfixed ? pos : SOCKET_INO + (pos - nfixed);
		long r = dirent_put(t, buf + done, len - done, ino, pos + 1, mode, name,
				    kstrlen(name));
		if (r == -EINVAL && done)
			break;
		if (r < 0)
			return r;
		done += (uint64_t)r;
		f->offset++;
	}
	return (long)done;
}

static const struct file_ops dir_ops = {.readdir = devfs_readdir, .seekable = true};

static int devfs_open(struct thread *t, struct inode *ino, struct file *f)
{
	if (ino->ino - DEVFS_STREAM_INO < 3)
		return tty_open_stream(f, (int)(ino->ino - DEVFS_STREAM_INO));
	if (ino->ino == 1) {
		f->ops = &dir_ops;
		return 0;
	}
	if (ino->ino >= SOCKET_INO)
		return -ENXIO; /* a socket node is connected to, not opened */
	return chrdev_open(t, entries[ino->ino - 2].rdev, f);
}

static long devfs_readlink(struct thread *t, struct inode *ino, char *buf, size_t size)
{
	(void)t;
	const char *link = ino->ino >= 2 && ino->ino < 2 + ARRAY_SIZE(entries)
				   ? entries[ino->ino - 2].link : NULL;
	if (!link)
		return -EINVAL;
	size_t n = MIN(kstrlen(link), size);
	kmemcpy(buf, link, n);
	return (long)n;
}

static int devfs_statfs(struct thread *t, struct inode *ino, struct vfs_statfs *s)
{
	(void)t, (void)ino;
	*s = (struct vfs_statfs){.type = DEVFS_MAGIC, .bsize = PAGE_SIZE, .namelen = NAME_MAX};
	return 0;
}

const struct fs_type devfs_type = {
	.name = "devtmpfs",
	.magic = DEVFS_MAGIC,
	.lookup = devfs_lookup,
	.create = devfs_create,
	.unlink = devfs_unlink,
	.getattr = devfs_getattr,
	.open = devfs_open,
	.readlink = devfs_readlink,
	.statfs = devfs_statfs,
};

static void zero_fill(void *piece, size_t n)
{
	kmemset(piece, 0, n);
}

/* The memory devices: what each reads and what a write does. A big read returns in pieces of
 * 1 MiB, as Linux's do. */
static long mem_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	unsigned minor = (unsigned)f->priv_len;
	if (minor == 3)
		return 0;
	void (*fill)(void *, size_t) = minor == 8 || minor == 9 ? random_bytes : zero_fill;
	size_t n = (size_t)MIN(len, 1u << 20);
	if (!fill_out(t->proc->mm, buf, n, fill))
		return (long)n;
	/* Some page is not writable: what comes before it is read, as on Linux. */
	size_t done = 0;
	while (done < n) {
		size_t piece = MIN(n - done, PAGE_SIZE - ((buf + done) & PAGE_MASK));
		if (fill_out(t->proc->mm, buf + done, piece, fill))
			break;
		done += piece;
	}
	return done ? (long)done : -EFAULT;
}

static long mem_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)t, (void)buf, (void)off;
	return (unsigned)f->priv_len == 7 ? -ENOSPC : (long)len;
}

static unsigned mem_poll(struct file *f)
{
	(void)f;
	return POLLIN | POLLOUT;
}

static const struct file_ops mem_ops = {.read = mem_read, .write = mem_write, .poll = mem_poll,
					.seekable = true};

int chrdev_open(struct thread *t, unsigned rdev, struct file *f)
{
	switch (rdev >> 8) {
	case 1:
		if (rdev == MKDEV(1, 11))
			return klog_open(f);
		if (rdev != MKDEV(1, 3) && rdev != MKDEV(1, 5) && rdev != MKDEV(1, 7) &&
		    rdev != MKDEV(1, 8) && rdev != MKDEV(1, 9))
			return -ENXIO;
		f->ops = &mem_ops;
		f->priv_len = rdev & 0xff;
		return 0;
	case 4:
		return rdev == MKDEV(4, 1) ? tty_open(t, vt_tty(), f) : -ENXIO;
	case 14: /* OSS sound, served by the audio service (chrsrv.c) */
		return chrsrv_open(t, rdev, f);
	case VT_MAJOR:
		return rdev == MKDEV(VT_MAJOR, 1) ? vt_open(f) : -ENXIO;
	case 5:
		if (rdev == MKDEV(5, 0))
			return tty_open_controlling(t, f);
		/* A console that is no terminal (a pipe, a file) is its byte streams, as a
		 * program's standard descriptors are then: no line discipline to feed. */
		if (rdev == MKDEV(5, 1))
			return plat_console_interactive() ? tty_open(t, tty_console(), f)
							  : tty_open_stream(f, 1);
		return -ENXIO;
	default:
		return -ENXIO;
	}
}

/*
 * The filesystem service: the file server of "/". It copies the boot image's tree into memory,
 * asks the kernel to serve "/" (fs_serve), and from then on answers the kernel's requests (the
 * vfs protocol of <eclipse.h>), one at a time, for every process's file calls. File data moves
 * between the caller's buffers and the tree with grant_copy. Between requests the receive's
 * timeout brings the next heartbeat; SIGTERM (or SIGINT) stops it with exit status 0.
 */
#include "ext2.h"
#include "tree.h"
#include "virtio_blk.h"

#include <dirent.h>
#include <ecl/duration.h>
#include <ecl/ipc.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NAME "filesystem"
#define HEARTBEAT_NS 5000000000ull
#define BYTES_MAX_DEFAULT (128ull << 20)
#define DIRENT_BUF (64u * 1024u)
#define COPY_BUF (256u * 1024u) /* file data between a disk and a client, a piece at a time */

static volatile sig_atomic_t stop_signal;
static bool quiet;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	if (quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long fs_serve(const char *path)
{
	return syscall(SYS_fs_serve, path);
}

static long grant_copy(int client, uint64_t off, void *buf, size_t len, unsigned dir)
{
	return syscall(SYS_grant_copy, client, off, buf, len, dir);
}

/*
 * Where the files are: the memory tree (no disk) or ext2 on the disk. Both answer the same
 * calls; the tree hands out pointers into its own memory for READ and WRITE, the disk copies
 * through a buffer of ours.
 */
struct backend {
	const char *what;
	int (*check)(uint64_t node, uint64_t gen);
	int (*attr)(uint64_t node, struct vfs_attr *a);
	long (*lookup)(uint64_t dir, const char *name, uint64_t *node);
	long (*create)(uint64_t dir, const char *name, unsigned mode, const char *target,
		       uint64_t *node);
	long (*link)(uint64_t dir, const char *name, uint64_t node);
	long (*unlink)(uint64_t dir, const char *name, bool want_dir);
	long (*rename)(uint64_t dir, const char *name, uint64_t dir2, const char *name2,
		       unsigned flags);
	long (*setattr)(uint64_t node, unsigned what, const struct vfs_attr *a);
	long (*read)(uint64_t node, uint64_t off, uint64_t len, void *buf);
	long (*write)(uint64_t node, uint64_t off, uint64_t len, const void *buf, bool append,
		      uint64_t *at);
	long (*readlink)(uint64_t node, char *buf, size_t room);
	uint64_t (*list)(uint64_t dir, uint64_t cookie,
			 bool (*put)(const char *, uint64_t, unsigned, uint64_t, void *), void *arg);
	void (*open)(uint64_t node);
	void (*close)(uint64_t node);
	int (*statfs)(struct vfs_statfs *s);
	int (*sync)(uint64_t node);
};

static int tree_attr_of(uint64_t node, struct vfs_attr *a)
{
	tree_attr(node, a);
	return 0;
}

static long tree_readlink_of(uint64_t node, char *buf, size_t room)
{
	const char *target = tree_target(node);
	if (!target)
		return -EINVAL;
	size_t n = strlen(target);
	n = n < room - 1 ? n : room - 1;
	memcpy(buf, target, n);
	buf[n] = 0;
	return (long)n;
}

static int tree_statfs_of(struct vfs_statfs *st)
{
	size_t nodes, nodes_max, bytes, bytes_max;
	tree_usage(&nodes, &nodes_max, &bytes, &bytes_max);
	*st = (struct vfs_statfs){0x01021994, 4096, bytes_max / 4096, (bytes_max - bytes) / 4096,
				  nodes_max, nodes_max - nodes, 255};
	return 0;
}

static int tree_sync_of(uint64_t node)
{
	(void)node;
	return 0; /* memory is as stable as it gets */
}

static const struct backend memory_backend = {
	"memory", tree_check, tree_attr_of, tree_lookup, tree_create, tree_link, tree_unlink,
	tree_rename, tree_setattr, NULL, NULL, tree_readlink_of, tree_list, tree_open, tree_close,
	tree_statfs_of, tree_sync_of,
};

static const struct backend disk_backend = {
	"disk", ext2_check, ext2_attr, ext2_lookup, ext2_create, ext2_link, ext2_unlink,
	ext2_rename, ext2_setattr, ext2_read, ext2_write, ext2_readlink, ext2_list, ext2_open,
	ext2_close, ext2_statfs, ext2_sync,
};

static const struct backend *be = &memory_backend;

/* What the copy from the boot image found. */
struct seeded {
	unsigned files, dirs, links;
	size_t bytes;
};

/* The boot image's path of a node being copied, and the node it becomes. */
static int seed_entry(const char *path, uint64_t dir, const char *name, struct seeded *s);

static int seed_dir(const char *path, uint64_t node, struct seeded *s)
{
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	int err = 0;
	for (struct dirent *e; !err && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* /dev, /proc and /boot are the kernel's: only their mount points are kept. */
		if (node == VFS_ROOT_NODE && (!strcmp(e->d_name, "dev") || !strcmp(e->d_name, "proc") ||
					      !strcmp(e->d_name, "boot")))
			continue;
		char child[PATH_MAX];
		if (snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", e->d_name) >=
		    (int)sizeof(child))
			continue;
		err = seed_entry(child, node, e->d_name, s);
	}
	closedir(d);
	return err;
}

static int seed_file(const char *path, uint64_t node, size_t size, struct seeded *s)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unsigned char *dst;
	uint64_t where;
	long err = tree_write_room(node, 0, size, false, &dst, &where);
	size_t got = 0;
	while (!err && got < size) {
		ssize_t n = read(fd, dst + got, size - got);
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (!err) {
		tree_written(node, where, got);
		s->bytes += got;
	}
	return (int)err;
}

static int seed_entry(const char *path, uint64_t dir, const char *name, struct seeded *s)
{
	struct stat st;
	if (lstat(path, &st))
		return -errno;
	char target[PATH_MAX];
	uint64_t node;
	long err;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = 0;
		err = tree_create(dir, name, S_IFLNK | 0777, target, &node);
		s->links += !err;
	} else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
		err = tree_create(dir, name, st.st_mode & (S_IFMT | 07777), NULL, &node);
		if (!err && S_ISDIR(st.st_mode)) {
			s->dirs++;
			err = seed_dir(path, node, s);
		} else if (!err) {
			s->files++;
			err = seed_file(path, node, (size_t)st.st_size, s);
		}
	} else {
		return 0; /* devices and the like are not copied */
	}
	if (!err) {
		struct vfs_attr a = {.mtime_ns = st.st_mtim.tv_sec * 1000000000ll + st.st_mtim.tv_nsec};
		a.atime_ns = a.mtime_ns;
		tree_setattr(node, VFS_SET_ATIME | VFS_SET_MTIME, &a);
	}
	return (int)err;
}

/* The directories every root has: the kernel's mount points and /tmp. */
static int standard_dirs(void)
{
	static const struct {
		const char *name;
		unsigned mode;
	} dirs[] = {{"boot", 0755}, {"dev", 0755}, {"proc", 0555}, {"tmp", 01777}};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		uint64_t node;
		if (be->lookup(VFS_ROOT_NODE, dirs[i].name, &node) == 0)
			continue;
		long err = be->create(VFS_ROOT_NODE, dirs[i].name, S_IFDIR | dirs[i].mode, NULL, &node);
		if (err)
			return (int)err;
	}
	return 0;
}

/* A request's names: 0 with *name (and *name2) set when they lie NUL-terminated in the
 * message, or -EINVAL. */
static int names(const struct vfs_req *q, size_t len, const char **name, const char **name2)
{
	size_t room = len - sizeof(*q);
	if (q->name_len > room || q->name2_len > room - q->name_len ||
	    (size_t)q->name_len + q->name2_len + 2 > room || q->names[q->name_len] ||
	    q->names[q->name_len + 1 + q->name2_len])
		return -EINVAL;
	*name = q->names;
	*name2 = q->names + q->name_len + 1;
	if (strlen(*name) != q->name_len || strlen(*name2) != q->name2_len)
		return -EINVAL;
	return 0;
}

/* Packs linux_dirent64 records into a buffer, as getdents64 returns them. */
struct dirents {
	unsigned char *buf;
	size_t len, room;
	uint64_t next;
};

static bool put_dirent(const char *name, uint64_t node, unsigned mode, uint64_t next, void *arg)
{
	struct dirents *d = arg;
	size_t namelen = strlen(name);
	size_t reclen = (19 + namelen + 1 + 7) & ~(size_t)7;
	if (d->len + reclen > d->room)
		return false;
	unsigned char *r = d->buf + d->len;
	memset(r, 0, reclen);
	uint64_t off = next;
	uint16_t rl = (uint16_t)reclen;
	memcpy(r, &node, 8);
	memcpy(r + 8, &off, 8);
	memcpy(r + 16, &rl, 2);
	r[18] = (unsigned char)((mode & S_IFMT) >> 12); /* DT_* is the type's high bits */
	memcpy(r + 19, name, namelen);
	d->len += reclen;
	d->next = next;
	return true;
}

/* READ from the disk: the file's bytes through our buffer to the client, a piece at a time. */
static long read_through(const struct vfs_req *q, int client)
{
	static unsigned char buf[COPY_BUF];
	uint64_t done = 0;
	while (done < q->len) {
		uint64_t want = q->len - done < COPY_BUF ? q->len - done : COPY_BUF;
		long n = be->read(q->node, q->offset + done, want, buf);
		if (n <= 0) {
			if (n < 0 && !done)
				return n;
			break;
		}
		if (grant_copy(client, done, buf, (size_t)n, GRANT_TO_CLIENT) < 0)
			return done ? (long)done : -errno;
		done += (uint64_t)n;
		if ((uint64_t)n < want)
			break;
	}
	return (long)done;
}

/* WRITE to the disk: the client's bytes through our buffer to the file. */
static long write_through(const struct vfs_req *q, int client)
{
	static unsigned char buf[COPY_BUF];
	uint64_t done = 0;
	bool append = q->flags & O_APPEND;
	while (done < q->len) {
		uint64_t want = q->len - done < COPY_BUF ? q->len - done : COPY_BUF;
		if (grant_copy(client, done, buf, (size_t)want, GRANT_FROM_CLIENT) < 0)
			return done ? (long)done : -errno;
		uint64_t at;
		long n = be->write(q->node, q->offset + done, want, buf, append, &at);
		if (n <= 0) {
			if (n < 0 && !done)
				return n;
			break;
		}
		done += (uint64_t)n;
		if ((uint64_t)n < want)
			break;
	}
	return (long)done;
}

/* Carries out request q (len bytes, operation op) of client; fills the reply. */
static long serve(unsigned op, const struct vfs_req *q, size_t len, int client, struct vfs_rep *rep,
		  size_t *rep_len)
{
	const char *name = NULL, *name2 = NULL;
	*rep_len = sizeof(*rep);
	if (len < sizeof(*q))
		return -EINVAL;
	if (op != VFS_STATFS && op != VFS_SYNC) {
		int err = be->check(q->node, q->gen);
		if (err)
			return err;
	}
	int err = names(q, len, &name, &name2);
	if (err)
		return err;
	uint64_t node = 0;
	long r = 0;
	switch (op) {
	case VFS_LOOKUP:
		r = be->lookup(q->node, name, &node);
		break;
	case VFS_GETATTR:
		node = q->node;
		break;
	case VFS_SETATTR:
		r = be->setattr(q->node, q->flags, &q->attr);
		node = q->node;
		break;
	case VFS_READ: {
		if (be->read) {
			r = read_through(q, client);
			break;
		}
		const unsigned char *data;
		size_t n = tree_read(q->node, q->offset, q->len, &data);
		r = n ? grant_copy(client, 0, (void *)data, n, GRANT_TO_CLIENT) : 0;
		r = r < 0 ? -errno : (long)n;
		break;
	}
	case VFS_WRITE: {
		node = q->node;
		if (be->write) {
			r = write_through(q, client);
			break;
		}
		unsigned char *dst;
		uint64_t at;
		r = tree_write_room(q->node, q->offset, q->len, q->flags & O_APPEND, &dst, &at);
		if (r)
			break;
		long n = q->len ? grant_copy(client, 0, dst, q->len, GRANT_FROM_CLIENT) : 0;
		if (n < 0) {
			r = -errno;
			break;
		}
		tree_written(q->node, at, (uint64_t)n);
		r = n;
		break;
	}
	case VFS_CREATE:
		if (!S_ISREG(q->mode) && !S_ISFIFO(q->mode) && !S_ISSOCK(q->mode))
			return -EINVAL;
		r = be->create(q->node, name, q->mode, NULL, &node);
		break;
	case VFS_MKDIR:
		r = be->create(q->node, name, S_IFDIR | (q->mode & 07777), NULL, &node);
		break;
	case VFS_SYMLINK:
		r = be->create(q->node, name, S_IFLNK | 0777, name2, &node);
		break;
	case VFS_LINK:
		if ((r = be->check(q->node2, q->gen2)))
			break;
		r = be->link(q->node, name, q->node2);
		node = q->node2;
		break;
	case VFS_UNLINK:
	case VFS_RMDIR:
		r = be->unlink(q->node, name, op == VFS_RMDIR);
		break;
	case VFS_RENAME:
		if (!(r = be->check(q->node2, q->gen2)))
			r = be->rename(q->node, name, q->node2, name2, q->flags);
		break;
	case VFS_READDIR: {
		static unsigned char buf[DIRENT_BUF];
		struct dirents d = {buf, 0, q->len < sizeof(buf) ? q->len : sizeof(buf), q->offset};
		be->list(q->node, q->offset, put_dirent, &d);
		if (!d.len && q->len && d.next < UINT64_MAX && q->len < 24)
			return -EINVAL; /* not even one record fits */
		r = d.len ? grant_copy(client, 0, buf, d.len, GRANT_TO_CLIENT) : 0;
		if (r < 0)
			return -errno;
		r = (long)d.len;
		rep->cookie = d.next;
		break;
	}
	case VFS_READLINK: {
		static char target[PATH_MAX];
		r = be->readlink(q->node, target, sizeof(target));
		if (r > (long)VFS_DATA_MAX)
			r = VFS_DATA_MAX;
		if (r >= 0) {
			memcpy(rep->data, target, (size_t)r);
			*rep_len += (size_t)r;
		}
		break;
	}
	case VFS_STATFS:
		r = be->statfs(&rep->statfs);
		break;
	case VFS_SYNC:
		r = be->sync(q->node);
		break;
	case VFS_OPEN:
		be->open(q->node);
		break;
	case VFS_CLOSE:
		be->close(q->node);
		break;
	default:
		return -ENOSYS;
	}
	if (r >= 0 && node) {
		int e = be->attr(node, &rep->attr);
		if (e < 0)
			return e;
	}
	return r;
}

/* Answers requests until a stop signal, with a heartbeat every heartbeat_ns. */
static int serve_loop(uint64_t heartbeat_ns)
{
	static union {
		struct ipc_msg msg;
	} in, out;
	unsigned long beats = 0;
	uint64_t next = monotonic_ns() + heartbeat_ns;
	while (!stop_signal) {
		uint64_t now = monotonic_ns();
		if (now >= next) {
			say(NAME ": heartbeat %lu\n", ++beats);
			/* After a long stop (a debugger, say), one heartbeat, not a burst of missed ones. */
			next = next + heartbeat_ns > now ? next + heartbeat_ns : now + heartbeat_ns;
			continue;
		}
		pid_t client = ipc_receive(0, &in.msg, next - now);
		if (client < 0) {
			if (errno == ETIMEDOUT || errno == EINTR)
				continue;
			fprintf(stderr, NAME ": receive failed: %s: stopping\n", strerror(errno));
			return 1;
		}
		if ((in.msg.flags & IPC_KERNEL) && (in.msg.flags & IPC_NOTIFY)) {
			/* The disk's interrupt for a request that request() saw complete before it
			 * came: acknowledge it, or the line stays masked and the next request waits
			 * in vain. */
			vblk_interrupted();
			continue;
		}
		if (!(in.msg.flags & IPC_KERNEL)) {
			/* Only the kernel speaks the vfs protocol; anyone else gets EINVAL. */
			out.msg.type = in.msg.type;
			out.msg.len = 0;
			ipc_reply(client, &out.msg);
			continue;
		}
		size_t rep_len;
		struct vfs_rep *rep = (struct vfs_rep *)out.msg.data;
		memset(rep, 0, sizeof(*rep));
		rep->status = serve(in.msg.type, (const struct vfs_req *)in.msg.data, in.msg.len, client,
				    rep, &rep_len);
		out.msg.type = in.msg.type;
		out.msg.len = (unsigned)rep_len;
		if (client > 0) /* posted requests (sender 0) want no answer */
			ipc_reply(client, &out.msg);
	}
	say(NAME ": %s received, stopping\n", stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
	return 0;
}

/* The disk this service was granted (services.conf's devices = virtio-blk), when there is one. */
static struct blockdev disk;
static struct pci_info disk_fn;

/* Mounts ext2 from the granted disk: true when / is to be served from it. A disk that is not
 * ext2, or broken, is said so, and / is the memory tree as without a disk. */
static bool mount_disk(void)
{
	int err = vblk_open(&disk, &disk_fn);
	if (err == -ENODEV)
		return false;
	if (err) {
		fprintf(stderr, NAME ": cannot drive the disk: %s: serving / from memory\n",
			strerror(-err));
		return false;
	}
	char why[128] = "";
	err = ext2_mount(&disk, disk.readonly, why, sizeof(why));
	if (err == -EROFS && !disk.readonly)
		err = ext2_mount(&disk, true, why, sizeof(why));
	if (err) {
		fprintf(stderr, NAME ": disk %02x:%02x.%x: cannot mount ext2: %s: serving / from memory\n",
			disk_fn.bus, disk_fn.dev, disk_fn.fn, why[0] ? why : strerror(-err));
		vblk_close();
		return false;
	}
	be = &disk_backend;
	return true;
}

/* Serves / from the mounted disk until a stop signal, then unmounts it clean. */
static int serve_disk(uint64_t heartbeat_ns)
{
	int err = disk.readonly ? 0 : standard_dirs();
	if (err)
		fprintf(stderr, NAME ": cannot make the standard directories: %s\n", strerror(-err));
	if (fs_serve("/") < 0) {
		fprintf(stderr, NAME ": cannot serve /: %s\n", strerror(errno));
		ext2_unmount();
		vblk_close();
		return 1;
	}
	say(NAME ": serving / from the disk at %02x:%02x.%x: ext2, %llu MiB%s\n", disk_fn.bus,
	    disk_fn.dev, disk_fn.fn, (unsigned long long)(disk.sectors >> 11),
	    disk.readonly ? ", read-only" : "");
	if (!ext2_was_clean())
		fprintf(stderr, NAME ": warning: the filesystem was not unmounted clean (or has "
				"errors): it stays marked so until e2fsck checks it\n");
	say(NAME ": ready, heartbeat every %llu ms\n", (unsigned long long)(heartbeat_ns / 1000000));
	int status = serve_loop(heartbeat_ns);
	bool clean = ext2_was_clean();
	err = ext2_unmount();
	if (err)
		fprintf(stderr, NAME ": unmounting the disk: %s\n", strerror(-err));
	else
		say(NAME ": disk unmounted%s\n", clean ? " clean" : ", still marked unchecked");
	vblk_close();
	return status || err ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t heartbeat_ns = HEARTBEAT_NS, bytes_max = BYTES_MAX_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strncmp(a, "--heartbeat=", 12) &&
		    !duration_parse_ns(a + 12, strlen(a + 12), &heartbeat_ns) && heartbeat_ns)
			continue;
		if (!strcmp(a, "--quiet")) {
			quiet = true;
			continue;
		}
		fprintf(stderr, NAME ": bad argument '%s'\nusage: %s [--heartbeat=DURATION] [--quiet]\n", a,
			argv[0]);
		return 2;
	}
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	say(NAME ": started (pid %d)\n", getpid());
	if (mount_disk())
		return serve_disk(heartbeat_ns);
	int err = tree_init((size_t)bytes_max);
	struct seeded s = {0};
	/* The kernel serves the boot image at /boot, and at / too until a server takes it: a
	 * restarted service finds it at /boot, a first one (when / is the image) at /. */
	struct stat boot;
	const char *image = stat("/boot", &boot) == 0 && S_ISDIR(boot.st_mode) ? "/boot" : "/";
	if (!err)
		err = seed_dir(image, VFS_ROOT_NODE, &s);
	if (!err)
		err = standard_dirs();
	if (err) {
		fprintf(stderr, NAME ": cannot copy the boot image: %s\n", strerror(-err));
		return 1;
	}
	/* Counts, not bytes: the transcript stays the same when a program's size changes. */
	say(NAME ": %u files, %u directories and %u links from the boot image\n", s.files, s.dirs,
	    s.links);
	if (fs_serve("/") < 0) {
		fprintf(stderr, NAME ": cannot serve /: %s\n", strerror(errno));
		return 1;
	}
	say(NAME ": serving / from memory, up to %llu MiB\n", (unsigned long long)(bytes_max >> 20));
	say(NAME ": ready, heartbeat every %llu ms\n", (unsigned long long)(heartbeat_ns / 1000000));
	return serve_loop(heartbeat_ns);
}

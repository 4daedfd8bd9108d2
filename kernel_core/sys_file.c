/*
 * Descriptor and I/O syscalls: open, read and write in their forms, seeking, duplicating,
 * fcntl, ioctl, pipes and sendfile. A file's operations move what they can now; a call that
 * must wait keeps what it already moved in its wait record (wait.done), and a signal ends it
 * with that count, as Linux's do.
 */
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define IO_MAX 0x7ffff000ull /* Linux's cap on one transfer */
#define IOV_MAX 1024
#define SENDFILE_CHUNK (64u * 1024u)

/* The open file behind fd, or NULL. */
static struct file *file_of(struct thread *t, uint64_t fd)
{
	return fd_get(t->proc->fds, (int64_t)(int)fd);
}

static bool readable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}

static bool writable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
}

static unsigned nofile(const struct thread *t)
{
	uint64_t cur = t->proc->rlim[RLIMIT_NOFILE].cur;
	return cur > FD_LIMIT_MAX ? FD_LIMIT_MAX : (unsigned)cur;
}

/* One read of f into buf at offset off (seekable) or the file's own position. */
static long read_at(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t *off)
{
	if (!f->ops || !f->ops->read)
		return S_ISDIR(f->ino->mode) ? -EISDIR : -EINVAL;
	long n = f->ops->read(t, f, buf, len, off ? *off : 0);
	if (n > 0 && off)
		*off += (uint64_t)n;
	return n;
}

/* One write of f from buf; O_APPEND writes at the end. */
static long write_at(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t *off,
		     bool positional)
{
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	if (off && (f->flags & O_APPEND) && !positional)
		return f->ops->write(t, f, buf, len, OFFSET_APPEND);
	long n = f->ops->write(t, f, buf, len, off ? *off : 0);
	if (n > 0 && off)
		*off += (uint64_t)n;
	return n;
}

long pieces_check(struct thread *t, struct pieces *ps)
{
	ps->total = 0;
	if (!ps->vec) {
		/* The whole of it must be user addresses (Linux's access_ok), then at most IO_MAX
		 * moves. */
		if (!user_range_ok(ps->buf, ps->len))
			return -EFAULT;
		ps->len = MIN(ps->len, IO_MAX);
		ps->total = ps->len;
		return 0;
	}
	/* A negative count is a huge unsigned one: EINVAL, after the access mode (EBADF). */
	if (ps->cnt > IOV_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < ps->cnt; i++) {
		struct linux_iovec v;
		if (copy_in(t->proc->mm, &v, ps->iov + i * sizeof(v), sizeof(v)))
			return -EFAULT;
		if ((int64_t)v.iov_len < 0)
			return -EINVAL;
		if (!user_range_ok(v.iov_base, v.iov_len))
			return -EFAULT;
		if (v.iov_len > IO_MAX - ps->total)
			v.iov_len = IO_MAX - ps->total;
		ps->total += v.iov_len;
	}
	return 0;
}

void piece(struct thread *t, const struct pieces *ps, unsigned i, uint64_t *buf, uint64_t *len)
{
	if (!ps->vec) {
		*buf = ps->buf;
		*len = ps->len;
		return;
	}
	struct linux_iovec v = {0, 0};
	copy_in(t->proc->mm, &v, ps->iov + i * sizeof(v), sizeof(v));
	*buf = v.iov_base;
	*len = v.iov_len;
}

bool piece_left(struct thread *t, const struct pieces *ps, unsigned i, uint64_t *skip,
		       uint64_t *buf, uint64_t *len)
{
	piece(t, ps, i, buf, len);
	if (*skip >= *len) {
		*skip -= *len;
		return false;
	}
	*buf += *skip;
	*len -= *skip;
	*skip = 0;
	return true;
}

/*
 * Reads into the pieces: from f's position (pos NULL) or from *pos. A piece that comes back
 * short ends the read; a later piece does not wait for data. It does wait for a file server's
 * answer, as a regular file's readv reads every piece: the bytes read so far are kept
 * (t->wait.done) and the rerun goes on after them.
 */
static long do_read(struct thread *t, struct file *f, struct pieces *ps, uint64_t *pos)
{
	if (!readable(f))
		return -EBADF;
	long err = pieces_check(t, ps);
	if (err)
		return err;
	if (unix_is_dgram(f))
		return unix_dgram_recv(t, f, ps, 0, 0, NULL); /* a whole message at a time */
	if (file_is_inet(f))
		return inet_transfer(t, f, ps, 0, false, 0, 0, NULL);
	uint64_t *off = pos ? pos : f->ops && f->ops->seekable ? &f->offset : NULL;
	uint64_t done = wait_rerunning(t) ? t->wait.done : 0, skip = done;
	if (pos)
		*pos += done; /* a positional call's offset starts from its arguments again */
	/* MSG_WAITALL (a socket's recv): every piece is filled, waiting as long as it takes, unless
	 * the stream ends, an error comes or a signal interrupts (with what came so far). */
	bool all = (t->msg_flags & MSG_WAITALL) != 0;
	unsigned n = ps->vec ? ps->cnt : 1;
	for (unsigned i = 0; i < n && done < ps->total; i++) {
		uint64_t buf, len;
		if (!piece_left(t, ps, i, &skip, &buf, &len))
			continue;
		len = MIN(len, ps->total - done);
		while (len) {
			if (!all && done && f->ops->poll && !(f->ops->poll(f) & (POLLIN | POLLHUP)))
				return (long)done;
			long r = read_at(t, f, buf, len, off);
			if (r == -EBLOCKED && done) {
				if (all || t->wait.kind == WAIT_SERVER || t->wait.kind == WAIT_MOUNT) {
					t->wait.done = done;
					t->wait.early = (long)done;
					return r;
				}
				/* a later piece began to wait for data: not any more, the data is the
				 * result */
				wait_clear(t);
				sched_make_runnable(t);
				return (long)done;
			}
			if (r < 0)
				return done ? (long)done : r;
			done += (uint64_t)r;
			if ((uint64_t)r < len && (!all || r == 0))
				return (long)done;
			buf += (uint64_t)r;
			len -= (uint64_t)r;
		}
	}
	return (long)done;
}

/* Writes the pieces; a wait keeps the bytes written so far (t->wait.done) for the rerun. */
static long do_write(struct thread *t, struct file *f, struct pieces *ps, uint64_t *pos)
{
	if (!writable(f))
		return -EBADF;
	long err = pieces_check(t, ps);
	if (err)
		return err;
	if (unix_is_dgram(f))
		return unix_dgram_send(t, f, ps, 0, 0); /* one message */
	if (file_is_inet(f))
		return inet_transfer(t, f, ps, 0, true, 0, 0, NULL);
	if (ps->vec && f->ops && f->ops->write_iov)
		return f->ops->write_iov(t, f, ps->iov, ps->cnt);
	bool positional = pos != NULL;
	uint64_t *off = pos ? pos : f->ops && f->ops->seekable ? &f->offset : NULL;
	uint64_t done = wait_rerunning(t) ? t->wait.done : 0, skip = done;
	if (pos)
		*pos += done; /* a positional call's offset starts from its arguments again */
	unsigned n = ps->vec ? ps->cnt : 1;
	for (unsigned i = 0; i < n && done < ps->total; i++) {
		uint64_t buf, len;
		if (!piece_left(t, ps, i, &skip, &buf, &len))
			continue;
		while (len && done < ps->total) {
			uint64_t want = MIN(len, ps->total - done);
			long r = write_at(t, f, buf, want, off, positional);
			if (r == -EBLOCKED) {
				t->wait.done = done;
				t->wait.early = done ? (long)done : -EINTR;
				return r;
			}
			if (r < 0)
				return done ? (long)done : r;
			if (r == 0)
				return (long)done;
			done += (uint64_t)r;
			buf += (uint64_t)r;
			len -= (uint64_t)r;
		}
	}
	return (long)done;
}

SYSCALL(read)
{
	struct file *f = file_of(t, a[0]);
	struct pieces ps = {.buf = a[1], .len = a[2]};
	return f ? do_read(t, f, &ps, NULL) : -EBADF;
}

SYSCALL(write)
{
	struct file *f = file_of(t, a[0]);
	struct pieces ps = {.buf = a[1], .len = a[2]};
	return f ? do_write(t, f, &ps, NULL) : -EBADF;
}

SYSCALL(readv)
{
	struct file *f = file_of(t, a[0]);
	struct pieces ps = {.vec = true, .iov = a[1], .cnt = (unsigned)(int)a[2]};
	if (!f)
		return -EBADF; /* Linux looks the descriptor up before the count */
	return do_read(t, f, &ps, NULL);
}

SYSCALL(writev)
{
	struct file *f = file_of(t, a[0]);
	struct pieces ps = {.vec = true, .iov = a[1], .cnt = (unsigned)(int)a[2]};
	if (!f)
		return -EBADF; /* Linux looks the descriptor up before the count */
	return do_write(t, f, &ps, NULL);
}

/* The file for a positional transfer at offset off: as Linux checks, a negative offset
 * (EINVAL) before the descriptor (EBADF), and that before whether it can seek (ESPIPE). */
static long positional(struct thread *t, uint64_t fd, int64_t off, struct file **f)
{
	*f = NULL;
	if (off < 0)
		return -EINVAL;
	*f = file_of(t, fd);
	if (!*f)
		return -EBADF;
	if (!(*f)->ops || !(*f)->ops->seekable)
		return -ESPIPE;
	return 0;
}

SYSCALL(pread64)
{
	struct file *f;
	uint64_t off = a[3];
	long err = positional(t, a[0], (int64_t)off, &f);
	struct pieces ps = {.buf = a[1], .len = a[2]};
	return err ? err : do_read(t, f, &ps, &off);
}

SYSCALL(pwrite64)
{
	struct file *f;
	uint64_t off = a[3];
	long err = positional(t, a[0], (int64_t)off, &f);
	struct pieces ps = {.buf = a[1], .len = a[2]};
	return err ? err : do_write(t, f, &ps, &off);
}

SYSCALL(preadv)
{
	struct file *f;
	uint64_t off = a[3];
	long err = positional(t, a[0], (int64_t)off, &f);
	struct pieces ps = {.vec = true, .iov = a[1], .cnt = (unsigned)(int)a[2]};
	if (err)
		return err;
	return do_read(t, f, &ps, &off);
}

SYSCALL(pwritev)
{
	struct file *f;
	uint64_t off = a[3];
	long err = positional(t, a[0], (int64_t)off, &f);
	struct pieces ps = {.vec = true, .iov = a[1], .cnt = (unsigned)(int)a[2]};
	if (err)
		return err;
	return do_write(t, f, &ps, &off);
}

/* Puts f on a new descriptor (its reference taken over): it, or -EMFILE. */
static long install(struct thread *t, struct file *f, int min, bool cloexec)
{
	int fd = fd_install(t->proc->fds, f, min, nofile(t), cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

#define OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | \
		    O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |      \
		    O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE)

/* Opens (and creates) the node at path for open, openat and creat. */
static long do_open(struct thread *t, int dirfd, uint64_t upath, uint64_t flags, unsigned mode)
{
	flags &= OPEN_FLAGS;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if ((flags & O_ACCMODE) == 3)
		return -EINVAL;
	char *path = kpage_alloc(), *canon = kpage_alloc();
	struct inode *ino = NULL, *dir = NULL;
	struct file *f = NULL;
	long err = path && canon ? vfs_path_in(t, upath, path, false) : -ENOMEM;
	bool created = false;
	struct walk w = {.flags = (flags & O_NOFOLLOW ? 0 : WALK_FOLLOW) |
				  (flags & O_DIRECTORY ? WALK_DIR : 0), .path = canon};
	if (!err)
		err = vfs_walk(t, dirfd, path, &w);
	if (err == -ENOENT && !(flags & O_CREAT) && !hostfs_open(path, (unsigned)flags, &f)) {
		kstrlcpy(canon, path, PATH_MAX); /* the platform's file (--root) */
		err = 0;
		goto installed;
	}
	ino = err ? NULL : w.ino;
	if (err == -ENOENT && (flags & O_CREAT) && !(flags & O_DIRECTORY)) {
		struct walk pw = {.flags = WALK_PARENT, .path = canon};
		if (!(err = vfs_walk(t, dirfd, path, &pw))) {
			dir = pw.ino;
			if (!pw.name[0] || pw.trailing || !kstrcmp(pw.name, ".") ||
			    !kstrcmp(pw.name, ".."))
				err = -EISDIR;
			else if (!dir->fs->create)
				err = -EROFS;
			else
				err = dir->fs->create(t, dir, pw.name,
						      S_IFREG | (mode & 07777 & ~t->proc->fs->umask), &ino);
			if (!err) {
				created = true;
				size_t n = kstrlen(canon);
				if (n > 1)
					canon[n++] = '/';
				kstrlcpy(canon + n, pw.name, PATH_MAX - n);
			}
		}
	} else if (!err && (flags & O_CREAT) && (flags & O_EXCL)) {
		err = -EEXIST;
	}
	if (!err && S_ISLNK(ino->mode))
		err = flags & O_PATH ? 0 : -ELOOP; /* O_NOFOLLOW on a link */
	if (!err && S_ISDIR(ino->mode) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) ||
					   (flags & O_CREAT)) && !(flags & O_PATH))
		err = -EISDIR;
	if (!err && (flags & O_TRUNC) && !created && S_ISREG(ino->mode) &&
	    (flags & O_ACCMODE) != O_RDONLY && !(flags & O_PATH)) {
		struct vfs_attr at = {.size = 0};
		err = ino->fs->setattr ? ino->fs->setattr(t, ino, VFS_SET_SIZE, &at) : -EROFS;
	}
	if (!err && (flags & O_PATH))
		err = (f = file_alloc(inode_get(ino), NULL, (unsigned)flags)) ? 0 : -ENOMEM;
	else if (!err)
		err = file_open_inode(t, ino, (unsigned)(flags & ~(O_CREAT | O_EXCL | O_TRUNC)), &f);
installed:
	if (!err) {
		size_t n = kstrlen(canon) + 1;
		if (n <= KMALLOC_MAX && (f->path = kmalloc(n)))
			kmemcpy(f->path, canon, n);
		err = install(t, f, 0, flags & O_CLOEXEC);
	}
	inode_put(ino);
	inode_put(dir);
	kpage_free(path);
	kpage_free(canon);
	return err;
}

SYSCALL(open)
{
	return do_open(t, AT_FDCWD, a[0], a[1], (unsigned)a[2]);
}

SYSCALL(openat)
{
	return do_open(t, (int)a[0], a[1], a[2], (unsigned)a[3]);
}

SYSCALL(creat)
{
	return do_open(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (unsigned)a[1]);
}

SYSCALL(close)
{
	return fd_close(t->proc->fds, (int64_t)(int)a[0]);
}

#define CLOSE_RANGE_UNSHARE 2u
#define CLOSE_RANGE_CLOEXEC 4u

SYSCALL(close_range)
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1], flags = (unsigned)a[2];
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || first > last)
		return -EINVAL;
	struct fdtable *fds = t->proc->fds;
	int end = fd_end(fds);
	for (unsigned fd = first; fd <= last && (int)fd < end; fd++) {
		if (!fd_get(fds, fd))
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec(fds, (int)fd, true);
		else
			fd_close(fds, fd);
	}
	return 0;
}

SYSCALL(lseek)
{
	struct file *f = file_of(t, a[0]);
	int64_t off = (int64_t)a[1];
	if (!f)
		return -EBADF;
	if (a[2] > SEEK_HOLE)
		return -EINVAL; /* before ESPIPE, as Linux */
	if (!f->ops || !f->ops->seekable)
		return -ESPIPE;
	int64_t base;
	switch (a[2]) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->offset;
		break;
	case SEEK_END:
	case SEEK_DATA:
	case SEEK_HOLE: {
		struct vfs_attr at;
		long err = vfs_getattr(t, f->ino, &at, NULL);
		if (err)
			return err;
		if (a[2] == SEEK_END) {
			base = (int64_t)at.size;
			break;
		}
		if (off < 0 || (uint64_t)off >= at.size)
			return -ENXIO;
		/* Every byte is data: the hole is at the end. */
		f->offset = a[2] == SEEK_DATA ? (uint64_t)off : at.size;
		return (long)f->offset;
	}
	default:
		return -EINVAL;
	}
	if (base < 0 || (off < 0 && off < -base) || (off > 0 && off > INT64_MAX - base))
		return -EINVAL;
	f->offset = (uint64_t)(base + off);
	return (long)f->offset;
}

SYSCALL(dup)
{
	struct file *f = file_of(t, a[0]);
	return f ? install(t, file_get(f), 0, false) : -EBADF;
}

static long dup_to(struct thread *t, uint64_t from, uint64_t to, bool cloexec)
{
	struct file *f = file_of(t, from);
	int fd = (int)to;
	if (!f || fd < 0 || (unsigned)fd >= nofile(t))
		return -EBADF;
	return fd_install_at(t->proc->fds, fd, file_get(f), cloexec);
}

SYSCALL(dup2)
{
	if ((int)a[0] == (int)a[1])
		return file_of(t, a[0]) ? (long)(int)a[1] : -EBADF;
	return dup_to(t, a[0], a[1], false);
}

SYSCALL(dup3)
{
	if (a[2] & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if ((int)a[0] == (int)a[1])
		return -EINVAL;
	return dup_to(t, a[0], a[1], a[2] & O_CLOEXEC);
}

#define SETFL_FLAGS (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

SYSCALL(fcntl)
{
	struct fdtable *fds = t->proc->fds;
	int fd = (int)a[0];
	struct file *f = file_of(t, a[0]);
	if (!f)
		return -EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int)a[2] < 0 || (unsigned)(int)a[2] >= nofile(t))
			return -EINVAL;
		return install(t, file_get(f), (int)a[2], a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_cloexec(fds, fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(fds, fd, a[2] & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->flags & ~(unsigned)O_CLOEXEC;
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_FLAGS) | ((unsigned)a[2] & SETFL_FLAGS);
		return 0;
	case F_GETLK: {
		struct linux_flock l;
		if (copy_in(t->proc->mm, &l, a[2], sizeof(l)))
			return -EFAULT;
		l.l_type = F_UNLCK; /* one machine, nobody else holds locks we know of */
		return copy_out(t->proc->mm, a[2], &l, sizeof(l));
	}
	case F_SETLK:
	case F_SETLKW: {
		struct linux_flock l;
		if (copy_in(t->proc->mm, &l, a[2], sizeof(l)))
			return -EFAULT;
		return l.l_type <= F_UNLCK ? 0 : -EINVAL;
	}
	case F_GETOWN:
	case F_SETOWN:
		return 0;
	case F_GETPIPE_SZ:
		return file_is_pipe(f) ? 65536 : -EBADF;
	default:
		return -EINVAL;
	}
}

SYSCALL(ioctl)
{
	struct file *f = file_of(t, a[0]);
	if (!f)
		return -EBADF;
	switch (a[1]) {
	case FIOCLEX:
	case FIONCLEX:
		fd_set_cloexec(t->proc->fds, (int)a[0], a[1] == FIOCLEX);
		return 0;
	case FIONBIO: {
		int on;
		if (copy_in(t->proc->mm, &on, a[2], sizeof(on)))
			return -EFAULT;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~(unsigned)O_NONBLOCK;
		return 0;
	}
	}
	if (f->ops && f->ops->ioctl) /* the request is an unsigned int, as Linux reads it */
		return f->ops->ioctl(t, f, (uint32_t)a[1], a[2]);
	if (a[1] == FIONREAD && f->ops && f->ops->seekable) {
		struct vfs_attr at;
		long err = vfs_getattr(t, f->ino, &at, NULL);
		int n = err ? 0 : (int)MIN(at.size > f->offset ? at.size - f->offset : 0, INT32_MAX);
		return err ? err : copy_out(t->proc->mm, a[2], &n, sizeof(n));
	}
	return -ENOTTY;
}

/* Installs two new files and writes their descriptors at at (pipe, socketpair). */
static long install_pair(struct thread *t, struct file *rd, struct file *wr, uint64_t at, bool cloexec)
{
	long r = install(t, rd, 0, cloexec);
	if (r < 0) {
		file_put(wr);
		return r;
	}
	long w = install(t, wr, 0, cloexec);
	if (w < 0) {
		fd_close(t->proc->fds, r);
		return w;
	}
	int fds[2] = {(int)r, (int)w};
	if (copy_out(t->proc->mm, at, fds, sizeof(fds))) {
		fd_close(t->proc->fds, r);
		fd_close(t->proc->fds, w);
		return -EFAULT;
	}
	return 0;
}

static long do_pipe(struct thread *t, uint64_t at, uint64_t flags)
{
	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (uaccess_prepare(t->proc->mm, at, 2 * sizeof(int), true))
		return -EFAULT;
	struct file *rd, *wr;
	long err = pipe_create((unsigned)flags, &rd, &wr);
	if (err)
		return err;
	return install_pair(t, rd, wr, at, flags & O_CLOEXEC);
}

/*
 * Sockets. AF_UNIX ones are the kernel's own (unix.c); AF_INET ones are the network service's
 * (inet.c). The send and receive calls are writes and reads of the socket with the
 * call's MSG_* flags (t->msg_flags), and a datagram socket's address.
 */

/* socket's and socketpair's domain, type and protocol (a[0..2]): 0 with the type and its
 * SOCK_* flags, or the error Linux gives (a pair of Internet sockets: EOPNOTSUPP). */
static long socket_args(const uint64_t *a, bool pair, unsigned *type, unsigned *flags)
{
	int domain = (int)a[0], proto = (int)a[2];
	*type = (unsigned)a[1] & SOCK_TYPE_MASK;
	*flags = (unsigned)a[1] & ~(unsigned)SOCK_TYPE_MASK;
	if (*flags & ~(unsigned)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain == AF_INET && !pair)
		return 0; /* the network service's to judge the rest (inet.c) */
	if (domain != AF_UNIX)
		return pair && (domain == AF_INET || domain == AF_INET6) ? -EOPNOTSUPP : -EAFNOSUPPORT;
	if (*type != SOCK_STREAM && *type != SOCK_DGRAM)
		return *type == SOCK_SEQPACKET ? -EOPNOTSUPP : -ESOCKTNOSUPPORT;
	if (proto != 0 && proto != AF_UNIX)
		return -EPROTONOSUPPORT;
	return 0;
}

SYSCALL(socketpair)
{
	unsigned type, flags;
	long err = socket_args(a, true, &type, &flags);
	if (err)
		return err;
	if (uaccess_prepare(t->proc->mm, a[3], 2 * sizeof(int), true))
		return -EFAULT;
	struct file *x, *y;
	err = unix_pair_create(t, type, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, &x, &y);
	if (err)
		return err;
	return install_pair(t, x, y, a[3], flags & SOCK_CLOEXEC);
}

#define SEND_FLAGS (MSG_DONTWAIT | MSG_NOSIGNAL)
#define RECV_FLAGS (MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL | MSG_CMSG_CLOEXEC)

/* Where a transfer's address goes or comes from: a datagram's destination (send) or sender
 * (receive: *len there is the room, then the length), and the flags a receive reports. */
struct sock_addr {
	uint64_t addr, len;
	int msg_flags;
};

/* A send or receive of ps on the socket at fd with flags: a stream socket's connection, or a
 * datagram socket's message (to or from sa's address). */
static long transfer(struct thread *t, uint64_t fd, struct pieces *ps, unsigned flags, bool out,
		     struct sock_addr *sa)
{
	long err;
	struct file *f = socket_of(t, fd, &err);
	if (!f)
		return err;
	if (flags & ~(unsigned)(out ? SEND_FLAGS : RECV_FLAGS))
		return -EOPNOTSUPP; /* MSG_OOB, MSG_ERRQUEUE...: not there */
	if (file_is_inet(f))
		return inet_transfer(t, f, ps, flags, out, sa->addr, sa->len, &sa->msg_flags);
	bool dgram = unix_is_dgram(f);
	if (!dgram && out && sa->addr && sa->len)
		return -EISCONN; /* an address for a connected stream socket */
	if ((err = unix_transfer_check(f, out)))
		return err; /* even for nothing to move, as Linux checks the connection first */
	t->msg_flags = flags;
	t->msg_peeked = 0;
	long r;
	if (!dgram) {
		r = out ? do_write(t, f, ps, NULL) : do_read(t, f, ps, NULL);
		if (r >= 0 && !out && sa->addr && sa->len) {
			int zero = 0; /* a stream's peer says nothing of its name */
			if (copy_out(t->proc->mm, sa->len, &zero, sizeof(zero)))
				r = -EFAULT;
		}
	} else if (!(out ? writable(f) : readable(f))) {
		r = -EBADF;
	} else if (!(r = pieces_check(t, ps))) {
		r = out ? unix_dgram_send(t, f, ps, sa->addr, sa->len)
			: unix_dgram_recv(t, f, ps, sa->addr, sa->len, &sa->msg_flags);
	}
	t->msg_flags = 0;
	return r;
}

SYSCALL(sendto)
{
	struct pieces ps = {.buf = a[1], .len = a[2]};
	struct sock_addr sa = {.addr = a[4], .len = a[5]};
	return transfer(t, a[0], &ps, (unsigned)a[3], true, &sa);
}

SYSCALL(recvfrom)
{
	struct pieces ps = {.buf = a[1], .len = a[2]};
	struct sock_addr sa = {.addr = a[4], .len = a[4] ? a[5] : 0};
	return transfer(t, a[0], &ps, (unsigned)a[3], false, &sa);
}

static long msg_transfer(struct thread *t, const uint64_t *a, bool out)
{
	struct linux_msghdr m;
	if (copy_in(t->proc->mm, &m, a[1], sizeof(m)))
		return -EFAULT;
	if (m.msg_iovlen > 1024)
		return -EMSGSIZE;
	if (out && m.msg_controllen)
		return -EOPNOTSUPP; /* no ancillary data (SCM_RIGHTS) yet */
	struct pieces ps = {.vec = true, .iov = m.msg_iov, .cnt = (unsigned)m.msg_iovlen};
	/* A receive's sender name goes to msg_name, its length into the header's msg_namelen. */
	uint64_t namelen_at = a[1] + __builtin_offsetof(struct linux_msghdr, msg_namelen);
	struct sock_addr sa = {.addr = m.msg_name, .len = out ? m.msg_namelen : m.msg_name ? namelen_at : 0};
	long r = transfer(t, a[0], &ps, (unsigned)a[2], out, &sa);
	if (r >= 0 && !out) {
		if (!m.msg_name || copy_in(t->proc->mm, &m.msg_namelen, namelen_at, sizeof(m.msg_namelen)))
			m.msg_namelen = 0;
		m.msg_controllen = 0;
		m.msg_flags = sa.msg_flags;
		if (copy_out(t->proc->mm, a[1], &m, sizeof(m)))
			return -EFAULT;
	}
	return r;
}

SYSCALL(sendmsg)
{
	return msg_transfer(t, a, true);
}

SYSCALL(recvmsg)
{
	return msg_transfer(t, a, false);
}

SYSCALL(shutdown)
{
	long err;
	struct file *f = socket_of(t, a[0], &err);
	if (f && file_is_inet(f))
		return inet_shutdown(t, f, (int)a[1]);
	return f ? unix_shutdown(f, (int)a[1]) : err;
}

SYSCALL(socket)
{
	unsigned type, flags;
	long err = socket_args(a, false, &type, &flags);
	if (err)
		return err;
	struct file *f;
	unsigned fl = flags & SOCK_NONBLOCK ? O_NONBLOCK : 0;
	if ((int)a[0] == AF_INET)
		err = inet_socket_create(t, type, (int)a[2], fl, &f);
	else
		err = unix_socket_create(type, fl, &f);
	return err ? err : install(t, f, 0, flags & SOCK_CLOEXEC);
}

static long do_accept(struct thread *t, const uint64_t *a, uint64_t flags)
{
	if (flags & ~(uint64_t)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f;
	unsigned fl = flags & SOCK_NONBLOCK ? O_NONBLOCK : 0;
	long err;
	struct file *l = socket_of(t, a[0], &err);
	if (l && file_is_inet(l))
		err = inet_accept(t, l, fl, a[1], a[2], &f);
	else
		err = unix_accept(t, a[0], fl, a[1], a[2], &f);
	return err ? err : install(t, f, 0, flags & SOCK_CLOEXEC);
}

SYSCALL(accept)
{
	return do_accept(t, a, 0);
}

SYSCALL(accept4)
{
	return do_accept(t, a, a[3]);
}

SYSCALL(pipe)
{
	return do_pipe(t, a[0], 0);
}

SYSCALL(pipe2)
{
	return do_pipe(t, a[0], a[1]);
}

/*
 * sendfile: from a seekable file to anything, through a bounce mapping in the caller's own
 * memory (the files' operations move data to and from user memory). The input's position moves
 * by what the output took, so a write that must wait loses nothing.
 */
SYSCALL(sendfile)
{
	struct file *out = file_of(t, a[0]), *in = file_of(t, a[1]);
	uint64_t off_at = a[2], count = MIN(a[3], IO_MAX);
	if (!out || !in || !readable(in) || !writable(out))
		return -EBADF;
	if (!in->ops || !in->ops->seekable || !in->ops->read || (out->flags & O_APPEND))
		return -EINVAL;
	int64_t pos;
	if (off_at) {
		if (copy_in(t->proc->mm, &pos, off_at, sizeof(pos)))
			return -EFAULT;
		if (pos < 0)
			return -EINVAL;
	} else {
		pos = (int64_t)in->offset;
	}
	struct mm *mm = t->proc->mm;
	uint64_t bounce = mm_find_free(mm, SENDFILE_CHUNK);
	if (!bounce || mm_map(mm, bounce, SENDFILE_CHUNK, PROT_READ | PROT_WRITE))
		return -ENOMEM;
	uint64_t done = wait_rerunning(t) ? t->wait.done : 0;
	long err = 0;
	while (done < count) {
		uint64_t want = MIN(count - done, SENDFILE_CHUNK), at = (uint64_t)pos + done;
		long n = read_at(t, in, bounce, want, &at);
		if (n <= 0) {
			err = n;
			break;
		}
		uint64_t wrote = 0;
		while (wrote < (uint64_t)n) {
			uint64_t *woff = out->ops && out->ops->seekable ? &out->offset : NULL;
			long w = write_at(t, out, bounce + wrote, (uint64_t)n - wrote, woff, false);
			if (w <= 0) {
				err = w;
				break;
			}
			wrote += (uint64_t)w;
		}
		done += wrote;
		if (err)
			break;
	}
	mm_unmap(mm, bounce, SENDFILE_CHUNK);
	if (err == -EBLOCKED) {
		t->wait.done = done;
		t->wait.early = done ? (long)done : -EINTR;
		return err;
	}
	if (off_at) {
		int64_t end = pos + (int64_t)done;
		copy_out(mm, off_at, &end, sizeof(end));
	} else {
		in->offset = (uint64_t)pos + done;
	}
	return done ? (long)done : err;
}

SYSCALL(flock)
{
	if (!file_of(t, a[0]))
		return -EBADF;
	unsigned op = (unsigned)a[1] & ~(unsigned)LOCK_NB;
	return op == LOCK_SH || op == LOCK_EX || op == LOCK_UN ? 0 : -EINVAL;
}

SYSCALL(fadvise64)
{
	struct file *f = file_of(t, a[0]);
	if (!f)
		return -EBADF;
	if (file_is_pipe(f))
		return -ESPIPE;
	return a[3] <= 5 ? 0 : -EINVAL;
}

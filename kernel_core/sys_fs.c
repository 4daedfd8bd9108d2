/*
 * Path syscalls: stat in its forms, directories, the current directory, links, names and
 * attributes. Everything runs as root: permission bits are kept and shown, and only execute
 * permission and read-only filesystems refuse anything.
 */
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define NS 1000000000ll

/* Resolves a user path from dirfd with flags into *w (WALK_EMPTY when allowed). */
static int walk(struct thread *t, int dirfd, uint64_t upath, unsigned flags, struct walk *w)
{
	w->flags = flags;
	return vfs_walk_user(t, dirfd, upath, w);
}

static void fill_stat(struct linux_stat *st, const struct vfs_attr *a, unsigned dev)
{
	kmemset(st, 0, sizeof(*st));
	st->st_dev = dev;
	st->st_ino = a->ino;
	st->st_nlink = a->nlink;
	st->st_mode = a->mode;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_rdev = a->rdev;
	st->st_size = (long long)a->size;
	st->st_blksize = a->blksize ? a->blksize : PAGE_SIZE;
	st->st_blocks = (long long)a->blocks;
	st->st_atime = (unsigned long long)(a->atime_ns / NS);
	st->st_atime_nsec = (unsigned long long)(a->atime_ns % NS);
	st->st_mtime = (unsigned long long)(a->mtime_ns / NS);
	st->st_mtime_nsec = (unsigned long long)(a->mtime_ns % NS);
	st->st_ctime = (unsigned long long)(a->ctime_ns / NS);
	st->st_ctime_nsec = (unsigned long long)(a->ctime_ns % NS);
}

static long stat_node(struct thread *t, struct inode *ino, uint64_t buf)
{
	struct vfs_attr a;
	unsigned dev;
	long err = vfs_getattr(t, ino, &a, &dev);
	if (err)
		return err;
	struct linux_stat st;
	fill_stat(&st, &a, dev);
	return copy_out(t->proc->mm, buf, &st, sizeof(st));
}

static long stat_path(struct thread *t, int dirfd, uint64_t upath, uint64_t buf, unsigned flags)
{
	struct walk w = {0};
	long err = walk(t, dirfd, upath, flags, &w);
	if (err)
		return err;
	err = stat_node(t, w.ino, buf);
	inode_put(w.ino);
	return err;
}

SYSCALL(stat)
{
	return stat_path(t, AT_FDCWD, a[0], a[1], WALK_FOLLOW);
}

SYSCALL(lstat)
{
	return stat_path(t, AT_FDCWD, a[0], a[1], 0);
}

SYSCALL(fstat)
{
	struct file *f = fd_get(t->proc->fds, (int64_t)(int)a[0]);
	return f ? stat_node(t, f->ino, a[1]) : -EBADF;
}

/* The walk flags of an *at call's AT_* flags, or -EINVAL for unknown ones. */
static long at_flags(uint64_t flags, uint64_t allowed, bool follow_default)
{
	if (flags & ~allowed)
		return -EINVAL;
	unsigned w = 0;
	if (follow_default ? !(flags & AT_SYMLINK_NOFOLLOW) : (flags & AT_SYMLINK_FOLLOW))
		w |= WALK_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		w |= WALK_EMPTY;
	return w;
}

SYSCALL(newfstatat)
{
	long w = at_flags(a[3], AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT, true);
	return w < 0 ? w : stat_path(t, (int)a[0], a[1], a[2], (unsigned)w);
}

SYSCALL(statx)
{
	long w = at_flags(a[2], AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
				       AT_STATX_SYNC_TYPE, true);
	if (w < 0)
		return w;
	struct walk wk = {0};
	long err = walk(t, (int)a[0], a[1], (unsigned)w, &wk);
	if (err)
		return err;
	struct vfs_attr at;
	unsigned dev;
	err = vfs_getattr(t, wk.ino, &at, &dev);
	inode_put(wk.ino);
	if (err)
		return err;
	struct linux_statx sx;
	kmemset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = at.blksize ? at.blksize : PAGE_SIZE;
	sx.stx_nlink = at.nlink;
	sx.stx_uid = at.uid;
	sx.stx_gid = at.gid;
	sx.stx_mode = (unsigned short)at.mode;
	sx.stx_ino = at.ino;
	sx.stx_size = at.size;
	sx.stx_blocks = at.blocks;
	sx.stx_atime = (struct linux_statx_timestamp){at.atime_ns / NS, (unsigned)(at.atime_ns % NS), 0};
	sx.stx_mtime = (struct linux_statx_timestamp){at.mtime_ns / NS, (unsigned)(at.mtime_ns % NS), 0};
	sx.stx_ctime = (struct linux_statx_timestamp){at.ctime_ns / NS, (unsigned)(at.ctime_ns % NS), 0};
	sx.stx_rdev_major = at.rdev >> 8;
	sx.stx_rdev_minor = at.rdev & 0xff;
	sx.stx_dev_minor = dev;
	return copy_out(t->proc->mm, a[4], &sx, sizeof(sx));
}

SYSCALL(getdents64)
{
	struct file *f = fd_get(t->proc->fds, (int64_t)(int)a[0]);
	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->readdir)
		return -ENOTDIR;
	if (a[2] > (1u << 30))
		return -EINVAL;
	return f->ops->readdir(t, f, a[1], a[2]);
}

/* The old getdents' records (d_ino, d_off, d_reclen, name, pad, d_type), converted from
 * getdents64's in the same buffer: each old record is no longer than its new one. */
SYSCALL(getdents)
{
	long n = sys_getdents64(t, a);
	if (n <= 0)
		return n;
	char rec[sizeof(struct linux_dirent64) + NAME_MAX + 16];
	uint64_t in = 0, out = 0;
	while (in < (uint64_t)n) {
		struct linux_dirent64 d;
		if (copy_in(t->proc->mm, &d, a[1] + in, sizeof(d)) || d.d_reclen > sizeof(rec) ||
		    copy_in(t->proc->mm, rec, a[1] + in, d.d_reclen))
			return -EFAULT;
		const char *name = rec + __builtin_offsetof(struct linux_dirent64, d_name);
		size_t len = kstrnlen(name, d.d_reclen);
		size_t reclen = (8 + 8 + 2 + len + 2 + 7) & ~(size_t)7;
		char old[sizeof(rec)];
		kmemset(old, 0, reclen);
		kmemcpy(old, &d.d_ino, 8);
		kmemcpy(old + 8, &d.d_off, 8);
		unsigned short rl = (unsigned short)reclen;
		kmemcpy(old + 16, &rl, 2);
		kmemcpy(old + 18, name, len);
		old[reclen - 1] = (char)d.d_type;
		if (copy_out(t->proc->mm, a[1] + out, old, reclen))
			return -EFAULT;
		in += d.d_reclen;
		out += reclen;
	}
	return (long)out;
}

SYSCALL(getcwd)
{
	const char *cwd = t->proc->fs->cwd_path;
	size_t n = kstrlen(cwd) + 1;
	if (a[1] < n)
		return -ERANGE;
	return copy_out(t->proc->mm, a[0], cwd, n) ? -EFAULT : (long)n;
}

/* Makes ino (a directory, reference taken over) the current directory, at path. */
static long enter(struct thread *t, struct inode *ino, const char *path)
{
	struct fs_ctx *fs = t->proc->fs;
	inode_put(fs->cwd);
	fs->cwd = ino;
	kstrlcpy(fs->cwd_path, path, PATH_MAX);
	return 0;
}

SYSCALL(chdir)
{
	char *canon = kpage_alloc();
	if (!canon)
		return -ENOMEM;
	struct walk w = {.path = canon};
	long err = walk(t, AT_FDCWD, a[0], WALK_FOLLOW | WALK_DIR, &w);
	if (!err)
		err = enter(t, w.ino, canon);
	kpage_free(canon);
	return err;
}

SYSCALL(fchdir)
{
	struct file *f = fd_get(t->proc->fds, (int64_t)(int)a[0]);
	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->ino->mode))
		return -ENOTDIR;
	return enter(t, inode_get(f->ino), f->path ? f->path : "/");
}

static long do_access(struct thread *t, int dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
	if (mode & ~(uint64_t)(R_OK | W_OK | X_OK))
		return -EINVAL;
	long w = at_flags(flags, AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, true);
	if (w < 0)
		return w;
	struct walk wk = {0};
	long err = walk(t, dirfd, upath, (unsigned)w, &wk);
	if (err)
		return err;
	struct vfs_attr at;
	err = vfs_getattr(t, wk.ino, &at, NULL);
	if (!err && (mode & X_OK) && !S_ISDIR(at.mode) && !(at.mode & 0111))
		err = -EACCES;
	if (!err && (mode & W_OK) && !wk.ino->fs->create && !S_ISCHR(at.mode) &&
	    !S_ISFIFO(at.mode))
		err = -EROFS;
	inode_put(wk.ino);
	return err;
}

SYSCALL(access)
{
	return do_access(t, AT_FDCWD, a[0], a[1], 0);
}

SYSCALL(faccessat)
{
	return do_access(t, (int)a[0], a[1], a[2], 0);
}

SYSCALL(faccessat2)
{
	return do_access(t, (int)a[0], a[1], a[2], a[3]);
}

static long do_readlink(struct thread *t, int dirfd, uint64_t upath, uint64_t buf, uint64_t size)
{
	if ((int64_t)size <= 0)
		return -EINVAL;
	struct walk w = {0};
	long err = walk(t, dirfd, upath, WALK_EMPTY, &w);
	if (err)
		return err;
	char *target = kpage_alloc();
	if (!target)
		err = -ENOMEM;
	else if (!S_ISLNK(w.ino->mode) || !w.ino->fs->readlink)
		err = -EINVAL;
	else
		err = w.ino->fs->readlink(t, w.ino, target, PATH_MAX);
	if (err >= 0) {
		size_t n = (size_t)MIN((uint64_t)err, size);
		err = copy_out(t->proc->mm, buf, target, n) ? -EFAULT : (long)n;
	}
	kpage_free(target);
	inode_put(w.ino);
	return err;
}

SYSCALL(readlink)
{
	return do_readlink(t, AT_FDCWD, a[0], a[1], a[2]);
}

SYSCALL(readlinkat)
{
	return do_readlink(t, (int)a[0], a[1], a[2], a[3]);
}

/* The directory and last name of a path that names a new entry (mkdir, symlink, ...). */
static long parent_of(struct thread *t, int dirfd, uint64_t upath, struct walk *w)
{
	long err = walk(t, dirfd, upath, WALK_PARENT, w);
	if (err)
		return err;
	if (!w->name[0] || !kstrcmp(w->name, ".") || !kstrcmp(w->name, "..")) {
		inode_put(w->ino);
		return -EEXIST;
	}
	return 0;
}

/* True when name in dir is a mount point (a kernel filesystem sits there). */
static bool mount_point(struct inode *dir, const char *name)
{
	struct inode *root = vfs_root();
	bool at = inode_same(dir, root) && vfs_mount_at(name, kstrlen(name));
	inode_put(root);
	return at;
}

static long do_mkdir(struct thread *t, int dirfd, uint64_t upath, unsigned mode)
{
	struct walk w = {0};
	long err = parent_of(t, dirfd, upath, &w);
	if (err)
		return err;
	if (mount_point(w.ino, w.name))
		err = -EEXIST;
	else if (!w.ino->fs->mkdir)
		err = -EROFS;
	else
		err = w.ino->fs->mkdir(t, w.ino, w.name, S_IFDIR | (mode & 07777 & ~t->proc->fs->umask));
	inode_put(w.ino);
	return err;
}

SYSCALL(mkdir)
{
	return do_mkdir(t, AT_FDCWD, a[0], (unsigned)a[1]);
}

SYSCALL(mkdirat)
{
	return do_mkdir(t, (int)a[0], a[1], (unsigned)a[2]);
}

static long do_mknod(struct thread *t, int dirfd, uint64_t upath, unsigned mode)
{
	unsigned type = mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	if (type == S_IFCHR || type == S_IFBLK || type == S_IFSOCK)
		return -EPERM; /* device nodes are /dev's */
	if (type != S_IFREG && type != S_IFIFO)
		return -EINVAL;
	struct walk w = {0};
	long err = parent_of(t, dirfd, upath, &w);
	if (err)
		return err;
	struct inode *ino = NULL;
	if (mount_point(w.ino, w.name))
		err = -EEXIST;
	else if (!w.ino->fs->create)
		err = -EROFS;
	else
		err = w.ino->fs->create(t, w.ino, w.name, type | (mode & 07777 & ~t->proc->fs->umask),
					&ino);
	inode_put(ino);
	inode_put(w.ino);
	return err;
}

SYSCALL(mknod)
{
	return do_mknod(t, AT_FDCWD, a[0], (unsigned)a[1]);
}

SYSCALL(mknodat)
{
	return do_mknod(t, (int)a[0], a[1], (unsigned)a[2]);
}

/* unlink and rmdir: the entry name of a directory goes. */
static long do_remove(struct thread *t, int dirfd, uint64_t upath, bool dir)
{
	struct walk w = {0};
	long err = walk(t, dirfd, upath, WALK_PARENT, &w);
	if (err)
		return err;
	if (!w.name[0])
		err = -EBUSY;
	else if (!kstrcmp(w.name, "."))
		err = dir ? -EINVAL : -EISDIR;
	else if (!kstrcmp(w.name, ".."))
		err = dir ? -ENOTEMPTY : -EISDIR;
	else if (mount_point(w.ino, w.name))
		err = -EBUSY;
	else if (!dir && w.trailing) { /* "name/": ENOENT, EISDIR or ENOTDIR, as Linux */
		struct inode *ino = NULL;
		err = w.ino->fs->lookup ? w.ino->fs->lookup(t, w.ino, w.name, kstrlen(w.name), &ino)
					: -ENOENT;
		if (!err) {
			err = S_ISDIR(ino->mode) ? -EISDIR : -ENOTDIR;
			inode_put(ino);
		}
	}
	else if (!(dir ? w.ino->fs->rmdir : w.ino->fs->unlink))
		err = -EROFS;
	else
		err = dir ? w.ino->fs->rmdir(t, w.ino, w.name) : w.ino->fs->unlink(t, w.ino, w.name);
	inode_put(w.ino);
	return err;
}

SYSCALL(rmdir)
{
	return do_remove(t, AT_FDCWD, a[0], true);
}

SYSCALL(unlink)
{
	return do_remove(t, AT_FDCWD, a[0], false);
}

SYSCALL(unlinkat)
{
	if (a[2] & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return do_remove(t, (int)a[0], a[1], a[2] & AT_REMOVEDIR);
}

static long do_rename(struct thread *t, int olddir, uint64_t oldpath, int newdir, uint64_t newpath,
		      uint64_t flags)
{
	if (flags & ~(uint64_t)(RENAME_NOREPLACE | RENAME_EXCHANGE) ||
	    ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)))
		return -EINVAL;
	struct walk from = {0}, to = {0};
	long err = walk(t, olddir, oldpath, WALK_PARENT, &from);
	if (err)
		return err;
	err = walk(t, newdir, newpath, WALK_PARENT, &to);
	if (err) {
		inode_put(from.ino);
		return err;
	}
	if (!from.name[0] || !to.name[0] || !kstrcmp(from.name, ".") || !kstrcmp(from.name, "..") ||
	    !kstrcmp(to.name, ".") || !kstrcmp(to.name, ".."))
		err = -EBUSY;
	else if (mount_point(from.ino, from.name) || mount_point(to.ino, to.name))
		err = -EBUSY;
	else if (from.ino->mnt != to.ino->mnt)
		err = -EXDEV;
	else if (!from.ino->fs->rename)
		err = -EROFS;
	else
		err = from.ino->fs->rename(t, from.ino, from.name, to.ino, to.name, (unsigned)flags);
	inode_put(from.ino);
	inode_put(to.ino);
	return err;
}

SYSCALL(rename)
{
	return do_rename(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

SYSCALL(renameat)
{
	return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], 0);
}

SYSCALL(renameat2)
{
	return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], a[4]);
}

static long do_link(struct thread *t, int olddir, uint64_t oldpath, int newdir, uint64_t newpath,
		    uint64_t flags)
{
	long w = at_flags(flags, AT_SYMLINK_FOLLOW | AT_EMPTY_PATH, false);
	if (w < 0)
		return w;
	struct walk from = {0}, to = {0};
	long err = walk(t, olddir, oldpath, (unsigned)w, &from);
	if (err)
		return err;
	if (S_ISDIR(from.ino->mode)) {
		inode_put(from.ino);
		return -EPERM;
	}
	err = parent_of(t, newdir, newpath, &to);
	if (err) {
		inode_put(from.ino);
		return err;
	}
	if (from.ino->mnt != to.ino->mnt)
		err = -EXDEV;
	else if (!to.ino->fs->link)
		err = -EROFS;
	else
		err = to.ino->fs->link(t, to.ino, to.name, from.ino);
	inode_put(from.ino);
	inode_put(to.ino);
	return err;
}

SYSCALL(link)
{
	return do_link(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

SYSCALL(linkat)
{
	return do_link(t, (int)a[0], a[1], (int)a[2], a[3], a[4]);
}

static long do_symlink(struct thread *t, uint64_t utarget, int dirfd, uint64_t upath)
{
	char *target = kpage_alloc();
	if (!target)
		return -ENOMEM;
	long err = vfs_path_in(t, utarget, target, false);
	struct walk w = {0};
	if (!err)
		err = parent_of(t, dirfd, upath, &w);
	if (!err) {
		if (mount_point(w.ino, w.name))
			err = -EEXIST;
		else if (!w.ino->fs->symlink)
			err = -EROFS;
		else
			err = w.ino->fs->symlink(t, w.ino, w.name, target);
		inode_put(w.ino);
	}
	kpage_free(target);
	return err;
}

SYSCALL(symlink)
{
	return do_symlink(t, a[0], AT_FDCWD, a[1]);
}

SYSCALL(symlinkat)
{
	return do_symlink(t, a[0], (int)a[1], a[2]);
}

/* SETATTR of the node at a path, or (path 0) of descriptor dirfd's. */
static long set_attr(struct thread *t, int dirfd, uint64_t upath, unsigned walk_flags,
		     unsigned what, const struct vfs_attr *at)
{
	struct inode *ino;
	if (!upath) {
		struct file *f = fd_get(t->proc->fds, dirfd);
		if (!f)
			return -EBADF;
		ino = inode_get(f->ino);
	} else {
		struct walk w = {0};
		long err = walk(t, dirfd, upath, walk_flags, &w);
		if (err)
			return err;
		ino = w.ino;
	}
	long err = ino->fs->setattr ? ino->fs->setattr(t, ino, what, at) : -EROFS;
	inode_put(ino);
	return err;
}

static long chmod_at(struct thread *t, int dirfd, uint64_t upath, uint64_t mode, unsigned flags)
{
	struct vfs_attr at = {.mode = (unsigned)mode & 07777};
	return set_attr(t, dirfd, upath, flags, VFS_SET_MODE, &at);
}

SYSCALL(chmod)
{
	return chmod_at(t, AT_FDCWD, a[0], a[1], WALK_FOLLOW);
}

SYSCALL(fchmod)
{
	return chmod_at(t, (int)a[0], 0, a[1], 0);
}

SYSCALL(fchmodat)
{
	long w = at_flags(a[3], AT_SYMLINK_NOFOLLOW, true);
	if (w < 0)
		return w;
	if (!(w & WALK_FOLLOW))
		return -EOPNOTSUPP; /* Linux cannot change a link's mode either */
	return chmod_at(t, (int)a[0], a[1], a[2], (unsigned)w);
}

static long chown_at(struct thread *t, int dirfd, uint64_t upath, uint64_t uid, uint64_t gid,
		     unsigned flags)
{
	unsigned what = ((int)uid != -1 ? VFS_SET_UID : 0) | ((int)gid != -1 ? VFS_SET_GID : 0);
	struct vfs_attr at = {.uid = (unsigned)uid, .gid = (unsigned)gid};
	if (!what) {
		struct vfs_attr none = {0};
		return set_attr(t, dirfd, upath, flags, 0, &none);
	}
	return set_attr(t, dirfd, upath, flags, what, &at);
}

SYSCALL(chown)
{
	return chown_at(t, AT_FDCWD, a[0], a[1], a[2], WALK_FOLLOW);
}

SYSCALL(lchown)
{
	return chown_at(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

SYSCALL(fchown)
{
	return chown_at(t, (int)a[0], 0, a[1], a[2], 0);
}

SYSCALL(fchownat)
{
	long w = at_flags(a[4], AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, true);
	return w < 0 ? w : chown_at(t, (int)a[0], a[1], a[2], a[3], (unsigned)w);
}

/* Sets access and modification times (ns since the epoch; omit/now as utimensat's). */
static long set_times(struct thread *t, int dirfd, uint64_t upath, unsigned flags,
		      const struct linux_timespec *ts)
{
	/* "Now" is the time of the call's first run: one that waits for the file server runs
	 * again, and must ask the server the same, or it never finds the reply it waited for. */
	long long now = wait_rerunning(t) ? (long long)t->wait.done
					  : (long long)(plat_boot_epoch_ns() + plat_clock_ns());
	t->wait.done = (uint64_t)now;
	struct vfs_attr at = {.atime_ns = now, .mtime_ns = now};
	unsigned what = VFS_SET_ATIME | VFS_SET_MTIME;
	if (ts) {
		for (int i = 0; i < 2; i++) {
			long long *dst = i ? &at.mtime_ns : &at.atime_ns;
			if (ts[i].tv_nsec == UTIME_OMIT) {
				what &= ~(i ? VFS_SET_MTIME : VFS_SET_ATIME);
				continue;
			}
			if (ts[i].tv_nsec == UTIME_NOW)
				continue;
			if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= NS)
				return -EINVAL;
			/* Times beyond what nanoseconds in 64 bits hold are
			 * clamped, as Linux clamps to its filesystems' range. */
			long long v;
			if (__builtin_mul_overflow((long long)ts[i].tv_sec, (long long)NS, &v) ||
			    __builtin_add_overflow(v, (long long)ts[i].tv_nsec, &v))
				v = ts[i].tv_sec < 0 ? INT64_MIN : INT64_MAX;
			*dst = v;
		}
	}
	if (!what)
		return 0;
	return set_attr(t, dirfd, upath, flags, what, &at);
}

SYSCALL(utimensat)
{
	long w = at_flags(a[3], AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, true);
	if (w < 0)
		return w;
	struct linux_timespec ts[2];
	if (a[2] && copy_in(t->proc->mm, ts, a[2], sizeof(ts)))
		return -EFAULT;
	return set_times(t, (int)a[0], a[1], (unsigned)w, a[2] ? ts : NULL);
}

static long timeval_times(struct thread *t, int dirfd, uint64_t upath, uint64_t tv_at)
{
	struct linux_timeval tv[2];
	if (!tv_at)
		return set_times(t, dirfd, upath, WALK_FOLLOW, NULL);
	if (copy_in(t->proc->mm, tv, tv_at, sizeof(tv)))
		return -EFAULT;
	struct linux_timespec ts[2];
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		ts[i] = (struct linux_timespec){tv[i].tv_sec, tv[i].tv_usec * 1000};
	}
	return set_times(t, dirfd, upath, WALK_FOLLOW, ts);
}

SYSCALL(utimes)
{
	return timeval_times(t, AT_FDCWD, a[0], a[1]);
}

SYSCALL(futimesat)
{
	return timeval_times(t, (int)a[0], a[1], a[2]);
}

SYSCALL(utime)
{
	struct {
		long long actime, modtime;
	} ut;
	if (!a[1])
		return set_times(t, AT_FDCWD, a[0], WALK_FOLLOW, NULL);
	if (copy_in(t->proc->mm, &ut, a[1], sizeof(ut)))
		return -EFAULT;
	struct linux_timespec ts[2] = {{ut.actime, 0}, {ut.modtime, 0}};
	return set_times(t, AT_FDCWD, a[0], WALK_FOLLOW, ts);
}

static long truncate_node(struct thread *t, struct inode *ino, int64_t len)
{
	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	struct vfs_attr at = {.size = (uint64_t)len};
	return ino->fs->setattr ? ino->fs->setattr(t, ino, VFS_SET_SIZE, &at) : -EROFS;
}

SYSCALL(truncate)
{
	struct walk w = {0};
	long err = walk(t, AT_FDCWD, a[0], WALK_FOLLOW, &w);
	if (err)
		return err;
	err = truncate_node(t, w.ino, (int64_t)a[1]);
	inode_put(w.ino);
	return err;
}

SYSCALL(ftruncate)
{
	if ((int64_t)a[1] < 0)
		return -EINVAL; /* before the descriptor, as Linux */
	struct file *f = fd_get(t->proc->fds, (int64_t)(int)a[0]);
	if (!f)
		return -EBADF;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	return truncate_node(t, f->ino, (int64_t)a[1]);
}

static long sync_node(struct thread *t, struct inode *ino, bool all)
{
	return ino->fs->sync ? ino->fs->sync(t, ino, all) : 0;
}

SYSCALL(fsync)
{
	struct file *f = fd_get(t->proc->fds, (int64_t)(int)a[0]);
	if (!f)
		return -EBADF;
	/* Pipes, devices and the like have nothing to sync: Linux says EINVAL for them. */
	if (!f->ino || !(S_ISREG(f->ino->mode) || S_ISDIR(f->ino->mode)))
		return -EINVAL;
	return sync_node(t, f->ino, false);
}

SYSCALL(fdatasync)
{
	return sys_fsync(t, a);
}

SYSCALL(syncfs)
{
	struct file *f = fd_get(t->proc->fds, (int64_t)(int)a[0]);
	return f ? (f->ino->mnt ? sync_node(t, f->ino->mnt->root, true) : 0) : -EBADF;
}

SYSCALL(sync)
{
	(void)a;
	unsigned cursor = 0;
	for (struct mount *m; (m = vfs_mount_next(&cursor));) {
		long err = sync_node(t, m->root, true);
		if (err == -EBLOCKED)
			return err;
	}
	return 0;
}

static long statfs_node(struct thread *t, struct inode *ino, uint64_t buf)
{
	struct vfs_statfs s = {0};
	long err = ino->fs->statfs ? ino->fs->statfs(t, ino, &s) : 0;
	if (err)
		return err;
	struct linux_statfs st;
	kmemset(&st, 0, sizeof(st));
	st.f_type = (long long)(s.type ? s.type : ino->fs->magic);
	st.f_bsize = st.f_frsize = (long long)(s.bsize ? s.bsize : PAGE_SIZE);
	st.f_blocks = s.blocks;
	st.f_bfree = st.f_bavail = s.bfree;
	st.f_files = s.files;
	st.f_ffree = s.ffree;
	st.f_namelen = (long long)(s.namelen ? s.namelen : NAME_MAX);
	st.f_fsid[0] = ino->mnt ? (int)ino->mnt->dev : 0;
	st.f_flags = ino->fs->create ? 0 : 1; /* ST_RDONLY */
	return copy_out(t->proc->mm, buf, &st, sizeof(st));
}

SYSCALL(statfs)
{
	struct walk w = {0};
	long err = walk(t, AT_FDCWD, a[0], WALK_FOLLOW, &w);
	if (err)
		return err;
	err = statfs_node(t, w.ino, a[1]);
	inode_put(w.ino);
	return err;
}

SYSCALL(fstatfs)
{
	struct file *f = fd_get(t->proc->fds, (int64_t)(int)a[0]);
	return f ? statfs_node(t, f->ino, a[1]) : -EBADF;
}

SYSCALL(umask)
{
	unsigned old = t->proc->fs->umask;
	t->proc->fs->umask = (unsigned)a[0] & 0777;
	return old;
}

SYSCALL(chroot)
{
	(void)t, (void)a;
	return -EPERM; /* every process shares the one root */
}

SYSCALL(mount)
{
	(void)t, (void)a;
	return -EPERM; /* filesystems are mounted by their servers (fs_serve) */
}

SYSCALL(umount2)
{
	(void)t, (void)a;
	return -EPERM;
}

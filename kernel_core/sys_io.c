/* File syscalls: the console on 0, 1 and 2, read-only files of the boot image (and --root). */
#include <kernel/exec.h>
#include <kernel/fd.h>
#include <kernel/klib.h>
#include <kernel/plat.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

#define IO_MAX 0x7ffff000ull /* Linux's cap on one transfer */
#define IOV_MAX 1024
#define IOV_BATCH 32

static int console_piece(void *piece, size_t n, void *arg)
{
	long r = plat_console_write((int)(uintptr_t)arg, piece, n);
	return r < 0 ? (int)r : 0;
}

/* The console stream a file writes to, or 0 when it cannot be written. */
static int out_stream(const struct file *f)
{
	return !f ? 0 : f->kind == FILE_CONSOLE_OUT ? 1 : f->kind == FILE_CONSOLE_ERR ? 2 : 0;
}

long sys_write(struct proc *p, const uint64_t *a)
{
	uint64_t buf = a[1], len = MIN(a[2], IO_MAX);
	int stream = out_stream(fd_get(&p->fds, (int64_t)a[0]));
	if (!stream)
		return -EBADF;
	int err = uaccess_prepare(&p->mm, buf, len, false);
	if (!err)
		err = uaccess_each(&p->mm, buf, len, console_piece, (void *)(uintptr_t)stream);
	return err ? err : (long)len;
}

long sys_writev(struct proc *p, const uint64_t *a)
{
	uint64_t iov_at = a[1];
	int64_t cnt = (int64_t)a[2];
	int stream = out_stream(fd_get(&p->fds, (int64_t)a[0]));
	if (!stream)
		return -EBADF;
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	/* Check every piece before writing any, so a bad one writes nothing. */
	struct linux_iovec iov[IOV_BATCH];
	uint64_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (int64_t i = 0; i < cnt; i += IOV_BATCH) {
			size_t n = (size_t)MIN(cnt - i, IOV_BATCH);
			if (copy_in(&p->mm, iov, iov_at + (uint64_t)i * sizeof(iov[0]), n * sizeof(iov[0])))
				return -EFAULT;
			for (size_t j = 0; j < n; j++) {
				if (pass == 0) {
					if (iov[j].iov_len > IO_MAX - total)
						return -EINVAL;
					total += iov[j].iov_len;
					if (uaccess_prepare(&p->mm, iov[j].iov_base, iov[j].iov_len, false))
						return -EFAULT;
				} else if (uaccess_each(&p->mm, iov[j].iov_base, iov[j].iov_len,
							console_piece, (void *)(uintptr_t)stream)) {
					return -EIO;
				}
			}
		}
	}
	return (long)total;
}

long sys_read(struct proc *p, const uint64_t *a)
{
	struct file *f = fd_get(&p->fds, (int64_t)a[0]);
	uint64_t buf = a[1], len = MIN(a[2], IO_MAX);
	if (!f || f->kind == FILE_CONSOLE_OUT || f->kind == FILE_CONSOLE_ERR)
		return -EBADF;
	if (len == 0)
		return 0;
	/* Only the part of the buffer the data can fill is prepared (a big buffer costs nothing
	 * beyond it), and before the data is taken from its source, so that none is lost. */
	if (f->kind == FILE_REGULAR) {
		uint64_t left = f->offset < f->ref.len ? f->ref.len - f->offset : 0;
		size_t n = (size_t)MIN(len, left);
		if (n && copy_out(&p->mm, buf, (const char *)f->ref.data + f->offset, n))
			return -EFAULT;
		f->offset += n;
		return (long)n;
	}
	char tmp[4096];
	len = MIN(len, sizeof(tmp));
	if (uaccess_prepare(&p->mm, buf, len, true))
		return -EFAULT;
	long n = plat_console_read(tmp, len);
	if (n == PLAT_CONSOLE_RETRY)
		return -ERESTARTSYS;
	if (n > 0 && copy_out(&p->mm, buf, tmp, (size_t)n))
		return -EFAULT;
	return n;
}

/* Opens path for reading on the lowest free descriptor. */
static long open_path(struct proc *p, uint64_t path_at, uint64_t flags)
{
	char path[EXEC_PATH_MAX];
	long n = copy_str_in(&p->mm, path, path_at, sizeof(path));
	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	struct file_ref ref;
	int err = file_open(path, &ref);
	if (err == -EACCES)
		err = -EISDIR; /* the only non-regular files are directories */
	if (!err && (flags & O_DIRECTORY)) {
		file_close(&ref);
		err = -ENOTDIR;
	}
	if (!err && ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))) {
		file_close(&ref);
		err = -EROFS;
	}
	if (err)
		return err;
	struct file *f = file_new(FILE_REGULAR, &ref);
	if (!f) {
		file_close(&ref);
		return -ENOMEM;
	}
	int fd = fd_install(&p->fds, f, 0);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_open(struct proc *p, const uint64_t *a)
{
	return open_path(p, a[0], a[1]);
}

long sys_openat(struct proc *p, const uint64_t *a)
{
	/* Without directories to open, only the current one (the root) can be relative to. */
	if ((int)a[0] != AT_FDCWD)
		return fd_get(&p->fds, (int64_t)(int)a[0]) ? -ENOTDIR : -EBADF;
	return open_path(p, a[1], a[2]);
}

long sys_close(struct proc *p, const uint64_t *a)
{
	return fd_close(&p->fds, (int64_t)(int)a[0]);
}

long sys_lseek(struct proc *p, const uint64_t *a)
{
	struct file *f = fd_get(&p->fds, (int64_t)(int)a[0]);
	int64_t off = (int64_t)a[1];
	if (!f)
		return -EBADF;
	if (f->kind != FILE_REGULAR)
		return -ESPIPE;
	int64_t base = a[2] == SEEK_SET ? 0 : a[2] == SEEK_CUR ? (int64_t)f->offset
			: a[2] == SEEK_END ? (int64_t)f->ref.len : -1;
	if (base < 0 || (off < 0 && off < -base) || (off > 0 && off > INT64_MAX - base))
		return -EINVAL;
	f->offset = (uint64_t)(base + off);
	return (long)f->offset;
}

long sys_fstat(struct proc *p, const uint64_t *a)
{
	struct file *f = fd_get(&p->fds, (int64_t)(int)a[0]);
	if (!f)
		return -EBADF;
	struct linux_stat st;
	kmemset(&st, 0, sizeof(st));
	st.st_nlink = 1;
	st.st_blksize = PAGE_SIZE;
	if (f->kind == FILE_REGULAR) {
		st.st_mode = S_IFREG | 0555;
		st.st_size = (long long)f->ref.len;
		st.st_blocks = (long long)((f->ref.len + 511) / 512);
		st.st_ino = f->ref.id;
	} else {
		st.st_mode = S_IFCHR | 0620;
		st.st_rdev = 0x501; /* like /dev/console: 5, 1 */
	}
	return copy_out(&p->mm, a[1], &st, sizeof(st));
}

long sys_dup(struct proc *p, const uint64_t *a)
{
	struct file *f = fd_get(&p->fds, (int64_t)(int)a[0]);
	if (!f)
		return -EBADF;
	f->refs++;
	int fd = fd_install(&p->fds, f, 0);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_dup2(struct proc *p, const uint64_t *a)
{
	int64_t from = (int64_t)(int)a[0], to = (int64_t)(int)a[1];
	struct file *f = fd_get(&p->fds, from);
	if (!f)
		return -EBADF;
	if (to < 0 || to >= FD_MAX)
		return -EBADF;
	if (from == to)
		return to;
	fd_close(&p->fds, to);
	f->refs++;
	p->fds.fd[to] = f;
	return to;
}

/* Console I/O: read from fd 0, write to fds 1 and 2. */
#include <kernel/plat.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

#define IO_MAX 0x7ffff000ull /* Linux's cap on one transfer */
#define IOV_MAX 1024
#define IOV_BATCH 32

static bool fd_open(const struct proc *p, uint64_t fd)
{
	return fd < 3 && !(p->closed_fds & (1u << fd));
}

static int console_piece(void *piece, size_t n, void *arg)
{
	long r = plat_console_write((int)(uintptr_t)arg, piece, n);
	return r < 0 ? (int)r : 0;
}

long sys_write(struct proc *p, const uint64_t *a)
{
	uint64_t fd = a[0], buf = a[1], len = MIN(a[2], IO_MAX);
	if (!fd_open(p, fd) || fd == 0)
		return -EBADF;
	int err = uaccess_prepare(&p->mm, buf, len, false);
	if (!err)
		err = uaccess_each(&p->mm, buf, len, console_piece, (void *)(uintptr_t)fd);
	return err ? err : (long)len;
}

long sys_writev(struct proc *p, const uint64_t *a)
{
	uint64_t fd = a[0], iov_at = a[1];
	int64_t cnt = (int64_t)a[2];
	if (!fd_open(p, fd) || fd == 0)
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
							console_piece, (void *)(uintptr_t)fd)) {
					return -EIO;
				}
			}
		}
	}
	return (long)total;
}

long sys_read(struct proc *p, const uint64_t *a)
{
	uint64_t fd = a[0], buf = a[1], len = MIN(a[2], 4096);
	if (!fd_open(p, fd) || fd != 0)
		return -EBADF;
	if (len == 0)
		return 0;
	/* Make sure the buffer can take the data before taking it from the console. */
	if (uaccess_prepare(&p->mm, buf, len, true))
		return -EFAULT;
	char tmp[4096];
	long n = plat_console_read(tmp, len);
	if (n > 0 && copy_out(&p->mm, buf, tmp, (size_t)n))
		return -EFAULT;
	return n;
}

long sys_close(struct proc *p, const uint64_t *a)
{
	if (!fd_open(p, a[0]))
		return -EBADF;
	p->closed_fds |= 1u << a[0];
	return 0;
}

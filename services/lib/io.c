/* File descriptor I/O wrappers. */
#include <ecl/syscall.h>
#include <ecl/unistd.h>

/* Reads up to n bytes from fd into buf; returns the count (0 at end of file) or -1. */
ssize_t read(int fd, void *buf, size_t n)
{
	return syscall_ret(syscall3(SYS_read, fd, (long)buf, (long)n));
}

/* Writes up to n bytes of buf to fd; returns the count written or -1. */
ssize_t write(int fd, const void *buf, size_t n)
{
	return syscall_ret(syscall3(SYS_write, fd, (long)buf, (long)n));
}

/* Writes the iovcnt buffers of iov to fd in order; returns the total written or -1. */
ssize_t writev(int fd, const struct linux_iovec *iov, int iovcnt)
{
	return syscall_ret(syscall3(SYS_writev, fd, (long)iov, iovcnt));
}

/* Closes fd; returns 0 or -1. */
int close(int fd)
{
	return (int)syscall_ret(syscall1(SYS_close, fd));
}

/* Opening and seeking in files. */
#include <ecl/fcntl.h>
#include <ecl/syscall.h>
#include <stdarg.h>

/* Opens path with flags (and a mode when O_CREAT is among them); returns a descriptor or -1. */
int open(const char *path, int flags, ...)
{
	unsigned mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	return (int)syscall_ret(syscall3(SYS_open, (long)path, flags, mode));
}

/* Moves fd's offset to off from where whence says; returns the new offset or -1. */
off_t lseek(int fd, off_t off, int whence)
{
	return syscall_ret(syscall3(SYS_lseek, fd, off, whence));
}

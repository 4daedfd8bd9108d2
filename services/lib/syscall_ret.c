/* The one place where a -errno system call result becomes errno and -1. */
#include <ecl/errno.h>
#include <ecl/syscall.h>

int errno;

/* Returns r, or -1 with errno set when r is a -errno value (-4095..-1). */
long syscall_ret(unsigned long r)
{
	if (r > -4096UL) {
		errno = (int)-r;
		return -1;
	}
	return (long)r;
}

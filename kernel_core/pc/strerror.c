/* The text of each error number, as glibc words it, so that the pc kernel's messages read the
 * same as eclipse-sim's, which come from the host's C library. */
#include "pc.h"

#include <uapi/linux.h>

static const char *const texts[] = {
	[EPERM] = "Operation not permitted",
	[ENOENT] = "No such file or directory",
	[ESRCH] = "No such process",
	[EINTR] = "Interrupted system call",
	[EIO] = "Input/output error",
	[E2BIG] = "Argument list too long",
	[ENOEXEC] = "Exec format error",
	[EBADF] = "Bad file descriptor",
	[ECHILD] = "No child processes",
	[EAGAIN] = "Resource temporarily unavailable",
	[ENOMEM] = "Cannot allocate memory",
	[EACCES] = "Permission denied",
	[EFAULT] = "Bad address",
	[EBUSY] = "Device or resource busy",
	[EEXIST] = "File exists",
	[ENODEV] = "No such device",
	[ENOTDIR] = "Not a directory",
	[EISDIR] = "Is a directory",
	[EINVAL] = "Invalid argument",
	[ENFILE] = "Too many open files in system",
	[EMFILE] = "Too many open files",
	[ENOSPC] = "No space left on device",
	[ESPIPE] = "Illegal seek",
	[EROFS] = "Read-only file system",
	[EPIPE] = "Broken pipe",
	[ERANGE] = "Numerical result out of range",
	[EDEADLK] = "Resource deadlock avoided",
	[ENAMETOOLONG] = "File name too long",
	[ENOSYS] = "Function not implemented",
	[ETIMEDOUT] = "Connection timed out",
};

char *strerror(int err)
{
	/* One buffer, as the C standard allows: the text of an unknown number lasts until the next
	 * call. */
	static char unknown[sizeof "Unknown error -2147483648"];
	if (err > 0 && (unsigned)err < sizeof texts / sizeof texts[0] && texts[err])
		return (char *)texts[err];
	char digits[12], *d = digits + sizeof digits;
	unsigned magnitude = err < 0 ? 0u - (unsigned)err : (unsigned)err;
	*--d = '\0';
	do
		*--d = (char)('0' + magnitude % 10);
	while (magnitude /= 10);
	if (err < 0)
		*--d = '-';
	char *out = unknown;
	for (const char *s = "Unknown error "; *s;)
		*out++ = *s++;
	while ((*out++ = *d++))
		;
	return unknown;
}

/* errno: set by every wrapper whose system call fails; values are the Linux ones in eclipse.h. */
#ifndef ECL_ERRNO_H
#define ECL_ERRNO_H

#include <eclipse.h>
#include <linux.h>

/* The error of the last failed call; guests are single-threaded, so one global suffices. */
extern int errno;

#endif

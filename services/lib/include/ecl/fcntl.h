/*
 * Opening files and moving in them. Flags (O_*) and whence values (SEEK_*) are the Linux ones
 * from eclipse.h; read and close are in <ecl/unistd.h>.
 */
#ifndef ECL_FCNTL_H
#define ECL_FCNTL_H

#include <ecl/unistd.h>

/* Opens path with flags (and a mode when O_CREAT is among them); returns a descriptor or -1. */
int open(const char *path, int flags, ...);
/* Moves fd's offset to off from where whence says; returns the new offset or -1. */
off_t lseek(int fd, off_t off, int whence);

#endif

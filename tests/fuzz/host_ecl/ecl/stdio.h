/*
 * The guest runtime's <ecl/stdio.h> on the host, for fuzzing init/config.c there: the C
 * library's functions, with dprintf (the parser's error messages) formatted and thrown away.
 * Used with host_ecl/ before services/lib/include on the include path; init/ is unchanged.
 */
#ifndef FUZZ_HOST_ECL_STDIO_H
#define FUZZ_HOST_ECL_STDIO_H

#include <stdarg.h>
#include <stdio.h>

#define ECL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* Formats like dprintf and discards the text; returns its length. */
int fuzz_dprintf(int fd, const char *fmt, ...) ECL_PRINTF(2, 3);
#define dprintf fuzz_dprintf

#endif

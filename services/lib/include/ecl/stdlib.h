/* Allocation, process exit and number parsing. */
#ifndef ECL_STDLIB_H
#define ECL_STDLIB_H

#include <stddef.h>

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);

/* Ends the process with status; stdio is unbuffered, so there is nothing to flush. */
_Noreturn void exit(int status);
/* Raises SIGABRT; exits with 127 if the signal is caught or ignored. */
_Noreturn void abort(void);

long strtol(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
int atoi(const char *s);

#endif

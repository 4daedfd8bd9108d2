/* The printf engine, shared by the snprintf and dprintf families (library-internal). */
#ifndef ECL_FORMAT_H
#define ECL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Where formatted bytes go: a buffer that, once full, is written to fd or, if fd < 0, stops. */
struct fmt_out {
	char *buf;
	size_t cap;	/* bytes buf can hold */
	size_t len;	/* bytes in buf */
	size_t total;	/* bytes formatted so far, kept or not */
	int fd;
	int failed;	/* a write to fd failed */
};

/* Formats fmt with ap into o; the caller flushes a descriptor-backed o at the end. */
void fmt_vformat(struct fmt_out *o, const char *fmt, va_list ap);
/* Writes out o's buffered bytes to o->fd and empties the buffer; sets o->failed on error. */
void fmt_flush(struct fmt_out *o);

#endif

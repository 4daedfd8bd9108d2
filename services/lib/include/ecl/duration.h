/*
 * Durations as people write them: "1.5s", "250ms", "2m". Freestanding (no C library): the same
 * parser reads eclipse-sim's --max-time, the pc kernel's max-time= and the guests' durations.
 */
#ifndef ECL_DURATION_H
#define ECL_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Parses the len bytes at s: digits, optionally a '.' and up to nine more, then one of the
 * units ns, us, ms, s, m, h ("1.5s", "250ms", "0.25h"). Stores the duration in *ns (a fraction
 * of a nanosecond dropped) and returns 0; returns -1 for anything else (a bare number too: whether
 * it meant seconds or milliseconds is for the writer to say) or above UINT64_MAX nanoseconds. */
int duration_parse_ns(const char *s, size_t len, uint64_t *ns);

#endif

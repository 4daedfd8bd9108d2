/* Monotonic time in milliseconds, sleeping, and durations written as "500ms" or "1.5s". */
#ifndef ECL_TIME_H
#define ECL_TIME_H

/* Returns CLOCK_MONOTONIC in milliseconds, or -1 if it cannot be read. */
long long monotonic_ms(void);
/* Returns CLOCK_MONOTONIC in nanoseconds, or 0 if it cannot be read. */
unsigned long long monotonic_ns(void);
/* Sleeps ms milliseconds (none if ms <= 0); returns 0, or -1 with errno EINTR if a handled
 * signal cut the sleep short. */
int sleep_ms(long long ms);
/* Parses a duration as duration_parse_ns does (ecl/duration.h: "1.5s", "250ms", "2m"), rounded
 * up to a millisecond. Stores it in *ms and returns 0, or returns -1 for anything else (also
 * above a year). */
int duration_parse(const char *s, long long *ms);

#endif

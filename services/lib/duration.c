/* Durations in configuration files and options: "250ms", "2s", or bare milliseconds. */
#include <ecl/string.h>
#include <ecl/time.h>

#define DURATION_MAX_MS (366LL * 24 * 3600 * 1000)

/* Parses digits with the unit ms or s, or bare digits (ms); stores *ms and returns 0, or -1. */
int duration_parse(const char *s, long long *ms)
{
	long long v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > DURATION_MAX_MS)
			return -1;
	}
	if (p == s)
		return -1;
	if (!strcmp(p, "s"))
		v *= 1000;
	else if (*p && strcmp(p, "ms"))
		return -1;
	if (v > DURATION_MAX_MS)
		return -1;
	*ms = v;
	return 0;
}

/* Durations in milliseconds, the unit of libecl's clock and sleeps (ecl/time.h). */
#include <ecl/duration.h>
#include <ecl/time.h>
#include <string.h>

#define DURATION_MAX_MS (366ull * 24 * 3600 * 1000)

int duration_parse(const char *s, long long *ms)
{
	uint64_t ns;
	if (duration_parse_ns(s, strlen(s), &ns))
		return -1;
	/* Rounded up: a wait or a timeout is never shorter than the one written. */
	uint64_t rounded = ns / 1000000 + (ns % 1000000 != 0);
	if (rounded > DURATION_MAX_MS)
		return -1;
	*ms = (long long)rounded;
	return 0;
}

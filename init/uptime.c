/* init's clock: milliseconds since its first reading, which main takes at startup. */
#include <ecl/time.h>
#include <stdio.h>

#include "supervisor.h"

/* Milliseconds since init started, from CLOCK_MONOTONIC. */
long long uptime_ms(void)
{
	static long long boot_ms = -1;
	long long now = monotonic_ms();
	if (boot_ms < 0)
		boot_ms = now;
	return now - boot_ms;
}

/* Writes ms into buf as seconds with milliseconds ("12.345s"); returns buf. */
const char *seconds(char buf[SECONDS_LEN], long long ms)
{
	snprintf(buf, SECONDS_LEN, "%lld.%03llds", ms / 1000, ms % 1000);
	return buf;
}

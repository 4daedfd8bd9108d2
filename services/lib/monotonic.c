/* The monotonic clock in milliseconds and nanoseconds, and sleeping for milliseconds. */
#include <ecl/time.h>
#include <time.h>

/* Returns CLOCK_MONOTONIC in milliseconds, or -1 if it cannot be read. */
long long monotonic_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return -1;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns CLOCK_MONOTONIC in nanoseconds (0 if it cannot be read). */
unsigned long long monotonic_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Sleeps ms milliseconds; returns 0, or -1 with errno EINTR if a handled signal cut it short. */
int sleep_ms(long long ms)
{
	if (ms <= 0)
		return 0;
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
	return nanosleep(&ts, NULL);
}

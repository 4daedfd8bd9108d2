/* Clocks and uname: the monotonic clock moves forward across a 10 ms sleep.
 * With the argument "spin": prints the monotonic time a fixed loop takes (virtual time is
 * the work done, so the figure must not depend on how the run was sliced). */
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "check.h"

#define NSEC 1000000000LL

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * NSEC + t->tv_nsec;
}

static int valid(const struct timespec *t)
{
	return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < NSEC;
}

static int spin(void)
{
	struct timespec a, b;
	volatile unsigned long sum = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned long i = 0; i < 200000; i++)
		sum += i;
	(void)sum; /* the work is the point, not the result */
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("spin %lld ns\n", ns_of(&b) - ns_of(&a));
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec a, b, now, ten_ms = { 0, 10000000 };
	struct utsname u;
	int monotonic = 1;

	if (argc > 1 && strcmp(argv[1], "spin") == 0)
		return spin();

	check(clock_gettime(CLOCK_MONOTONIC, &a) == 0 && valid(&a), "clock_gettime(CLOCK_MONOTONIC)");
	for (int i = 0; i < 100; i++) {
		long long before = ns_of(&a);
		monotonic &= clock_gettime(CLOCK_MONOTONIC, &a) == 0 && ns_of(&a) >= before;
	}
	check(monotonic, "CLOCK_MONOTONIC never goes back");
	check(nanosleep(&ten_ms, NULL) == 0, "nanosleep 10 ms");
	check(clock_gettime(CLOCK_MONOTONIC, &b) == 0 && ns_of(&b) - ns_of(&a) >= 10000000,
	      "CLOCK_MONOTONIC advanced at least 10 ms across the sleep");
	check(clock_gettime(CLOCK_REALTIME, &now) == 0 && valid(&now), "clock_gettime(CLOCK_REALTIME)");

	check(uname(&u) == 0, "uname");
	check(u.sysname[0] != '\0', "uname sysname non-empty");
	printf("uname machine %s\n", u.machine);
	check(strcmp(u.machine, "x86_64") == 0, "uname machine is x86_64");
	return check_status();
}

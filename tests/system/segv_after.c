/* A test service that crashes: segv_after DURATION sleeps DURATION, then writes through a null
 * pointer and dies of SIGSEGV. */
#include <ecl/time.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long long after_ms;
	if (argc != 2 || duration_parse(argv[1], &after_ms) < 0) {
		dprintf(2, "usage: segv_after DURATION\n");
		return 2;
	}
	/* A service's log: each line goes out when printed, in time order with init's. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("segv_after: pid %d crashes in %lld ms\n", getpid(), after_ms);
	sleep_ms(after_ms);
	/* volatile twice: the compiler must neither know the pointer is null nor drop the store. */
	volatile int *volatile null = NULL;
	*null = 1;
	return 0;
}

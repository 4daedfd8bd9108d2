/* A service that crashes: it runs for a while (1s, or --after=DURATION), then writes through
 * a null pointer and dies of SIGSEGV; services.conf here shows init restarting it. */
#include <ecl/time.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long long after_ms = 1000;
	if (argc > 2 ||
	    (argc == 2 && (strncmp(argv[1], "--after=", 8) || duration_parse(argv[1] + 8, &after_ms)))) {
		dprintf(2, "usage: crasher [--after=DURATION]\n");
		return 2;
	}
	/* A service's log: each line goes out when printed, not lost in a buffer when it dies. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("crasher: started (pid %d), crashing in %lld ms\n", getpid(), after_ms);
	sleep_ms(after_ms);
	printf("crasher: writing through a null pointer\n");
	/* volatile twice: the compiler must neither know the pointer is null nor drop the store. */
	volatile int *volatile null = NULL;
	*null = 1;
	return 0;
}

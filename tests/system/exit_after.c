/* A test service that ends on its own: exit_after DURATION STATUS sleeps DURATION, then exits
 * with STATUS. Restart tests run it under each policy. */
#include <ecl/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long long after_ms;
	if (argc != 3 || duration_parse(argv[1], &after_ms) < 0) {
		dprintf(2, "usage: exit_after DURATION STATUS\n");
		return 2;
	}
	int status = atoi(argv[2]);
	/* A service's log: each line goes out when printed, in time order with init's. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("exit_after: pid %d exits with status %d in %lld ms\n", getpid(), status, after_ms);
	sleep_ms(after_ms);
	return status;
}

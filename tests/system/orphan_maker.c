/* A test service that leaves an orphan: orphan_maker DURATION STATUS [--ignore-sigterm] forks a
 * child that sleeps DURATION and exits with STATUS (ignoring SIGTERM if asked), and exits 0 at
 * once without waiting for it. init adopts the child and must reap it. */
#include <ecl/time.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long long after_ms;
	int stubborn = argc == 4 && !strcmp(argv[3], "--ignore-sigterm");
	if ((argc != 3 && !stubborn) || duration_parse(argv[1], &after_ms) < 0) {
		dprintf(2, "usage: orphan_maker DURATION STATUS [--ignore-sigterm]\n");
		return 2;
	}
	int status = atoi(argv[2]);
	/* A service's log: each line goes out when printed, in time order with init's. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	pid_t pid = fork();
	if (pid < 0) {
		dprintf(2, "orphan_maker: fork failed: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		struct sigaction ignore = {.sa_handler = SIG_IGN};
		sigemptyset(&ignore.sa_mask);
		if (stubborn && sigaction(SIGTERM, &ignore, NULL) < 0)
			_exit(1);
		sleep_ms(after_ms);
		printf("orphan_maker: orphan %d exits with status %d\n", getpid(), status);
		_exit(status);
	}
	printf("orphan_maker: pid %d leaves child %d behind\n", getpid(), pid);
	return 0;
}

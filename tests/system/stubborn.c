/* A test service that ignores SIGTERM: only SIGKILL ends it, so init's shutdown must wait out
 * its grace period (and a second Ctrl-C to the simulator has something to cut short). */
#include <ecl/time.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	struct sigaction ignore = {.sa_handler = SIG_IGN};
	sigemptyset(&ignore.sa_mask);
	if (sigaction(SIGTERM, &ignore, NULL) < 0)
		return 1;
	/* A service's log: each line goes out when printed, in time order with init's. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("stubborn: pid %d ignores SIGTERM\n", getpid());
	for (;;)
		sleep_ms(60000);
}

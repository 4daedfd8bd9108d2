/* A test service that ignores SIGTERM: only SIGKILL ends it, so init's shutdown must wait out
 * its grace period (and a second Ctrl-C to the simulator has something to cut short). */
#include <ecl/signal.h>
#include <ecl/stdio.h>
#include <ecl/time.h>
#include <ecl/unistd.h>

int main(void)
{
	struct sigaction ignore = {.sa_handler = SIG_IGN};
	sigemptyset(&ignore.sa_mask);
	if (sigaction(SIGTERM, &ignore, NULL) < 0)
		return 1;
	printf("stubborn: pid %d ignores SIGTERM\n", getpid());
	for (;;)
		sleep_ms(60000);
}

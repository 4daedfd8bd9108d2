/* service_main: announce, initialise, heartbeat until asked to stop. */
#include <ecl/service.h>
#include <ecl/signal.h>
#include <ecl/time.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The stop signal that arrived, or 0. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* Reads --heartbeat=DURATION into svc's interval; returns 0, or -1 after printing the usage. */
static int parse_options(const struct service_info *svc, int argc, char **argv,
			 long long *heartbeat_ms)
{
	*heartbeat_ms = svc->heartbeat_ms;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--heartbeat=", 12) || duration_parse(argv[i] + 12, heartbeat_ms) ||
		    *heartbeat_ms == 0) {
			dprintf(2, "%s: bad argument '%s'\nusage: %s [--heartbeat=DURATION]\n", svc->name,
				argv[i], argv[0]);
			return -1;
		}
	}
	return 0;
}

/* Runs the service described by svc with the command line argc/argv; returns main's status. */
int service_main(const struct service_info *svc, int argc, char **argv)
{
	long long heartbeat_ms;
	if (parse_options(svc, argc, argv, &heartbeat_ms) < 0)
		return 2;
	/* Each line goes out when it is printed, also when stdout is a file or a pipe (which
	 * the C library would buffer), so that it keeps its time order among other processes'. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		dprintf(2, "%s: cannot install signal handlers: %s\n", svc->name, strerror(errno));

	printf("%s: started (pid %d)\n", svc->name, getpid());
	for (const char *const *step = svc->setup; *step; step++)
		printf("%s: %s\n", svc->name, *step);
	int status = svc->start ? svc->start() : 0;
	if (status)
		return status;
	printf("%s: ready, heartbeat every %lld ms\n", svc->name, heartbeat_ms);

	unsigned long beats = 0;
	long long next = monotonic_ms() + heartbeat_ms;
	while (!stop_signal) {
		long long now = monotonic_ms();
		if (now < next) {
			if (svc->wait)
				svc->wait(next - now);
			else
				sleep_ms(next - now);
			continue;
		}
		printf("%s: heartbeat %lu\n", svc->name, ++beats);
		/* After a long stop (a debugger, say), one heartbeat, not a burst of missed ones. */
		next = next + heartbeat_ms > now ? next + heartbeat_ms : now + heartbeat_ms;
	}
	printf("%s: %s received, stopping\n", svc->name, signal_name(stop_signal));
	if (svc->stop)
		svc->stop();
	return 0;
}

/*
 * The common life of a system service until IPC gives it real work: announce itself with its
 * pid, print its initialisation steps, then sleep from heartbeat to heartbeat until SIGTERM (or
 * SIGINT) asks it to stop, which it does with exit status 0.
 */
#ifndef ECL_SERVICE_H
#define ECL_SERVICE_H

#include <stddef.h>

/* What a service is: its name, the steps it reports while initialising (NULL-terminated) and
 * its heartbeat interval, which the option --heartbeat=DURATION overrides. */
struct service_info {
	const char *name;
	const char *const *setup;
	long long heartbeat_ms;
	/* Optional: a service with work of its own. start runs after the setup lines (nonzero:
	 * the service ends with that status); wait replaces the sleep between heartbeats, doing
	 * the work that comes within ms (it returns early on a signal); stop runs once a stop
	 * signal came. */
	int (*start)(void);
	void (*wait)(long long ms);
	void (*stop)(void);
};

/* Runs the service described by svc with the command line argc/argv; returns main's status:
 * 0 after a stop signal, 2 for a bad command line. */
int service_main(const struct service_info *svc, int argc, char **argv);

#endif

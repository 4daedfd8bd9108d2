/* The supervisor: init's table of services, started with fork+execve, reaped with wait4 and
 * restarted or given up on as their policies say. Times are milliseconds since boot. */
#ifndef INIT_SUPERVISOR_H
#define INIT_SUPERVISOR_H

#include "config.h"

enum service_state {
	SERVICE_PENDING,  /* not started yet */
	SERVICE_RUNNING,
	SERVICE_BACKOFF,  /* ended; restarts at due_ms */
	SERVICE_EXITED,   /* ended with status 0 and is not restarted */
	SERVICE_FAILED,   /* ended badly and is not restarted (policy, or past its limit) */
	SERVICE_STOPPING, /* sent SIGTERM at shutdown */
	SERVICE_STOPPED,  /* ended at shutdown */
};

struct service {
	const struct service_config *cfg;
	enum service_state state;
	int pid;
	int restarts;         /* in all, for the status table */
	int streak;           /* restarts since the last run that lasted cfg->stable_ms */
	long long started_ms; /* start of the current or last run */
	long long due_ms;     /* restart time, in SERVICE_BACKOFF */
};

#define SECONDS_LEN 24

/* Milliseconds since init started, from CLOCK_MONOTONIC. */
long long uptime_ms(void);
/* Writes ms into buf as seconds with milliseconds ("12.345s"); returns buf. */
const char *seconds(char buf[SECONDS_LEN], long long ms);

/* Takes over cfg's services (kept, in start order); binaries are run from root + binary. The
 * output of services not on the console goes to log (a path) when it is not NULL. */
void supervisor_init(const struct init_config *cfg, const char *root, const char *log);
/* Starts the configured services of phase, in order. */
void supervisor_start_phase(enum phase phase);
/* Reaps every ended child (services and orphans) without blocking, applying restart policies. */
void supervisor_reap(void);
/* Restarts the services whose backoff has run out. */
void supervisor_restart_due(void);
/* Returns the earliest restart time, or -1 if no service waits for one. */
long long supervisor_next_due(void);
/* Prints the status table (name, state, pid, restarts, uptime) under a title line. */
void supervisor_print_table(const char *title);
/* Stops the services in reverse start order: SIGTERM to each one's process group, SIGKILL
 * after the grace period; pending restarts are cancelled. */
void supervisor_shutdown(void);

#endif

/* init's configuration: /etc/services.conf parsed into settings and service entries (README.md). */
#ifndef INIT_CONFIG_H
#define INIT_CONFIG_H

#include <stdbool.h>

#define SERVICES_MAX 32
#define SERVICE_NAME_MAX 32 /* with its NUL */
#define SERVICE_PATH_MAX 128
#define SERVICE_ARGS_MAX 8
#define SERVICE_ARGS_LEN 256
#define SERVICE_AFTER_MAX 8
#define SERVICE_DEVICES_MAX 4

enum phase { PHASE_ESSENTIAL, PHASE_SYSTEM };
enum restart_policy { RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_NEVER };

struct service_config {
	char name[SERVICE_NAME_MAX];
	char binary[SERVICE_PATH_MAX];
	char args[SERVICE_ARGS_LEN];   /* the arguments after argv[0], NUL-separated */
	int nargs;
	enum phase phase;
	enum restart_policy restart;
	int limit;                     /* restarts in a row before the service is marked failed */
	long long backoff_ms;          /* delay before the first restart, doubled for each next one */
	long long backoff_max_ms;
	long long stable_ms;           /* a run at least this long resets the restart count */
	int console;                   /* runs on the console: its session, its controlling tty */
	char tty[SERVICE_PATH_MAX];    /* runs on this terminal so (not the console): "" none */
	char serves[SERVICE_PATH_MAX]; /* a path it serves files at: init waits for that at boot */
	char when[SERVICE_NAME_MAX];   /* started only if init's command line has this word */
	struct {
		unsigned short vendor, device;
		unsigned char word;   /* which word of 'devices =' it came from (a name: several ids) */
		bool optional;        /* the word ended in '?': no message when the machine lacks it */
	} devices[SERVICE_DEVICES_MAX]; /* PCI functions granted to it (dev_grant) */
	int ndevices;
	int after[SERVICE_AFTER_MAX];  /* indices of the services this one starts after */
	int nafter;
	int line;                      /* of its [name] header, for messages */
};

struct init_config {
	long long heartbeat_ms;        /* between status reports of the main loop */
	long long grace_ms;            /* from SIGTERM to SIGKILL when stopping a service */
	struct service_config services[SERVICES_MAX];
	int count;
	int order[SERVICES_MAX];       /* start order: essential ones first, each after its 'after' */
};

/* Parses text (the contents of file) into *cfg. Reports each error on stderr as
 * "init: FILE:LINE: ..." and leaves out the entry it is in (a bad [init] setting keeps its
 * default). Returns the number of errors. */
int config_parse(const char *file, char *text, struct init_config *cfg);

#endif

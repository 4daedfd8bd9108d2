/*
 * init, process 1: brings Eclipse OS up in four phases (filesystems, essential services, system
 * services, main loop), supervises the services, and on SIGTERM stops them in reverse start
 * order and exits 0. README.md describes services.conf and the command line.
 */
#include <ecl/signal.h>
#include <ecl/time.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "supervisor.h"
#include "version.h"

#define CONFIG_PATH "/etc/services.conf"
#define CONFIG_MAX (64 * 1024)

/* The signal that asked for shutdown (SIGTERM, or SIGINT from a terminal), or 0. */
static volatile sig_atomic_t stop_signal;
/* Set by SIGCHLD: a child ended since the last reaping. */
static volatile sig_atomic_t child_ended;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_child(int sig)
{
	(void)sig;
	child_ended = 1;
}

/* Installs the handlers, without SA_RESTART: a signal must cut the main loop's sleep short. */
static void install_handlers(void)
{
	struct sigaction stop = {.sa_handler = on_stop}, child = {.sa_handler = on_child};
	sigemptyset(&stop.sa_mask);
	sigemptyset(&child.sa_mask);
	if (sigaction(SIGTERM, &stop, NULL) < 0 || sigaction(SIGINT, &stop, NULL) < 0 ||
	    sigaction(SIGCHLD, &child, NULL) < 0)
		printf("init: no signal handlers (%s): reaping by the clock, no orderly shutdown\n",
		       strerror(errno));
}

/* Reads --config=FILE and --root=DIR; returns 0, or -1 after printing the usage. */
static int parse_options(int argc, char **argv, const char **config, const char **root)
{
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--config=", 9) && argv[i][9]) {
			*config = argv[i] + 9;
		} else if (!strncmp(argv[i], "--root=", 7)) {
			*root = argv[i] + 7;
		} else {
			dprintf(2, "init: unknown argument '%s'\n"
				   "usage: init [--config=FILE] [--root=DIR]\n"
				   "  --config=FILE  read the services from FILE instead of " CONFIG_PATH "\n"
				   "  --root=DIR     run the service binaries from under DIR\n",
				argv[i]);
			return -1;
		}
	}
	return 0;
}

/* Reads the file at path into buf, NUL-terminated; returns its length, CONFIG_MAX + 1 if it
 * is longer than CONFIG_MAX, or -1 with errno. */
static long read_config(const char *path, char buf[CONFIG_MAX + 2])
{
	int fd = open(path, O_RDONLY);
	long len = 0, n = 0;
	if (fd < 0)
		return -1;
	while (len <= CONFIG_MAX && (n = read(fd, buf + len, CONFIG_MAX + 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return n < 0 ? -1 : len;
}

/* Phase 1: the boot image is the root filesystem and is already there; reading the
 * configuration from it checks that it serves files. Without one, no service starts. */
static void mount_filesystems(const char *path, struct init_config *cfg)
{
	static char text[CONFIG_MAX + 2];
	long len = read_config(path, text);
	if (len < 0 || len > CONFIG_MAX) {
		if (len < 0)
			printf("init:   cannot read %s: %s: no services to start\n", path, strerror(errno));
		else
			printf("init:   %s is larger than %d bytes: no services to start\n", path, CONFIG_MAX);
		text[0] = '\0';
	} else {
		printf("init:   / is the boot image, read-only; %s: %ld bytes\n", path, len);
	}
	int errors = config_parse(path, text, cfg);
	printf("init:   %d service%s configured%s\n", cfg->count, cfg->count == 1 ? "" : "s",
	       errors ? "; entries with errors left out" : "");
}

/* Phase 4: reaps, restarts and reports until a stop signal arrives. Sleeps until the next
 * heartbeat or restart; SIGCHLD wakes it early, and a missed one waits for that wake-up. */
static void supervise(long long heartbeat_ms)
{
	unsigned long beat = 0;
	long long next_beat = uptime_ms() + heartbeat_ms;
	while (!stop_signal) {
		child_ended = 0;
		supervisor_reap();
		supervisor_restart_due();
		long long now = uptime_ms();
		if (now >= next_beat) {
			char title[32];
			snprintf(title, sizeof title, "heartbeat %lu", ++beat);
			supervisor_print_table(title);
			while (next_beat <= now)
				next_beat += heartbeat_ms;
		}
		long long wake = next_beat, due = supervisor_next_due();
		if (due >= 0 && due < wake)
			wake = due;
		if (!child_ended && !stop_signal)
			sleep_ms(wake - now);
	}
}

int main(int argc, char **argv)
{
	static struct init_config cfg;
	const char *config = CONFIG_PATH, *root = "";
	char t[SECONDS_LEN];
	if (parse_options(argc, argv, &config, &root) < 0)
		return 2;
	/* The console's log: each line goes out when it is printed, also to a file or a pipe, so
	 * that it keeps its time order among the services' lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	uptime_ms();
	printf("Eclipse OS %s: init is up as pid %d\n", ECLIPSE_VERSION, getpid());
	install_handlers();

	printf("init: Phase 1: mounting filesystems\n");
	mount_filesystems(config, &cfg);
	supervisor_init(&cfg, root);
	printf("init: Phase 2: starting essential services\n");
	supervisor_start_phase(PHASE_ESSENTIAL);
	printf("init: Phase 3: starting system services\n");
	supervisor_start_phase(PHASE_SYSTEM);
	printf("init: Phase 4: main loop, heartbeat every %s\n", seconds(t, cfg.heartbeat_ms));
	supervise(cfg.heartbeat_ms);

	printf("init: %s received: shutting down\n", signal_name(stop_signal));
	supervisor_shutdown();
	supervisor_print_table("final status");
	printf("init: all services stopped; goodbye\n");
	return 0;
}

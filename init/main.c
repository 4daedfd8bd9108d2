/*
 * init, process 1: brings Eclipse OS up in four phases (filesystems, essential services, system
 * services, main loop), supervises the services, and on SIGTERM (or busybox's halt and poweroff,
 * SIGUSR1 and SIGUSR2) stops them in reverse start order and exits 0. README.md describes
 * services.conf and the command line.
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
#define WORDS_MAX 8
#define LOG_PATH "/dev/kmsg"

/* The words of init's command line (the kernel's "shell", say), for 'when' in services.conf. */
static const char *words[WORDS_MAX];
static int nwords;

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
	    sigaction(SIGUSR1, &stop, NULL) < 0 || sigaction(SIGUSR2, &stop, NULL) < 0 ||
	    sigaction(SIGCHLD, &child, NULL) < 0)
		printf("init: no signal handlers (%s): reaping by the clock, no orderly shutdown\n",
		       strerror(errno));
}

/* Reads --config=FILE, --root=DIR and the words; returns 0, or -1 after printing the usage. */
static int parse_options(int argc, char **argv, const char **config, const char **root)
{
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--config=", 9) && argv[i][9]) {
			*config = argv[i] + 9;
		} else if (!strncmp(argv[i], "--root=", 7)) {
			*root = argv[i] + 7;
		} else if (argv[i][0] != '-' && argv[i][0] && nwords < WORDS_MAX) {
			words[nwords++] = argv[i];
		} else {
			dprintf(2, "init: unknown argument '%s'\n"
				   "usage: init [--config=FILE] [--root=DIR] [WORD...]\n"
				   "  --config=FILE  read the services from FILE instead of " CONFIG_PATH "\n"
				   "  --root=DIR     run the service binaries from under DIR\n"
				   "  WORD           start the services whose 'when' is WORD (shell: the\n"
				   "                 console shell); at most %d words\n",
				argv[i], WORDS_MAX);
			return -1;
		}
	}
	return 0;
}

static int has_word(const char *w)
{
	for (int i = 0; i < nwords; i++)
		if (!strcmp(words[i], w))
			return 1;
	return 0;
}

/* Leaves out the services whose 'when' word init was not given; returns whether one that stays
 * runs on the console. */
static int keep_wanted(struct init_config *cfg)
{
	int kept = 0, console = 0;
	for (int i = 0; i < cfg->count; i++) {
		const struct service_config *s = &cfg->services[i];
		if (s->when[0] && !has_word(s->when))
			continue;
		console |= s->console;
		cfg->services[kept++] = *s;
	}
	cfg->count = kept;
	return console;
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
 * configuration from it checks that it serves files. Without one, no service starts. Returns
 * whether a service to start runs on the console. */
static int mount_filesystems(const char *path, struct init_config *cfg)
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
	int console = keep_wanted(cfg);
	printf("init:   %d service%s configured%s\n", cfg->count, cfg->count == 1 ? "" : "s",
	       errors ? "; entries with errors left out" : "");
	return console;
}

/* The console, while init's output goes to the log. */
static int console_fd = -1;

/* Sends init's own output to path from now on (the console goes to a shell). */
static void log_to(const char *path)
{
	console_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("init: cannot open %s: %s: init's messages stay on the console\n", path,
		       strerror(errno));
		return;
	}
	printf("init: the console is the shell's; init and the services write to the kernel log"
	       " (dmesg)\n");
	fflush(stdout);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
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
	/* A person at the console: the other services' lines and init's own go to the kernel
	 * log (dmesg) instead, once the boot has been told. */
	int console = mount_filesystems(config, &cfg);
	supervisor_init(&cfg, root, console ? LOG_PATH : NULL);
	printf("init: Phase 2: starting essential services\n");
	supervisor_start_phase(PHASE_ESSENTIAL);
	printf("init: Phase 3: starting system services\n");
	supervisor_start_phase(PHASE_SYSTEM);
	printf("init: Phase 4: main loop, heartbeat every %s\n", seconds(t, cfg.heartbeat_ms));
	if (console)
		log_to(LOG_PATH);
	supervise(cfg.heartbeat_ms);

	if (console_fd >= 0) { /* the shutdown is for the person at the console to see */
		dup2(console_fd, 1);
		dup2(console_fd, 2);
	}
	printf("init: %s received: shutting down\n", signal_name(stop_signal));
	supervisor_shutdown();
	supervisor_print_table("final status");
	printf("init: all services stopped; goodbye\n");
	return 0;
}

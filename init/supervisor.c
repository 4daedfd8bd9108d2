/*
 * The supervisor. Each service runs in a process group of its own, so that stopping it also
 * stops whatever it started, and so that a terminal's Ctrl-C reaches init alone, which then
 * stops the services in order.
 */
#include <ecl/signal.h>
#include <ecl/time.h>
#include <eclipse.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor.h"

#define PATH_LEN 512
#define SERVES_WAIT_MS 10000

static struct service services[SERVICES_MAX];
static int count;
static const char *root;
static const char *log_path; /* where the services' output goes, or NULL: init's own */
static long long grace_ms;
static int shutting_down;

static const char *state_name(enum service_state s)
{
	static const char *const names[] = {
		[SERVICE_PENDING] = "pending", [SERVICE_RUNNING] = "running", [SERVICE_BACKOFF] = "backoff",
		[SERVICE_EXITED] = "exited",   [SERVICE_FAILED] = "failed",   [SERVICE_STOPPING] = "stopping",
		[SERVICE_STOPPED] = "stopped",
	};
	return names[s];
}

static const char *policy_name(enum restart_policy p)
{
	return p == RESTART_ALWAYS ? "always" : p == RESTART_ON_FAILURE ? "on-failure" : "never";
}

/* Decides what happens to s after a run that ended (failed: not with status 0). */
static void apply_policy(struct service *s, int failed)
{
	const struct service_config *c = s->cfg;
	long long now = uptime_ms();
	char t[SECONDS_LEN];
	s->pid = 0;
	if (shutting_down) {
		s->state = SERVICE_STOPPED;
		return;
	}
	if (c->restart == RESTART_NEVER || (c->restart == RESTART_ON_FAILURE && !failed)) {
		s->state = failed ? SERVICE_FAILED : SERVICE_EXITED;
		printf("init: %s: not restarted (restart = %s)\n", c->name, policy_name(c->restart));
		return;
	}
	if (now - s->started_ms >= c->stable_ms)
		s->streak = 0;
	if (s->streak >= c->limit) {
		s->state = SERVICE_FAILED;
		printf("init: %s: failed: %d restart%s in a row did not keep it up; giving up\n", c->name,
		       s->streak, s->streak == 1 ? "" : "s");
		return;
	}
	long long delay = c->backoff_ms;
	for (int i = 0; i < s->streak && delay < c->backoff_max_ms; i++)
		delay *= 2;
	if (delay > c->backoff_max_ms)
		delay = c->backoff_max_ms;
	s->streak++;
	s->state = SERVICE_BACKOFF;
	s->due_ms = now + delay;
	printf("init: %s: restart %d of %d in %s\n", c->name, s->streak, c->limit, seconds(t, delay));
}

/* Reports how s's run ended (status from wait4) and applies its policy. */
static void ended(struct service *s, int status)
{
	char how[48], t[SECONDS_LEN];
	if (WIFEXITED(status))
		snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(how, sizeof how, "killed by %s", signal_name(WTERMSIG(status)));
	printf("init: %s (pid %d) %s after %s\n", s->cfg->name, s->pid, how,
	       seconds(t, uptime_ms() - s->started_ms));
	apply_policy(s, status != 0);
}

/* In the child: s's standard descriptors and process group. A console service leads a session
 * of its own with the console as its controlling terminal, in the foreground, and so does one
 * with a tty on it; the others run in a process group of their own, writing to log_path when
 * there is one. */
static void child_setup(const struct service_config *c)
{
	if (!c->console && !c->tty[0]) {
		setpgid(0, 0);
		int fd = log_path ? open(log_path, O_WRONLY) : -1;
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		return;
	}
	setsid();
	const char *path = c->console ? "/dev/console" : c->tty;
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		dprintf(2, "init: %s: cannot open %s: %s\n", c->name, path, strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
	/* Taken from init's session (1: as root may). Not a terminal (the console is a pipe or a
	 * file): the shell runs without job control. */
	if (ioctl(0, TIOCSCTTY, 1) == 0)
		tcsetpgrp(0, getpid());
}

/* Grants service s's devices (devices = ... in services.conf) to its process pid: every PCI
 * function with one of its identities. Says once, at its first start, what is missing. */
static void grant_devices(const struct service *s, int pid)
{
	const struct service_config *c = s->cfg;
	for (int d = 0; d < c->ndevices; d++) {
		int granted = 0;
		struct pci_info f;
		for (int e = d; e < c->ndevices && c->devices[e].word == c->devices[d].word; e++)
			for (unsigned i = 0; syscall(SYS_pci_device, i, &f) == 0; i++)
				if (f.vendor == c->devices[e].vendor && f.device == c->devices[e].device &&
				    syscall(SYS_dev_grant, pid, i) == 0)
					granted++;
		/* A name stands for several identities: one message for the name. */
		if (!granted && s->restarts == 0 && !c->devices[d].optional)
			printf("init: %s: no PCI device %04x:%04x on this machine\n", c->name,
			       c->devices[d].vendor, c->devices[d].device);
		while (d + 1 < c->ndevices && c->devices[d + 1].word == c->devices[d].word)
			d++;
	}
}

/* Forks and execs s's binary in a new process group; the child never returns. A service with
 * devices waits, before its exec, until init has granted them (a pipe says when). */
static void start(struct service *s)
{
	const struct service_config *c = s->cfg;
	char path[PATH_LEN];
	char *argv[SERVICE_ARGS_MAX + 2];
	const char *arg = c->args;
	snprintf(path, sizeof path, "%s%s", root, c->binary);
	argv[0] = (char *)c->binary;
	for (int i = 0; i < c->nargs; i++, arg += strlen(arg) + 1)
		argv[i + 1] = (char *)arg;
	argv[c->nargs + 1] = NULL;

	s->started_ms = uptime_ms();
	int granted[2] = {-1, -1};
	if (c->ndevices && pipe2(granted, O_CLOEXEC))
		printf("init: %s: cannot make a pipe: %s\n", c->name, strerror(errno));
	int pid = fork();
	if (pid == 0) {
		if (granted[0] >= 0) {
			char go;
			close(granted[1]);
			while (read(granted[0], &go, 1) < 0 && errno == EINTR)
				;
		}
		child_setup(c);
		execve(path, argv, environ);
		dprintf(2, "init: %s: cannot execute %s: %s\n", c->name, path, strerror(errno));
		_exit(127);
	}
	if (granted[0] >= 0) {
		if (pid > 0)
			grant_devices(s, pid);
		close(granted[0]);
		close(granted[1]); /* the child reads the end of the pipe: go */
	}
	if (pid < 0) {
		printf("init: %s: cannot fork: %s\n", c->name, strerror(errno));
		apply_policy(s, 1);
		return;
	}
	/* Also here, so that the group exists whichever of parent and child runs first (a console
	 * service makes its own session, and this may fail then). */
	if (!c->console && !c->tty[0])
		setpgid(pid, pid);
	s->pid = pid;
	s->state = SERVICE_RUNNING;
}

static struct service *by_pid(int pid)
{
	for (int i = 0; i < count; i++)
		if (services[i].pid == pid)
			return &services[i];
	return NULL;
}

/* Takes over cfg's services (kept, in start order); binaries are run from root + binary. */
void supervisor_init(const struct init_config *cfg, const char *binary_root, const char *log)
{
	root = binary_root;
	log_path = log;
	grace_ms = cfg->grace_ms;
	count = cfg->count;
	for (int i = 0; i < count; i++)
		services[i] = (struct service){.cfg = &cfg->services[i]};
}

static int reap(void);

/* A service that serves files at a path: waits until it does (the path's device changes from
 * dev), it ends, or SERVES_WAIT_MS pass. Later services find their files there then. */
static void wait_serving(struct service *s, dev_t dev)
{
	char t[SECONDS_LEN];
	long long start = uptime_ms();
	struct stat st;
	while (s->state == SERVICE_RUNNING && uptime_ms() - start < SERVES_WAIT_MS) {
		if (stat(s->cfg->serves, &st) == 0 && st.st_dev != dev) {
			printf("init:   %s serves %s\n", s->cfg->name, s->cfg->serves);
			return;
		}
		sleep_ms(1);
		reap();
	}
	if (s->state == SERVICE_RUNNING)
		printf("init:   %s does not serve %s after %s; going on\n", s->cfg->name, s->cfg->serves,
		       seconds(t, SERVES_WAIT_MS));
}

/* Starts the configured services of phase, in order. */
void supervisor_start_phase(enum phase phase)
{
	int started = 0;
	for (int i = 0; i < count; i++) {
		struct service *s = &services[i];
		if (s->cfg->phase != phase)
			continue;
		struct stat before;
		bool serves = s->cfg->serves[0] && stat(s->cfg->serves, &before) == 0;
		start(s);
		started++;
		if (s->state == SERVICE_RUNNING)
			printf("init:   %s: %s (pid %d)\n", s->cfg->name, s->cfg->binary, s->pid);
		if (serves)
			wait_serving(s, before.st_dev);
	}
	if (!started)
		printf("init:   none configured\n");
}

/* Reaps every ended child without blocking, as supervisor_reap does; returns 1 while children
 * are left, 0 once there are none. */
static int reap(void)
{
	int status, pid;
	while ((pid = wait4(-1, &status, WNOHANG, NULL)) != 0) {
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		struct service *s = by_pid(pid);
		if (s)
			ended(s, status);
		else if (WIFEXITED(status))
			printf("init: reaped orphan pid %d (exit status %d)\n", pid, WEXITSTATUS(status));
		else
			printf("init: reaped orphan pid %d (killed by %s)\n", pid, signal_name(WTERMSIG(status)));
	}
	return 1;
}

/* Reaps every ended child (services and orphans) without blocking, applying restart policies. */
void supervisor_reap(void)
{
	reap();
}

/* Restarts the services whose backoff has run out. */
void supervisor_restart_due(void)
{
	long long now = uptime_ms();
	for (int i = 0; i < count; i++) {
		struct service *s = &services[i];
		if (s->state != SERVICE_BACKOFF || s->due_ms > now)
			continue;
		s->restarts++;
		start(s);
		if (s->state == SERVICE_RUNNING)
			printf("init: %s: restarted (pid %d)\n", s->cfg->name, s->pid);
	}
}

/* Returns the earliest restart time, or -1 if no service waits for one. */
long long supervisor_next_due(void)
{
	long long due = -1;
	for (int i = 0; i < count; i++)
		if (services[i].state == SERVICE_BACKOFF && (due < 0 || services[i].due_ms < due))
			due = services[i].due_ms;
	return due;
}

/* Prints the status table under a title line, in one write so other output cannot split it. */
void supervisor_print_table(const char *title)
{
	static char buf[128 * (SERVICES_MAX + 2)];
	long long now = uptime_ms();
	char t[SECONDS_LEN];
	int len = snprintf(buf, sizeof buf, "init: %s at %s\n  %-16s %-9s %5s %8s %10s\n", title,
			   seconds(t, now), "SERVICE", "STATE", "PID", "RESTARTS", "UPTIME");
	for (int i = 0; i < count; i++) {
		const struct service *s = &services[i];
		int up = s->state == SERVICE_RUNNING || s->state == SERVICE_STOPPING;
		char pid[12] = "-";
		if (s->pid)
			snprintf(pid, sizeof pid, "%d", s->pid);
		len += snprintf(buf + len, sizeof buf - (size_t)len, "  %-16s %-9s %5s %8d %10s\n", s->cfg->name,
				state_name(s->state), pid, s->restarts, up ? seconds(t, now - s->started_ms) : "-");
	}
	write(1, buf, (size_t)len);
}

/* Sends sig to s's process group, or to s alone if it left the group. */
static void signal_service(const struct service *s, int sig)
{
	if (kill(-s->pid, sig) < 0)
		kill(s->pid, sig);
}

/* Stops s: SIGTERM, then SIGKILL if it is still there after the grace period. */
static void stop(struct service *s)
{
	char t[SECONDS_LEN];
	printf("init: stopping %s (pid %d)\n", s->cfg->name, s->pid);
	s->state = SERVICE_STOPPING;
	/* A shell on a terminal ignores SIGTERM; its terminal hanging up ends it. */
	if (s->cfg->console || s->cfg->tty[0])
		signal_service(s, SIGHUP);
	signal_service(s, SIGTERM);
	long long deadline = uptime_ms() + grace_ms;
	for (;;) {
		supervisor_reap();
		if (s->state != SERVICE_STOPPING)
			return;
		long long left = deadline - uptime_ms();
		if (left <= 0)
			break;
		/* SIGCHLD cuts this short; a missed one costs the rest of the grace period. */
		sleep_ms(left);
	}
	printf("init: %s (pid %d) still there after %s; sending SIGKILL\n", s->cfg->name, s->pid,
	       seconds(t, grace_ms));
	signal_service(s, SIGKILL);
	while (s->state == SERVICE_STOPPING) {
		int status, pid = s->pid;
		if (wait4(pid, &status, 0, NULL) == pid)
			ended(s, status);
		else if (errno != EINTR)
			return;
	}
}

/* Stops what is left once the services are: orphans of services that ended earlier, which
 * stay in their old process groups. SIGTERM to all, SIGKILL after the grace period, each one
 * reaped. Only as process 1: natively, kill(-1) would reach every process of the user, and
 * orphans go to another reaper anyway. */
static void stop_leftovers(void)
{
	char t[SECONDS_LEN];
	if (!reap() || getpid() != 1)
		return;
	printf("init: stopping the remaining processes\n");
	kill(-1, SIGTERM);
	long long deadline = uptime_ms() + grace_ms;
	while (reap()) {
		long long left = deadline - uptime_ms();
		if (left <= 0) {
			printf("init: processes still there after %s; sending SIGKILL\n", seconds(t, grace_ms));
			kill(-1, SIGKILL);
			deadline = uptime_ms() + grace_ms;
			continue;
		}
		/* SIGCHLD cuts this short; a missed one costs the rest of the grace period. */
		sleep_ms(left);
	}
}

/* Stops the services in reverse start order; pending restarts are cancelled. */
void supervisor_shutdown(void)
{
	shutting_down = 1;
	for (int i = count - 1; i >= 0; i--) {
		struct service *s = &services[i];
		if (s->state == SERVICE_BACKOFF) {
			s->state = SERVICE_STOPPED;
			printf("init: %s: restart cancelled\n", s->cfg->name);
		} else if (s->state == SERVICE_RUNNING) {
			stop(s);
		}
	}
	stop_leftovers();
}

/*
 * statusd [-p PORT]: a small HTTP server, written for Eclipse with musl and Linux sockets, that
 * serves the system's status as a page: the uptime, the services of /etc/services.conf with
 * the process running each, and every process (from /proc). GET / gives the page (HTML),
 * GET /status.txt the same as text; anything else is 404, any other method 405. One
 * connection at a time, each closed after its answer (HTTP/1.0). Runs natively too, where
 * /etc/services.conf is usually missing and the page says so.
 *
 *   # statusd -p 80 &            (in the guest)
 *   $ curl http://127.0.0.1:8080/status.txt
 *                                (the host, with eclipse-sim --net=user,hostfwd=tcp::8080-:80)
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#define PAGE_MAX (64 * 1024)
#define SERVICES_MAX 32
#define NAME_MAX_ 32

struct page {
	char buf[PAGE_MAX];
	size_t len;
};

static void put(struct page *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(p->buf + p->len, sizeof(p->buf) - p->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->len = p->len + (size_t)n < sizeof(p->buf) ? p->len + (size_t)n : sizeof(p->buf) - 1;
}

/* The first line of a small file, without its newline: 0, or -1. */
static int first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* The [name] sections of /etc/services.conf: how many, at most SERVICES_MAX. */
/* A terminal's number as /proc/PID/stat's tty_nr has it (major << 8 | minor), or 0. */
static int tty_number(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode))
		return 0;
	return (int)(major(st.st_rdev) << 8 | minor(st.st_rdev));
}

/* The services of /etc/services.conf, with the terminal each runs on ("console = yes", "tty =
 * PATH": its tty_nr) or 0: how many, -1 without the file. */
static int services(char names[][NAME_MAX_], int ttys[])
{
	FILE *f = fopen("/etc/services.conf", "r");
	if (!f)
		return -1;
	char line[256];
	int n = 0;
	bool in_service = false;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *value;
		while (isspace((unsigned char)*s))
			s++;
		char *end = strchr(s, ']');
		if (*s == '[' && end && end - s - 1 < NAME_MAX_) {
			*end = 0;
			/* [init] is init's own settings, not a service */
			in_service = strcmp(s + 1, "init") && n < SERVICES_MAX;
			if (in_service) {
				snprintf(names[n], NAME_MAX_, "%s", s + 1);
				ttys[n++] = 0;
			}
		} else if (in_service && (value = strchr(s, '='))) {
			size_t key = strcspn(s, " \t=");
			value += 1 + strspn(value + 1, " \t");
			value[strcspn(value, " \t\r\n#")] = 0;
			if (key == 7 && !strncmp(s, "console", 7) && !strcmp(value, "yes"))
				ttys[n - 1] = tty_number("/dev/console");
			else if (key == 3 && !strncmp(s, "tty", 3))
				ttys[n - 1] = tty_number(value);
		}
	}
	fclose(f);
	return n;
}

struct proc {
	int pid, ppid, tty;
	char state;
	char comm[NAME_MAX_];
	double age; /* seconds since it started */
};

/* /proc/PID/stat: its name, state, parent, terminal (field 7) and start (field 22, in clock
 * ticks). */
static int read_proc(int pid, double uptime, struct proc *p)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (first_line(path, line, sizeof(line)))
		return -1;
	char *open = strchr(line, '('), *close = strrchr(line, ')');
	if (!open || !close || close < open)
		return -1;
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(close - open - 1), open + 1);
	unsigned long long start = 0;
	char *field = close + 2;
	p->state = *field;
	p->ppid = p->tty = 0;
	for (int i = 3; field && i <= 22; i++) {
		if (i == 4)
			p->ppid = atoi(field);
		if (i == 7)
			p->tty = atoi(field);
		if (i == 22)
			start = strtoull(field, NULL, 10);
		field = strchr(field, ' ');
		if (field)
			field++;
	}
	long hz = sysconf(_SC_CLK_TCK);
	p->age = uptime - (double)start / (double)(hz > 0 ? hz : 100);
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	return ((const struct proc *)a)->pid - ((const struct proc *)b)->pid;
}

/* Every process in /proc, sorted by pid: how many (at most max). */
static int processes(struct proc *out, int max, double uptime)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while (n < max && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) && !read_proc(atoi(e->d_name), uptime, &out[n]))
			n++;
	closedir(d);
	qsort(out, (size_t)n, sizeof(out[0]), by_pid);
	return n;
}

static void status(struct page *p, int html)
{
	char line[128] = "?", host[64] = "?";
	double uptime = 0;
	if (!first_line("/proc/uptime", line, sizeof(line)))
		uptime = atof(line);
	gethostname(host, sizeof(host));
	static struct proc procs[512];
	int np = processes(procs, 512, uptime);
	char names[SERVICES_MAX][NAME_MAX_];
	int ttys[SERVICES_MAX];
	int ns = services(names, ttys);
	if (html)
		put(p, "<!DOCTYPE html>\n<html><head><title>%s status</title></head><body>\n"
		       "<h1>%s</h1>\n<p>up %.1f s, %d processes</p>\n<h2>Services</h2>\n"
		       "<table>\n<tr><th>service</th><th>pid</th><th>state</th><th>up (s)</th></tr>\n",
		    host, host, uptime, np);
	else
		put(p, "host %s\nuptime %.1f s\nprocesses %d\n\nservices:\n", host, uptime, np);
	if (ns < 0)
		put(p, html ? "<tr><td colspan=4>no /etc/services.conf</td></tr>\n"
			    : "  (no /etc/services.conf)\n");
	for (int i = 0; i < ns; i++) {
		/* The service's process: the child of init (pid 1) with its name; for a shell on a
		 * terminal, the one on that terminal, or the shell on none (the console is a pipe or
		 * a file, not a terminal). */
		const struct proc *q = NULL;
		for (int j = 0; j < np && !q; j++)
			if (procs[j].ppid == 1 && (ttys[i] ? procs[j].tty == ttys[i]
							   : !strncmp(procs[j].comm, names[i], 15)))
				q = &procs[j];
		for (int j = 0; j < np && !q && ttys[i]; j++)
			if (procs[j].ppid == 1 && !procs[j].tty && !strcmp(procs[j].comm, "sh"))
				q = &procs[j];
		if (html && q)
			put(p, "<tr><td>%s</td><td>%d</td><td>running</td><td>%.1f</td></tr>\n", names[i],
			    q->pid, q->age);
		else if (html)
			put(p, "<tr><td>%s</td><td>-</td><td>not running</td><td>-</td></tr>\n", names[i]);
		else if (q)
			put(p, "  %-12s pid %-5d running, up %.1f s\n", names[i], q->pid, q->age);
		else
			put(p, "  %-12s not running\n", names[i]);
	}
	if (html)
		put(p, "</table>\n<h2>Processes</h2>\n<table>\n"
		       "<tr><th>pid</th><th>parent</th><th>state</th><th>name</th></tr>\n");
	else
		put(p, "\nprocesses:\n");
	for (int i = 0; i < np; i++)
		put(p, html ? "<tr><td>%d</td><td>%d</td><td>%c</td><td>%s</td></tr>\n"
			    : "  %5d %5d %c %s\n",
		    procs[i].pid, procs[i].ppid, procs[i].state, procs[i].comm);
	if (html)
		put(p, "</table>\n</body></html>\n");
}

static void answer(int c)
{
	char req[2048];
	size_t got = 0;
	/* The request line and headers, up to the blank line (or what fits). */
	while (got < sizeof(req) - 1) {
		ssize_t n = read(c, req + got, sizeof(req) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = 0;
	char method[16] = "", path[256] = "";
	if (sscanf(req, "%15s %255s", method, path) != 2)
		return;
	static struct page body;
	body.len = 0;
	const char *code = "200 OK", *type = "text/html; charset=utf-8";
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		code = "405 Method Not Allowed";
		type = "text/plain";
		put(&body, "only GET\n");
	} else if (!strcmp(path, "/") || !strcmp(path, "/index.html")) {
		status(&body, 1);
	} else if (!strcmp(path, "/status.txt")) {
		type = "text/plain; charset=utf-8";
		status(&body, 0);
	} else {
		code = "404 Not Found";
		type = "text/plain";
		put(&body, "no such page: %s\n", path);
	}
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\nServer: statusd\r\n\r\n",
			 code, type, body.len);
	if (write(c, head, (size_t)n) != n)
		return;
	if (strcmp(method, "HEAD")) {
		size_t off = 0;
		while (off < body.len) {
			ssize_t w = write(c, body.buf + off, body.len - off);
			if (w <= 0)
				return;
			off += (size_t)w;
		}
	}
}

int main(int argc, char **argv)
{
	int port = 80, opt;
	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p' || (port = atoi(optarg)) <= 0 || port > 65535) {
			fprintf(stderr, "usage: %s [-p PORT]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN); /* a client that goes away is its own business */
	int l = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 16)) {
		fprintf(stderr, "statusd: port %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("statusd: serving the status on port %d\n", port);
	fflush(stdout);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
				continue;
			fprintf(stderr, "statusd: accept: %s\n", strerror(errno));
			return 1;
		}
		struct timeval tv = {5, 0}; /* a client that says nothing is let go */
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		answer(c);
		close(c);
	}
}

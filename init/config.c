/*
 * The services.conf parser. Line by line: '#' starts a comment, "[name]" opens a section,
 * "key = value" sets something in it. An error leaves out the service entry it is in; when all
 * lines are read, 'after' names are resolved (dropping entries that wait for a missing, dropped
 * or later-phase service, or for a cycle) and the entries are put in start order.
 */
#include <ecl/time.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define LIMIT_MAX 1000

/* A service entry as written, before its 'after' names are resolved. */
struct entry {
	struct service_config svc;
	char after[SERVICE_AFTER_MAX][SERVICE_NAME_MAX];
	int after_line;
	int nafter;
	int bad;
};

struct parser {
	const char *file;
	int line;
	int errors;
	struct init_config *cfg;
	struct entry entries[SERVICES_MAX];
	int count;
	struct entry *cur;  /* the service section being read, or NULL */
	int in_init;        /* the [init] section is being read */
	int skipping;       /* the section's header was bad: its lines are ignored */
};

/* Reports an error at line as "init: FILE:LINE: what was expected". */
__attribute__((format(printf, 3, 4))) static void error(struct parser *p, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dprintf(2, "init: %s:%d: %s\n", p->file, line, msg);
	p->errors++;
}

static void left_out(struct parser *p, struct entry *e)
{
	e->bad = 1;
	dprintf(2, "init: %s:%d: service '%s' left out\n", p->file, e->svc.line, e->svc.name);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static char *trim(char *s)
{
	while (is_space(*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		*--end = '\0';
	return s;
}

/* Cuts the next whitespace-separated word off *s; returns it, or NULL at the end. */
static char *next_word(char **s)
{
	char *w = *s;
	while (is_space(*w))
		w++;
	if (!*w)
		return NULL;
	char *end = w;
	while (*end && !is_space(*end))
		end++;
	*s = *end ? end + 1 : end;
	*end = '\0';
	return w;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= SERVICE_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static struct entry *find(struct parser *p, const char *name)
{
	for (int i = 0; i < p->count; i++)
		if (!strcmp(p->entries[i].svc.name, name))
			return &p->entries[i];
	return NULL;
}

/* Ends the current section: keeps its entry if it is complete and had no error. */
static void end_section(struct parser *p)
{
	struct entry *e = p->cur;
	p->cur = NULL;
	p->in_init = p->skipping = 0;
	if (!e)
		return;
	if (!e->bad && !e->svc.binary[0])
		error(p, e->svc.line, "service '%s' has no binary (expected 'binary = /path')", e->svc.name);
	if (e->bad || !e->svc.binary[0])
		left_out(p, e);
	else
		p->count++;
}

static void begin_section(struct parser *p, char *header)
{
	end_section(p);
	p->skipping = 1;
	size_t n = strlen(header);
	if (n < 2 || header[n - 1] != ']') {
		error(p, p->line, "expected '[name]', got '%s'; section left out", header);
		return;
	}
	header[n - 1] = '\0';
	char *name = trim(header + 1);
	if (!strcmp(name, "init")) {
		p->in_init = 1;
		p->skipping = 0;
		return;
	}
	if (!valid_name(name)) {
		error(p, p->line,
		      "expected a service name of letters, digits, '-' and '_' (at most 31), got '%s';"
		      " section left out", name);
		return;
	}
	if (find(p, name)) {
		error(p, p->line, "service '%s' is already defined above; section left out", name);
		return;
	}
	if (p->count == SERVICES_MAX) {
		error(p, p->line, "too many services (at most 32); section '%s' left out", name);
		return;
	}
	struct entry *e = &p->entries[p->count];
	*e = (struct entry){.svc = {.phase = PHASE_SYSTEM, .restart = RESTART_ON_FAILURE, .limit = 3,
				    .backoff_ms = 1000, .backoff_max_ms = 30000, .stable_ms = 10000,
				    .line = p->line}};
	strcpy(e->svc.name, name);
	p->cur = e;
	p->skipping = 0;
}

static int set_duration(struct parser *p, const char *key, const char *value, long long *out)
{
	if (duration_parse(value, out) == 0)
		return 0;
	error(p, p->line, "expected a duration such as 500ms or 1.5s for '%s', got '%s'", key, value);
	return -1;
}

static void set_init(struct parser *p, const char *key, const char *value)
{
	struct init_config *c = p->cfg;
	long long ms;
	if (strcmp(key, "heartbeat") && strcmp(key, "grace"))
		error(p, p->line, "unknown key '%s' in [init] (expected heartbeat or grace)", key);
	else if (set_duration(p, key, value, &ms) < 0)
		return;
	else if (ms == 0)
		error(p, p->line, "expected a duration above 0 for '%s', got '%s'", key, value);
	else
		*(key[0] == 'h' ? &c->heartbeat_ms : &c->grace_ms) = ms;
}

static int set_args(struct parser *p, struct service_config *s, char *value)
{
	size_t len = 0;
	s->nargs = 0;
	for (char *w; (w = next_word(&value));) {
		size_t n = strlen(w) + 1;
		if (s->nargs == SERVICE_ARGS_MAX || len + n > SERVICE_ARGS_LEN) {
			error(p, p->line, "too many arguments (expected at most 8, 255 bytes in all)");
			return -1;
		}
		memcpy(s->args + len, w, n);
		len += n;
		s->nargs++;
	}
	return 0;
}

/* Device names init knows, and the PCI identities they stand for. */
static const struct {
	const char *name;
	unsigned short vendor, device;
} device_names[] = {
	{"virtio-blk", 0x1af4, 0x1001}, {"virtio-blk", 0x1af4, 0x1042},
	{"virtio-net", 0x1af4, 0x1000}, {"virtio-net", 0x1af4, 0x1041},
	{"ac97", 0x8086, 0x2415},       {"piix-ide", 0x8086, 0x7010},
	{"vga", 0x1234, 0x1111},        {"i8042", 0x41d0, 0x0303}, {"i8042", 0x41d0, 0x0f13},
};

static int add_device(struct parser *p, struct service_config *s, unsigned vendor, unsigned device,
		      unsigned word, bool optional)
{
	if (s->ndevices == SERVICE_DEVICES_MAX) {
		error(p, p->line, "too many devices (expected at most %d)", SERVICE_DEVICES_MAX);
		return -1;
	}
	s->devices[s->ndevices].vendor = (unsigned short)vendor;
	s->devices[s->ndevices].device = (unsigned short)device;
	s->devices[s->ndevices].word = (unsigned char)word;
	s->devices[s->ndevices].optional = optional;
	s->ndevices++;
	return 0;
}

/* devices = NAME...: known names (virtio-blk, ...) or PCI identities VVVV:DDDD in hex; a
 * trailing '?' makes one optional (the service copes without it). */
static int set_devices(struct parser *p, struct service_config *s, char *value)
{
	s->ndevices = 0;
	unsigned word = 0;
	for (char *w; (w = next_word(&value)); word++) {
		unsigned vendor, device;
		char extra;
		bool known = false, optional = false;
		size_t n = strlen(w);
		if (n > 1 && w[n - 1] == '?') {
			optional = true;
			w[n - 1] = 0;
		}
		for (size_t i = 0; i < sizeof(device_names) / sizeof(device_names[0]); i++)
			if (!strcmp(w, device_names[i].name)) {
				known = true;
				if (add_device(p, s, device_names[i].vendor, device_names[i].device, word,
					       optional))
					return -1;
			}
		if (known)
			continue;
		if (strlen(w) != 9 || sscanf(w, "%4x:%4x%c", &vendor, &device, &extra) != 2) {
			error(p, p->line,
			      "expected device names (virtio-blk, virtio-net, ac97, piix-ide) or PCI ids"
			      " like 1af4:1001 for 'devices', got '%s'", w);
			return -1;
		}
		if (add_device(p, s, vendor, device, word, optional))
			return -1;
	}
	return 0;
}

static int set_after(struct parser *p, struct entry *e, char *value)
{
	e->nafter = 0;
	e->after_line = p->line;
	for (char *w; (w = next_word(&value));) {
		if (!valid_name(w)) {
			error(p, p->line, "expected service names after 'after =', got '%s'", w);
			return -1;
		}
		if (e->nafter == SERVICE_AFTER_MAX) {
			error(p, p->line, "too many services in 'after' (expected at most 8)");
			return -1;
		}
		strcpy(e->after[e->nafter++], w);
	}
	return 0;
}

/* Sets key in the current service entry; returns 0, or -1 after reporting why not. */
static int set_service(struct parser *p, struct entry *e, const char *key, char *value)
{
	struct service_config *s = &e->svc;
	if (!strcmp(key, "binary")) {
		if (value[0] != '/' || strlen(value) >= SERVICE_PATH_MAX || strchr(value, ' ') ||
		    strchr(value, '\t')) {
			error(p, p->line, "expected an absolute path of at most 127 bytes for 'binary', got '%s'",
			      value);
			return -1;
		}
		strcpy(s->binary, value);
	} else if (!strcmp(key, "args")) {
		return set_args(p, s, value);
	} else if (!strcmp(key, "phase")) {
		if (strcmp(value, "essential") && strcmp(value, "system")) {
			error(p, p->line, "expected essential or system for 'phase', got '%s'", value);
			return -1;
		}
		s->phase = value[0] == 'e' ? PHASE_ESSENTIAL : PHASE_SYSTEM;
	} else if (!strcmp(key, "restart")) {
		if (!strcmp(value, "always"))
			s->restart = RESTART_ALWAYS;
		else if (!strcmp(value, "on-failure"))
			s->restart = RESTART_ON_FAILURE;
		else if (!strcmp(value, "never"))
			s->restart = RESTART_NEVER;
		else {
			error(p, p->line, "expected always, on-failure or never for 'restart', got '%s'", value);
			return -1;
		}
	} else if (!strcmp(key, "limit")) {
		char *end;
		long v = strtol(value, &end, 10);
		if (end == value || *end || v < 0 || v > LIMIT_MAX) {
			error(p, p->line, "expected a number of restarts from 0 to 1000 for 'limit', got '%s'", value);
			return -1;
		}
		s->limit = (int)v;
	} else if (!strcmp(key, "backoff")) {
		return set_duration(p, key, value, &s->backoff_ms);
	} else if (!strcmp(key, "backoff-max")) {
		return set_duration(p, key, value, &s->backoff_max_ms);
	} else if (!strcmp(key, "stable")) {
		return set_duration(p, key, value, &s->stable_ms);
	} else if (!strcmp(key, "after")) {
		return set_after(p, e, value);
	} else if (!strcmp(key, "devices")) {
		return set_devices(p, s, value);
	} else if (!strcmp(key, "serves")) {
		if (value[0] != '/' || strlen(value) >= SERVICE_PATH_MAX) {
			error(p, p->line, "expected an absolute path of at most 127 bytes for 'serves', got '%s'",
			      value);
			return -1;
		}
		strcpy(s->serves, value);
	} else if (!strcmp(key, "console")) {
		if (strcmp(value, "yes") && strcmp(value, "no")) {
			error(p, p->line, "expected yes or no for 'console', got '%s'", value);
			return -1;
		}
		s->console = value[0] == 'y';
	} else if (!strcmp(key, "tty")) {
		if (strncmp(value, "/dev/", 5) || strlen(value) >= SERVICE_PATH_MAX) {
			error(p, p->line, "expected a terminal's path in /dev for 'tty', got '%s'", value);
			return -1;
		}
		strcpy(s->tty, value);
	} else if (!strcmp(key, "when")) {
		if (!valid_name(value)) {
			error(p, p->line, "expected a word of letters, digits, '-' and '_' for 'when', got '%s'",
			      value);
			return -1;
		}
		strcpy(s->when, value);
	} else {
		error(p, p->line,
		      "unknown key '%s' (expected binary, args, phase, restart, limit, backoff, backoff-max,"
		      " stable, after, serves, console, tty, when or devices)", key);
		return -1;
	}
	return 0;
}

static void parse_line(struct parser *p, char *line)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	line = trim(line);
	if (*line == '[')
		begin_section(p, line);
	if (*line == '[' || !*line || p->skipping)
		return;
	char *eq = strchr(line, '=');
	if (!eq) {
		error(p, p->line, "expected '[name]' or 'key = value', got '%s'", line);
		if (p->cur)
			p->cur->bad = 1;
		return;
	}
	*eq = '\0';
	char *key = trim(line), *value = trim(eq + 1);
	if (p->in_init)
		set_init(p, key, value);
	else if (!p->cur)
		error(p, p->line, "'%s' outside a section (expected a [name] header before it)", key);
	else if (set_service(p, p->cur, key, value) < 0)
		p->cur->bad = 1;
}

/* Drops the entries whose 'after' names a missing, dropped or later-phase service, until none
 * is left to drop (dropping one may strand another). */
static void check_after(struct parser *p)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (int i = 0; i < p->count; i++) {
			struct entry *e = &p->entries[i];
			for (int k = 0; k < e->nafter && !e->bad; k++) {
				struct entry *dep = find(p, e->after[k]);
				if (!dep || dep->bad)
					error(p, e->after_line, "'%s' starts after '%s', which is not a service here",
					      e->svc.name, e->after[k]);
				else if (dep->svc.phase > e->svc.phase)
					error(p, e->after_line, "essential '%s' cannot start after system service '%s'",
					      e->svc.name, e->after[k]);
				else
					continue;
				left_out(p, e);
				changed = 1;
			}
		}
	}
}

static int placed(const struct init_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->count; i++)
		if (!strcmp(cfg->services[i].name, name))
			return 1;
	return 0;
}

/* Appends the good entries to cfg in start order: phase by phase, in file order, each once all
 * its 'after' services are placed. Entries that can never be placed wait on a cycle. */
static void order(struct parser *p)
{
	struct init_config *cfg = p->cfg;
	for (enum phase ph = PHASE_ESSENTIAL; ph <= PHASE_SYSTEM; ph++) {
		for (int progress = 1; progress;) {
			progress = 0;
			for (int i = 0; i < p->count; i++) {
				struct entry *e = &p->entries[i];
				int k = 0;
				if (e->bad || e->svc.phase != ph || placed(cfg, e->svc.name))
					continue;
				while (k < e->nafter && placed(cfg, e->after[k]))
					k++;
				if (k == e->nafter) {
					cfg->services[cfg->count++] = e->svc;
					progress = 1;
				}
			}
		}
		for (int i = 0; i < p->count; i++) {
			struct entry *e = &p->entries[i];
			if (!e->bad && e->svc.phase == ph && !placed(cfg, e->svc.name)) {
				error(p, e->after_line, "'%s' waits for a cycle of 'after' entries", e->svc.name);
				left_out(p, e);
			}
		}
	}
}

/* Parses text (the contents of file) into *cfg; returns the number of errors reported. */
int config_parse(const char *file, char *text, struct init_config *cfg)
{
	static struct parser p;
	p = (struct parser){.file = file, .cfg = cfg};
	cfg->heartbeat_ms = 5000;
	cfg->grace_ms = 2000;
	cfg->count = 0;
	while (text) {
		char *nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		p.line++;
		parse_line(&p, text);
		text = nl ? nl + 1 : NULL;
	}
	end_section(&p);
	check_after(&p);
	order(&p);
	return p.errors;
}

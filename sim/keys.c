/*
 * --keys=FILE: scripted keyboard and mouse input at points on the virtual clock, for tests and
 * demonstrations; the same run types the same keys at the same instants. A line is
 *
 *   TIME type TEXT          each character typed (pressed, then released), one every 2 x
 *                           KEY_GAP; \n is Enter, \t Tab, \e Esc, \b Backspace, \\ a backslash
 *   TIME key CHORD          keys pressed together, then released: ctrl+c, shift+f1, up, enter
 *                           (Linux's key names without KEY_, lower case; ctrl, shift, alt and
 *                           meta for the left ones)
 *   TIME mouse DX DY [BUTTON...]
 *                           a move (right and down) with buttons held: left, right, middle
 *
 * TIME is a duration after boot (500ms, 2s); the actions of a line start then, those of a
 * line with an earlier time than the previous one's end right after it. '#' starts a comment.
 */
#include "keys.h"

#include "devices.h"
#include "pci.h"

#include <ecl/duration.h>
#include <ecl/keys.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_GAP_NS 20000000ull /* 20 ms between a key's press and release, and to the next */
#define LINE_MAX_LEN 4096
#define KEY_LEFTSHIFT 42

struct action {
	uint64_t at;
	bool mouse;
	unsigned key;
	bool down;
	int dx, dy;
	unsigned buttons;
};

static struct {
	struct action *a;
	size_t n, cap, next;
	uint64_t end; /* when the last action is */
} script;

static int add(struct action a)
{
	if (script.n == script.cap) {
		size_t cap = script.cap ? 2 * script.cap : 64;
		struct action *p = realloc(script.a, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		script.a = p;
		script.cap = cap;
	}
	if (a.at < script.end)
		a.at = script.end; /* in the order of the file */
	script.a[script.n++] = a;
	script.end = a.at;
	return 0;
}

static int press(uint64_t *t, unsigned key, bool down)
{
	int err = add((struct action){.at = *t, .key = key, .down = down});
	*t += KEY_GAP_NS;
	return err;
}

static int parse_type(uint64_t t, const char *text, char *why, size_t whylen)
{
	for (const char *p = text; *p; p++) {
		char c = *p;
		if (c == '\\') {
			char e = *++p;
			c = e == 'n' ? '\r' : e == 't' ? '\t' : e == 'e' ? 0x1b : e == 'b' ? 0x7f
			  : e == '\\' ? '\\' : 0;
			if (!c) {
				snprintf(why, whylen, "unknown escape '\\%c' (\\n \\t \\e \\b \\\\)", e ? e : ' ');
				return -EINVAL;
			}
		}
		bool shift;
		int key = key_for_char(c, &shift);
		if (key < 0) {
			snprintf(why, whylen, "no key types '%c' (0x%02x) with the US layout", c,
				 (unsigned char)c);
			return -EINVAL;
		}
		int err = shift ? press(&t, KEY_LEFTSHIFT, true) : 0;
		if (!err)
			err = press(&t, (unsigned)key, true);
		if (!err)
			err = press(&t, (unsigned)key, false);
		if (!err && shift)
			err = press(&t, KEY_LEFTSHIFT, false);
		if (err)
			return err;
	}
	return 0;
}

static int chord_key(const char *name, size_t len)
{
	static const char *const alias[][2] = {
		{"ctrl", "leftctrl"}, {"shift", "leftshift"}, {"alt", "leftalt"}, {"meta", "leftmeta"},
	};
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strlen(alias[i][0]) == len && !strncmp(alias[i][0], name, len))
			return key_by_name(alias[i][1], strlen(alias[i][1]));
	return key_by_name(name, len);
}

static int parse_key(uint64_t t, const char *chord, char *why, size_t whylen)
{
	int keys[8];
	size_t n = 0;
	for (const char *p = chord; *p;) {
		size_t len = strcspn(p, "+");
		int k = len ? chord_key(p, len) : -1;
		if (k < 0 || n == 8) {
			snprintf(why, whylen, "unknown key '%.*s' in '%s'", (int)len, p, chord);
			return -EINVAL;
		}
		keys[n++] = k;
		p += len + (p[len] == '+');
	}
	if (!n) {
		snprintf(why, whylen, "no key named");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (press(&t, (unsigned)keys[i], true))
			return -ENOMEM;
	for (size_t i = n; i-- > 0;)
		if (press(&t, (unsigned)keys[i], false))
			return -ENOMEM;
	return 0;
}

static int parse_mouse(uint64_t t, char *args, char *why, size_t whylen)
{
	char *end;
	char *word = strtok(args, " \t");
	long dx = word ? strtol(word, &end, 10) : 0;
	bool ok = word && !*end;
	word = ok ? strtok(NULL, " \t") : NULL;
	long dy = word ? strtol(word, &end, 10) : 0;
	ok = ok && word && !*end && dx > -100000 && dx < 100000 && dy > -100000 && dy < 100000;
	unsigned buttons = 0;
	while (ok && (word = strtok(NULL, " \t"))) {
		unsigned b = !strcmp(word, "left") ? 1 : !strcmp(word, "right") ? 2
			   : !strcmp(word, "middle") ? 4 : 0;
		ok = b != 0;
		buttons |= b;
	}
	if (!ok) {
		snprintf(why, whylen, "expected 'mouse DX DY [left] [right] [middle]'");
		return -EINVAL;
	}
	return add((struct action){.at = t, .mouse = true, .dx = (int)dx, .dy = (int)dy,
				   .buttons = buttons});
}

static int parse_line(char *line, char *why, size_t whylen)
{
	line[strcspn(line, "\r\n")] = '\0';
	char *p = line + strspn(line, " \t");
	if (!*p || *p == '#')
		return 0;
	size_t len = strcspn(p, " \t");
	uint64_t t;
	if (duration_parse_ns(p, len, &t)) {
		snprintf(why, whylen, "expected a time (500ms, 2s), got '%.*s'", (int)len, p);
		return -EINVAL;
	}
	p += len;
	p += strspn(p, " \t");
	len = strcspn(p, " \t");
	char *rest = p + len + strspn(p + len, " \t");
	if (len == 4 && !strncmp(p, "type", 4) && p[len])
		return parse_type(t, p + len + 1, why, whylen); /* the text after one space */
	if (len == 3 && !strncmp(p, "key", 3))
		return parse_key(t, rest, why, whylen);
	if (len == 5 && !strncmp(p, "mouse", 5))
		return parse_mouse(t, rest, why, whylen);
	snprintf(why, whylen, "expected type, key or mouse after the time, got '%.*s'", (int)len, p);
	return -EINVAL;
}

int sim_keys_load(const char *path, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -errno;
	}
	static char line[LINE_MAX_LEN];
	int err = 0;
	for (unsigned n = 1; !err && fgets(line, sizeof(line), f); n++) {
		char what[200];
		err = parse_line(line, what, sizeof(what));
		if (err)
			snprintf(why, whylen, "line %u: %s", n, err == -ENOMEM ? "out of memory" : what);
	}
	fclose(f);
	if (err)
		sim_keys_fini();
	return err;
}

/* Runs the actions due, and schedules itself for the next. */
static void run_due(void *arg)
{
	(void)arg;
	uint64_t now = script.a[script.next].at;
	for (; script.next < script.n && script.a[script.next].at <= now; script.next++) {
		const struct action *a = &script.a[script.next];
		if (a->mouse)
			sim_i8042_mouse(a->dx, a->dy, a->buttons);
		else
			sim_i8042_key(a->key, a->down);
	}
	if (script.next < script.n)
		sim_event_at(script.a[script.next].at, run_due, NULL);
}

int sim_keys_start(void)
{
	script.next = 0;
	if (script.n && !sim_event_at(script.a[0].at, run_due, NULL))
		return -ENOMEM;
	return 0;
}

void sim_keys_fini(void)
{
	free(script.a);
	memset(&script, 0, sizeof(script));
}

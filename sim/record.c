/*
 * The log of a run's inputs (record.h). A log is a text header, then binary records:
 *
 *   ECLIPSE-RECORDING 1\n
 *   machine <what main.c says the machine is>\n
 *   \n
 *   records: kind (1 byte), then unsigned LEB128 numbers: the input point, executed blocks and
 *   idle time, each as the difference from the record before; the value (zigzag-coded); the
 *   data's length; then the data.
 *
 * A recording writes through stdio as the run goes. A replay reads the whole log first (it is
 * small: inputs are few, and only disk chunks have bulk) and gives its answers back at their
 * input points, checking at each that the run is where the recording was: a run that is not
 * has diverged (a log edited, another boot image, a bug), and the replay stops there saying so.
 */
#include "record.h"
#include "gdbstub.h"
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "ECLIPSE-RECORDING 1\n"

enum rec_mode rec_mode;

struct record {
	enum rec_kind kind;
	struct rec_pos pos;
	int64_t value;
	const uint8_t *data;
	size_t len;
};

static struct {
	FILE *out;               /* recording */
	char *path;
	struct rec_pos last;     /* of the record written or read before */
	uint64_t points;         /* input points passed */
	uint64_t out_hash;       /* FNV-1a of the console output */
	/* Replay: the log, its records, and the next one. */
	uint8_t *log;
	size_t log_len;
	struct record *recs;
	size_t nrecs, next;
	bool ended;              /* past the recording's last input */
	bool following;          /* a time travel runner: the log ends where the recording is now */
	bool diverged;
} rec;

static const char *kind_name(enum rec_kind k)
{
	static const char *const names[] = {"?", "console input", "terminal size", "stop request",
					    "idle wait", "host clock", "random seed", "sync point",
					    "disk chunk", "end", "network frame", "network poll",
					    "window input"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

struct rec_pos rec_position(void)
{
	return (struct rec_pos){sim_blocks(), sim_idle_ns(), rec.points};
}

void rec_format(const struct rec_pos *pos, char *buf, size_t size)
{
	snprintf(buf, size, "%llu:%llu/%llu", (unsigned long long)pos->blocks,
		 (unsigned long long)pos->idle_ns, (unsigned long long)pos->point);
}

/* The replay cannot go on: say where and why, and stop the machine at once. */
static void diverge(const char *why)
{
	if (rec.diverged)
		return;
	rec.diverged = true;
	char here[80];
	struct rec_pos now = rec_position();
	rec_format(&now, here, sizeof(here));
	fprintf(stderr, "eclipse-sim: --replay %s: the run diverged from the recording at %s: %s\n",
		rec.path, here, why);
	sim_request_stop();
	sim_request_stop();
}

/* "KIND at POS" of a record, for a divergence's message. */
static void describe(const struct record *r, char *buf, size_t size)
{
	char at[80];
	rec_format(&r->pos, at, sizeof(at));
	snprintf(buf, size, "%s at %s", kind_name(r->kind), at);
}

bool rec_diverged(void)
{
	return rec.diverged;
}

/* ---- writing ---- */

static void put_uleb(uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;
	do {
		b[n] = v & 0x7f;
		v >>= 7;
		b[n++] |= v ? 0x80 : 0;
	} while (v);
	fwrite(b, 1, n, rec.out);
}

static void write_record(enum rec_kind kind, const struct rec_pos *pos, int64_t value,
			 const void *data, size_t len)
{
	fputc((int)kind, rec.out);
	put_uleb(pos->point - rec.last.point);
	put_uleb(pos->blocks - rec.last.blocks);
	put_uleb(pos->idle_ns - rec.last.idle_ns);
	put_uleb(((uint64_t)value << 1) ^ (uint64_t)(value >> 63));
	put_uleb(len);
	if (len)
		fwrite(data, 1, len, rec.out);
	rec.last = *pos;
}

/* The environment as a header line's hex: the strings, each with its NUL. */
static void put_env(const char *const *envp)
{
	fputs("env ", rec.out);
	for (size_t i = 0; envp && envp[i]; i++)
		for (const char *c = envp[i];; c++) {
			fprintf(rec.out, "%02x", (unsigned char)*c);
			if (!*c)
				break;
		}
	fputc('\n', rec.out);
}

int rec_open_record(const char *path, const char *machine, bool terminal,
		    const char *const *envp)
{
	memset(&rec, 0, sizeof(rec));
	rec.out = fopen(path, "wbe");
	if (!rec.out) {
		fprintf(stderr, "eclipse-sim: --record %s: %s\n", path, strerror(errno));
		return -1;
	}
	rec.path = strdup(path);
	fprintf(rec.out, "%smachine %s\nconsole %s\n", MAGIC, machine,
		terminal ? "terminal" : "stream");
	put_env(envp);
	fputc('\n', rec.out);
	rec_mode = REC_RECORD;
	return 0;
}

/* ---- reading ---- */

static bool get_uleb(size_t *at, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (*at >= rec.log_len)
			return false;
		uint8_t b = rec.log[(*at)++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

static int refuse(const char *path, const char *why);

/* The records of a log (len bytes at log, records from at), into rec. */
static int parse_records(const char *path, void *log, size_t len, size_t at)
{
	rec.log = log;
	rec.log_len = len;
	rec.recs = NULL;
	rec.nrecs = 0;
	size_t cap = 0;
	struct rec_pos pos = {0, 0, 0};
	while (at < len) {
		uint8_t kind = rec.log[at++];
		uint64_t dp, db, di, zv, n;
		if (!kind || kind > REC_KIND_LAST || !get_uleb(&at, &dp) || !get_uleb(&at, &db) ||
		    !get_uleb(&at, &di) || !get_uleb(&at, &zv) || !get_uleb(&at, &n) ||
		    n > len - at || (kind == REC_DISK && n != REC_DISK_CHUNK))
			return refuse(path, "the recording is damaged (a record cut short or unknown)");
		pos.point += dp, pos.blocks += db, pos.idle_ns += di;
		if (rec.nrecs == cap) {
			cap = cap ? 2 * cap : 256;
			struct record *grown = realloc(rec.recs, cap * sizeof(*grown));
			if (!grown)
				return refuse(path, "out of memory");
			rec.recs = grown;
		}
		int64_t value = (int64_t)(zv >> 1) ^ -(int64_t)(zv & 1);
		rec.recs[rec.nrecs++] = (struct record){kind, pos, value, rec.log + at, n};
		at += n;
	}
	return 0;
}

static int refuse(const char *path, const char *why)
{
	fprintf(stderr, "eclipse-sim: --replay %s: %s\n", path, why);
	free(rec.log);
	free(rec.recs);
	memset(&rec, 0, sizeof(rec));
	return -1;
}

/* The header's env line (at line, length len) as an array of strings, malloc'd in one piece. */
static char **get_env(const char *line, size_t len)
{
	if (len < 4 || strncmp(line, "env ", 4) || (len - 4) % 2)
		return NULL;
	size_t bytes = (len - 4) / 2, n = 0;
	char *text = malloc(bytes + 1);
	if (!text)
		return NULL;
	for (size_t i = 0; i < bytes; i++) {
		int hi = gdb_hex_digit(line[4 + 2 * i]), lo = gdb_hex_digit(line[5 + 2 * i]);
		if (hi < 0 || lo < 0) {
			free(text);
			return NULL;
		}
		text[i] = (char)(hi << 4 | lo);
		n += !text[i];
	}
	text[bytes] = 0;
	char **env = malloc((n + 1) * sizeof(*env) + bytes + 1);
	if (env) {
		char *copy = (char *)(env + n + 1);
		memcpy(copy, text, bytes + 1);
		for (size_t i = 0, at = 0; i < n; i++, at += strlen(copy + at) + 1)
			env[i] = copy + at;
		env[n] = NULL;
	}
	free(text);
	return env;
}

int rec_open_replay(const char *path, const char *machine, bool *terminal, char ***envp)
{
	memset(&rec, 0, sizeof(rec));
	void *log;
	size_t len;
	int err = sim_read_file(path, 1ull << 34, &log, &len);
	if (err) {
		fprintf(stderr, "eclipse-sim: --replay %s: %s\n", path, strerror(-err));
		return -1;
	}
	rec.log = log;
	rec.log_len = len;
	size_t magic = strlen(MAGIC);
	if (len < magic || memcmp(log, MAGIC, magic))
		return refuse(path, "not a recording of eclipse-sim");
	char *body = (char *)log + magic, *end = memmem(body, len - magic, "\n\n", 2);
	if (!end || strncmp(body, "machine ", 8))
		return refuse(path, "the recording's header is damaged");
	/* The lines: machine, console, env; end is the last one's newline. */
	char *nl = memchr(body, '\n', (size_t)(end - body) + 1);
	size_t mlen = (size_t)(nl - body) - 8;
	char *nl2 = nl < end ? memchr(nl + 1, '\n', (size_t)(end - nl)) : NULL;
	if (nl2 && !strncmp(nl + 1, "console terminal\n", 17) && nl + 17 == nl2)
		*terminal = true;
	else if (nl2 && !strncmp(nl + 1, "console stream\n", 15) && nl + 15 == nl2)
		*terminal = false;
	else
		return refuse(path, "the recording's header is damaged");
	if (nl2 == end || !(*envp = get_env(nl2 + 1, (size_t)(end - nl2 - 1))))
		return refuse(path, "the recording's header is damaged");
	if (mlen != strlen(machine) || memcmp(body + 8, machine, mlen)) {
		fprintf(stderr,
			"eclipse-sim: --replay %s: recorded on another machine: it was\n  %.*s\n"
			"and this run is\n  %s\n",
			path, (int)mlen, body + 8, machine);
		return refuse(path, "replay it with the options, boot image and program it was recorded with");
	}
	if (parse_records(path, log, len, (size_t)(end + 2 - (char *)log)))
		return -1;
	rec.path = strdup(path);
	rec_mode = REC_REPLAY;
	return 0;
}

void rec_flush(void)
{
	if (rec_mode == REC_RECORD && rec.out)
		fflush(rec.out);
}

int rec_follow(void)
{
	if (rec_mode != REC_RECORD)
		return 0; /* a replay goes on with its log as it is */
	/* The recording process's stream is its own: this copy is dropped unflushed. */
	rec.out = NULL;
	struct rec_pos at = {0, 0, rec.points};
	uint64_t hash = rec.out_hash;
	char *path = rec.path;
	rec.path = NULL;
	void *log;
	size_t len;
	int err = sim_read_file(path, 1ull << 34, &log, &len);
	if (err) {
		fprintf(stderr, "eclipse-sim: time travel: cannot read the recording %s: %s\n", path,
			strerror(-err));
		return -1;
	}
	char *end = memmem(log, len, "\n\n", 2);
	if (!end || parse_records(path, log, len, (size_t)(end + 2 - (char *)log)))
		return -1;
	rec.path = path;
	rec.following = true;
	rec.points = at.point;
	rec.out_hash = hash;
	rec.next = 0;
	while (rec.next < rec.nrecs && rec.recs[rec.next].pos.point < at.point)
		rec.next++;
	rec_mode = REC_REPLAY;
	return 0;
}

/* The next record that belongs to an input point (disk chunks do not). */
static struct record *next_record(void)
{
	while (rec.next < rec.nrecs && rec.recs[rec.next].kind == REC_DISK)
		rec.next++;
	return rec.next < rec.nrecs ? &rec.recs[rec.next] : NULL;
}

static bool same_place(const struct rec_pos *a, const struct rec_pos *b)
{
	return a->blocks == b->blocks && a->idle_ns == b->idle_ns && a->point == b->point;
}

void rec_point(void)
{
	if (rec_mode != REC_OFF)
		rec.points++;
}

void rec_put(enum rec_kind kind, int64_t value, const void *data, size_t len)
{
	if (rec_mode != REC_RECORD)
		return;
	struct rec_pos pos = rec_position();
	rec.points++;
	write_record(kind, &pos, value, data, len);
}

bool rec_take(enum rec_kind kind, int64_t *value, void *data, size_t *len)
{
	if (rec_mode != REC_REPLAY)
		return false;
	struct rec_pos pos = rec_position();
	rec.points++;
	if (rec.diverged)
		return false;
	struct record *r = next_record();
	if (!r) {
		if (rec.following)
			return false; /* the recording took no input since: none here either */
		if (!rec.ended) {
			rec.ended = true;
			diverge("the recording ends here (it was cut short): the replay stops");
		}
		return false;
	}
	if (r->pos.point > pos.point)
		return false;
	if (r->kind != kind || !same_place(&r->pos, &pos)) {
		char why[256], there[120];
		describe(r, there, sizeof(there));
		snprintf(why, sizeof(why), "it asks for %s where the recording has %s",
			 kind_name(kind), there);
		diverge(why);
		return false;
	}
	rec.next++;
	*value = r->value;
	if (len) {
		size_t n = r->len < *len ? r->len : *len;
		if (n)
			memcpy(data, r->data, n);
		*len = n;
	}
	return true;
}

/* ---- sync points and output ---- */

void rec_output(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint64_t h = rec.out_hash ? rec.out_hash : 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	rec.out_hash = h;
}

void rec_sync(void)
{
	if (rec_mode == REC_RECORD) {
		rec_put(REC_SYNC, (int64_t)rec.out_hash, NULL, 0);
		return;
	}
	int64_t hash;
	struct record *r = rec_mode == REC_REPLAY && !rec.diverged ? next_record() : NULL;
	if (!rec_take(REC_SYNC, &hash, NULL, NULL)) {
		if (r && !rec.diverged) {
			char why[256], there[120];
			describe(r, there, sizeof(there));
			snprintf(why, sizeof(why),
				 "a sync point the recording does not have (its next record is %s)", there);
			diverge(why);
		}
		return;
	}
	if ((uint64_t)hash != rec.out_hash)
		diverge("the console output so far differs from the recording's");
}

/* ---- the disk's saved chunks ---- */

void rec_disk_save(uint64_t chunk, const void *data)
{
	if (rec_mode != REC_RECORD)
		return;
	struct rec_pos pos = rec_position();
	write_record(REC_DISK, &pos, (int64_t)chunk, data, REC_DISK_CHUNK);
}

void rec_disk_chunks(void (*fn)(uint64_t chunk, const void *data, void *arg), void *arg)
{
	for (size_t i = 0; rec_mode == REC_REPLAY && i < rec.nrecs; i++)
		if (rec.recs[i].kind == REC_DISK)
			fn((uint64_t)rec.recs[i].value, rec.recs[i].data, arg);
}

void rec_close(int status)
{
	if (rec_mode == REC_RECORD && rec.out) {
		rec_put(REC_END, status, NULL, 0);
		if (fclose(rec.out))
			fprintf(stderr, "eclipse-sim: --record %s: %s\n", rec.path, strerror(errno));
	} else if (rec_mode == REC_REPLAY && !rec.diverged) {
		int64_t recorded;
		struct record *r = next_record();
		if (r && r->kind == REC_END && (recorded = r->value) != status)
			fprintf(stderr,
				"eclipse-sim: --replay %s: the run ended with status %d, the recording with %d\n",
				rec.path, status, (int)recorded);
	}
	free(rec.log);
	free(rec.recs);
	free(rec.path);
	memset(&rec, 0, sizeof(rec));
	rec_mode = REC_OFF;
}

/*
 * The GDB remote serial protocol on a localhost TCP port (`eclipse-sim --gdb PORT`).
 *
 * All-stop: while the stub talks to gdb the whole system is stopped, inside the CPU's run of
 * one thread (debug.c decides when). Each Eclipse process is a gdb thread whose id is its pid;
 * registers and memory (gdbtarget.c) are those of the thread gdb selected with Hg. Packets come
 * and go through gdbwire.c.
 *
 * Malformed packets get an error reply (E01 unparsable, else an errno in hex: E03 no such
 * thread, E0e bad address, E16 bad value), unknown ones an empty reply, packets with a bad
 * checksum a '-'. A debugger that disconnects has detached: the system runs on and another may
 * connect.
 */
#include "gdbstub.h"
#include "travel.h"

#include <kernel/core.h>
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define REPLY_MAX (2 * GDB_PACKET_MAX + 64)


/* How long the stub answers a debugger after the machine ended, once it asks nothing more. */
#define ENDED_QUIET_MS 1000

/* What the connected debugger told us, and what it waits for. */
static struct {
	bool swbreak, hwbreak; /* it understands these stop reasons */
	bool multi;            /* the multiprocess extensions: ids are pPID.TID, each process gdb's
				* own inferior with its own program (qXfer:exec-file:read) */
	bool waiting;          /* it resumed the system and waits for a stop reply */
	int gthread, cthread;  /* Hg and Hc: a pid, 0 any, -1 all */
	struct debug_stop last; /* the stop '?' reports */
} gs;

static const char hexdigits[] = "0123456789abcdef";

/* A reply being built. */
struct reply {
	char buf[REPLY_MAX];
	size_t len;
};

static void put(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct reply *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof(r->buf) - r->len;
	int n = vsnprintf(r->buf + r->len, room, fmt, ap);
	va_end(ap);
	r->len += n < 0 ? 0 : (size_t)n >= room ? room - 1 : (size_t)n;
}

static void put_hex(struct reply *r, const void *data, size_t len)
{
	const uint8_t *b = data;
	for (size_t i = 0; i < len && r->len + 2 < sizeof(r->buf); i++) {
		r->buf[r->len++] = hexdigits[b[i] >> 4];
		r->buf[r->len++] = hexdigits[b[i] & 15];
	}
}

/* Binary data with '#', '$', '}' and '*' escaped, as qXfer replies carry it. */
static void put_binary(struct reply *r, const char *data, size_t len)
{
	for (size_t i = 0; i < len && r->len + 2 < sizeof(r->buf); i++) {
		char c = data[i];
		if (c == '#' || c == '$' || c == '}' || c == '*') {
			r->buf[r->len++] = '}';
			c ^= 0x20;
		}
		r->buf[r->len++] = c;
	}
}

static void reply_error(struct reply *r, int err)
{
	r->len = 0;
	put(r, "E%02x", err & 0xff);
}

/* A hex number of 1 to 16 digits at *s; advances *s past it. */
static bool parse_hex(const char **s, uint64_t *v)
{
	uint64_t x = 0;
	int digits = 0;
	for (int d; (d = gdb_hex_digit(**s)) >= 0; (*s)++) {
		if (++digits > 16)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return digits > 0;
}

/* Exactly len bytes of hex digits at s into out. */
static bool parse_hex_bytes(const char *s, size_t digits, uint8_t *out, size_t len)
{
	if (digits != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = gdb_hex_digit(s[2 * i]), lo = gdb_hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* A thread of process pid: its first thread (the one whose id is the pid when it lives). */
static int thread_of_process(int pid)
{
	struct thread *t = core_thread(pid);
	if (t && core_pid(t) == pid)
		return pid;
	unsigned cursor = 0;
	while ((t = core_thread_next(&cursor)))
		if (core_pid(t) == pid)
			return core_tid(t);
	return pid; /* none: an id no thread has, refused where it is used */
}

/* A thread id: "-1" (all), "0" (any) or a thread's id in hex; with the multiprocess
 * extensions also "pPID.TID", "pPID" and "pPID.-1" (a thread of PID stands for all of them),
 * "p-1" (all). */
static bool parse_thread(const char **s, int *tid)
{
	uint64_t v;
	if (**s == 'p') {
		(*s)++;
		int pid;
		if (!parse_thread(s, &pid))
			return false;
		if (pid == -1) {
			*tid = -1;
			if (**s == '.' && (*s)[1] == '-' && (*s)[2] == '1')
				*s += 3;
			return true;
		}
		if (**s != '.') {
			*tid = pid ? thread_of_process(pid) : 0;
			return true;
		}
		(*s)++;
		if (!parse_thread(s, tid))
			return false;
		if (*tid <= 0)
			*tid = pid ? thread_of_process(pid) : 0;
		return true;
	}
	if (**s == '-' && (*s)[1] == '1') {
		*s += 2;
		*tid = -1;
		return true;
	}
	if (!parse_hex(s, &v) || v > INT32_MAX)
		return false;
	*tid = (int)v;
	return true;
}

/* A thread's id as gdb knows it. */
static void put_tid(struct reply *r, int tid)
{
	struct thread *t = core_thread(tid);
	if (gs.multi)
		put(r, "p%x.%x", t ? core_pid(t) : tid, tid);
	else
		put(r, "%x", tid);
}

/* A thread the debugger sees: not of a process it detached. */
static struct thread *live_proc(int tid)
{
	struct thread *t = core_thread(tid);
	return t && !debug_hidden(core_pid(t)) ? t : NULL;
}

static struct thread *next_shown(unsigned *cursor)
{
	struct thread *t;
	while ((t = core_thread_next(cursor)) && debug_hidden(core_pid(t)))
		;
	return t;
}

/* The threads in the order gdb is told of them: the one that stopped first, for gdb binds the
 * first process it hears of to its first inferior, the one with the symbol file a person gave
 * it (the program that stopped, as a rule). Start from {0}. */
struct listing {
	bool started;
	struct thread *first;
	unsigned cursor;
};

static struct thread *listed_next(struct listing *l)
{
	if (!l->started) {
		l->started = true;
		if ((l->first = live_proc(gs.last.pid)))
			return l->first;
	}
	struct thread *t;
	while ((t = next_shown(&l->cursor)) && t == l->first)
		;
	return t;
}

static struct thread *first_live(void)
{
	unsigned cursor = 0;
	return next_shown(&cursor);
}

/* The process a thread id selects: a pid, or for 0 and -1 the one that stopped. */
static struct thread *thread_proc(int tid)
{
	if (tid > 0)
		return live_proc(tid);
	struct thread *p = live_proc(gs.last.pid);
	return p ? p : first_live();
}


/* GDB's numbers of Linux signals 1 to 31 (they differ from 7 on). */
static const uint8_t gdb_signals[32] = {
	0,  1,  2,  3,  4,  5,  6,  10, 8,  9,  30, 11, 31, 13, 14, 15,
	0,  20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32, 12,
};

static int gdb_signal(int sig)
{
	return sig > 0 && sig < 32 ? gdb_signals[sig] : 0;
}

static int linux_signal(uint64_t gdb)
{
	for (int sig = 1; sig < 32; sig++)
		if (gdb_signals[sig] == gdb)
			return sig;
	return 0;
}

/* The end of a process, as wait4's status says it (< 0: killed): W or X, and with inferiors of
 * their own, which process. */
static void put_exit(struct reply *r, int status, int pid)
{
	if (status >= 0 && (status & 0x7f) == 0)
		put(r, "W%02x", (status >> 8) & 0xff);
	else
		put(r, "X%02x", gdb_signal(status >= 0 ? status & 0x7f : SIGKILL));
	if (gs.multi)
		put(r, ";process:%x", pid);
}

static void put_stop(struct reply *r, const struct debug_stop *s)
{
	if (s->reason == DEBUG_EXITED) {
		put_exit(r, s->signal, s->pid);
		return;
	}
	struct thread *p = live_proc(s->pid);
	int sig = s->reason == DEBUG_SIGNAL ? gdb_signal(s->signal)
		: s->reason == DEBUG_INTERRUPT ? 2 : 5; /* SIGINT, SIGTRAP */
	put(r, "T%02xthread:", sig);
	put_tid(r, s->pid);
	put(r, ";");
	if (s->reason == DEBUG_HISTORY_BEGIN)
		put(r, "replaylog:begin;");
	else if (s->reason == DEBUG_BREAK && gs.swbreak)
		put(r, "swbreak:;");
	else if (s->reason == DEBUG_HWBREAK && gs.hwbreak)
		put(r, "hwbreak:;");
	else if (s->reason == DEBUG_FORK) {
		put(r, "fork:");
		put_tid(r, s->child);
		put(r, ";");
	} else if (s->reason == DEBUG_EXEC_EVENT) {
		char path[4096];
		struct thread *t = core_thread(s->pid);
		if (!t || !debug_exec_file(core_pid(t), path, sizeof(path)))
			snprintf(path, sizeof(path), "?"); /* gone already */
		put(r, "exec:");
		put_hex(r, path, strlen(path));
		put(r, ";");
	} else if (s->reason == DEBUG_WATCH || s->reason == DEBUG_RWATCH || s->reason == DEBUG_AWATCH)
		put(r, "%s:%llx;",
		    s->reason == DEBUG_WATCH ? "watch" : s->reason == DEBUG_RWATCH ? "rwatch" : "awatch",
		    (unsigned long long)s->addr);
	if (!p)
		return;
	static const unsigned expedite[] = {6, 7, GDB_REG_RIP}; /* rbp, rsp, rip */
	for (size_t i = 0; i < ARRAY_SIZE(expedite); i++) {
		uint8_t v[8];
		gdb_reg_read(p, expedite[i], v);
		put(r, "%02x:", expedite[i]);
		put_hex(r, v, 8);
		put(r, ";");
	}
}

/* Serves a qXfer read of [off, off+len) of the document doc. */
static void put_xfer(struct reply *r, const char *doc, size_t size, const char *range)
{
	uint64_t off, len;
	if (!parse_hex(&range, &off) || *range++ != ',' || !parse_hex(&range, &len) || *range) {
		reply_error(r, 1);
		return;
	}
	if (off >= size) {
		put(r, "l");
		return;
	}
	size_t n = (size_t)MIN(len, MIN((uint64_t)(size - off), (uint64_t)(GDB_PACKET_MAX / 2)));
	put(r, off + n >= size ? "l" : "m");
	put_binary(r, doc + off, n);
}

/* A process name fit for XML: the characters that would need escaping become '?'. */
static void xml_name(const struct thread *p, char *out)
{
	size_t i = 0;
	const char *name = core_name(p);
	for (; name[i] && i < CORE_NAME_MAX - 1; i++)
		out[i] = strchr("<>&\"'", name[i]) ? '?' : name[i];
	out[i] = 0;
}

static size_t threads_xml(char *buf, size_t size)
{
	size_t len = 0;
	char name[CORE_NAME_MAX];
	len += (size_t)snprintf(buf, size, "<?xml version=\"1.0\"?>\n<threads>\n");
	struct listing list = {0};
	for (struct thread *p; (p = listed_next(&list)) && len < size;) {
		xml_name(p, name);
		char id[32];
		if (gs.multi)
			snprintf(id, sizeof(id), "p%x.%x", core_pid(p), core_tid(p));
		else
			snprintf(id, sizeof(id), "%x", core_tid(p));
		char extra[48] = ""; /* a process's other threads say which they are */
		if (core_tid(p) != core_pid(p))
			snprintf(extra, sizeof(extra), " tid %d", core_tid(p));
		len += (size_t)snprintf(buf + len, size - len,
					"<thread id=\"%s\" name=\"%s\">%s pid %d%s</thread>\n", id,
					name, name, core_pid(p), extra);
	}
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len, "</threads>\n");
	return MIN(len, size - 1);
}

static void query(struct reply *r, const char *pkt)
{
	if (!strncmp(pkt, "qSupported", 10)) {
		gs.swbreak = strstr(pkt, "swbreak+") != NULL;
		gs.hwbreak = strstr(pkt, "hwbreak+") != NULL;
		/* Each process gdb's own inferior, told of new processes and programs by fork and
		 * exec events as they come. Not in time travel: the past has the processes it had,
		 * and gdb learning of one from a thread list (not from an event) shows its stop in
		 * the wrong thread. There, as for a debugger without fork events, the processes are
		 * the threads of one inferior. */
		gs.multi = strstr(pkt, "multiprocess+") && strstr(pkt, "fork-events+") &&
			   !travel_enabled;
		bool forks = gs.multi;
		bool execs = gs.multi && strstr(pkt, "exec-events+");
		debug_events(forks, execs);
		put(r, "PacketSize=%x;qXfer:features:read+;qXfer:threads:read+;QStartNoAckMode+;"
		       "vContSupported+%s%s%s%s%s%s",
		    GDB_PACKET_MAX, gs.swbreak ? ";swbreak+" : "", gs.hwbreak ? ";hwbreak+" : "",
		    gs.multi ? ";multiprocess+;qXfer:exec-file:read+" : "",
		    forks ? ";fork-events+" : "", execs ? ";exec-events+" : "",
		    travel_enabled ? ";ReverseStep+;ReverseContinue+" : "");
	} else if (!strcmp(pkt, "QStartNoAckMode")) {
		put(r, "OK");
		gdbwire_no_ack();
	} else if (!strncmp(pkt, "qXfer:features:read:target.xml:", 31)) {
		put_xfer(r, gdb_target_xml, strlen(gdb_target_xml), pkt + 31);
	} else if (!strncmp(pkt, "qXfer:threads:read::", 20)) {
		static char doc[128 * 1024];
		put_xfer(r, doc, threads_xml(doc, sizeof(doc)), pkt + 20);
	} else if (!strncmp(pkt, "qXfer:exec-file:read:", 21)) {
		const char *s = pkt + 21;
		uint64_t pid;
		char path[4096];
		if (!parse_hex(&s, &pid) || *s++ != ':' || pid > INT32_MAX) {
			reply_error(r, 1);
			return;
		}
		if (!debug_exec_file((int)pid, path, sizeof(path))) {
			reply_error(r, ESRCH);
			return;
		}
		put_xfer(r, path, strlen(path), s);
	} else if (!strncmp(pkt, "qXfer:", 6)) {
		/* another object: unsupported, empty reply */
	} else if (!strcmp(pkt, "qAttached") || !strncmp(pkt, "qAttached:", 10)) {
		put(r, "1"); /* quitting gdb detaches; `kill` ends the simulator */
	} else if (!strcmp(pkt, "qC")) {
		struct thread *p = thread_proc(gs.gthread);
		put(r, "QC");
		put_tid(r, p ? core_tid(p) : 0);
	} else if (!strcmp(pkt, "qfThreadInfo")) {
		const char *sep = "m";
		struct listing list = {0};
		for (struct thread *p; (p = listed_next(&list));) {
			put(r, "%s", sep);
			put_tid(r, core_tid(p));
			sep = ",";
		}
		if (!r->len)
			put(r, "l");
	} else if (!strcmp(pkt, "qsThreadInfo")) {
		put(r, "l");
	} else if (!strncmp(pkt, "qThreadExtraInfo,", 17)) {
		const char *s = pkt + 17;
		int tid;
		struct thread *p = parse_thread(&s, &tid) && !*s ? live_proc(tid) : NULL;
		if (!p) {
			reply_error(r, ESRCH);
			return;
		}
		char info[64];
		int n = snprintf(info, sizeof(info), "%s pid %d", core_name(p), core_tid(p));
		put_hex(r, info, (size_t)MIN(n, (int)sizeof(info) - 1));
	} else if (!strncmp(pkt, "qSymbol:", 8)) {
		put(r, "OK");
	}
}

static void read_memory(struct reply *r, const char *args)
{
	uint64_t addr, len;
	struct thread *p = thread_proc(gs.gthread);
	if (!parse_hex(&args, &addr) || *args++ != ',' || !parse_hex(&args, &len) || *args) {
		reply_error(r, 1);
		return;
	}
	if (!p) {
		reply_error(r, ESRCH);
		return;
	}
	uint8_t buf[GDB_PACKET_MAX / 2];
	size_t got = sim_peek(core_mm(p), addr, buf, (size_t)MIN(len, (uint64_t)sizeof(buf)));
	if (len && !got)
		reply_error(r, EFAULT);
	else
		put_hex(r, buf, got);
}

/* M addr,len:hex and X addr,len:binary (length bytes of pkt). */
static void write_memory(struct reply *r, const char *pkt, size_t length)
{
	const char *s = pkt + 1, *end = pkt + length;
	uint64_t addr, len;
	struct thread *p = thread_proc(gs.gthread);
	if (!parse_hex(&s, &addr) || *s++ != ',' || !parse_hex(&s, &len) || *s++ != ':' ||
	    len > GDB_PACKET_MAX) {
		reply_error(r, 1);
		return;
	}
	uint8_t buf[GDB_PACKET_MAX];
	size_t n = 0;
	if (pkt[0] == 'M') {
		if (!parse_hex_bytes(s, (size_t)(end - s), buf, (size_t)len)) {
			reply_error(r, 1);
			return;
		}
		n = (size_t)len;
	} else {
		for (; s < end && n < sizeof(buf); n++) {
			char c = *s++;
			if (c == '}') {
				if (s == end)
					break;
				c = (char)(*s++ ^ 0x20);
			}
			buf[n] = (uint8_t)c;
		}
		if (s != end || n != len) {
			reply_error(r, 1);
			return;
		}
	}
	if (!p) {
		reply_error(r, ESRCH);
		return;
	}
	int err = gdb_poke(core_mm(p), addr, buf, n);
	if (err)
		reply_error(r, -err);
	else
		put(r, "OK");
}

static void registers(struct reply *r, const char *pkt, size_t length)
{
	struct thread *p = thread_proc(gs.gthread);
	if (!p) {
		reply_error(r, ESRCH);
		return;
	}
	uint8_t v[16];
	if (pkt[0] == 'g') {
		if (length != 1) {
			reply_error(r, 1);
			return;
		}
		for (unsigned n = 0; n < GDB_NREGS; n++) {
			gdb_reg_read(p, n, v);
			put_hex(r, v, gdb_reg_size(n));
		}
		return;
	}
	if (pkt[0] == 'G') {
		const char *s = pkt + 1;
		size_t total = 0;
		for (unsigned n = 0; n < GDB_NREGS; n++)
			total += 2 * gdb_reg_size(n);
		if (length - 1 != total) {
			reply_error(r, 1);
			return;
		}
		for (unsigned n = 0; n < GDB_NREGS; n++) {
			if (!parse_hex_bytes(s, 2 * gdb_reg_size(n), v, gdb_reg_size(n))) {
				reply_error(r, 1);
				return;
			}
			s += 2 * gdb_reg_size(n);
		}
		s = pkt + 1;
		for (unsigned n = 0; n < GDB_NREGS; n++, s += 2 * gdb_reg_size(n - 1)) {
			parse_hex_bytes(s, 2 * gdb_reg_size(n), v, gdb_reg_size(n));
			gdb_reg_write(p, n, v);
		}
		put(r, "OK");
		return;
	}
	const char *s = pkt + 1;
	uint64_t n;
	if (!parse_hex(&s, &n) || (pkt[0] == 'p' ? *s != 0 : *s++ != '=')) {
		reply_error(r, 1);
		return;
	}
	if (n >= GDB_NREGS) {
		reply_error(r, EINVAL);
		return;
	}
	if (pkt[0] == 'p') {
		gdb_reg_read(p, (unsigned)n, v);
		put_hex(r, v, gdb_reg_size((unsigned)n));
		return;
	}
	if (!parse_hex_bytes(s, (size_t)(pkt + length - s), v, gdb_reg_size((unsigned)n))) {
		reply_error(r, 1);
		return;
	}
	int err = gdb_reg_write(p, (unsigned)n, v);
	if (err)
		reply_error(r, -err);
	else
		put(r, "OK");
}

/* Z type,addr,kind and z type,addr,kind. */
static void breakpoint(struct reply *r, const char *pkt)
{
	const char *s = pkt + 1;
	uint64_t type, addr, kind;
	if (!parse_hex(&s, &type) || *s++ != ',' || !parse_hex(&s, &addr) || *s++ != ',' ||
	    !parse_hex(&s, &kind) || (*s && *s != ';')) {
		reply_error(r, 1);
		return;
	}
	bool insert = pkt[0] == 'Z';
	int err;
	if (type <= 1) {
		/* With inferiors of their own, a breakpoint is the process's gdb set it in (its Hg). */
		struct thread *t = gs.multi ? thread_proc(gs.gthread) : NULL;
		int pid = t ? core_pid(t) : 0;
		err = insert ? debug_break_insert(addr, type == 1, pid)
			     : debug_break_remove(addr, type == 1, pid);
	} else if (type <= 4) {
		unsigned access = type == 2 ? DEBUG_WATCH_WRITE
			       : type == 3 ? DEBUG_WATCH_READ : DEBUG_WATCH_WRITE | DEBUG_WATCH_READ;
		err = insert ? debug_watch_insert(addr, kind, access) : debug_watch_remove(addr, kind, access);
	} else {
		return; /* unknown type: empty reply */
	}
	if (err)
		reply_error(r, -err);
	else
		put(r, "OK");
}

/* The resume a 'c', 'C', 's' or 'S' packet asks for: an optional new pc, then the Hc thread
 * (or all) continues, or steps with the others stopped. */
static enum gdb_serve legacy_resume(struct reply *r, const char *pkt)
{
	const char *s = pkt + 1;
	uint64_t v = 0;
	if ((pkt[0] == 'C' || pkt[0] == 'S') && (!parse_hex(&s, &v) || (*s && *s++ != ';'))) {
		reply_error(r, 1);
		return GDB_SERVE_ON;
	}
	uint64_t addr = 0;
	bool has_addr = *s != 0;
	if (has_addr && (!parse_hex(&s, &addr) || *s)) {
		reply_error(r, 1);
		return GDB_SERVE_ON;
	}
	struct thread *p = thread_proc(gs.cthread);
	if (!p) {
		reply_error(r, ESRCH);
		return GDB_SERVE_ON;
	}
	if (has_addr)
		core_uctx(p)->regs.rip = addr;
	bool step = pkt[0] == 's' || pkt[0] == 'S';
	struct debug_resume res[2] = {
		{core_tid(p), step ? DEBUG_ACT_STEP : DEBUG_ACT_CONTINUE, 0, 0, linux_signal(v)},
		{0, DEBUG_ACT_CONTINUE, 0, 0, 0}};
	debug_resume(res, step || gs.cthread > 0 ? 1 : 2);
	return GDB_SERVE_RESUME;
}

/* vCont;action[:thread]... with actions c, C sig, s, S sig, r start,end. */
static enum gdb_serve vcont(struct reply *r, const char *pkt)
{
	struct debug_resume res[64];
	size_t n = 0;
	const char *s = pkt + 5;
	while (*s == ';' && n < ARRAY_SIZE(res)) {
		s++;
		struct debug_resume a = {0, DEBUG_ACT_CONTINUE, 0, 0, 0};
		uint64_t v;
		char op = *s++;
		switch (op) {
		case 'C':
		case 'S':
			if (!parse_hex(&s, &v))
				goto bad;
			a.action = op == 'C' ? DEBUG_ACT_CONTINUE : DEBUG_ACT_STEP;
			a.signal = linux_signal(v);
			break;
		case 'c':
			break;
		case 's':
			a.action = DEBUG_ACT_STEP;
			break;
		case 'r':
			a.action = DEBUG_ACT_RANGE;
			if (!parse_hex(&s, &a.lo) || *s++ != ',' || !parse_hex(&s, &a.hi))
				goto bad;
			break;
		default:
			goto bad;
		}
		if (*s == ':') {
			s++;
			int tid;
			const char *id = s;
			if (!parse_thread(&s, &tid))
				goto bad;
			/* A whole process (pPID, pPID.-1: gdb's continue of one inferior, with
			 * schedule-multiple off) is each of its threads; the other processes gdb
			 * debugs stay stopped, as gdb believes. */
			bool whole = id[0] == 'p' && tid > 0 &&
				     (!memchr(id, '.', (size_t)(s - id)) || !strncmp(s - 3, ".-1", 3));
			if (whole) {
				struct thread *t = live_proc(tid);
				unsigned cursor = 0;
				for (struct thread *o; t && (o = core_thread_next(&cursor)) &&
						       n < ARRAY_SIZE(res);)
					if (core_pid(o) == core_pid(t)) {
						a.pid = core_tid(o);
						res[n++] = a;
					}
				if (*s && *s != ';')
					goto bad;
				continue;
			}
			a.pid = tid > 0 ? tid : 0;
		}
		if (!a.pid && a.action != DEBUG_ACT_CONTINUE) {
			/* stepping every thread: step the one that stopped, keep the rest */
			struct thread *p = thread_proc(0);
			if (!p)
				goto bad;
			a.pid = core_tid(p);
		}
		if (*s && *s != ';')
			goto bad;
		res[n++] = a;
	}
	if (*s || !n)
		goto bad;
	debug_resume(res, n);
	return GDB_SERVE_RESUME;
bad:
	reply_error(r, 1);
	return GDB_SERVE_ON;
}

/* What the serving loop does once time travel brought the debugger back to this process. */
static enum gdb_serve travelled(struct reply *r, int how)
{
	if (how == 1)
		return GDB_SERVE_KILL;
	if (how == 2)
		return GDB_SERVE_DETACH;
	if (how == 3)
		return GDB_SERVE_QUIET; /* the debugger's resume, pushed back, comes next */
	put_stop(r, &gs.last);
	return GDB_SERVE_ON;
}

/* bs and bc: a reverse step of the Hc thread (else the one that stopped), a reverse continue. */
static enum gdb_serve reverse(struct reply *r, const char *pkt)
{
	if ((pkt[1] != 's' && pkt[1] != 'c') || pkt[2] || !travel_enabled)
		return GDB_SERVE_ON; /* unsupported: empty reply */
	struct thread *p = thread_proc(gs.cthread > 0 ? gs.cthread : 0);
	int how = travel_reverse(pkt[1] == 's', p ? core_tid(p) : 0);
	if (how < 0) {
		reply_error(r, 1);
		return GDB_SERVE_ON;
	}
	return travelled(r, how);
}

/* qRcmd,HEX: a 'monitor' command; its output is the reply, hex-encoded. */
static enum gdb_serve monitor(struct reply *r, const char *hex)
{
	char cmd[256], out[4096];
	size_t n = strlen(hex) / 2;
	if (strlen(hex) % 2 || n >= sizeof(cmd) || !parse_hex_bytes(hex, 2 * n, (uint8_t *)cmd, n)) {
		reply_error(r, 1);
		return GDB_SERVE_ON;
	}
	cmd[n] = 0;
	int went;
	if (!strcmp(cmd, "help"))
		snprintf(out, sizeof(out),
			 "monitor when             where the machine is (position, virtual time)\n"
			 "monitor checkpoint       a checkpoint here, kept (with --record or --replay)\n"
			 "monitor checkpoints      the checkpoints (* kept)\n"
			 "monitor restart [N]      go to checkpoint N, else the last one kept (then:\n"
			 "                         maintenance flush register-cache)\n");
	else if (!travel_monitor(cmd, out, sizeof(out), &went))
		snprintf(out, sizeof(out), "unknown monitor command '%s' (monitor help lists them)\n", cmd);
	else if (went >= 0)
		return travelled(r, went);
	put_hex(r, out, strlen(out));
	return GDB_SERVE_ON;
}

/* Handles one packet (length bytes); returns what the serving loop does next. */
static enum gdb_serve handle(const char *pkt, size_t length, struct reply *r)
{
	const char *s;
	int tid;
	switch (pkt[0]) {
	case '?':
		gs.gthread = gs.last.pid;
		put_stop(r, &gs.last);
		return GDB_SERVE_ON;
	case 'q':
	case 'Q':
		if (!strncmp(pkt, "qRcmd,", 6))
			return monitor(r, pkt + 6);
		query(r, pkt);
		return GDB_SERVE_ON;
	case 'b':
		return reverse(r, pkt);
	case 'H':
		s = pkt + 2;
		if ((pkt[1] != 'g' && pkt[1] != 'c') || !parse_thread(&s, &tid) || *s) {
			reply_error(r, 1);
		} else if (tid > 0 && !live_proc(tid)) {
			reply_error(r, ESRCH);
		} else {
			*(pkt[1] == 'g' ? &gs.gthread : &gs.cthread) = tid;
			put(r, "OK");
		}
		return GDB_SERVE_ON;
	case 'T':
		s = pkt + 1;
		if (!parse_thread(&s, &tid) || *s)
			reply_error(r, 1);
		else if (tid <= 0 || !live_proc(tid))
			reply_error(r, ESRCH);
		else
			put(r, "OK");
		return GDB_SERVE_ON;
	case 'G':
	case 'P':
	case 'M':
	case 'X':
		/* A recorded run is what it was: writing would make a past no replay gives. */
		if (travel_enabled) {
			reply_error(r, EPERM);
			return GDB_SERVE_ON;
		}
		if (pkt[0] == 'M' || pkt[0] == 'X')
			write_memory(r, pkt, length);
		else
			registers(r, pkt, length);
		return GDB_SERVE_ON;
	case 'g':
	case 'p':
		registers(r, pkt, length);
		return GDB_SERVE_ON;
	case 'm':
		read_memory(r, pkt + 1);
		return GDB_SERVE_ON;
	case 'Z':
	case 'z':
		breakpoint(r, pkt);
		return GDB_SERVE_ON;
	case 'c':
	case 'C':
	case 's':
	case 'S':
		return legacy_resume(r, pkt);
	case 'D':
		put(r, "OK");
		if (gs.multi && pkt[1] == ';') {
			/* One inferior: the others stay, and the system stopped, until gdb resumes it or
			 * detaches its last inferior and closes the connection. */
			const char *s = pkt + 2;
			uint64_t pid;
			if (!parse_hex(&s, &pid) || *s || !pid || pid > INT32_MAX) {
				reply_error(r, 1);
			} else {
				debug_detach_process((int)pid);
			}
			return GDB_SERVE_ON;
		}
		return GDB_SERVE_DETACH;
	case 'k':
		return GDB_SERVE_KILL;
	case 'v':
		if (!strcmp(pkt, "vCont?")) {
			put(r, "vCont;c;C;s;S;r");
		} else if (!strncmp(pkt, "vCont;", 6)) {
			return vcont(r, pkt);
		} else if (!strncmp(pkt, "vKill", 5)) {
			put(r, "OK");
			return GDB_SERVE_KILL;
		}
		return GDB_SERVE_ON;
	default:
		return GDB_SERVE_ON; /* unknown: empty reply */
	}
}

int gdbstub_open(int port)
{
	return gdbwire_open(port);
}

static void gdbstub_close(void)
{
	gdbwire_close();
}

static bool gdbstub_connected(void)
{
	return gdbwire_connected();
}

/* A new debugger: it knows nothing yet. */
static void connected(void)
{
	gs.swbreak = gs.hwbreak = gs.waiting = gs.multi = false;
	gs.gthread = gs.cthread = 0;
}

void gdbstub_session(const struct debug_stop *s)
{
	connected();
	gs.last = *s;
	gs.gthread = s->pid;
}

enum gdb_serve gdbstub_handle(const char *pkt, size_t length, const char **reply,
			      size_t *reply_len)
{
	static struct reply r;
	r.len = 0;
	enum gdb_serve next = length ? handle(pkt, length, &r) : GDB_SERVE_ON;
	*reply = r.buf;
	*reply_len = r.len;
	return next;
}

static bool gdbstub_poll(enum debug_reason *reason)
{
	if (!gdbwire_connected()) {
		if (!gdbwire_accept())
			return false;
		connected();
		*reason = DEBUG_ATTACH;
		return true;
	}
	bool interrupt = gdbwire_interrupted();
	if (!gdbwire_connected())
		debug_detach();
	if (interrupt)
		*reason = DEBUG_INTERRUPT;
	return interrupt;
}

static int gdbstub_thread(void)
{
	return gs.gthread > 0 ? gs.gthread : 0;
}

static void gdbstub_wait_input(int timeout_ms)
{
	gdbwire_wait_input(timeout_ms);
}

static void serve_ended(const char *status);

static void gdbstub_stopped(const struct debug_stop *s, bool wait_for_connection)
{
	gs.last = *s;
	gs.gthread = s->pid; /* gdb takes the thread of a stop reply as the selected one */
	if (!gdbwire_connected()) {
		if (!wait_for_connection || !gdbwire_wait_connection()) {
			debug_detach();
			return;
		}
		connected();
		gs.gthread = s->pid;
	}
	static struct reply r;
	if (gs.waiting && s->writer) {
		/* Console output gdb prints before the stop: who wrote the watched memory. */
		char line[160];
		struct thread *w = core_thread(s->writer);
		int wpid = w ? core_pid(w) : s->writer;
		if (!gs.multi)
			snprintf(line, sizeof(line),
				 "eclipse-sim: the kernel wrote it in a syscall of pid %d ('thread %d' "
				 "shows it)\n", wpid, s->writer);
		else if (live_proc(s->writer))
			snprintf(line, sizeof(line),
				 "eclipse-sim: the kernel wrote it in a syscall of pid %d (Thread %d.%d "
				 "in 'info threads')\n", wpid, wpid, s->writer);
		else
			snprintf(line, sizeof(line),
				 "eclipse-sim: the kernel wrote it in a syscall of pid %d (a process gdb "
				 "detached)\n", wpid);
		r.len = 0;
		put(&r, "O");
		put_hex(&r, line, strlen(line));
		gdbwire_send(r.buf, r.len);
	}
	if (gs.waiting) {
		r.len = 0;
		put_stop(&r, s);
		gdbwire_send(r.buf, r.len);
		gs.waiting = false;
	}
	static char pkt[GDB_PACKET_MAX + 1];
	long len;
	while ((len = gdbwire_next(pkt)) >= 0) {
		const char *reply;
		size_t reply_len;
		enum gdb_serve next = gdbstub_handle(pkt, (size_t)len, &reply, &reply_len);
		if (next == GDB_SERVE_KILL) {
			if (reply_len) /* vKill is answered, k is not */
				gdbwire_send(reply, reply_len);
			if (gs.multi && reply_len)
				serve_ended("X09;process:1"); /* gdb goes on with its other inferiors */
			travel_session_ends(true); /* a runner: the frontier kills the machine */
			debug_kill();
			gdbwire_disconnect();
			return;
		}
		if (next == GDB_SERVE_RESUME) {
			travel_note_resume(pkt, (size_t)len);
			gs.waiting = true;
			return;
		}
		if (next == GDB_SERVE_QUIET)
			continue;
		if (reply_len || next != GDB_SERVE_DETACH)
			gdbwire_send(reply, reply_len);
		if (next == GDB_SERVE_DETACH) {
			travel_session_ends(false); /* a runner: the frontier goes on */
			gdbwire_disconnect();
			break;
		}
	}
	travel_session_ends(false);
	debug_detach(); /* it detached or went away */
}

void gdbstub_features(bool *swbreak, bool *hwbreak)
{
	*swbreak = gs.swbreak;
	*hwbreak = gs.hwbreak;
}

void gdbstub_adopt(bool swbreak, bool hwbreak, bool waiting)
{
	gs.swbreak = swbreak;
	gs.hwbreak = hwbreak;
	gs.waiting = waiting;
}

/* After the machine's end, with inferiors of their own: gdb heard that process 1 ended, and
 * the rest of its inferiors are still live to it. It asks about them at once; the answers say
 * they are gone, and once it is quiet (or detached them all) the connection closes. */
static void serve_ended(const char *status)
{
	static char pkt[GDB_PACKET_MAX + 1];
	static struct reply r;
	long len;
	while ((len = gdbwire_next_within(pkt, ENDED_QUIET_MS)) >= 0) {
		r.len = 0;
		if (pkt[0] == 'k' || !strncmp(pkt, "vKill", 5)) {
			if (pkt[0] == 'v')
				gdbwire_send("OK", 2);
			return;
		}
		if (pkt[0] == 'D' || pkt[0] == 'H' || !strcmp(pkt, "QStartNoAckMode"))
			put(&r, "OK");
		else if (pkt[0] == '?' || pkt[0] == 'c' || pkt[0] == 's' || !strncmp(pkt, "vCont;", 6))
			put(&r, "%s", status); /* nothing runs any more */
		else if (!strcmp(pkt, "qfThreadInfo") || !strcmp(pkt, "qsThreadInfo"))
			put(&r, "l");
		else if (!strncmp(pkt, "qXfer:threads:read::", 20))
			put_xfer(&r, "<threads>\n</threads>\n", 21, pkt + 20);
		else if (!strncmp(pkt, "qAttached", 9))
			put(&r, "1");
		else if (pkt[0] != 'q' && pkt[0] != 'v' && pkt[0] != 'Q')
			reply_error(&r, ESRCH); /* no process to read or write */
		gdbwire_send(r.buf, r.len);
		if (pkt[0] == 'D' && pkt[1] != ';')
			return;
	}
}

static void gdbstub_exited(int status)
{
	if (!gdbwire_connected())
		return;
	static struct reply r;
	r.len = 0;
	put_exit(&r, status, 1); /* the machine's end is its first process's */
	gdbwire_send(r.buf, r.len);
	if (gs.multi)
		serve_ended(r.buf);
	gdbwire_disconnect();
}

const struct debug_frontend gdbstub_frontend = {
	gdbstub_connected, gdbstub_poll, gdbstub_thread, gdbstub_wait_input,
	gdbstub_stopped,   gdbstub_exited, gdbwire_pollfds, gdbstub_close,
};

/*
 * --timeline=FILE: the run as a trace in Chrome's trace-event format (JSON), which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open. Its times are the machine's clock, virtual by
 * default, so that the same run writes the same file. The kernel tells its events as they
 * happen (kernel_config.on_event), in the clock's order, and each is written at once through
 * stdio's buffer: a run of any length needs no more memory than a table of the threads.
 *
 * What the file shows:
 * - each Eclipse process as a process of the trace (its pid), its threads as threads (their
 *   tids), named after their program, and named again when it execs;
 * - syscalls as slices on their thread's track (B and E events, the result in the end's
 *   arguments); faults, signals, execs and exits as instants there;
 * - each IPC message as a flow (s and f events) from the sender's call to the receiver's, the
 *   kernel's requests to servers (files, sockets, devices) and their answers among them, and
 *   each fork as a flow from the parent's call to the child's first;
 * - which thread runs, as slices on the track of a process of its own, "CPU".
 */
#include "timeline.h"
#include "travel.h"

#include <errno.h>
#include <kernel/core.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CPU's track: a process and a thread of their own, with an id no Eclipse thread has. */
#define CPU_ID CORE_ID_LIMIT
#define OUT_BUFFER (1u << 20)

/* A thread's track and the syscall slice open on it. */
struct track {
	int tid, pid;     /* tid 0: a free slot */
	bool in_call;
	uint64_t nr;      /* the call's number and name, while in_call */
	const char *name;
};

static struct {
	FILE *out;
	const char *path;
	unsigned long long events; /* written so far */
	unsigned long long flows;  /* flow ids given so far */
	bool cpu_busy;             /* a slice is open on the CPU's track */
	/* By tid % CORE_THREADS_MAX: one live thread per slot, as in the kernel's own table. */
	struct track tracks[CORE_THREADS_MAX];
	char buffer[OUT_BUFFER]; /* stdio's for the file: few writes, however many events */
} tl;

/* s as a JSON string. Quotes, backslashes and control characters are escaped, and each byte
 * past ASCII is written as the code point of its value: a guest's names need not be UTF-8,
 * and the file must stay JSON. */
static void put_string(const char *s)
{
	putc('"', tl.out);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(tl.out, "\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(tl.out, "\\u%04x", *c);
		else
			putc(*c, tl.out);
	}
	putc('"', tl.out);
}

/* Starts an event of phase ph at time ns on the track of thread tid of process pid: its
 * common fields, the event's own to follow, then "}". */
static void start_at(uint64_t ns, char ph, int pid, int tid)
{
	fprintf(tl.out, "%s{\"ph\":\"%c\",\"ts\":%llu.%03llu,\"pid\":%d,\"tid\":%d",
		tl.events++ ? ",\n" : "", ph, (unsigned long long)(ns / 1000),
		(unsigned long long)(ns % 1000), pid, tid);
}

static void start(char ph, int pid, int tid)
{
	start_at(plat_clock_ns(), ph, pid, tid);
}

/* Metadata: what (process_name, thread_name) of a process or a thread is name. */
static void put_name(uint64_t ns, const char *what, int pid, int tid, const char *name)
{
	start_at(ns, 'M', pid, tid);
	fprintf(tl.out, ",\"name\":\"%s\",\"args\":{\"name\":", what);
	put_string(name);
	fputs("}}", tl.out);
}

/* The names of t's track (and of its process, for its first thread), from its program. */
static void name_track(const struct thread *t, const struct track *tr)
{
	if (tr->tid == tr->pid)
		put_name(plat_clock_ns(), "process_name", tr->pid, tr->tid, core_name(t));
	put_name(plat_clock_ns(), "thread_name", tr->pid, tr->tid, core_name(t));
}

/* An instant on tr's track: cat, name, then the arguments, which the caller writes and
 * closes with "}}". */
static void start_instant(const struct track *tr, const char *cat, const char *name)
{
	start('i', tr->pid, tr->tid);
	fprintf(tl.out, ",\"s\":\"t\",\"cat\":\"%s\",\"name\":", cat);
	put_string(name);
	fputs(",\"args\":{", tl.out);
}

static void begin_call(struct track *tr, uint64_t nr, const char *name)
{
	start('B', tr->pid, tr->tid);
	if (name) {
		fputs(",\"name\":", tl.out);
		put_string(name);
	} else {
		fprintf(tl.out, ",\"name\":\"syscall_%#llx\"", (unsigned long long)nr);
	}
	fprintf(tl.out, ",\"cat\":\"syscall\",\"args\":{\"nr\":%llu}}", (unsigned long long)nr);
	tr->in_call = true;
	tr->nr = nr;
	tr->name = name;
}

/* Ends tr's call, with its result when it returned (NULL: it did not). */
static void end_call(struct track *tr, const long *result)
{
	start('E', tr->pid, tr->tid);
	if (result)
		fprintf(tl.out, ",\"args\":{\"result\":%ld}", *result);
	fputs("}", tl.out);
	tr->in_call = false;
}

/* t's track (*fresh: just made, and named). A slot's last thread ended its call when it
 * exited, before the kernel gave its slot to another; a call still open there would end. */
static struct track *track_of(const struct thread *t, bool *fresh)
{
	int tid = core_tid(t);
	struct track *tr = &tl.tracks[(unsigned)tid % CORE_THREADS_MAX];
	*fresh = tr->tid != tid;
	if (!*fresh)
		return tr;
	if (tr->tid && tr->in_call)
		end_call(tr, NULL);
	*tr = (struct track){.tid = tid, .pid = core_pid(t)};
	name_track(t, tr);
	return tr;
}

/* A flow from from's slice now to to's: the one open there now (enclosing), or the next. */
static void flow(const char *cat, const char *name, const struct track *from,
		 const struct track *to, bool enclosing)
{
	unsigned long long id = ++tl.flows;
	start('s', from->pid, from->tid);
	fprintf(tl.out, ",\"cat\":\"%s\",\"name\":\"%s\",\"id\":%llu}", cat, name, id);
	start('f', to->pid, to->tid);
	fprintf(tl.out, ",\"cat\":\"%s\",\"name\":\"%s\",\"id\":%llu%s}", cat, name, id,
		enclosing ? ",\"bp\":\"e\"" : "");
}

static const char *vector_name(unsigned vector)
{
	static const char *const names[] = {
		[0] = "divide error",       [1] = "debug",       [3] = "breakpoint",
		[6] = "invalid opcode",     [11] = "segment not present",
		[12] = "stack fault",       [13] = "general protection",
		[14] = "page fault",        [16] = "x87 floating point",
		[17] = "alignment check",   [19] = "SIMD floating point",
	};
	return vector < sizeof(names) / sizeof(names[0]) && names[vector] ? names[vector]
									   : "exception";
}

static void fault(const struct track *tr, const struct core_event *e)
{
	start_instant(tr, "fault", vector_name(e->fault.vector));
	fprintf(tl.out, "\"vector\":%u,\"rip\":\"%#llx\"", e->fault.vector,
		(unsigned long long)e->fault.rip);
	if (e->fault.vector == 14)
		fprintf(tl.out, ",\"addr\":\"%#llx\"", (unsigned long long)e->fault.addr);
	fputs("}}", tl.out);
}

static void signal_reached(const struct track *tr, const struct core_event *e)
{
	static const char *const fates[] = {
		[CORE_SIGNAL_HANDLED] = "handled", [CORE_SIGNAL_IGNORED] = "ignored",
		[CORE_SIGNAL_STOPS] = "stops",     [CORE_SIGNAL_KILLS] = "kills",
	};
	start_instant(tr, "signal", e->signal.name);
	fprintf(tl.out, "\"signo\":%d,\"fate\":\"%s\"}}", e->signal.sig, fates[e->signal.fate]);
}

/* A message from the thread of track from: a flow into the receiver's call. */
static void message(const struct track *from, const struct core_event *e)
{
	static const char *const kinds[] = {
		[CORE_IPC_SEND] = "send", [CORE_IPC_CALL] = "call", [CORE_IPC_REPLY] = "reply",
	};
	bool fresh;
	const struct track *to = track_of(e->ipc.to, &fresh);
	flow(e->ipc.kernel ? "server" : "ipc", kinds[e->ipc.kind], from, to, true);
}

/* The CPU runs t from now on (NULL: nothing). */
static void run(const struct thread *t)
{
	if (tl.cpu_busy) {
		start('E', CPU_ID, CPU_ID);
		fputs("}", tl.out);
	}
	tl.cpu_busy = t != NULL;
	if (!t)
		return;
	start('B', CPU_ID, CPU_ID);
	fputs(",\"name\":", tl.out);
	put_string(core_name(t));
	fprintf(tl.out, ",\"cat\":\"sched\",\"args\":{\"pid\":%d,\"tid\":%d}}", core_pid(t),
		core_tid(t));
}

/* A thread that execs names its track (tr, fresh when just named) and its process again. One
 * that was not its process's first has its id now: its call goes on on the first's track. */
static void exec_event(struct track *tr, bool fresh, const struct core_event *e)
{
	int old_tid = e->exec.old_tid;
	struct track *old = &tl.tracks[(unsigned)old_tid % CORE_THREADS_MAX];
	if (old_tid != tr->tid && old->tid == old_tid) {
		if (old->in_call) {
			end_call(old, NULL);
			if (!tr->in_call)
				begin_call(tr, old->nr, old->name);
		}
		*old = (struct track){0};
	}
	if (!fresh)
		name_track(e->t, tr);
	start_instant(tr, "proc", "exec");
	fputs("\"path\":", tl.out);
	put_string(e->exec.path);
	fputs("}}", tl.out);
}

static void exited(struct track *tr, const struct core_event *e)
{
	int status = e->exit.wait_status;
	if (tr->in_call)
		end_call(tr, NULL);
	start_instant(tr, "proc", e->exit.process_ends ? "exit" : "thread exit");
	if (status & 0x7f)
		fprintf(tl.out, "\"signal\":%d%s}}", status & 0x7f,
			status & 0x80 ? ",\"core_dumped\":true" : "");
	else
		fprintf(tl.out, "\"code\":%d}}", (status >> 8) & 0xff);
	*tr = (struct track){0};
}

void sim_timeline_event(const struct core_event *e)
{
	if (!tl.out || travel_quiet())
		return; /* a time travel runner: the run that went there first wrote it */
	bool fresh = false;
	struct track *tr = e->t ? track_of(e->t, &fresh) : NULL;
	switch (e->kind) {
	case CORE_EVENT_SYSCALL:
		if (tr->in_call)
			end_call(tr, NULL); /* a guard: the kernel ends each call it starts */
		begin_call(tr, e->syscall.nr, e->syscall.name);
		break;
	case CORE_EVENT_SYSCALL_END:
		if (tr->in_call)
			end_call(tr, &e->syscall.result);
		break;
	case CORE_EVENT_FAULT:
		fault(tr, e);
		break;
	case CORE_EVENT_SIGNAL:
		signal_reached(tr, e);
		break;
	case CORE_EVENT_IPC:
		message(tr, e);
		break;
	case CORE_EVENT_RUN:
		run(e->t);
		break;
	case CORE_EVENT_EXEC:
		exec_event(tr, fresh, e);
		break;
	case CORE_EVENT_FORK:
		flow("proc", "fork", tr, track_of(e->fork.child, &fresh), false);
		break;
	case CORE_EVENT_EXIT:
		exited(tr, e);
		break;
	}
}

/* At exit: ends what is still open, now, and finishes the file; says so when it could not be
 * written whole. */
static void finish(void)
{
	if (!tl.out)
		return;
	for (unsigned i = 0; i < CORE_THREADS_MAX; i++)
		if (tl.tracks[i].tid && tl.tracks[i].in_call)
			end_call(&tl.tracks[i], NULL);
	run(NULL);
	fputs("\n]}\n", tl.out);
	int err = fflush(tl.out) ? errno : ferror(tl.out) ? EIO : 0;
	if (fclose(tl.out) && !err)
		err = errno;
	tl.out = NULL;
	if (err)
		fprintf(stderr, "eclipse-sim: --timeline: %s: %s\n", tl.path, strerror(err));
}

int sim_timeline_open(const char *path)
{
	FILE *out = fopen(path, "we");
	if (!out)
		return -errno;
	setvbuf(out, tl.buffer, _IOFBF, sizeof(tl.buffer));
	tl.out = out;
	tl.path = path;
	fprintf(out, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"eclipse-sim %s\"},"
		     "\"traceEvents\":[\n", ECLIPSE_VERSION);
	put_name(0, "process_name", CPU_ID, CPU_ID, "CPU");
	put_name(0, "thread_name", CPU_ID, CPU_ID, "running thread");
	start_at(0, 'M', CPU_ID, CPU_ID);
	fputs(",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":-1}}", tl.out);
	atexit(finish);
	return 0;
}

/*
 * The debugger's engine: which process may run, and the Unicorn hooks that stop one.
 *
 * Nothing is ever patched into guest memory. A breakpoint is a code hook on its address, so a
 * frame shared copy-on-write stays intact and the breakpoint stops any process that executes
 * that address. Unicorn compiles hooks into translated code, so a new hook drops every
 * translation (through the window address space, sim_cpu_forget_code); a removed breakpoint
 * only disables its hook, which costs nothing until the same address is used again.
 *
 * Steps and watchpoints use one more code hook on every instruction, which exists only while
 * some thread steps or some watchpoint is set: a step ends at the next instruction of the
 * stepping thread; a watchpoint (a memory hook, which Unicorn calls with physical addresses,
 * matched against the watched range as the running process maps it) ends the run at the
 * instruction after the access, as x86 debug registers do.
 *
 * The system stops as a whole while the debugger looks at it (the stub serves it from inside
 * the CPU's run of one thread). Once resumed, a thread the debugger keeps stopped is simply
 * not run: the CPU hands it back to the kernel as if its time slice had ended.
 */
#include "debug.h"

#include <kernel/core.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_INTERVAL_NS (20ull * 1000000ull)
#define WATCH_MAX 32
#define WATCH_LEN_MAX (1ull << 20)
#define IDLE_WAIT_MS 100
/* Disabled breakpoint hooks kept for reuse; past this many they are deleted. */
#define BREAK_HOOKS_MAX 128

#define BREAK_SW 1u
#define BREAK_HW 2u

struct breakpoint {
	uint64_t addr;
	uc_hook hook;
	unsigned kinds; /* BREAK_SW | BREAK_HW inserted; 0 when disabled */
	struct breakpoint *next;
};

struct watchpoint {
	uint64_t addr, len;
	unsigned kind; /* DEBUG_WATCH_* */
};

/* A watched range as the running process maps it: physical [pa, end) at virtual va. */
struct watch_piece {
	uint64_t pa, end, va;
	unsigned kind;
};

struct dbg_thread {
	int pid;
	unsigned gen; /* the resume these fields belong to */
	enum debug_action action;
	uint64_t from, lo, hi; /* a step: where it began, and the range */
	uint64_t skip;         /* it stopped at this breakpoint: run over it once */
	int signal;            /* the signal the debugger resumed it with */
	bool exec_stop;        /* stop before its first instruction */
};

bool debug_enabled;

static struct {
	const char *stop_at_exec;
	bool initial_stop;  /* --gdb-wait, not yet done */
	bool detached;      /* a debugger came and went: run freely */
	bool killed;
	bool dirty;         /* the hooks must be brought in line before the next run */
	bool forget_code;   /* and the translations dropped */
	struct breakpoint *breaks;
	size_t nbreaks;
	struct watchpoint watches[WATCH_MAX];
	size_t nwatches;
	uc_hook insn_hook, mem_hooks[2]; /* mem_hooks[0] writes, [1] reads */
	bool insn_on;
	unsigned mem_on; /* DEBUG_WATCH_* bits with a hook */
	unsigned gen;
	enum debug_action fallback; /* for threads the last resume did not name */
	size_t steppers;            /* threads the last resume made step */
	uint64_t next_poll_ns;
	int last_tid; /* the thread that ran last: the one a stop while idle reports */
	struct dbg_thread threads[CORE_THREADS_MAX];
	struct {
		bool stepping, range, started;
		uint64_t lo, hi;
		uint64_t skip;
		bool hit; /* a watched access: stop at the next instruction */
		enum debug_reason hit_reason;
		uint64_t hit_addr;
		struct debug_stop stop; /* what a hook stopped for */
		struct watch_piece *pieces;
		size_t npieces, cap;
	} run;
} dbg;

static uint64_t coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The debugger's record of pid, reset when the pid is new to it. */
static struct dbg_thread *thread_of(int pid)
{
	struct dbg_thread *t = &dbg.threads[(unsigned)pid % CORE_THREADS_MAX];
	if (t->pid != pid)
		*t = (struct dbg_thread){.pid = pid, .gen = dbg.gen - 1};
	return t;
}

static enum debug_action action_of(const struct dbg_thread *t)
{
	return t->gen == dbg.gen ? t->action : dbg.fallback;
}

static void on_breakpoint(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	(void)uc, (void)size;
	const struct breakpoint *b = data;
	if (!b->kinds)
		return;
	if (addr == dbg.run.skip) {
		dbg.run.skip = 0;
		return;
	}
	dbg.run.stop = (struct debug_stop){(b->kinds & BREAK_SW) ? DEBUG_BREAK : DEBUG_HWBREAK,
					   core_tid(core_current()), addr, 0};
	sim_cpu_debug_stop();
}

/* On every instruction while a thread steps or a watchpoint is set. */
static void on_instruction(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	(void)uc, (void)size, (void)data;
	if (dbg.run.hit) {
		dbg.run.stop = (struct debug_stop){dbg.run.hit_reason, core_tid(core_current()),
						   dbg.run.hit_addr, 0};
		sim_cpu_debug_stop();
		return;
	}
	if (!dbg.run.stepping)
		return;
	if (!dbg.run.started) { /* the instruction the step is about */
		dbg.run.started = true;
		return;
	}
	if (dbg.run.range && addr >= dbg.run.lo && addr < dbg.run.hi)
		return;
	dbg.run.stop = (struct debug_stop){DEBUG_STEP, core_tid(core_current()), 0, 0};
	sim_cpu_debug_stop();
}

static enum debug_reason watch_reason(unsigned kind)
{
	if (kind == (DEBUG_WATCH_WRITE | DEBUG_WATCH_READ))
		return DEBUG_AWATCH;
	return kind == DEBUG_WATCH_WRITE ? DEBUG_WATCH : DEBUG_RWATCH;
}

static void on_memory(uc_engine *uc, uc_mem_type type, uint64_t pa, int size, int64_t value,
		      void *data)
{
	(void)uc, (void)value, (void)data;
	unsigned access = type == UC_MEM_WRITE ? DEBUG_WATCH_WRITE : DEBUG_WATCH_READ;
	if (dbg.run.hit)
		return;
	for (size_t i = 0; i < dbg.run.npieces; i++) {
		const struct watch_piece *w = &dbg.run.pieces[i];
		if (!(w->kind & access) || pa >= w->end || pa + (uint64_t)size <= w->pa)
			continue;
		dbg.run.hit = true;
		dbg.run.hit_reason = watch_reason(w->kind);
		dbg.run.hit_addr = w->va + (pa > w->pa ? pa - w->pa : 0);
		return;
	}
}

static void add_piece(uint64_t pa, uint64_t end, uint64_t va, unsigned kind)
{
	if (dbg.run.npieces == dbg.run.cap) {
		size_t cap = dbg.run.cap ? 2 * dbg.run.cap : 16;
		struct watch_piece *grown = realloc(dbg.run.pieces, cap * sizeof(*grown));
		if (!grown)
			return; /* out of host memory: this piece goes unwatched */
		dbg.run.pieces = grown;
		dbg.run.cap = cap;
	}
	dbg.run.pieces[dbg.run.npieces++] = (struct watch_piece){pa, end, va, kind};
}

/* Where the watched ranges are in the physical memory of the process that runs. */
static void map_watches(struct mm *mm)
{
	dbg.run.npieces = 0;
	for (size_t i = 0; i < dbg.nwatches; i++) {
		const struct watchpoint *w = &dbg.watches[i];
		for (uint64_t va = w->addr; va < w->addr + w->len && va < USER_END;) {
			uint64_t page = PAGE_DOWN(va), end = MIN(page + PAGE_SIZE, w->addr + w->len);
			uint64_t pa;
			unsigned flags;
			if (core_translate(mm, page, &pa, &flags) == 0)
				add_piece(pa + (va - page), pa + (end - page), va, w->kind);
			va = end;
		}
	}
}

void debug_mappings_changed(void)
{
	if (dbg.nwatches && core_current())
		map_watches(core_mm(core_current()));
}

/* Brings the hooks in line with the breakpoints, watchpoints and steps (outside a run). */
static void apply(void)
{
	if (!dbg.dirty)
		return;
	dbg.dirty = false;
	uc_engine *uc = sim_uc();
	bool need_insn = dbg.steppers || dbg.nwatches;
	if (need_insn && !dbg.insn_on) {
		UC_CHECK(uc_hook_add(uc, &dbg.insn_hook, UC_HOOK_CODE, (void *)on_instruction, NULL, 1, 0));
		dbg.forget_code = true;
	} else if (!need_insn && dbg.insn_on) {
		sim_cpu_del_code_hook(dbg.insn_hook);
		dbg.forget_code = true;
	}
	dbg.insn_on = need_insn;
	unsigned kinds = 0;
	for (size_t i = 0; i < dbg.nwatches; i++)
		kinds |= dbg.watches[i].kind;
	static const int types[2] = {UC_HOOK_MEM_WRITE, UC_HOOK_MEM_READ};
	for (unsigned i = 0; i < 2; i++) {
		unsigned bit = 1u << i;
		if ((kinds & bit) && !(dbg.mem_on & bit)) {
			UC_CHECK(uc_hook_add(uc, &dbg.mem_hooks[i], types[i], (void *)on_memory, NULL, 1, 0));
			dbg.forget_code = true;
		} else if (!(kinds & bit) && (dbg.mem_on & bit)) {
			UC_CHECK(uc_hook_del(uc, dbg.mem_hooks[i]));
			sim_cpu_forget_code_after_run();
		}
	}
	dbg.mem_on = kinds;
	if (dbg.nbreaks > BREAK_HOOKS_MAX) {
		for (struct breakpoint **link = &dbg.breaks; *link;) {
			struct breakpoint *b = *link;
			if (b->kinds) {
				link = &b->next;
				continue;
			}
			sim_cpu_del_code_hook(b->hook);
			*link = b->next;
			free(b);
			dbg.nbreaks--;
		}
	}
	if (dbg.forget_code)
		sim_cpu_forget_code();
	dbg.forget_code = false;
}

int debug_open(const struct sim_options *opt)
{
	memset(&dbg, 0, sizeof(dbg));
	dbg.gen = 1;
	dbg.fallback = DEBUG_ACT_CONTINUE;
	dbg.stop_at_exec = opt->gdb_stop_at_exec;
	dbg.initial_stop = opt->gdb_wait;
	int err = gdbstub_open(opt->gdb_port);
	debug_enabled = err == 0;
	return err;
}

void debug_close(void)
{
	gdbstub_close();
	while (dbg.breaks) {
		struct breakpoint *b = dbg.breaks;
		dbg.breaks = b->next;
		free(b); /* the hooks go with the engine */
	}
	free(dbg.run.pieces);
	debug_enabled = false;
}

/* Stops the system for s at p: the stub serves the debugger until it resumes it. */
static enum debug_verdict stop_for(struct thread *p, struct debug_stop s, bool wait)
{
	enum debug_reason reason = s.reason;
	uint64_t addr = s.addr;
	if (reason == DEBUG_BREAK || reason == DEBUG_HWBREAK)
		thread_of(core_tid(p))->skip = addr;
	dbg.gen++; /* everything is stopped until the debugger says otherwise */
	dbg.fallback = DEBUG_ACT_STOP;
	dbg.steppers = 0;
	dbg.dirty = true;
	gdbstub_stopped(&s, wait);
	apply();
	if (dbg.killed)
		return DEBUG_KILL;
	return action_of(thread_of(core_tid(p))) == DEBUG_ACT_STOP ? DEBUG_HOLD : DEBUG_RUN;
}

static enum debug_verdict stop(struct thread *p, enum debug_reason reason, uint64_t addr, bool wait)
{
	return stop_for(p, (struct debug_stop){reason, core_tid(p), addr, 0}, wait);
}

/* A thread that steps left its instruction (or range) without the CPU seeing it: a syscall,
 * a signal handler, an exec. */
static bool step_ended(const struct dbg_thread *t, const struct uctx *u)
{
	enum debug_action a = action_of(t);
	uint64_t rip = u->regs.rip;
	if (a == DEBUG_ACT_STEP)
		return rip != t->from;
	return a == DEBUG_ACT_RANGE && rip != t->from && (rip < t->lo || rip >= t->hi);
}

/*
 * The running thread is held. If no thread the debugger lets run can run now, wait here
 * rather than let the kernel spin through held threads: jump the clock to the first sleeper,
 * or give the debugger time to interrupt. With no such thread left at all, stop.
 */
static enum debug_verdict hold(struct thread *held)
{
	uint64_t wake = UINT64_MAX;
	bool any = false;
	unsigned cursor = 0;
	for (struct thread *p; (p = core_thread_next(&cursor));) {
		if (action_of(thread_of(core_tid(p))) == DEBUG_ACT_STOP)
			continue;
		uint64_t when = core_wake_time(p);
		if (when == 0)
			return DEBUG_HOLD;
		any = true;
		wake = MIN(wake, when);
	}
	if (!any)
		return stop(held, DEBUG_GONE, 0, false);
	if (wake != UINT64_MAX) {
		plat_idle_until(wake, false);
	} else {
		gdbstub_wait_input(IDLE_WAIT_MS);
		dbg.next_poll_ns = 0;
	}
	return DEBUG_HOLD;
}

enum debug_verdict debug_before_run(struct uctx *u)
{
	struct thread *p = core_current();
	if (dbg.killed)
		return DEBUG_KILL;
	dbg.last_tid = core_tid(p);
	apply();
	uint64_t now = coarse_ns();
	if (now >= dbg.next_poll_ns) {
		dbg.next_poll_ns = now + POLL_INTERVAL_NS;
		enum debug_reason reason;
		if (gdbstub_poll(&reason))
			return stop(p, reason, 0, false);
		apply(); /* the debugger may have gone */
	}
	struct dbg_thread *t = thread_of(core_tid(p));
	if (dbg.initial_stop) {
		dbg.initial_stop = t->exec_stop = false; /* the same instruction: one stop */
		return stop(p, DEBUG_INITIAL, 0, true);
	}
	if (t->exec_stop) {
		t->exec_stop = false;
		if (gdbstub_connected() || !dbg.detached)
			return stop(p, DEBUG_EXEC, 0, !gdbstub_connected());
	}
	if (step_ended(t, u))
		return stop(p, DEBUG_STEP, 0, false);
	if (action_of(t) == DEBUG_ACT_STOP)
		return hold(p);
	return DEBUG_RUN;
}

void debug_run_begin(struct uctx *u)
{
	struct dbg_thread *t = thread_of(core_tid(core_current()));
	enum debug_action a = action_of(t);
	dbg.run.stepping = a == DEBUG_ACT_STEP || a == DEBUG_ACT_RANGE;
	dbg.run.range = a == DEBUG_ACT_RANGE;
	dbg.run.started = false;
	dbg.run.lo = t->lo;
	dbg.run.hi = t->hi;
	dbg.run.skip = t->skip == u->regs.rip ? t->skip : 0;
	t->skip = 0;
	dbg.run.hit = false;
	if (dbg.nwatches)
		map_watches(core_mm(core_current()));
	else
		dbg.run.npieces = 0;
}

enum debug_verdict debug_after_run(struct uctx *u, const struct trap *t, bool stopped)
{
	(void)u;
	struct thread *p = core_current();
	if (dbg.run.hit && (stopped || t->kind == TRAP_TICK)) {
		/* The access completed (a fault would run the instruction again). */
		dbg.run.hit = false;
		return stop(p, dbg.run.hit_reason, dbg.run.hit_addr, false);
	}
	if (stopped)
		return stop(p, dbg.run.stop.reason, dbg.run.stop.addr, false);
	return DEBUG_PASS;
}

void debug_exec(struct thread *p, const char *path)
{
	if (!dbg.stop_at_exec)
		return;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, dbg.stop_at_exec))
		thread_of(core_tid(p))->exec_stop = true;
}

int debug_fault(struct thread *p, int sig, uint64_t addr)
{
	if (!gdbstub_connected())
		return sig;
	stop_for(p, (struct debug_stop){DEBUG_SIGNAL, core_tid(p), addr, sig}, false);
	const struct dbg_thread *t = thread_of(core_tid(p));
	if (dbg.killed || action_of(t) == DEBUG_ACT_STOP)
		return 0; /* it faults again when it runs */
	return t->gen == dbg.gen ? t->signal : 0;
}

void debug_machine_ended(int status)
{
	if (!dbg.killed)
		gdbstub_exited(status);
}

bool debug_killed(void)
{
	return dbg.killed;
}

bool debug_pollfds(struct pollfd *pfd)
{
	if (debug_enabled && !dbg.killed)
		return gdbwire_pollfds(pfd);
	for (unsigned i = 0; i < DEBUG_POLLFDS; i++)
		pfd[i] = (struct pollfd){-1, POLLIN, 0};
	return false;
}

void debug_idle(void)
{
	if (!debug_enabled || dbg.killed)
		return;
	enum debug_reason reason;
	if (!gdbstub_poll(&reason)) {
		apply(); /* the debugger may have gone */
		return;
	}
	struct thread *p = core_thread(gdbstub_thread());
	if (!p)
		p = core_thread(dbg.last_tid);
	unsigned cursor = 0;
	if (!p)
		p = core_thread_next(&cursor);
	if (p)
		stop(p, reason, 0, false);
	dbg.next_poll_ns = 0;
}

void debug_kill(void)
{
	dbg.killed = true;
}

static struct breakpoint *find_break(uint64_t addr)
{
	for (struct breakpoint *b = dbg.breaks; b; b = b->next)
		if (b->addr == addr)
			return b;
	return NULL;
}

int debug_break_insert(uint64_t addr, bool hw)
{
	struct breakpoint *b = find_break(addr);
	if (!b) {
		if (!(b = calloc(1, sizeof(*b))))
			return -ENOMEM;
		b->addr = addr;
		if (uc_hook_add(sim_uc(), &b->hook, UC_HOOK_CODE, (void *)on_breakpoint, b, addr, addr)) {
			free(b);
			return -ENOMEM;
		}
		b->next = dbg.breaks;
		dbg.breaks = b;
		dbg.nbreaks++;
		dbg.forget_code = dbg.dirty = true;
	}
	b->kinds |= hw ? BREAK_HW : BREAK_SW;
	return 0;
}

int debug_break_remove(uint64_t addr, bool hw)
{
	struct breakpoint *b = find_break(addr);
	if (!b || !(b->kinds & (hw ? BREAK_HW : BREAK_SW)))
		return -ENOENT;
	b->kinds &= ~(hw ? BREAK_HW : BREAK_SW);
	dbg.dirty = true;
	return 0;
}

int debug_watch_insert(uint64_t addr, uint64_t len, unsigned kind)
{
	if (!len || len > WATCH_LEN_MAX || addr >= USER_END || len > USER_END - addr)
		return -EINVAL;
	if (dbg.nwatches == WATCH_MAX)
		return -ENOSPC;
	dbg.watches[dbg.nwatches++] = (struct watchpoint){addr, len, kind};
	dbg.dirty = true;
	return 0;
}

int debug_watch_remove(uint64_t addr, uint64_t len, unsigned kind)
{
	for (size_t i = 0; i < dbg.nwatches; i++) {
		struct watchpoint *w = &dbg.watches[i];
		if (w->addr == addr && w->len == len && w->kind == kind) {
			*w = dbg.watches[--dbg.nwatches];
			dbg.dirty = true;
			return 0;
		}
	}
	return -ENOENT;
}

void debug_resume(const struct debug_resume *resume, size_t n)
{
	dbg.gen++;
	dbg.fallback = DEBUG_ACT_STOP;
	dbg.steppers = 0;
	dbg.dirty = true;
	/* The leftmost action naming a thread applies to it; a default one names them all. */
	for (size_t i = 0; i < n; i++) {
		const struct debug_resume *r = &resume[i];
		if (!r->pid) {
			dbg.fallback = r->action == DEBUG_ACT_STOP ? DEBUG_ACT_STOP : DEBUG_ACT_CONTINUE;
			return;
		}
		struct thread *p = core_thread(r->pid);
		struct dbg_thread *t = thread_of(r->pid);
		if (!p || t->gen == dbg.gen)
			continue;
		t->gen = dbg.gen;
		t->action = r->action;
		t->from = core_uctx(p)->regs.rip;
		t->lo = r->lo;
		t->hi = r->hi;
		t->signal = r->signal > 0 && r->signal <= CORE_NSIG ? r->signal : 0;
		dbg.steppers += r->action == DEBUG_ACT_STEP || r->action == DEBUG_ACT_RANGE;
	}
}

void debug_detach(void)
{
	for (struct breakpoint *b = dbg.breaks; b; b = b->next)
		b->kinds = 0;
	dbg.nwatches = 0;
	dbg.gen++;
	dbg.fallback = DEBUG_ACT_CONTINUE;
	dbg.steppers = 0;
	dbg.detached = true;
	dbg.dirty = true;
}

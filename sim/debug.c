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
#include "travel.h"

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

/* A breakpoint stops the process it belongs to (pid), or every process (pid 0: a debugger
 * that knows no processes). */
struct breakpoint {
	uint64_t addr;
	int pid;
	uc_hook hook;
	unsigned kinds; /* BREAK_SW | BREAK_HW inserted; 0 when disabled */
	struct breakpoint *next;
};

/* A watchpoint watches the memory of the process gdb looked at when it set it (its threads'
 * too: they share it), as a debugger of one Linux process does. */
struct watchpoint {
	uint64_t addr, len;
	unsigned kind; /* DEBUG_WATCH_* */
	int pid;
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
	bool exec_event;       /* tell the debugger of its exec before its first instruction */
	int fork_child;        /* the debugger hears of this fork before either process runs on */
	int fork_parent;       /* and this thread is the child of that fork */
};

/* What the debugger knows of each process: the program it runs (for the debugger's symbol
 * files, qXfer:exec-file:read), and whether the debugger detached it. */
struct dbg_process {
	int pid;
	bool hidden;
	char path[256];
};
static struct dbg_process programs[CORE_THREADS_MAX];

/* The record of process pid; a new one (with create) when the slot held another. */
static struct dbg_process *process_of(int pid, bool create)
{
	struct dbg_process *pr = &programs[(unsigned)pid % CORE_THREADS_MAX];
	if (pr->pid != pid) {
		if (!create)
			return NULL;
		*pr = (struct dbg_process){.pid = pid};
	}
	return pr;
}

bool debug_hidden(int pid)
{
	const struct dbg_process *pr = process_of(pid, false);
	return pr && pr->hidden;
}

bool debug_enabled;

/* Ends of processes waiting to be told, at most (more are learnt from the thread list). */
#define EXITS_MAX 16

static struct {
	const struct debug_frontend *fe;
	const char *stop_at_exec;
	bool initial_stop;  /* --gdb-wait, not yet done */
	bool detached;      /* a debugger came and went: run freely */
	bool killed;
	bool fork_events, exec_events; /* the debugger wants to hear of them */
	struct { int pid, status; } ended[EXITS_MAX]; /* processes it has yet to hear ended */
	size_t nended;
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
	int last_stop_pid; /* the thread of the last stop */
	struct dbg_thread threads[CORE_THREADS_MAX];
	/* A watched address the kernel wrote (a syscall's copy): stop once the syscall is over. */
	bool kernel_hit;
	struct debug_stop kernel_hit_stop;
	struct {
		bool stepping, range, started;
		uint64_t lo, hi;
		uint64_t skip;
		bool hit; /* a watched access: stop at the next instruction */
		enum debug_reason hit_reason;
		uint64_t hit_addr;
		uint64_t insn;            /* the instruction running (while watches are set) */
		uint64_t hit_rip, hit_blocks; /* the access's instruction and block */
		struct debug_stop hit_by;     /* a kernel's write: whose, for whom (pid 0: none) */
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
	struct thread *p = core_thread(t->pid);
	if (p && debug_hidden(core_pid(p)))
		return DEBUG_ACT_CONTINUE; /* of a process the debugger detached: it runs freely */
	return t->gen == dbg.gen ? t->action : dbg.fallback;
}

static void on_breakpoint(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	(void)uc, (void)size;
	const struct breakpoint *b = data;
	if (!b->kinds || (b->pid && core_pid(core_current()) != b->pid))
		return;
	if (addr == dbg.run.skip) {
		dbg.run.skip = 0;
		return;
	}
	dbg.run.stop = (struct debug_stop){(b->kinds & BREAK_SW) ? DEBUG_BREAK : DEBUG_HWBREAK,
					   core_tid(core_current()), addr, 0, 0, 0};
	sim_cpu_debug_stop();
}

/* On every instruction while a thread steps or a watchpoint is set. */
static void on_instruction(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	(void)uc, (void)size, (void)data;
	dbg.run.insn = addr;
	if (dbg.run.hit) {
		dbg.run.stop = (struct debug_stop){dbg.run.hit_reason, core_tid(core_current()),
						   dbg.run.hit_addr, 0, 0, 0};
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
	dbg.run.stop = (struct debug_stop){DEBUG_STEP, core_tid(core_current()), 0, 0, 0, 0};
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
		dbg.run.hit_rip = dbg.run.insn;
		dbg.run.hit_blocks = sim_blocks();
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

/* The memory a watchpoint watches: its process's, NULL when it is gone. */
static struct mm *watch_mm(const struct watchpoint *w)
{
	struct thread *t = core_thread(w->pid);
	return t ? core_mm(t) : NULL;
}

/* Where the watched ranges are in the physical memory of the process that runs. */
static void map_watches(struct mm *mm)
{
	dbg.run.npieces = 0;
	for (size_t i = 0; i < dbg.nwatches; i++) {
		const struct watchpoint *w = &dbg.watches[i];
		if (watch_mm(w) != mm)
			continue;
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

static void mappings_changed(void)
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

void debug_open(const struct sim_options *opt, const struct debug_frontend *fe)
{
	memset(&dbg, 0, sizeof(dbg));
	dbg.fe = fe;
	dbg.gen = 1;
	dbg.fallback = DEBUG_ACT_CONTINUE;
	dbg.stop_at_exec = opt->gdb_stop_at_exec;
	dbg.initial_stop = opt->gdb_wait;
	debug_enabled = true;
}

void debug_close(void)
{
	if (debug_enabled)
		dbg.fe->close();
	while (dbg.breaks) {
		struct breakpoint *b = dbg.breaks;
		dbg.breaks = b->next;
		free(b); /* the hooks go with the engine */
	}
	free(dbg.run.pieces);
	debug_enabled = false;
}

/* A thread of a process the debugger did not detach: the last that stopped, else the first. */
static int visible_thread(void)
{
	struct thread *t = core_thread(dbg.last_stop_pid);
	if (t && !debug_hidden(core_pid(t)))
		return core_tid(t);
	unsigned cursor = 0;
	while ((t = core_thread_next(&cursor)))
		if (!debug_hidden(core_pid(t)))
			return core_tid(t);
	return dbg.last_stop_pid;
}

/* Stops the system for s at p, at position now (hit: where the access or breakpoint was, for
 * time travel): the stub serves the debugger until it resumes it. */
static enum sim_run_verdict stop_at(struct thread *p, struct debug_stop s, bool wait,
				  const struct tt_pos *now, const struct tt_pos *hit)
{
	struct thread *shown = core_thread(s.pid);
	if (shown && debug_hidden(core_pid(shown)))
		s.pid = visible_thread(); /* the system stopped while a process gdb let go ran */
	enum debug_reason reason = s.reason;
	uint64_t addr = s.addr;
	if (reason == DEBUG_BREAK || reason == DEBUG_HWBREAK)
		thread_of(core_tid(p))->skip = addr;
	dbg.last_stop_pid = s.pid;
	if (travel_stop_hook(&s, now, hit ? hit : now))
		return SIM_RUN; /* a runner's search: not a stop */
	dbg.gen++; /* everything is stopped until the debugger says otherwise */
	dbg.fallback = DEBUG_ACT_STOP;
	dbg.steppers = 0;
	dbg.dirty = true;
	dbg.fe->stopped(&s, wait);
	apply();
	if (dbg.killed)
		return SIM_KILL;
	return action_of(thread_of(core_tid(p))) == DEBUG_ACT_STOP ? SIM_HOLD : SIM_RUN;
}

/* A stop before a run (or while idle: before the next one). */
static enum sim_run_verdict stop_for(struct thread *p, struct debug_stop s, bool wait)
{
	struct tt_pos here = travel_position(false, 0);
	return stop_at(p, s, wait, &here, NULL);
}

static enum sim_run_verdict stop(struct thread *p, enum debug_reason reason, uint64_t addr, bool wait)
{
	return stop_for(p, (struct debug_stop){reason, core_tid(p), addr, 0, 0, 0}, wait);
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
static enum sim_run_verdict hold(struct thread *held)
{
	uint64_t wake = UINT64_MAX;
	bool any = false;
	unsigned cursor = 0;
	for (struct thread *p; (p = core_thread_next(&cursor));) {
		if (action_of(thread_of(core_tid(p))) == DEBUG_ACT_STOP)
			continue;
		uint64_t when = core_wake_time(p);
		if (when == 0)
			return SIM_HOLD;
		any = true;
		wake = MIN(wake, when);
	}
	if (!any)
		return stop(held, DEBUG_GONE, 0, false);
	if (wake != UINT64_MAX) {
		plat_idle_until(wake, false);
	} else {
		dbg.fe->wait_input(IDLE_WAIT_MS);
		dbg.next_poll_ns = 0;
	}
	return SIM_HOLD;
}

/* The CPU is about to run u (the kernel's current process): may it? */
static enum sim_run_verdict before_run(struct uctx *u)
{
	struct thread *p = core_current();
	if (dbg.killed)
		return SIM_KILL;
	dbg.last_tid = core_tid(p);
	struct debug_stop arrived;
	if (travel_enabled && travel_before_run(&arrived)) {
		apply();
		return stop_for(p, arrived, false);
	}
	apply();
	uint64_t now = coarse_ns();
	if (now >= dbg.next_poll_ns && travel_serving()) {
		dbg.next_poll_ns = now + POLL_INTERVAL_NS;
		enum debug_reason reason;
		if (dbg.fe->poll(&reason))
			return stop(p, reason, 0, false);
		apply(); /* the debugger may have gone */
	}
	struct dbg_thread *t = thread_of(core_tid(p));
	if (dbg.initial_stop) {
		dbg.initial_stop = t->exec_stop = false; /* the same instruction: one stop */
		return stop(p, DEBUG_INITIAL, 0, true);
	}
	if (t->fork_child || t->fork_parent) {
		/* The fork's event, before either process runs on: reported for the parent by
		 * whichever runs first (a vfork's parent waits for its child). */
		int parent = t->fork_child ? core_tid(p) : t->fork_parent;
		int child = t->fork_child ? t->fork_child : core_tid(p);
		struct dbg_thread *pt = thread_of(parent);
		bool pending = pt->fork_child == child && core_thread(parent) && core_thread(child);
		pt->fork_child = 0;
		thread_of(child)->fork_parent = 0;
		if (pending && dbg.fe->connected())
			return stop_for(p, (struct debug_stop){DEBUG_FORK, parent, 0, 0, 0, child}, false);
	}
	if (dbg.nended) { /* a process ended: the debugger hears of it before anything runs on */
		struct debug_stop s = {DEBUG_EXITED, dbg.ended[0].pid, 0, dbg.ended[0].status, 0, 0};
		memmove(dbg.ended, dbg.ended + 1, --dbg.nended * sizeof(dbg.ended[0]));
		if (dbg.fe->connected())
			return stop_for(p, s, false);
	}
	if (t->exec_event) {
		t->exec_event = false;
		if (dbg.fe->connected())
			return stop(p, DEBUG_EXEC_EVENT, 0, false);
	}
	if (t->exec_stop) {
		t->exec_stop = false;
		if (dbg.fe->connected() || !dbg.detached) {
			/* Asked for by name: the debugger sees it again if it had detached it. */
			struct dbg_process *pr = process_of(core_pid(p), false);
			if (pr)
				pr->hidden = false;
			return stop(p, DEBUG_EXEC, 0, !dbg.fe->connected());
		}
	}
	if (step_ended(t, u))
		return stop(p, DEBUG_STEP, 0, false);
	if (action_of(t) == DEBUG_ACT_STOP)
		return hold(p);
	return SIM_RUN;
}

/* One uc_emu_start of u begins: arm the hooks for this thread. */
static void run_begin(struct uctx *u)
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
	dbg.run.hit_by = (struct debug_stop){0, 0, 0, 0, 0, 0};
	if (dbg.kernel_hit) { /* stop at the first instruction after the syscall */
		dbg.kernel_hit = false;
		dbg.run.hit = true;
		dbg.run.hit_reason = dbg.kernel_hit_stop.reason;
		dbg.run.hit_addr = dbg.kernel_hit_stop.addr;
		dbg.run.hit_by = dbg.kernel_hit_stop;
		dbg.run.hit_rip = 0;
	}
	if (dbg.nwatches)
		map_watches(core_mm(core_current()));
	else
		dbg.run.npieces = 0;
}

/* u's run ended with trap t, or a debugger stop when stopped is set. */
static enum sim_run_verdict after_run(struct uctx *u, const struct trap *t, bool stopped)
{
	struct thread *p = core_current();
	struct tt_pos now = travel_position(true, u->regs.rip);
	if (stopped && travel_enabled) {
		struct debug_stop arrived;
		int r = travel_stopped_run(&arrived);
		if (r == 1)
			return SIM_RUN;
		if (r == 2)
			return stop_at(p, arrived, false, &now, NULL);
	}
	if (dbg.run.hit && (stopped || t->kind == TRAP_TICK)) {
		/* The access completed (a fault would run the instruction again). */
		dbg.run.hit = false;
		struct tt_pos hit = {now.runs, dbg.run.hit_blocks, dbg.run.hit_rip};
		struct debug_stop s = {dbg.run.hit_reason, core_tid(p), dbg.run.hit_addr, 0, 0, 0};
		if (dbg.run.hit_by.pid && core_thread(dbg.run.hit_by.pid))
			s = dbg.run.hit_by;
		return stop_at(p, s, false, &now, hit.rip ? &hit : NULL);
	}
	if (stopped)
		return stop_at(p, (struct debug_stop){dbg.run.stop.reason, core_tid(p), dbg.run.stop.addr,
						      0, 0, 0},
			       false, &now, NULL);
	return SIM_PASS;
}

/* The run goes on after a stop inside it: time travel may take a checkpoint there. */
static void resumes(struct uctx *u)
{
	if (travel_enabled)
		travel_resumed(u->regs.rip);
}

const struct sim_run_observer debug_observer = {before_run, run_begin, after_run, resumes,
						mappings_changed};

/* Process pid's breakpoints go (disabled, as a removed one is). */
static void drop_breaks(int pid)
{
	for (struct breakpoint *b = dbg.breaks; b; b = b->next)
		if (b->pid == pid && b->kinds) {
			b->kinds = 0;
			dbg.dirty = true;
		}
}

void debug_exec(struct thread *p, const char *path)
{
	int pid = core_pid(p);
	struct dbg_process *pr = process_of(pid, true);
	snprintf(pr->path, sizeof(pr->path), "%s", path);
	drop_breaks(pid); /* a new program: the old one's were its process's memory, gone */
	struct dbg_thread *t = thread_of(core_tid(p));
	t->exec_event = dbg.exec_events && !pr->hidden && dbg.fe->connected();
	if (!dbg.stop_at_exec)
		return;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, dbg.stop_at_exec))
		t->exec_stop = true;
}

int debug_fault(struct thread *p, int sig, uint64_t addr)
{
	if ((!dbg.fe->connected() && travel_serving()) || debug_hidden(core_pid(p)))
		return sig;
	struct tt_pos now = travel_position(true, core_uctx(p)->regs.rip);
	stop_at(p, (struct debug_stop){DEBUG_SIGNAL, core_tid(p), addr, sig, 0, 0}, false, &now, NULL);
	if (travel_enabled)
		return sig; /* the recorded run's signal: the debugger only watches */
	const struct dbg_thread *t = thread_of(core_tid(p));
	if (dbg.killed || action_of(t) == DEBUG_ACT_STOP)
		return 0; /* it faults again when it runs */
	return t->gen == dbg.gen ? t->signal : 0;
}

void debug_machine_ended(int status)
{
	if (!dbg.killed)
		dbg.fe->exited(status);
}

bool debug_killed(void)
{
	return dbg.killed;
}

bool debug_pollfds(struct pollfd *pfd)
{
	if (debug_enabled && !dbg.killed && travel_serving())
		return dbg.fe->pollfds(pfd);
	for (unsigned i = 0; i < DEBUG_POLLFDS; i++)
		pfd[i] = (struct pollfd){-1, POLLIN, 0};
	return false;
}

void debug_idle(void)
{
	if (!debug_enabled || dbg.killed || !travel_serving())
		return;
	enum debug_reason reason;
	if (!dbg.fe->poll(&reason)) {
		apply(); /* the debugger may have gone */
		return;
	}
	struct thread *p = core_thread(dbg.fe->thread());
	if (!p)
		p = core_thread(dbg.last_tid);
	unsigned cursor = 0;
	if (!p)
		p = core_thread_next(&cursor);
	/* Between runs: the position is the next run's start. */
	struct tt_pos next = travel_position(false, 0);
	next.runs++;
	if (p)
		stop_at(p, (struct debug_stop){reason, core_tid(p), 0, 0, 0, 0}, false, &next, NULL);
	dbg.next_poll_ns = 0;
}

void debug_kill(void)
{
	dbg.killed = true;
}

static struct breakpoint *find_break(uint64_t addr, int pid)
{
	for (struct breakpoint *b = dbg.breaks; b; b = b->next)
		if (b->addr == addr && b->pid == pid)
			return b;
	return NULL;
}

int debug_break_insert(uint64_t addr, bool hw, int pid)
{
	struct breakpoint *b = find_break(addr, pid);
	if (!b) {
		if (!(b = calloc(1, sizeof(*b))))
			return -ENOMEM;
		b->addr = addr;
		b->pid = pid;
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
	travel_points_changed();
	return 0;
}

int debug_break_remove(uint64_t addr, bool hw, int pid)
{
	struct breakpoint *b = find_break(addr, pid);
	if (!b || !(b->kinds & (hw ? BREAK_HW : BREAK_SW)))
		return pid ? 0 : -ENOENT; /* a process's: gone with it */
	b->kinds &= ~(hw ? BREAK_HW : BREAK_SW);
	dbg.dirty = true;
	travel_points_changed();
	return 0;
}

void debug_fork(struct thread *parent, struct thread *child)
{
	int pid = core_pid(child), from = core_pid(parent);
	if (pid == from)
		return; /* a thread: the same process */
	/* It runs its parent's program until it execs another; the debugger hears of it from a
	 * fork event (where it may keep it, with its breakpoints, or detach it) if it asked, and
	 * it is as hidden as its parent. */
	const struct dbg_process *pp = process_of(from, false);
	struct dbg_process parent_was = pp ? *pp : (struct dbg_process){.pid = from};
	struct dbg_process *pr = process_of(pid, true);
	memcpy(pr->path, parent_was.path, sizeof(pr->path));
	pr->hidden = parent_was.hidden;
	if (!dbg.fork_events || pr->hidden || !dbg.fe->connected())
		return;
	thread_of(core_tid(parent))->fork_child = core_tid(child);
	thread_of(core_tid(child))->fork_parent = core_tid(parent);
}

void debug_process_ended(struct thread *p, int status)
{
	int pid = core_pid(p);
	/* Process 1's end is the machine's, which the debugger hears of anyway. */
	if (pid == 1 || !dbg.fork_events || debug_hidden(pid) || !dbg.fe->connected() ||
	    dbg.nended == EXITS_MAX)
		return;
	dbg.ended[dbg.nended].pid = pid;
	dbg.ended[dbg.nended++].status = status;
}

void debug_events(bool fork, bool exec)
{
	dbg.fork_events = fork;
	dbg.exec_events = exec;
}

bool debug_exec_file(int pid, char *out, size_t size)
{
	const struct dbg_process *pr = process_of(pid, false);
	struct thread *t = core_thread(pid);
	if (!t || core_pid(t) != pid || !pr || !pr->path[0])
		return false;
	return debug_symbol_file(pr->path, out, size);
}

int debug_watch_insert(uint64_t addr, uint64_t len, unsigned kind)
{
	if (!len || len > WATCH_LEN_MAX || addr >= USER_END || len > USER_END - addr)
		return -EINVAL;
	if (dbg.nwatches == WATCH_MAX)
		return -ENOSPC;
	int pid = dbg.fe->thread() ? dbg.fe->thread() : dbg.last_stop_pid;
	dbg.watches[dbg.nwatches++] = (struct watchpoint){addr, len, kind, pid};
	dbg.dirty = true;
	travel_points_changed();
	return 0;
}

int debug_watch_remove(uint64_t addr, uint64_t len, unsigned kind)
{
	for (size_t i = 0; i < dbg.nwatches; i++) {
		struct watchpoint *w = &dbg.watches[i];
		if (w->addr == addr && w->len == len && w->kind == kind) {
			*w = dbg.watches[--dbg.nwatches];
			dbg.dirty = true;
			travel_points_changed();
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
			dbg.fallback = r->action == DEBUG_ACT_STOP && !travel_enabled ? DEBUG_ACT_STOP
										: DEBUG_ACT_CONTINUE;
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
		if (travel_enabled && t->action == DEBUG_ACT_STOP)
			t->action = DEBUG_ACT_CONTINUE; /* the recorded schedule: everything runs */
	}
	if (travel_enabled)
		dbg.fallback = DEBUG_ACT_CONTINUE;
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
	/* A debugger that comes next sees every process, and hears of no event it did not ask. */
	dbg.fork_events = dbg.exec_events = false;
	dbg.nended = 0;
	for (size_t i = 0; i < CORE_THREADS_MAX; i++) {
		programs[i].hidden = false;
		dbg.threads[i].exec_event = false;
		dbg.threads[i].fork_child = dbg.threads[i].fork_parent = 0;
	}
}

void debug_detach_process(int pid)
{
	process_of(pid, true)->hidden = true;
	drop_breaks(pid);
	size_t kept = 0;
	for (size_t i = 0; i < dbg.nwatches; i++)
		if (dbg.watches[i].pid != pid)
			dbg.watches[kept++] = dbg.watches[i];
	dbg.dirty |= kept != dbg.nwatches;
	dbg.nwatches = kept;
	travel_points_changed();
}

void debug_points_export(struct debug_points *out)
{
	out->nbreaks = out->nwatches = 0;
	for (const struct breakpoint *b = dbg.breaks; b && out->nbreaks < DEBUG_POINTS_MAX; b = b->next)
		if (b->kinds)
			out->breaks[out->nbreaks++] = (struct debug_point){b->addr, 0, b->kinds, b->pid};
	for (size_t i = 0; i < dbg.nwatches && out->nwatches < DEBUG_POINTS_MAX; i++)
		out->watches[out->nwatches++] = (struct debug_point){
			dbg.watches[i].addr, dbg.watches[i].len, dbg.watches[i].kind, dbg.watches[i].pid};
}

void debug_points_import(const struct debug_points *from)
{
	/* A copy: inserting exports the points (into what from may be). */
	static struct debug_points copy;
	copy = *from;
	const struct debug_points *in = &copy;
	for (struct breakpoint *b = dbg.breaks; b; b = b->next)
		b->kinds = 0;
	for (unsigned i = 0; i < in->nbreaks; i++) {
		if (in->breaks[i].kind & BREAK_SW)
			debug_break_insert(in->breaks[i].addr, false, in->breaks[i].pid);
		if (in->breaks[i].kind & BREAK_HW)
			debug_break_insert(in->breaks[i].addr, true, in->breaks[i].pid);
	}
	dbg.nwatches = 0;
	for (unsigned i = 0; i < in->nwatches && i < WATCH_MAX; i++)
		dbg.watches[dbg.nwatches++] = (struct watchpoint){
			in->watches[i].addr, in->watches[i].len, in->watches[i].kind, in->watches[i].pid};
	dbg.dirty = true;
}

void debug_travel_runner(void)
{
	/* A search finds the hits from its checkpoint on, the one at the checkpoint too. */
	for (size_t i = 0; i < CORE_THREADS_MAX; i++)
		dbg.threads[i].skip = 0;
	dbg.run.skip = 0;
	dbg.gen++;
	dbg.fallback = DEBUG_ACT_CONTINUE;
	dbg.steppers = 0;
	dbg.initial_stop = false;
	dbg.kernel_hit = false;
	dbg.run.hit = false;
	dbg.dirty = true;
	dbg.next_poll_ns = UINT64_MAX;
	apply(); /* a runner made in the middle of a run: its hooks before the run goes on */
}

/* Whether a watchpoint's process maps a watched address to physical [pa, pa + len): the
 * watch's address and kind, when one does. */
static bool watched_at(uint64_t pa, uint64_t len, uint64_t *va, unsigned *kind, int *pid)
{
	for (size_t i = 0; i < dbg.nwatches; i++) {
		const struct watchpoint *w = &dbg.watches[i];
		struct mm *mm = watch_mm(w);
		if (!mm || !(w->kind & DEBUG_WATCH_WRITE))
			continue;
		for (uint64_t page = PAGE_DOWN(w->addr); page < w->addr + w->len; page += PAGE_SIZE) {
			uint64_t wpa;
			unsigned flags;
			if (core_translate(mm, page, &wpa, &flags))
				continue;
			uint64_t lo = MAX(page, w->addr), hi = MIN(page + PAGE_SIZE, w->addr + w->len);
			uint64_t plo = wpa + (lo - page), phi = wpa + (hi - page);
			if (pa < phi && pa + len > plo) {
				*va = lo + (pa > plo ? pa - plo : 0);
				*kind = w->kind;
				*pid = w->pid;
				return true;
			}
		}
	}
	return false;
}

void debug_kernel_wrote(uint64_t pa, size_t len)
{
	uint64_t va;
	unsigned kind;
	int owner;
	if (!dbg.nwatches || !watched_at(pa, len, &va, &kind, &owner))
		return;
	struct thread *p = core_current();
	if (!p)
		return;
	/*
	 * The writing instruction is the syscall of the process whose call the kernel served; the
	 * stop is the watched process's, whose memory gdb reads to see the value change (gdb
	 * takes all threads for one address space), and says who wrote. A search notes it at the
	 * syscall; a debugger is told once the syscall is over, as after an instruction that wrote.
	 */
	struct tt_pos now = travel_position(true, sim_cpu_syscall_rip());
	struct debug_stop s = {watch_reason(kind), owner, va, 0, core_tid(p), 0};
	if (travel_enabled && !travel_serving() && travel_stop_hook(&s, &now, &now))
		return;
	dbg.kernel_hit = true;
	dbg.kernel_hit_stop = s;
}

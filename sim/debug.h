/*
 * Debugging guests: the engine that stops and resumes processes (debug.c). It watches the CPU
 * as its run observer (sim.h), and a front end (struct debug_frontend) talks to the person's
 * debugger: the GDB remote protocol stub (gdbstub.h). Time travel (travel.h) is a layer beside
 * it. Every Eclipse process is one debugger thread, named by its pid.
 */
#ifndef SIM_DEBUG_H
#define SIM_DEBUG_H

#include "sim.h"

#include <kernel/core.h>

struct core_image;
struct pollfd;

/* Why the system stopped for the debugger. */
enum debug_reason {
	DEBUG_ATTACH,    /* a debugger connected while the system ran */
	DEBUG_INITIAL,   /* --gdb-wait: before the first instruction of PID 1 */
	DEBUG_EXEC,      /* --gdb-stop-at-exec: before the first instruction of the program */
	DEBUG_INTERRUPT, /* the debugger asked (Ctrl-C) */
	DEBUG_BREAK,     /* a breakpoint (Z0), addr */
	DEBUG_HWBREAK,   /* a "hardware" breakpoint (Z1), addr */
	DEBUG_STEP,      /* a single or range step ended */
	DEBUG_WATCH,     /* a write to watched memory at addr (Z2) */
	DEBUG_RWATCH,    /* a read (Z3) */
	DEBUG_AWATCH,    /* a read or a write (Z4) */
	DEBUG_GONE,      /* the only threads allowed to run ended or cannot run */
	DEBUG_SIGNAL,    /* a fault is about to give the process signal (addr as the kernel's) */
	DEBUG_HISTORY_BEGIN, /* time travel went back as far as the checkpoints go */
	DEBUG_FORK,      /* a process forked (child), before either runs: gdb's fork event */
	DEBUG_EXEC_EVENT, /* a process execed, before the program's first instruction: gdb's
			   * exec event */
	DEBUG_EXITED,    /* process pid (not the first) ended, with wait status signal */
};

struct debug_stop {
	enum debug_reason reason;
	int pid;
	uint64_t addr;
	int signal; /* Linux number */
	int writer; /* a watchpoint's hit by the kernel: the pid whose syscall wrote (0: none) */
	int child;  /* DEBUG_FORK: the new process */
};

/* What a thread does once the debugger resumes the system. */
enum debug_action {
	DEBUG_ACT_STOP,     /* stays stopped */
	DEBUG_ACT_CONTINUE,
	DEBUG_ACT_STEP,     /* one instruction */
	DEBUG_ACT_RANGE,    /* instructions while the pc is in [lo, hi) (after the first one) */
};

struct debug_resume {
	int pid; /* 0: the default for every thread not named */
	enum debug_action action;
	uint64_t lo, hi;
	int signal; /* Linux number: the one a stopped fault delivers after all, or 0 */
};

/* Watchpoint kinds, as bits of the accesses they catch. */
#define DEBUG_WATCH_WRITE 1u
#define DEBUG_WATCH_READ 2u

/* The breakpoints and watchpoints, as time travel carries them from process to process. */
#define DEBUG_POINTS_MAX 64
struct debug_point {
	uint64_t addr, len;
	unsigned kind; /* breakpoints: 1 software, 2 hardware; watchpoints: DEBUG_WATCH_* */
	int pid;       /* a watchpoint's process */
};
struct debug_points {
	unsigned nbreaks, nwatches;
	struct debug_point breaks[DEBUG_POINTS_MAX], watches[DEBUG_POINTS_MAX];
};

/*
 * What the engine asks of its front end: whether a debugger is there, its attention while the
 * system runs (true when it wants the system stopped, *reason set), the thread it looks at (0:
 * none in particular), a wait for it to speak, the stop to report and serve it at (waiting for
 * one to connect when wait_for_connection), the machine's end, the descriptors it speaks or
 * connects on while the machine idles (DEBUG_POLLFDS of them, -1 for none; false when there
 * are none), and the end of the session.
 */
struct debug_frontend {
	bool (*connected)(void);
	bool (*poll)(enum debug_reason *reason);
	int (*thread)(void);
	void (*wait_input)(int timeout_ms);
	void (*stopped)(const struct debug_stop *s, bool wait_for_connection);
	void (*exited)(int status);
	bool (*pollfds)(struct pollfd *pfd);
	void (*close)(void);
};

/* True when eclipse-sim runs with --gdb: the engine observes every run of the CPU. */
extern bool debug_enabled;

/* debug.c: the engine, with fe in front of it (opened already); it closes fe. */
void debug_open(const struct sim_options *opt, const struct debug_frontend *fe);
void debug_close(void);
/* The engine as the CPU's run observer (sim_cpu_observe). */
extern const struct sim_run_observer debug_observer;
/* The kernel's fork observer: child was cloned from parent (it runs the parent's program,
 * with the parent's breakpoints). */
void debug_fork(struct thread *parent, struct thread *child);
/* The host file with the symbols of the program process pid runs (for gdb's
 * qXfer:exec-file:read): false when unknown. */
bool debug_exec_file(int pid, char *out, size_t size);
/* Where the symbols of the program at path are (a guest path): the file next to the simulator
 * (its guest/ directory, where the build puts every program with its debug information) or
 * under --root, else path itself when it is a host file. main.c. */
bool debug_symbol_file(const char *path, char *out, size_t size);
/* The kernel's exit observer: p, its process's last thread, ended with wait status status
 * (a debugger that follows processes hears of it). */
void debug_process_ended(struct thread *p, int status);
/* The kernel's exec observer: p now runs path. */
void debug_exec(struct thread *p, const char *path);
/* The kernel's fault observer: the debugger sees the fault first and says which signal p gets
 * (0: none, it runs the instruction again). */
int debug_fault(struct thread *p, int sig, uint64_t addr);
/* The first process spawned ended with Linux wait status (negative: the machine stopped). */
void debug_machine_ended(int status);
bool debug_killed(void);
/* The descriptors on which a debugger speaks or connects: the connection and the listening
 * socket. */
#define DEBUG_POLLFDS 2
/* While the machine idles: fills pfd[0, DEBUG_POLLFDS) with the descriptors to watch for the
 * debugger (-1 for none); false when there is none at all. Once one is readable, debug_idle()
 * hears the debugger: a Ctrl-C (or a debugger that connects) stops the system there, at the
 * thread the debugger looks at (else the one that ran last: all of them wait), until the
 * debugger resumes it; debug_killed() then says whether it killed it. */
bool debug_pollfds(struct pollfd *pfd);
void debug_idle(void);

/* Time travel (travel.c): the points to carry, and the points carried here. */
void debug_points_export(struct debug_points *out);
void debug_points_import(const struct debug_points *in);
/* This process became a runner: every thread runs, no stop is pending, the stub is not polled. */
void debug_travel_runner(void);
/* The kernel wrote a process's memory (kernel_config.on_user_write): a watchpoint's hit. */
void debug_kernel_wrote(uint64_t pa, size_t len);

/* Used by the stub while the system is stopped. 0 or -errno. */
/* A breakpoint of process pid (0: of every process). */
int debug_break_insert(uint64_t addr, bool hw, int pid);
int debug_break_remove(uint64_t addr, bool hw, int pid);
int debug_watch_insert(uint64_t addr, uint64_t len, unsigned kind);
int debug_watch_remove(uint64_t addr, uint64_t len, unsigned kind);
/* Sets what every thread does when the stub returns; resume[] names threads by pid. */
void debug_resume(const struct debug_resume *resume, size_t n);
/* The debugger went away: no breakpoints, watchpoints or steps, everything runs. */
void debug_detach(void);
/* gdb detached one of its inferiors: the breakpoints and watchpoints of process pid go; the
 * system stays stopped (gdb goes on with its other inferiors, or closes the connection). */
void debug_detach_process(int pid);
/* What the debugger wants to hear of: forks and execs of the processes it debugs (gdb's fork
 * and exec events), as stops. */
void debug_events(bool fork, bool exec);
/* The debugger detached process pid (or never heard of it, a child of one it detached): it is
 * not shown to it, and its faults are the kernel's, as for a Linux process gdb detached. */
bool debug_hidden(int pid);
/* The machine must stop (the debugger killed it). */
void debug_kill(void);

#endif

/*
 * Debugging guests: the engine that stops and resumes processes (debug.c), the GDB remote
 * protocol stub in front of it (gdbstub.c), and the symbols that name code in syscall traces
 * (symbols.c). Every Eclipse process is one debugger thread, named by its pid.
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
};

struct debug_stop {
	enum debug_reason reason;
	int pid;
	uint64_t addr;
	int signal; /* Linux number */
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

/* What the CPU does next with the thread it was about to run, or was running. */
enum debug_verdict {
	DEBUG_RUN,  /* run it */
	DEBUG_HOLD, /* leave it: the debugger keeps it stopped */
	DEBUG_KILL, /* the debugger killed the machine */
	DEBUG_PASS, /* nothing for the debugger: the kernel handles the trap */
};

/* Watchpoint kinds, as bits of the accesses they catch. */
#define DEBUG_WATCH_WRITE 1u
#define DEBUG_WATCH_READ 2u

/* True when eclipse-sim runs with --gdb: the CPU then asks the engine around every run. */
extern bool debug_enabled;

/* debug.c: the engine. */
int debug_open(const struct sim_options *opt);
void debug_close(void);
/* The CPU is about to run u (the kernel's current process): may it? */
enum debug_verdict debug_before_run(struct uctx *u);
/* One uc_emu_start of u begins: arm the hooks for this thread. */
void debug_run_begin(struct uctx *u);
/* u's run ended with trap t, or a debugger stop when stopped is set. */
enum debug_verdict debug_after_run(struct uctx *u, const struct trap *t, bool stopped);
/* A syscall handled inside the CPU hook may have changed the running process's mappings. */
void debug_mappings_changed(void);
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

/* Used by the stub while the system is stopped. 0 or -errno. */
int debug_break_insert(uint64_t addr, bool hw);
int debug_break_remove(uint64_t addr, bool hw);
int debug_watch_insert(uint64_t addr, uint64_t len, unsigned kind);
int debug_watch_remove(uint64_t addr, uint64_t len, unsigned kind);
/* Sets what every thread does when the stub returns; resume[] names threads by pid. */
void debug_resume(const struct debug_resume *resume, size_t n);
/* The debugger went away: no breakpoints, watchpoints or steps, everything runs. */
void debug_detach(void);
/* The machine must stop (the debugger killed it). */
void debug_kill(void);

/* gdbstub.c: the GDB remote serial protocol on a localhost TCP port. */
int gdbstub_open(int port);
void gdbstub_close(void);
bool gdbstub_connected(void);
/* While the system runs: true when the debugger wants it stopped (*reason set). */
bool gdbstub_poll(enum debug_reason *reason);
/* The thread the debugger looks at (its Hg), or 0 for none in particular. */
int gdbstub_thread(void);
/* Waits at most timeout_ms for the debugger to say something (0: just look). */
void gdbstub_wait_input(int timeout_ms);
/* The system stopped for s: report it to the debugger when it waits for a stop, wait for one
 * to connect when wait_for_connection, then serve it until it resumes, detaches or kills. */
void gdbstub_stopped(const struct debug_stop *s, bool wait_for_connection);
/* Tells a connected debugger the machine ended (Linux wait status; negative: stopped). */
void gdbstub_exited(int status);

/* What the stub does after a packet. */
enum gdb_serve { GDB_SERVE_ON, GDB_SERVE_RESUME, GDB_SERVE_DETACH, GDB_SERVE_KILL };
/* The protocol without a socket (for tests and fuzzing): a debugger connects to the system
 * stopped at s, then each packet (length bytes and a NUL) is answered in turn; the reply stays
 * valid until the next packet. The serving loop does the same over gdbwire.c. */
void gdbstub_session(const struct debug_stop *s);
enum gdb_serve gdbstub_handle(const char *pkt, size_t length, const char **reply,
			      size_t *reply_len);

/* gdbwire.c: the protocol's transport, one debugger at a time. */
#define GDB_PACKET_MAX 0x4000 /* our PacketSize: the longest packet gdb may send */
int gdbwire_open(int port);
void gdbwire_close(void);
bool gdbwire_connected(void);
/* Takes a debugger that is connecting, without waiting: true if one did. */
bool gdbwire_accept(void);
/* Waits for a debugger to connect; false if the user stopped the machine meanwhile. */
bool gdbwire_wait_connection(void);
void gdbwire_disconnect(void);
/* Acknowledgements stop (QStartNoAckMode). */
void gdbwire_no_ack(void);
void gdbwire_send(const char *data, size_t len);
/* Waits for the next packet and copies it to pkt (GDB_PACKET_MAX bytes, NUL added): its
 * length, or -1 once the debugger went away. */
long gdbwire_next(char *pkt);
/* While the system runs: turns away other debuggers, reads what came, true if it holds a
 * Ctrl-C. */
bool gdbwire_interrupted(void);
/* Waits at most timeout_ms for the debugger to send or connect. */
void gdbwire_wait_input(int timeout_ms);
/* The connection to the debugger and the listening socket in pfd[0, DEBUG_POLLFDS), each -1
 * when there is none; false when neither is. */
bool gdbwire_pollfds(struct pollfd *pfd);
/* The value of a hex digit, or -1. */
int gdb_hex_digit(char c);
/* The framing, without a socket: what the start of in[0, len) is. *used bytes are done with
 * (0 for GDB_FRAME_MORE); a packet's data are in[1, 1 + *body_len). */
enum gdb_frame {
	GDB_FRAME_MORE,   /* an unfinished packet, or nothing: wait for more */
	GDB_FRAME_SKIP,   /* acknowledgements, Ctrl-C, noise between packets */
	GDB_FRAME_NAK,    /* '-': the debugger wants our last packet again */
	GDB_FRAME_BAD,    /* a packet with a bad checksum, cut short or too long: answer '-' */
	GDB_FRAME_PACKET, /* a good packet */
};
enum gdb_frame gdb_frame(const char *in, size_t len, size_t *used, size_t *body_len);

/* gdbtarget.c: registers and memory as gdb sees them. */
#define GDB_NREGS 59
#define GDB_REG_RIP 16
extern const char gdb_target_xml[];
/* Bytes of register n in the 'g' packet, in the target description's order. */
unsigned gdb_reg_size(unsigned n);
/* Register n of p into out (gdb_reg_size(n) bytes). */
void gdb_reg_read(struct thread *p, unsigned n, uint8_t *out);
/* Sets register n of p from in: 0, or -EINVAL for a value the CPU cannot take. */
int gdb_reg_write(struct thread *p, unsigned n, const uint8_t *in);
/* Reads guest memory through mm's page tables without side effects: pages in a region but
 * never touched read as zeros. Returns the bytes read from the start (fewer at a hole). */
size_t sim_peek(struct mm *mm, uint64_t va, void *dst, size_t len);
/* Writes guest memory as the kernel's loader does (a copy-on-write page is copied first, so no
 * other process sees it); translated code of the pages written is dropped. 0 or -errno. */
int gdb_poke(struct mm *mm, uint64_t va, const void *src, size_t len);

/* symbols.c: where syscalls are made from, for --trace=stack. */
void symbols_exec(struct thread *p, const char *path, const struct core_image *src);
void symbols_fork(struct thread *parent, struct thread *child);
/* Notes the syscall p makes from rip (the syscall instruction) with stack pointer sp and frame
 * pointer fp. */
void symbols_note_syscall(struct thread *p, uint64_t rip, uint64_t sp, uint64_t fp);
/* kernel_config.trace_stack: the lines for p's syscall traced last. */
size_t symbols_trace_stack(struct thread *p, char *buf, size_t size);
void symbols_fini(void);

#endif

/*
 * Time travel (travel.c): reverse execution for the debugger, on a run that is recorded or
 * replayed (--gdb with --record or --replay).
 *
 * The way rr and QEMU do it. Checkpoints of the whole machine are taken as it runs: a fork of
 * the simulator, which waits, a copy-on-write snapshot of guest RAM, kernel, devices and CPU.
 * Going back to a point of the past is running again from the nearest checkpoint before it,
 * with the recorded inputs, up to that point: another fork of the checkpoint (a runner) does
 * it, and takes over the debugger's connection there. A reverse-continue runs the interval
 * before the current point once to find the last breakpoint or watchpoint hit in it (earlier
 * intervals when none), then goes to that hit; a reverse-step finds the current thread's
 * instruction before the current point the same way.
 *
 * The process that has run furthest (the frontier) waits while runners work in the past; a
 * runner that runs forward up to it hands the connection back, and the frontier goes on with
 * what the debugger asked for, so a session goes back and forth across the recorded part and
 * on into the live part seamlessly.
 *
 * Points of a run are positions: the run of the kernel's loop (plat_run_user calls, counted),
 * the executed blocks, and the address of the next instruction (0: before the run starts).
 * They are the same in every execution of the same recording, debugger stops or not: a stop
 * inside a block does not count the rest of the block as another when the run goes on
 * (cpu.c), and with time travel the debugger only watches: no thread is kept stopped while
 * others run, and a fault's signal is the kernel's, whatever the debugger says.
 */
#ifndef SIM_TRAVEL_H
#define SIM_TRAVEL_H

#include "gdbstub.h"

struct tt_pos {
	uint64_t runs, blocks, rip;
};

/* Whether the session travels in time (set by travel_open). */
extern bool travel_enabled;

/* After debug_open, before the machine runs: 0, or -errno. */
int travel_open(void);
/* The session ends (the frontier's exit): every checkpoint and runner goes. */
void travel_close(void);

/* Where the machine is: before run `runs` when in_run is false, else at rip in it. */
struct tt_pos travel_position(bool in_run, uint64_t rip);
int travel_compare(const struct tt_pos *a, const struct tt_pos *b);
void travel_format(const struct tt_pos *p, char *buf, size_t size);

/* True in a runner, whose output was printed already by the run that went there first. */
bool travel_quiet(void);

/* Whether this process talks to the debugger (always, without time travel). */
bool travel_serving(void);

/* debug.c: a run is about to start: true when the machine stops here for the debugger, for
 * *stop (a runner arrived where it was sent). */
bool travel_before_run(struct debug_stop *stop);
/* debug.c: the run goes on at rip after a stop for the debugger (a checkpoint may be taken;
 * this may return in a runner made from it). */
void travel_resumed(uint64_t rip);
/* debug.c: the debugger would stop the machine for s, the machine being at position now and
 * the hit at position hit (a watchpoint's: its access's instruction): true when the travel
 * layer took it (a runner's search goes on), the run going on. */
bool travel_stop_hook(const struct debug_stop *s, const struct tt_pos *now,
		      const struct tt_pos *hit);
/* debug.c: the breakpoints and watchpoints changed. */
void travel_points_changed(void);
/* debug.c, after a run that sim_cpu_debug_stop ended: 0 when a travel hook did not stop it,
 * 1 when it did and the run goes on, 2 when the machine stops for the debugger for *stop. */
int travel_stopped_run(struct debug_stop *stop);
/* The machine ended (in a runner: it never got where it was sent). */
void travel_machine_ended(void);
/* The debugger went away or killed the machine: a runner hands that to the frontier. */
void travel_session_ends(bool killed);

/* gdbstub.c: the debugger asks to go back (a reverse-step of thread tid, or a reverse
 * continue). Returns only in the frontier, once the debugger is back there: 0 to report the
 * frontier's stop, 1 when it killed the machine, 2 when it detached; -1 when there is no time
 * travel; 3 when the debugger resumed the machine exactly there (its packet is to be handled
 * next, as if it came now). Whichever process arrives sends the reply the debugger waits for. */
int travel_reverse(bool step, int tid);
/* gdbstub.c: the packet that resumed the machine (for the frontier, if a runner hands it). */
void travel_note_resume(const char *pkt, size_t len);
/* gdbstub.c: 'monitor' commands (when, checkpoint, checkpoints, restart N): the text to print
 * in out, false for an unknown one. A restart goes to the checkpoint as a reverse does: *went
 * is then what travel_reverse would return, else -1. */
bool travel_monitor(const char *cmd, char *out, size_t size, int *went);

#endif

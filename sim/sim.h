/* eclipse-sim internals: the Unicorn machine behind plat.h, and its options. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include "net.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "devices.h"

#define SIM_SHOTS_MAX 16

struct sim_options {
	uint64_t mem_bytes;
	uint64_t quantum;   /* executed blocks per time slice */
	bool switch_loop;   /* --switch=loop: no direct switches in the syscall hook */
	bool host_clock;    /* real time instead of the deterministic virtual clock */
	bool paced;         /* the virtual clock's idle jumps wait as long in real time (--pace) */
	unsigned trace;     /* TRACE_* of kernel.h */
	bool trace_stack;   /* --trace=stack: where each syscall was made from */
	bool trace_pos;     /* --trace=pos: lines start with the position */
	const char *trace_file; /* --trace-file, or NULL for stderr */
	const char *timeline;   /* --timeline: the file for the run's events, or NULL */
	unsigned max_procs;
	const char *root;   /* host directory execve looks in after the boot image, or NULL */
	const char *image;  /* boot image file, or NULL for the default */
	bool fs_server;     /* a PROGRAM gets the image's filesystem service as a writable / */
	uint64_t max_time_ns;
	bool quiet;                 /* no messages about a stop that was asked for */
	bool shell;                 /* boot with init's word "shell": a shell on the console */
	int gdb_port;               /* --gdb: -1 for none, 0 for any free port */
	bool gdb_wait;              /* stop before PID 1's first instruction */
	const char *gdb_stop_at_exec; /* stop a program of this name when it is exec'd */
	struct sim_disk *disk;      /* --disk: the virtio-blk disk's image, or NULL */
	bool net;                   /* --net=user: a virtio-net card on a slirp wire */
	struct sim_net_options net_opt;
	/* --screenshot=FILE.png[@TIME]: at a virtual time, or at the end (at UINT64_MAX) */
	bool keys;                  /* --keys: a script was loaded (keys.c) */
	const char *keys_path;
	bool window;                /* --display=sdl */
	const char *audio_wav;      /* --audio=wav:FILE */
	bool audio_sdl;             /* --audio=sdl */
	const char *record;         /* --record=FILE */
	const char *replay;         /* --replay=FILE */
	bool replay_terminal;       /* a replay: the recording's console was a terminal */
	unsigned nshots;
	struct sim_shot {
		const char *path;
		uint64_t at_ns;
	} shots[SIM_SHOTS_MAX];
};

#define SIM_MEM_DEFAULT (256ull << 20)
#define SIM_MEM_MIN (4ull << 20)
#define SIM_MEM_MAX (64ull << 30)
#define SIM_QUANTUM_DEFAULT 200000ull

/* Checks a Unicorn result: a failure here is a bug of the simulator, reported and fatal. */
#define UC_CHECK(call) sim_uc_check((call), #call, __FILE__, __LINE__)
void sim_uc_check(uc_err err, const char *what, const char *file, int line);

/* Guest RAM (ram.c, devices.h), the devices and host services (machine.c). */
int sim_machine_init(const struct sim_options *opt);
void sim_machine_fini(void);

/* How many executed blocks move the clock to when_ns (0 when it is there): how far a run may go
 * before a device event is due. With --clock=host, an estimate at the virtual clock's rate. */
uint64_t sim_clock_blocks_until(uint64_t when_ns);

/* Reads a whole host file of at most max bytes into malloc'd memory: 0 or -errno. */
int sim_read_file(const char *path, uint64_t max, void **data, size_t *len);
/* The same for a file that must not change while in use (the boot image, which the build
 * replaces by renaming): mapped, so that only what is read costs anything. */
int sim_map_file(const char *path, uint64_t max, void **data, size_t *len);
void sim_unmap_file(void *data, size_t len);

/* The boot image the kernel sees (owned by the caller). */
void sim_set_boot_image(void *image, size_t len);
/* Ctrl-C and SIGTERM become stop requests (plat_stop_requests). */
void sim_catch_stop_signals(void);
/* A stop request from the simulator itself (the window closed), as a Ctrl-C. */
void sim_request_stop(void);
/* The stop requests made so far (not an input point: for the simulator's own waits). */
unsigned sim_stop_requests(void);
/* The virtual time skipped while everything slept (a part of the position, record.h). */
uint64_t sim_idle_ns(void);
/* Whether standard input is a person's terminal (the console is then interactive). */
bool sim_console_is_terminal(void);

struct mm;
/* Reads guest memory through mm's page tables without side effects: pages in a region but
 * never touched read as zeros. Returns the bytes read from the start (fewer at a hole). */
size_t sim_peek(struct mm *mm, uint64_t va, void *dst, size_t len);

/* The CPU (cpu.c). */
int sim_cpu_open(const struct sim_options *opt);
void sim_cpu_close(void);
uc_engine *sim_uc(void);
/* Frames the CPU platform holds for itself: all that may stay in use after kernel_fini. */
size_t sim_cpu_own_frames(void);
/* Executed blocks since boot: the virtual clock's source. */
uint64_t sim_blocks(void);
/* Runs of user code the kernel asked for since boot (plat_run_user calls). */
uint64_t sim_runs(void);
/* The address of the syscall instruction whose syscall the kernel handles (with --gdb). */
uint64_t sim_cpu_syscall_rip(void);
/*
 * A run observer (the debugger, debug.c): what the CPU asks and tells around each run of a
 * thread, when one is set. Before a run of u: whether it runs (SIM_RUN), stays where it is for
 * now (SIM_HOLD: the kernel goes on with others, as at a slice's end) or the machine stops
 * (SIM_KILL). At each start of the emulator on u: begin. After a run that ended with trap t,
 * or that the observer stopped (sim_cpu_debug_stop) when stopped: SIM_RUN goes on with the run
 * (stopped), SIM_PASS leaves the trap to the kernel. When a run goes on after such a stop:
 * resumes. After a syscall handled in the CPU's hook: mappings_changed.
 */
struct uctx;
struct trap;
enum sim_run_verdict { SIM_RUN, SIM_HOLD, SIM_KILL, SIM_PASS };
struct sim_run_observer {
	enum sim_run_verdict (*before_run)(struct uctx *u);
	void (*begin)(struct uctx *u);
	enum sim_run_verdict (*after_run)(struct uctx *u, const struct trap *t, bool stopped);
	void (*resumes)(struct uctx *u);
	void (*mappings_changed)(void);
};
/* Sets the observer (NULL: none); before the machine runs. */
void sim_cpu_observe(const struct sim_run_observer *o);
/* For the observer, from a hook: stop the run before the current instruction. */
void sim_cpu_debug_stop(void);
/* Drops all translated code, now or once the next run is over. */
void sim_cpu_forget_code(void);
void sim_cpu_forget_code_after_run(void);
/* Deletes a code hook without leaving the CPU in a bad state (outside a run). */
void sim_cpu_del_code_hook(uc_hook hook);

#endif

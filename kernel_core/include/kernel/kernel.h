/* The kernel as a whole: configuration, boot, the trap loop. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <kernel/plat.h>
#include <kernel/proc.h>

#define ECLIPSE_VERSION "0.1.0"

#define TRACE_SYSCALL 0x1u
#define TRACE_SCHED 0x2u

struct elf_source;

struct kernel_config {
	unsigned trace;       /* TRACE_* */
	unsigned max_procs;   /* 0: PROC_LIMIT_DEFAULT */
	uint64_t max_time_ns; /* 0: none; else PID 1 gets SIGTERM at this monotonic time */
	bool quiet;           /* no messages about a stop that was asked for (time limit, Ctrl-C) */
	/* Optional observers for the platform's debugger and tracer; NULL when unused. */
	/* p now runs the program at path from its entry point (an image that was in p's old
	 * memory, src->mm, is gone by then). */
	void (*on_exec)(struct thread *t, const char *path, const struct elf_source *src);
	/* child (a new thread, or the first of a new process) was just cloned from parent. */
	void (*on_fork)(struct thread *parent, struct thread *child);
	/* t faulted and is about to get sig (addr as in signal_fault): the signal to act on
	 * instead, or 0 for none (t then runs the faulting instruction again). */
	int (*on_fault)(struct thread *t, int sig, uint64_t addr);
	/* Writes the lines that say where t made the syscall just traced, each " > ...\n", into
	 * buf (size bytes): their length, 0 for none (--trace=stack). */
	size_t (*trace_stack)(struct thread *t, char *buf, size_t size);
	/* Takes the trace's lines, whole, instead of the console's stream 2 (--trace-file). */
	void (*trace_write)(const char *buf, size_t len);
	/* When set, a file server the kernel starts from this boot-image path right after the
	 * first process, serving "/" (a standalone program's writable root); the first
	 * process's file calls wait until it serves (or gives up). */
	const char *root_server;
	const char *const *root_server_argv;
};

/* How long PID 1 has to shut down after SIGTERM before the machine stops anyway. */
#define SHUTDOWN_GRACE_NS (30ull * 1000000000ull)

extern struct kernel_config kernel_cfg;

/* Brings up frames, the kernel address space and the platform's CPU. 0 or -errno. */
int kernel_init(const struct kernel_config *cfg);
/* Starts program image as a new process with no parent. Its pid, or -errno (*elf_err set). */
int kernel_spawn(const char *path, const void *image, size_t len, const char *const *argv,
		 const char *const *envp, int *elf_err);
/* Starts the program at path (boot image, or platform files) as a new process with no parent:
 * its pid, or -errno (*elf_err set for a rejected ELF). */
int kernel_spawn_file(const char *path, const char *const *argv, const char *const *envp,
		      int *elf_err);
/* Runs processes until the first one spawned ends: its Linux wait status, or -EDEADLK when
 * every process blocked, -EINTR when the user stopped the machine at once, -ETIMEDOUT when PID 1
 * outlived its shutdown grace period. */
int kernel_run(void);
/* Asks the first process to shut down, as the platform's stop requests do (Ctrl-C at a
 * console where no job is in the foreground). */
void kernel_request_stop(void);
/* reboot(2) halted, powered off or restarted the machine: kernel_run ends with status 0 once
 * the calling syscall returns (the simulator cannot restart; it stops as for a power-off). */
void kernel_power_off(const char *how);
/* Frees every process and kernel structure (after kernel_run, or to abandon a boot). */
void kernel_fini(void);
/* Handles one trap of thread t. */
void trap_handle(struct thread *t, const struct trap *trap);
/* With --trace=sched, writes one scheduler event line to the console. */
void trace_sched(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --trace=syscall, in strace's format (trace.c). Each does nothing when syscalls are not
 * traced. */
struct linux_siginfo;
/* t starts syscall nr with args: its line begins (unless t's call is under way: a rerun). */
void trace_syscall_enter(struct thread *t, uint64_t nr, const uint64_t *args);
/* t's syscall, started before, returns ret: the rest of its line, or its "<... resumed>" line;
 * -EINTR with a signal handler to run is shown as what Linux reports. */
void trace_syscall_exit(struct thread *t, uint64_t nr, const uint64_t *args, long ret);
/* What a signal does to the thread it reaches. */
enum trace_sig {
	TRACE_SIG_TAKEN, /* a handler runs, or it is ignored */
	TRACE_SIG_KILLS, /* it ends the process (t's call in a wait, if any, is interrupted) */
	TRACE_SIG_STOPS,
};
/* "--- SIGCHLD {si_signo=SIGCHLD, ...} ---" (and "--- stopped by ... ---"). */
void trace_signal(struct thread *t, const struct linux_siginfo *si, enum trace_sig how);
/* t ended with wait_status: "+++ exited with 0 +++", after "= ?" for a call it was in. */
void trace_thread_exit(struct thread *t, int wait_status);
/* Forgets every call under way: a new machine. */
void trace_reset(void);

#endif

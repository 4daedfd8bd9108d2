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
	/* Writes where t made the syscall being traced, such as " <main+0x1c>", into buf (size
	 * bytes, NUL included): its length, 0 for nothing. */
	size_t (*trace_site)(struct thread *t, char *buf, size_t size);
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
/* Writes the strace-style line of a syscall to the console. */
void trace_syscall(struct thread *t, uint64_t nr, const uint64_t *args, long ret, bool done);
/* The same in two steps, for calls that replace the memory their arguments are in (execve):
 * render the call before it runs, then add its result. */
#define TRACE_LINE_MAX 384
struct trace_call {
	char buf[TRACE_LINE_MAX];
	size_t len;
	struct thread *t;
};
void trace_syscall_begin(struct trace_call *tc, struct thread *t, uint64_t nr, const uint64_t *args);
void trace_syscall_end(struct trace_call *tc, uint64_t nr, long ret, bool done);

#endif

/* The kernel as a whole: configuration, boot, the trap loop. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <kernel/plat.h>
#include <kernel/proc.h>

#define ECLIPSE_VERSION "0.1.0"

#define TRACE_SYSCALL 0x1u
#define TRACE_SCHED 0x2u

struct kernel_config {
	unsigned trace;     /* TRACE_* */
	unsigned max_procs; /* 0: PROC_LIMIT_DEFAULT */
};

extern struct kernel_config kernel_cfg;

/* Brings up frames, the kernel address space and the platform's CPU. 0 or -errno. */
int kernel_init(const struct kernel_config *cfg);
/* Starts program image as a new process with no parent. Its pid, or -errno (*elf_err set). */
int kernel_spawn(const char *path, const void *image, size_t len, const char *const *argv,
		 const char *const *envp, int *elf_err);
/* Runs processes until the first one spawned ends: its Linux wait status, or -EDEADLK when
 * every process blocked, -EINTR when the platform stopped the machine. */
int kernel_run(void);
/* Frees every process and kernel structure (after kernel_run, or to abandon a boot). */
void kernel_fini(void);
/* Handles one trap of process p. */
void trap_handle(struct proc *p, const struct trap *t);
/* With --trace=sched, writes one scheduler event line to the console. */
void trace_sched(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes the strace-style line of a syscall to the console. */
void trace_syscall(struct proc *p, uint64_t nr, const uint64_t *args, long ret, bool done);

#endif

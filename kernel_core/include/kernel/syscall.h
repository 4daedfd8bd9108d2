/* System call dispatch: a bounds-checked table indexed by number; handlers decode, then act. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <kernel/proc.h>

/* A handler's request to run the syscall again once the process runs (never seen by it);
 * Linux's internal name and number, which the C library's <errno.h> does not take. */
#define ERESTARTSYS 512
/* A handler's word that the process blocks and gets its result in rax later (never seen). */
#define EBLOCKED 513

typedef long (*syscall_fn)(struct proc *p, const uint64_t *args);

#define SC_FAST 0x1u     /* never blocks, switches or reads p's saved registers */
#define SC_NORETURN 0x2u /* the caller does not come back (exit) */
#define SC_RETHEX 0x4u   /* the result is an address */
#define SC_SETREGS 0x8u  /* sets every register itself, rax included (rt_sigreturn) */
#define SC_EXEC 0x10u    /* replaces the memory its arguments are in: trace them first */

struct syscall_desc {
	const char *name;
	syscall_fn fn;
	const char *args; /* one letter per argument, for tracing (see trace.c) */
	unsigned nargs;
	unsigned flags;
};

/* The descriptor of syscall nr, or NULL when there is none. */
const struct syscall_desc *syscall_lookup(uint64_t nr);
/* True when nr may run straight from the platform's syscall hook (SC_FAST or unknown);
 * *nargs tells how many argument registers it reads. */
bool syscall_is_fast(uint64_t nr, unsigned *nargs);
/* Runs syscall nr for p with args; returns the value for rax. Traces when enabled. */
long syscall_invoke(struct proc *p, uint64_t nr, const uint64_t *args);
/* Runs the syscall in p's saved registers and stores its result in rax. */
void syscall_from_regs(struct proc *p);

/* Handlers, one file per family. */
long sys_read(struct proc *p, const uint64_t *a);
long sys_write(struct proc *p, const uint64_t *a);
long sys_writev(struct proc *p, const uint64_t *a);
long sys_close(struct proc *p, const uint64_t *a);
long sys_open(struct proc *p, const uint64_t *a);
long sys_openat(struct proc *p, const uint64_t *a);
long sys_lseek(struct proc *p, const uint64_t *a);
long sys_fstat(struct proc *p, const uint64_t *a);
long sys_dup(struct proc *p, const uint64_t *a);
long sys_dup2(struct proc *p, const uint64_t *a);
long sys_brk(struct proc *p, const uint64_t *a);
long sys_mmap(struct proc *p, const uint64_t *a);
long sys_munmap(struct proc *p, const uint64_t *a);
long sys_mprotect(struct proc *p, const uint64_t *a);
long sys_exit(struct proc *p, const uint64_t *a);
long sys_getpid(struct proc *p, const uint64_t *a);
long sys_getppid(struct proc *p, const uint64_t *a);
long sys_getpgid(struct proc *p, const uint64_t *a);
long sys_setpgid(struct proc *p, const uint64_t *a);
long sys_fork(struct proc *p, const uint64_t *a);
long sys_execve(struct proc *p, const uint64_t *a);
long sys_exec_image(struct proc *p, const uint64_t *a);
long sys_wait4(struct proc *p, const uint64_t *a);
long sys_get_service_binary(struct proc *p, const uint64_t *a);
long sys_sched_yield(struct proc *p, const uint64_t *a);
long sys_arch_prctl(struct proc *p, const uint64_t *a);
long sys_clock_gettime(struct proc *p, const uint64_t *a);
long sys_nanosleep(struct proc *p, const uint64_t *a);
long sys_uname(struct proc *p, const uint64_t *a);

#endif

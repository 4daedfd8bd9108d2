/* Signals: generation, delivery through a Linux-layout frame on the user stack, sigreturn. */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <kernel/proc.h>

/* Gives p a fresh table of default actions. 0 or -ENOMEM. */
int signal_init(struct proc *p);
/* Copies parent's actions and mask into child (fork). */
void signal_fork(struct proc *child, const struct proc *parent);
/* Handlers go back to the default action; ignored signals stay ignored (exec). */
void signal_exec(struct proc *p);
/* Frees p's signal state. */
void signal_free(struct proc *p);
/* Makes sig pending for p (code and sender as in siginfo), waking it if that is deliverable. */
void signal_send(struct proc *p, int sig, int code, int sender, int status);
/* Before p returns to user mode: acts on its deliverable signals (may end or stop it). */
void signal_deliver(struct proc *p);
/* A fault p cannot survive unless it handles sig: queue it for a handler, else kill p. */
void signal_fault(struct proc *p, int sig, uint64_t addr);

long sys_kill(struct proc *p, const uint64_t *a);
long sys_rt_sigaction(struct proc *p, const uint64_t *a);
long sys_rt_sigprocmask(struct proc *p, const uint64_t *a);
long sys_rt_sigreturn(struct proc *p, const uint64_t *a);

#endif

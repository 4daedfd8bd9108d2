/* Signals: generation, delivery through a Linux-layout frame on the user stack, sigreturn. */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <kernel/proc.h>

/* Gives p a fresh table of default actions. 0 or -ENOMEM. */
int signal_init(struct proc *p);
/* Copies parent's actions into child (fork). */
void signal_fork(struct proc *child, const struct proc *parent);
/* Handlers go back to the default action; ignored signals stay ignored (exec). */
void signal_exec(struct proc *p);
/* Frees p's signal state. */
void signal_free(struct proc *p);

/* Makes sig pending for process p (code and sender as in siginfo). A default action that
 * kills or stops acts at once; a handled signal wakes a thread that can take it. */
void signal_send_proc(struct proc *p, int sig, int code, int sender, int status);
/* The same for one thread (tgkill, SIGPIPE, faults). */
void signal_send_thread(struct thread *t, int sig, int code, int sender, int status);
/* To every process of group pgrp: how many got it. */
unsigned signal_send_pgrp(int pgrp, int sig, int code, int sender);
/* Before t returns to user mode: acts on its deliverable signals (may end or stop it). */
void signal_deliver(struct thread *t);
/* A fault t cannot survive unless it handles sig: queue it for a handler, else kill. code and
 * addr are siginfo's si_code and si_addr, as Linux gives them (SEGV_MAPERR and the address;
 * SI_KERNEL and 0 for a general protection fault). */
void signal_fault(struct thread *t, int sig, int code, uint64_t addr);
/* Whether signal_deliver(t) would do anything (a deliverable signal, or its process stopped). */
bool signal_deliver_pending(const struct thread *t);
/* A signal that kills t's process is pending (SIGKILL, or a fatal default not blocked). */
bool signal_fatal_pending(const struct thread *t);
/* The signal whose handler would run on t now, or 0. */
int signal_interrupting(const struct thread *t);
/* Whether sig's handler asks interrupted calls to start over (SA_RESTART). */
bool signal_restarts(const struct thread *t, int sig);
/* Whether t ignores or blocks sig (job control's SIGTTIN and SIGTTOU). */
bool signal_ignored_or_blocked(const struct thread *t, int sig);
/* Signals pending for t (its own and its process's). */
uint64_t signal_pending_set(const struct thread *t);
/* Takes pending signal sig (one of set) off t without acting on it: sig, or 0 when none of set
 * is pending; *info gets its siginfo. */
struct linux_siginfo;
int signal_dequeue(struct thread *t, uint64_t set, struct linux_siginfo *info);

/* Process timers (alarm, setitimer ITIMER_REAL): the earliest deadline, and firing them. */
uint64_t signal_next_alarm(void);
void signal_fire_alarms(uint64_t now);
/* Sets p's real-time timer: next expiry (0 to cancel) and interval; returns the old ones. */
void signal_set_alarm(struct proc *p, uint64_t at, uint64_t interval, uint64_t *old_at,
		      uint64_t *old_interval);
void signal_reset(void);

/* For the calls (sys_signal.c): sig's action in p; setting one (a signal it now discards is
 * no longer pending); set without SIGKILL and SIGSTOP, which no mask blocks; whether rsp is on
 * t's alternate stack; whether from may send sig to q (PID 1 only takes what it handles). */
struct linux_sigaction;
const struct linux_sigaction *signal_action(const struct proc *p, int sig);
void signal_set_action(struct proc *p, int sig, const struct linux_sigaction *act);
uint64_t signal_blockable(uint64_t set);
bool signal_on_altstack(const struct thread *t, uint64_t rsp);
bool signal_may_send(const struct proc *q, int sig, const struct proc *from);
/* rt_sigreturn: restores t from the frame its handler returned through, or kills it with
 * SIGSEGV when the frame is unreadable or invalid. */
void signal_return(struct thread *t);

long sys_kill(struct thread *t, const uint64_t *a);
long sys_tkill(struct thread *t, const uint64_t *a);
long sys_tgkill(struct thread *t, const uint64_t *a);
long sys_rt_sigaction(struct thread *t, const uint64_t *a);
long sys_rt_sigprocmask(struct thread *t, const uint64_t *a);
long sys_rt_sigreturn(struct thread *t, const uint64_t *a);
long sys_rt_sigpending(struct thread *t, const uint64_t *a);
long sys_rt_sigsuspend(struct thread *t, const uint64_t *a);
long sys_rt_sigtimedwait(struct thread *t, const uint64_t *a);
long sys_sigaltstack(struct thread *t, const uint64_t *a);
long sys_pause(struct thread *t, const uint64_t *a);
long sys_alarm(struct thread *t, const uint64_t *a);
long sys_setitimer(struct thread *t, const uint64_t *a);
long sys_getitimer(struct thread *t, const uint64_t *a);

#endif

/*
 * Signals with Linux numbers, layouts and semantics: pending sets of the process and of each
 * thread, per-thread masks, actions set by rt_sigaction, a rt_sigframe built on the user (or
 * alternate) stack for a handler and read back by rt_sigreturn. A default action that stops or
 * kills acts when the signal is sent, so that a process blocked in a call stops or dies too.
 */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define BIT(sig) (1ull << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define STOP_SIGNALS (BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))
#define IGNORED_BY_DEFAULT (BIT(SIGCHLD) | BIT(SIGCONT) | BIT(SIGURG) | BIT(SIGWINCH))
#define RED_ZONE 128
#define USER_RFLAGS 0xdd5ull /* CF PF AF ZF SF TF DF OF: what user code may set */
#define MXCSR_VALID 0xffffu

struct rt_sigframe {
	uint64_t pretcode;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_sigcontext) == 256, "Linux sigcontext layout");
_Static_assert(sizeof(struct linux_siginfo) == 128, "Linux siginfo layout");
_Static_assert(sizeof(struct rt_sigframe) == 440, "Linux rt_sigframe layout");

static struct proc *alarms; /* processes with a real-time timer, soonest first */

static void reaches(struct thread *t, int sig, uint64_t info, enum core_signal_fate fate);

/* sig_info packs a pending signal's siginfo: pid in bits 0-31, status 32-47, code 48-63 (a
 * byte would not do: SI_KERNEL is 0x80, SI_TKILL -6). */
static uint64_t pack_info(int code, int sender, int status)
{
	return (uint32_t)sender | (uint64_t)(uint16_t)status << 32 | (uint64_t)(uint16_t)code << 48;
}

int signal_init(struct proc *p)
{
	p->sig_action = kmalloc(PROC_NSIG * sizeof(struct linux_sigaction));
	return p->sig_action ? 0 : -ENOMEM;
}

void signal_fork(struct proc *child, const struct proc *parent)
{
	kmemcpy(child->sig_action, parent->sig_action, PROC_NSIG * sizeof(struct linux_sigaction));
}

void signal_exec(struct proc *p)
{
	for (int i = 0; i < PROC_NSIG; i++)
		if (p->sig_action[i].handler != SIG_IGN)
			p->sig_action[i] = (struct linux_sigaction){SIG_DFL, 0, 0, 0};
}

static void alarm_unlink(struct proc *p)
{
	for (struct proc **link = &alarms; *link; link = &(*link)->alarm_next)
		if (*link == p) {
			*link = p->alarm_next;
			break;
		}
	p->alarm_next = NULL;
}

void signal_free(struct proc *p)
{
	alarm_unlink(p);
	p->alarm_at = 0;
	kfree(p->sig_action);
	p->sig_action = NULL;
}

static const struct linux_sigaction *action(const struct proc *p, int sig)
{
	return &p->sig_action[sig - 1];
}

static bool handled(const struct proc *p, int sig)
{
	uint64_t h = action(p, sig)->handler;
	return sig != SIGKILL && sig != SIGSTOP && h != SIG_DFL && h != SIG_IGN;
}

/* Would sig, arriving now, be thrown away at once? */
static bool discarded(const struct proc *p, int sig)
{
	uint64_t h = action(p, sig)->handler;
	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	return h == SIG_IGN || (h == SIG_DFL && (BIT(sig) & IGNORED_BY_DEFAULT));
}

/* Does sig's default action (when it is the action) stop or kill the process? */
static bool default_stops(const struct proc *p, int sig)
{
	return (BIT(sig) & STOP_SIGNALS) && (sig == SIGSTOP || action(p, sig)->handler == SIG_DFL);
}

static bool default_kills(const struct proc *p, int sig)
{
	return sig == SIGKILL || (action(p, sig)->handler == SIG_DFL &&
				  !(BIT(sig) & (STOP_SIGNALS | IGNORED_BY_DEFAULT)));
}

/* Tells p's parent that p stopped or continued (code CLD_STOPPED or CLD_CONTINUED). */
static void notify_parent(struct proc *p, int code, int sig)
{
	struct proc *parent = p->parent;
	if (!parent || !parent->sig_action)
		return;
	if (!(action(parent, SIGCHLD)->flags & SA_NOCLDSTOP))
		signal_send_proc(parent, SIGCHLD, code, p->pid, sig);
	proc_wake_waiter(parent);
}

/* Every thread of p stops where it is (a blocked one when its wait ends). */
static void group_stop(struct proc *p, int sig)
{
	if (p->stopped)
		return;
	p->stopped = true;
	p->stop_report = sig;
	p->cont_report = false;
	for (struct thread *t = p->threads; t; t = t->sibling)
		if (t->state == THREAD_RUNNABLE) {
			sched_remove(t);
			t->state = THREAD_STOPPED;
		}
	trace_sched("stop pid %d by %s", p->pid, signal_name(sig));
	notify_parent(p, CLD_STOPPED, sig);
}

static void group_continue(struct proc *p)
{
	p->sig_pending &= ~STOP_SIGNALS;
	for (struct thread *t = p->threads; t; t = t->sibling)
		t->sig_pending &= ~STOP_SIGNALS;
	if (!p->stopped)
		return;
	p->stopped = false;
	p->stop_report = 0;
	p->cont_report = true;
	for (struct thread *t = p->threads; t; t = t->sibling)
		if (t->state == THREAD_STOPPED)
			sched_make_runnable(t);
	notify_parent(p, CLD_CONTINUED, SIGCONT);
}

/* Some thread of p (only, if only is set) does not block sig. */
static struct thread *taker(struct proc *p, struct thread *only, int sig)
{
	if (only)
		return (only->sig_blocked & BIT(sig)) && !(BIT(sig) & UNBLOCKABLE) ? NULL : only;
	for (struct thread *t = p->threads; t; t = t->sibling)
		if (!(t->sig_blocked & BIT(sig)) || (BIT(sig) & UNBLOCKABLE))
			return t;
	return NULL;
}

/* Wakes t for sig when its wait could end because of it. */
static void wake_for(struct thread *t, int sig)
{
	if (t->state != THREAD_BLOCKED)
		return;
	if (t->wait.kind == WAIT_SIGNAL && (t->wait.sigset & BIT(sig)))
		wait_wake_thread(t);
	else if ((t->wait.flags & WAIT_INTR) && !(t->sig_blocked & BIT(sig)))
		wait_wake_thread(t);
}

static void send(struct proc *p, struct thread *only, int sig, int code, int sender, int status)
{
	if (sig < 1 || sig > PROC_NSIG || p->state == PROC_ZOMBIE || !p->sig_action || p->exiting)
		return;
	if (sig == SIGCONT || sig == SIGKILL)
		group_continue(p);
	if (BIT(sig) & STOP_SIGNALS) {
		p->sig_pending &= ~BIT(SIGCONT);
		for (struct thread *t = p->threads; t; t = t->sibling)
			t->sig_pending &= ~BIT(SIGCONT);
	}
	/* As Linux: a blocked signal is never thrown away on arrival, even an ignored one (the
	 * action may change before it is unblocked); rt_sigpending shows it meanwhile. */
	struct thread *main = only ? only : proc_main_thread(p);
	if (discarded(p, sig) && !(main && (main->sig_blocked & BIT(sig)))) {
		reaches(main, sig, pack_info(code, sender, status), CORE_SIGNAL_IGNORED);
		return;
	}
	struct thread *to = taker(p, only, sig);
	/* A thread that sends its own process a signal that kills or stops it finishes its call
	 * first, as on Linux (kill returns 0, a write to a pipe without readers EPIPE): the
	 * signal acts when the thread returns to user mode (signal_deliver). */
	struct thread *self = thread_current;
	if (self && self->proc == p && self->state == THREAD_RUNNABLE && (!only || only == self) &&
	    (!(self->sig_blocked & BIT(sig)) || (BIT(sig) & UNBLOCKABLE)))
		to = NULL;
	if (to && default_kills(p, sig)) {
		reaches(to, sig, pack_info(code, sender, status), CORE_SIGNAL_KILLS);
		trace_sched("kill pid %d by %s", p->pid, signal_name(sig));
		proc_exit(p, sig);
		return;
	}
	if (to && default_stops(p, sig)) {
		reaches(to, sig, pack_info(code, sender, status), CORE_SIGNAL_STOPS);
		group_stop(p, sig);
		return;
	}
	if (only) {
		only->sig_pending |= BIT(sig);
		only->sig_info[sig - 1] = pack_info(code, sender, status);
	} else {
		p->sig_pending |= BIT(sig);
		p->sig_info[sig - 1] = pack_info(code, sender, status);
	}
	if (only)
		wake_for(only, sig);
	else
		for (struct thread *t = p->threads; t; t = t->sibling)
			wake_for(t, sig);
}

void signal_send_proc(struct proc *p, int sig, int code, int sender, int status)
{
	send(p, NULL, sig, code, sender, status);
}

void signal_send_thread(struct thread *t, int sig, int code, int sender, int status)
{
	if (t->state != THREAD_DEAD)
		send(t->proc, t, sig, code, sender, status);
}

unsigned signal_send_pgrp(int pgrp, int sig, int code, int sender)
{
	unsigned n = 0, cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));) {
		if (q->state != PROC_ALIVE || q->pgid != pgrp)
			continue;
		n++;
		if (sig)
			signal_send_proc(q, sig, code, sender, 0);
	}
	return n;
}

uint64_t signal_pending_set(const struct thread *t)
{
	return t->sig_pending | t->proc->sig_pending;
}

static uint64_t deliverable(const struct thread *t)
{
	return signal_pending_set(t) & ~(t->sig_blocked & ~UNBLOCKABLE);
}

bool signal_deliver_pending(const struct thread *t)
{
	return t->proc->stopped || deliverable(t);
}

bool signal_fatal_pending(const struct thread *t)
{
	uint64_t ready = deliverable(t);
	for (int sig = 1; ready; sig++, ready >>= 1)
		if ((ready & 1) && default_kills(t->proc, sig))
			return true;
	return false;
}

int signal_interrupting(const struct thread *t)
{
	uint64_t ready = deliverable(t);
	for (int sig = 1; ready; sig++, ready >>= 1)
		if ((ready & 1) && handled(t->proc, sig))
			return sig;
	return 0;
}

bool signal_restarts(const struct thread *t, int sig)
{
	return action(t->proc, sig)->flags & SA_RESTART;
}

bool signal_ignored_or_blocked(const struct thread *t, int sig)
{
	return (t->sig_blocked & BIT(sig)) || action(t->proc, sig)->handler == SIG_IGN;
}

/* Takes sig off t's pending sets: its packed siginfo. */
static uint64_t take(struct thread *t, int sig)
{
	if (t->sig_pending & BIT(sig)) {
		t->sig_pending &= ~BIT(sig);
		return t->sig_info[sig - 1];
	}
	t->proc->sig_pending &= ~BIT(sig);
	return t->proc->sig_info[sig - 1];
}

static void fill_info(struct linux_siginfo *si, const struct thread *t, int sig, uint64_t info)
{
	kmemset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = (int)(int16_t)(info >> 48);
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) {
		si->u.addr = t->sig_addr;
	} else {
		si->u.proc.pid = (int)(uint32_t)info;
		si->u.proc.status = (int)(uint16_t)(info >> 32);
	}
}

/* sig, with its packed info, reaches t and does what fate says there: its event, and its
 * trace line. */
static void reaches(struct thread *t, int sig, uint64_t info, enum core_signal_fate fate)
{
	EVENT(.kind = CORE_EVENT_SIGNAL, .t = t, .signal = {sig, signal_name(sig), fate});
	if (!(kernel_cfg.trace & TRACE_SYSCALL))
		return;
	struct linux_siginfo si;
	fill_info(&si, t, sig, info);
	trace_signal(t, &si, fate == CORE_SIGNAL_KILLS   ? TRACE_SIG_KILLS
			     : fate == CORE_SIGNAL_STOPS ? TRACE_SIG_STOPS
							 : TRACE_SIG_TAKEN);
}

int signal_dequeue(struct thread *t, uint64_t set, struct linux_siginfo *info)
{
	uint64_t ready = signal_pending_set(t) & set & ~UNBLOCKABLE;
	if (!ready)
		return 0;
	int sig = __builtin_ctzll(ready) + 1;
	fill_info(info, t, sig, take(t, sig));
	return sig;
}

/* Is rsp on t's alternate signal stack? */
static bool on_altstack(const struct thread *t, uint64_t rsp)
{
	return t->altstack_size && rsp - t->altstack_sp < t->altstack_size;
}

/* Builds the frame for a handler of sig on t's stack; false if the stack is unusable. */
static bool push_frame(struct thread *t, int sig, const struct linux_sigaction *act, uint64_t info)
{
	struct regs *r = &t->ctx.regs;
	plat_uctx_save(&t->ctx);
	uint64_t sp = r->rsp - RED_ZONE;
	if ((act->flags & SA_ONSTACK) && t->altstack_size && !t->altstack_disabled &&
	    !on_altstack(t, r->rsp))
		sp = t->altstack_sp + t->altstack_size;
	uint64_t fp_at = (sp - sizeof(t->ctx.fpu)) & ~63ull;
	uint64_t frame_at = ((fp_at - sizeof(struct rt_sigframe)) & ~15ull) - 8;
	struct rt_sigframe f;
	kmemset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	uint64_t mask = t->mask_saved ? t->saved_mask : t->sig_blocked;
	f.uc.uc_sigmask = mask;
	f.uc.ss_sp = t->altstack_sp;
	f.uc.ss_size = t->altstack_size;
	f.uc.ss_flags = !t->altstack_size || t->altstack_disabled ? SS_DISABLE
			: on_altstack(t, r->rsp) ? SS_ONSTACK : 0;
	struct linux_sigcontext *c = &f.uc.uc_mcontext;
	*c = (struct linux_sigcontext){
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rdi, r->rsi, r->rbp,
		r->rbx, r->rdx, r->rax, r->rcx, r->rsp, r->rip, r->rflags, 0x33, 0, 0, 0x2b,
		0, 0, mask, 0, fp_at, {0}};
	fill_info(&f.info, t, sig, info);
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP)
		c->cr2 = t->sig_addr;
	if (copy_out(t->proc->mm, fp_at, t->ctx.fpu, sizeof(t->ctx.fpu)) ||
	    copy_out(t->proc->mm, frame_at, &f, sizeof(f)))
		return false;
	r->rsp = frame_at;
	r->rip = act->handler;
	r->rdi = (uint64_t)sig;
	r->rsi = frame_at + __builtin_offsetof(struct rt_sigframe, info);
	r->rdx = frame_at + __builtin_offsetof(struct rt_sigframe, uc);
	r->rax = 0;
	r->rflags &= ~0x500ull; /* TF and DF clear in the handler, as the ABI wants */
	return true;
}

static void handle(struct thread *t, int sig, uint64_t info)
{
	struct linux_sigaction *act = &t->proc->sig_action[sig - 1];
	if (!push_frame(t, sig, act, info)) {
		kprintf(2, "%s: pid %d (%s): no stack for the %s handler\n", plat_name, t->proc->pid,
			t->proc->name, signal_name(sig));
		proc_exit(t->proc, SIGSEGV);
		return;
	}
	uint64_t base = t->mask_saved ? t->saved_mask : t->sig_blocked;
	t->mask_saved = false;
	t->sig_blocked = base | ((act->mask | (act->flags & SA_NODEFER ? 0 : BIT(sig))) & ~UNBLOCKABLE);
	if (act->flags & SA_RESETHAND)
		*act = (struct linux_sigaction){SIG_DFL, 0, 0, 0};
}

void signal_deliver(struct thread *t)
{
	struct proc *p = t->proc;
	while (t->state == THREAD_RUNNABLE) {
		if (p->stopped) {
			sched_remove(t);
			t->state = THREAD_STOPPED;
			return;
		}
		uint64_t ready = deliverable(t);
		if (!ready)
			return;
		int sig = ready & BIT(SIGKILL) ? SIGKILL : __builtin_ctzll(ready) + 1;
		uint64_t info = take(t, sig);
		uint64_t h = action(p, sig)->handler;
		if (sig == SIGKILL || h == SIG_DFL) {
			if (BIT(sig) & IGNORED_BY_DEFAULT) {
				reaches(t, sig, info, CORE_SIGNAL_IGNORED);
				continue;
			}
			if (BIT(sig) & STOP_SIGNALS) {
				reaches(t, sig, info, CORE_SIGNAL_STOPS);
				group_stop(p, sig);
				continue;
			}
			reaches(t, sig, info, CORE_SIGNAL_KILLS);
			trace_sched("kill pid %d by %s", p->pid, signal_name(sig));
			proc_exit(p, sig);
			return;
		}
		reaches(t, sig, info, h == SIG_IGN ? CORE_SIGNAL_IGNORED : CORE_SIGNAL_HANDLED);
		if (h == SIG_IGN)
			continue;
		handle(t, sig, info);
		return; /* one handler at a time: the next one after it returns */
	}
}

void signal_fault(struct thread *t, int sig, int code, uint64_t addr)
{
	if (kernel_cfg.on_fault && !(sig = kernel_cfg.on_fault(t, sig, addr)))
		return; /* a debugger took the fault away */
	if (handled(t->proc, sig) && !(t->sig_blocked & BIT(sig))) {
		t->sig_pending |= BIT(sig);
		t->sig_info[sig - 1] = pack_info(code, 0, 0);
		t->sig_addr = addr;
		return;
	}
	proc_kill_fault(t, sig, code, addr);
}

uint64_t signal_next_alarm(void)
{
	return alarms ? alarms->alarm_at : UINT64_MAX;
}

static void alarm_insert(struct proc *p)
{
	struct proc **link = &alarms;
	while (*link && (*link)->alarm_at <= p->alarm_at)
		link = &(*link)->alarm_next;
	p->alarm_next = *link;
	*link = p;
}

void signal_fire_alarms(uint64_t now)
{
	while (alarms && alarms->alarm_at <= now) {
		struct proc *p = alarms;
		alarms = p->alarm_next;
		p->alarm_next = NULL;
		p->alarm_at = p->alarm_interval ? now + p->alarm_interval : 0;
		if (p->alarm_at)
			alarm_insert(p);
		signal_send_proc(p, SIGALRM, SI_KERNEL, 0, 0);
	}
}

void signal_set_alarm(struct proc *p, uint64_t at, uint64_t interval, uint64_t *old_at,
		      uint64_t *old_interval)
{
	*old_at = p->alarm_at;
	*old_interval = p->alarm_interval;
	alarm_unlink(p);
	p->alarm_at = at;
	p->alarm_interval = at ? interval : 0;
	if (at)
		alarm_insert(p);
}

void signal_reset(void)
{
	alarms = NULL;
}

/* May from send sig to q? PID 1 only gets the signals it has handlers for from others, as on
 * Linux; its own (abort's SIGABRT) reach it, so that a program run alone as PID 1 ends as it
 * would natively. */
bool signal_may_send(const struct proc *q, int sig, const struct proc *from)
{
	if (q->pid != 1 || sig == 0 || q == from)
		return true;
	return handled(q, sig);
}

const struct linux_sigaction *signal_action(const struct proc *p, int sig)
{
	return action(p, sig);
}

void signal_set_action(struct proc *p, int sig, const struct linux_sigaction *act)
{
	p->sig_action[sig - 1] = *act;
	p->sig_action[sig - 1].mask &= ~UNBLOCKABLE;
	if (discarded(p, sig)) {
		p->sig_pending &= ~BIT(sig);
		for (struct thread *q = p->threads; q; q = q->sibling)
			q->sig_pending &= ~BIT(sig);
	}
}

uint64_t signal_blockable(uint64_t set)
{
	return set & ~UNBLOCKABLE;
}

bool signal_on_altstack(const struct thread *t, uint64_t rsp)
{
	return on_altstack(t, rsp);
}

/* rt_sigreturn: t's registers, FPU state and mask from the frame a handler returned through. */
void signal_return(struct thread *t)
{
	struct regs *r = &t->ctx.regs;
	struct rt_sigframe f;
	uint8_t fpu[sizeof(t->ctx.fpu)];
	uint64_t frame_at = r->rsp - 8; /* the handler's ret popped pretcode */
	if (copy_in(t->proc->mm, &f, frame_at, sizeof(f))) {
		signal_fault(t, SIGSEGV, SI_KERNEL, 0);
		return;
	}
	const struct linux_sigcontext *c = &f.uc.uc_mcontext;
	if (c->fpstate) {
		uint32_t mxcsr;
		if (copy_in(t->proc->mm, fpu, c->fpstate, sizeof(fpu))) {
			signal_fault(t, SIGSEGV, SI_KERNEL, 0);
			return;
		}
		kmemcpy(&mxcsr, fpu + 24, sizeof(mxcsr));
		if (mxcsr & ~MXCSR_VALID) { /* the CPU would fault loading it */
			signal_fault(t, SIGSEGV, SI_KERNEL, 0);
			return;
		}
		kmemcpy(t->ctx.fpu, fpu, sizeof(fpu));
		plat_uctx_discard(&t->ctx);
	}
	*r = (struct regs){c->rax, c->rbx, c->rcx, c->rdx, c->rsi, c->rdi, c->rbp, c->rsp,
			   c->r8, c->r9, c->r10, c->r11, c->r12, c->r13, c->r14, c->r15,
			   c->rip, (r->rflags & ~USER_RFLAGS) | (c->eflags & USER_RFLAGS),
			   r->fs_base, r->gs_base};
	t->sig_blocked = f.uc.uc_sigmask & ~UNBLOCKABLE;
}

/*
 * Signals with Linux numbers, layouts and semantics: pending and blocked sets, actions set by
 * rt_sigaction, a rt_sigframe built on the user stack for a handler and read back by
 * rt_sigreturn, default actions, EINTR for interrupted blocking calls.
 */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

#define BIT(sig) (1ull << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define STOP_SIGNALS (BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))
#define IGNORED_BY_DEFAULT (BIT(SIGCHLD) | BIT(SIGCONT) | BIT(SIGURG) | BIT(SIGWINCH))
#define RED_ZONE 128
#define USER_RFLAGS 0xdd5ull /* CF PF AF ZF SF TF DF OF: what user code may set */

struct rt_sigframe {
	uint64_t pretcode;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_sigcontext) == 256, "Linux sigcontext layout");
_Static_assert(sizeof(struct linux_siginfo) == 128, "Linux siginfo layout");
_Static_assert(sizeof(struct rt_sigframe) == 440, "Linux rt_sigframe layout");

/* sig_info packs a pending signal's siginfo: pid in bits 0-31, status 32-47, code 48-55. */
static uint64_t pack_info(int code, int sender, int status)
{
	return (uint32_t)sender | (uint64_t)(uint16_t)status << 32 | (uint64_t)(uint8_t)code << 48;
}

int signal_init(struct proc *p)
{
	p->sig_action = kmalloc(PROC_NSIG * sizeof(struct linux_sigaction));
	return p->sig_action ? 0 : -ENOMEM;
}

void signal_fork(struct proc *child, const struct proc *parent)
{
	kmemcpy(child->sig_action, parent->sig_action, PROC_NSIG * sizeof(struct linux_sigaction));
	child->sig_blocked = parent->sig_blocked;
}

void signal_exec(struct proc *p)
{
	for (int i = 0; i < PROC_NSIG; i++)
		if (p->sig_action[i].handler != SIG_IGN)
			p->sig_action[i] = (struct linux_sigaction){SIG_DFL, 0, 0, 0};
}

void signal_free(struct proc *p)
{
	kfree(p->sig_action);
	p->sig_action = NULL;
}

static const struct linux_sigaction *action(const struct proc *p, int sig)
{
	return &p->sig_action[sig - 1];
}

/* Would sig, arriving now, be thrown away at once? */
static bool discarded(const struct proc *p, int sig)
{
	uint64_t h = action(p, sig)->handler;
	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	return h == SIG_IGN || (h == SIG_DFL && (BIT(sig) & IGNORED_BY_DEFAULT) && sig != SIGCONT);
}

/* Tells p's parent that p stopped or continued (code CLD_STOPPED or CLD_CONTINUED). */
static void notify_parent(struct proc *p, int code, int sig)
{
	struct proc *parent = p->parent;
	if (!parent || !parent->sig_action)
		return;
	if (!(action(parent, SIGCHLD)->flags & SA_NOCLDSTOP))
		signal_send(parent, SIGCHLD, code, p->pid, sig);
	proc_wake_waiter(parent);
}

void signal_send(struct proc *p, int sig, int code, int sender, int status)
{
	if (p->state == PROC_ZOMBIE || !p->sig_action)
		return;
	if (sig == SIGCONT || sig == SIGKILL) {
		p->sig_pending &= ~STOP_SIGNALS;
		if (p->state == PROC_STOPPED) {
			sched_make_runnable(p);
			p->stop_report = 0;
			p->cont_report = sig == SIGCONT;
			if (sig == SIGCONT)
				notify_parent(p, CLD_CONTINUED, SIGCONT);
		}
	}
	if (BIT(sig) & STOP_SIGNALS)
		p->sig_pending &= ~BIT(SIGCONT);
	if (discarded(p, sig))
		return;
	p->sig_pending |= BIT(sig);
	p->sig_info[sig - 1] = pack_info(code, sender, status);
	/* Wake a waiting process only for a signal that will act (a default-ignored SIGCONT
	 * has done its work above). */
	bool deliverable = !(BIT(sig) & p->sig_blocked & ~UNBLOCKABLE) &&
			   !(sig == SIGCONT && action(p, sig)->handler == SIG_DFL);
	if (deliverable && (p->state == PROC_BLOCKED || p->state == PROC_SLEEPING))
		sched_make_runnable(p);
}

/* A handler interrupts p's blocked syscall: restart it after the handler, or fail it. */
static void interrupt_syscall(struct proc *p, const struct linux_sigaction *act)
{
	struct regs *r = &p->ctx.regs;
	if (p->restart == RESTART_WAIT && (act->flags & SA_RESTART)) {
		p->restart = RESTART_NONE; /* rip still points at the syscall: it runs again */
		return;
	}
	if (p->restart == RESTART_SLEEP && p->sleep_rem_at) {
		uint64_t now = plat_clock_ns(), left = p->sleep_until > now ? p->sleep_until - now : 0;
		struct linux_timespec rem = {(long long)(left / 1000000000ull),
					     (long long)(left % 1000000000ull)};
		copy_out(&p->mm, p->sleep_rem_at, &rem, sizeof(rem));
	}
	if (p->restart == RESTART_IPC) {
		ipc_cancel(p, -EINTR);
		return;
	}
	if (p->restart == RESTART_WAIT)
		r->rip += 2; /* past the rewound syscall instruction */
	p->restart = RESTART_NONE;
	r->rax = (uint64_t)-EINTR;
}

/* Builds the frame for a handler of sig on p's stack; false if the stack is unusable. */
static bool push_frame(struct proc *p, int sig, const struct linux_sigaction *act)
{
	struct regs *r = &p->ctx.regs;
	plat_uctx_save(&p->ctx);
	uint64_t fp_at = ((r->rsp - RED_ZONE) - sizeof(p->ctx.fpu)) & ~63ull;
	uint64_t frame_at = ((fp_at - sizeof(struct rt_sigframe)) & ~15ull) - 8;
	struct rt_sigframe f;
	kmemset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	f.uc.uc_sigmask = p->sig_blocked;
	struct linux_sigcontext *c = &f.uc.uc_mcontext;
	*c = (struct linux_sigcontext){
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rdi, r->rsi, r->rbp,
		r->rbx, r->rdx, r->rax, r->rcx, r->rsp, r->rip, r->rflags, 0x33, 0, 0, 0x2b,
		0, 0, p->sig_blocked, 0, fp_at, {0}};
	uint64_t info = p->sig_info[sig - 1];
	f.info.si_signo = sig;
	f.info.si_code = (int)(int8_t)(info >> 48);
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) {
		f.info.u.addr = p->sig_addr;
		c->cr2 = p->sig_addr;
	} else {
		f.info.u.proc.pid = (int)(uint32_t)info;
		f.info.u.proc.status = (int)(uint16_t)(info >> 32);
	}
	if (copy_out(&p->mm, fp_at, p->ctx.fpu, sizeof(p->ctx.fpu)) ||
	    copy_out(&p->mm, frame_at, &f, sizeof(f)))
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

static void handle(struct proc *p, int sig)
{
	struct linux_sigaction *act = &p->sig_action[sig - 1];
	if (p->restart != RESTART_NONE)
		interrupt_syscall(p, act);
	if (!push_frame(p, sig, act)) {
		kprintf(2, "eclipse: pid %d (%s): no stack for the %s handler\n", p->pid, p->name,
			signal_name(sig));
		proc_exit(p, SIGSEGV);
		return;
	}
	p->sig_blocked |= (act->mask | (act->flags & SA_NODEFER ? 0 : BIT(sig))) & ~UNBLOCKABLE;
	if (act->flags & SA_RESETHAND)
		*act = (struct linux_sigaction){SIG_DFL, 0, 0, 0};
}

void signal_deliver(struct proc *p)
{
	while (p->state == PROC_RUNNABLE) {
		uint64_t ready = p->sig_pending & ~(p->sig_blocked & ~UNBLOCKABLE);
		if (!ready)
			return;
		int sig = __builtin_ctzll(ready) + 1;
		p->sig_pending &= ~BIT(sig);
		uint64_t h = action(p, sig)->handler;
		if (sig == SIGKILL || h == SIG_DFL) {
			if (BIT(sig) & IGNORED_BY_DEFAULT)
				continue;
			if (BIT(sig) & STOP_SIGNALS) {
				sched_remove(p);
				p->state = PROC_STOPPED;
				p->stop_report = sig;
				p->cont_report = false;
				trace_sched("stop pid %d by %s", p->pid, signal_name(sig));
				notify_parent(p, CLD_STOPPED, sig);
				return;
			}
			trace_sched("kill pid %d by %s", p->pid, signal_name(sig));
			proc_exit(p, sig);
			return;
		}
		if (h == SIG_IGN)
			continue;
		handle(p, sig);
		return; /* one handler at a time: the next one after it returns */
	}
}

void signal_fault(struct proc *p, int sig, uint64_t addr)
{
	if (kernel_cfg.on_fault && !(sig = kernel_cfg.on_fault(p, sig, addr)))
		return; /* a debugger took the fault away */
	uint64_t h = action(p, sig)->handler;
	if (h != SIG_DFL && h != SIG_IGN && !(p->sig_blocked & BIT(sig))) {
		p->sig_pending |= BIT(sig);
		p->sig_info[sig - 1] = pack_info(SI_KERNEL, 0, 0);
		p->sig_addr = addr;
		return;
	}
	proc_kill_fault(p, sig, addr);
}

/* May p send sig to q? PID 1 only gets the signals it has handlers for. */
static bool deliverable_to(const struct proc *q, int sig)
{
	if (q->pid != 1 || sig == 0)
		return true;
	uint64_t h = q->sig_action[sig - 1].handler;
	return sig != SIGKILL && sig != SIGSTOP && h != SIG_DFL && h != SIG_IGN;
}

long sys_kill(struct proc *p, const uint64_t *a)
{
	int pid = (int)a[0], sig = (int)a[1];
	if (sig < 0 || sig > PROC_NSIG)
		return -EINVAL;
	if (pid == INT32_MIN) /* -pid is no process group */
		return -ESRCH;
	bool found = false;
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));) {
		if (q->state == PROC_ZOMBIE)
			continue;
		bool match = pid > 0 ? q->pid == pid
			   : pid == 0 ? q->pgid == p->pgid
			   : pid == -1 ? q->pid != 1 && q != p
				       : q->pgid == -pid;
		if (!match)
			continue;
		found = true;
		if (sig && deliverable_to(q, sig))
			signal_send(q, sig, SI_USER, p->pid, 0);
	}
	return found ? 0 : -ESRCH;
}

long sys_rt_sigaction(struct proc *p, const uint64_t *a)
{
	int sig = (int)a[0];
	uint64_t act_at = a[1], old_at = a[2];
	if (a[3] != sizeof(uint64_t) || sig < 1 || sig > PROC_NSIG ||
	    (act_at && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	struct linux_sigaction act;
	if (act_at && copy_in(&p->mm, &act, act_at, sizeof(act)))
		return -EFAULT;
	if (old_at && copy_out(&p->mm, old_at, action(p, sig), sizeof(act)))
		return -EFAULT;
	if (act_at) {
		act.mask &= ~UNBLOCKABLE;
		p->sig_action[sig - 1] = act;
		if (discarded(p, sig))
			p->sig_pending &= ~BIT(sig);
	}
	return 0;
}

long sys_rt_sigprocmask(struct proc *p, const uint64_t *a)
{
	uint64_t how = a[0], set_at = a[1], old_at = a[2], set;
	if (a[3] != sizeof(uint64_t))
		return -EINVAL;
	if (set_at && copy_in(&p->mm, &set, set_at, sizeof(set)))
		return -EFAULT;
	if (old_at && copy_out(&p->mm, old_at, &p->sig_blocked, sizeof(p->sig_blocked)))
		return -EFAULT;
	if (!set_at)
		return 0;
	if (how == SIG_BLOCK)
		p->sig_blocked |= set;
	else if (how == SIG_UNBLOCK)
		p->sig_blocked &= ~set;
	else if (how == SIG_SETMASK)
		p->sig_blocked = set;
	else
		return -EINVAL;
	p->sig_blocked &= ~UNBLOCKABLE;
	return 0;
}

long sys_rt_sigreturn(struct proc *p, const uint64_t *a)
{
	(void)a;
	struct regs *r = &p->ctx.regs;
	struct rt_sigframe f;
	uint8_t fpu[sizeof(p->ctx.fpu)];
	uint64_t frame_at = r->rsp - 8; /* the handler's ret popped pretcode */
	if (copy_in(&p->mm, &f, frame_at, sizeof(f))) {
		signal_fault(p, SIGSEGV, frame_at);
		return 0;
	}
	const struct linux_sigcontext *c = &f.uc.uc_mcontext;
	if (c->fpstate && copy_in(&p->mm, fpu, c->fpstate, sizeof(fpu)) == 0) {
		kmemcpy(p->ctx.fpu, fpu, sizeof(fpu));
		plat_uctx_discard(&p->ctx);
	}
	*r = (struct regs){c->rax, c->rbx, c->rcx, c->rdx, c->rsi, c->rdi, c->rbp, c->rsp,
			   c->r8, c->r9, c->r10, c->r11, c->r12, c->r13, c->r14, c->r15,
			   c->rip, (r->rflags & ~USER_RFLAGS) | (c->eflags & USER_RFLAGS),
			   r->fs_base, r->gs_base};
	p->sig_blocked = f.uc.uc_sigmask & ~UNBLOCKABLE;
	return 0; /* SC_SETREGS: rax is the restored one */
}

/*
 * The signal calls: sending (kill, tkill, tgkill), actions and masks, waiting for a signal
 * (rt_sigsuspend, pause, rt_sigtimedwait), the alternate stack, and the process timers (alarm,
 * setitimer, getitimer). What they act on, pending sets, delivery and the frame, is signal.c.
 */
#include <kernel/kernel.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <uapi/linux.h>

long sys_kill(struct thread *t, const uint64_t *a)
{
	int pid = (int)a[0], sig = (int)a[1];
	if (sig < 0 || sig > PROC_NSIG)
		return -EINVAL;
	if (pid == INT32_MIN) /* -pid is no process group */
		return -ESRCH;
	struct proc *p = t->proc;
	bool found = false;
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));) {
		bool match = pid > 0 ? q->pid == pid
			   : pid == 0 ? q->pgid == p->pgid
			   : pid == -1 ? q->pid != 1 && q != p
				       : q->pgid == -pid;
		if (!match || (q->state == PROC_ZOMBIE && pid <= 0))
			continue;
		found = true;
		if (sig && q->state == PROC_ALIVE && signal_may_send(q, sig, p))
			signal_send_proc(q, sig, SI_USER, p->pid, 0);
	}
	return found ? 0 : -ESRCH;
}

static long thread_kill(struct thread *t, int tgid, int tid, int sig)
{
	if (sig < 0 || sig > PROC_NSIG || tid <= 0 || tgid == 0 || tgid < -1)
		return -EINVAL;
	struct thread *q = thread_find(tid);
	if (!q || (tgid > 0 && q->proc->pid != tgid))
		return -ESRCH;
	if (sig && signal_may_send(q->proc, sig, t->proc))
		signal_send_thread(q, sig, SI_TKILL, t->proc->pid, 0);
	return 0;
}

long sys_tkill(struct thread *t, const uint64_t *a)
{
	return thread_kill(t, -1, (int)a[0], (int)a[1]);
}

long sys_tgkill(struct thread *t, const uint64_t *a)
{
	return thread_kill(t, (int)a[0], (int)a[1], (int)a[2]);
}

long sys_rt_sigaction(struct thread *t, const uint64_t *a)
{
	struct proc *p = t->proc;
	int sig = (int)a[0];
	uint64_t act_at = a[1], old_at = a[2];
	/* Linux's order: the size, reading the new action, the signal; the new action is set
	 * even when the old one cannot be written back (EFAULT). */
	if (a[3] != sizeof(uint64_t))
		return -EINVAL;
	struct linux_sigaction act, old;
	if (act_at && copy_in(p->mm, &act, act_at, sizeof(act)))
		return -EFAULT;
	if (sig < 1 || sig > PROC_NSIG || (act_at && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	old = *signal_action(p, sig);
	if (act_at)
		signal_set_action(p, sig, &act);
	if (old_at && copy_out(p->mm, old_at, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(struct thread *t, const uint64_t *a)
{
	uint64_t how = a[0], set_at = a[1], old_at = a[2], set, old = t->sig_blocked;
	/* Linux's order: the size, reading the set, how; the mask changes even when the old one
	 * cannot be written back (EFAULT). */
	if (a[3] != sizeof(uint64_t))
		return -EINVAL;
	if (set_at && copy_in(t->proc->mm, &set, set_at, sizeof(set)))
		return -EFAULT;
	if (set_at && how > SIG_SETMASK)
		return -EINVAL;
	if (set_at) {
		if (how == SIG_BLOCK)
			t->sig_blocked |= set;
		else if (how == SIG_UNBLOCK)
			t->sig_blocked &= ~set;
		else
			t->sig_blocked = set;
		t->sig_blocked = signal_blockable(t->sig_blocked);
	}
	if (old_at && copy_out(t->proc->mm, old_at, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigreturn(struct thread *t, const uint64_t *a)
{
	(void)a;
	signal_return(t);
	return 0; /* SC_SETREGS: rax is the restored one */
}

long sys_rt_sigpending(struct thread *t, const uint64_t *a)
{
	if (a[1] > sizeof(uint64_t))
		return -EINVAL;
	uint64_t set = signal_pending_set(t) & t->sig_blocked;
	return copy_out(t->proc->mm, a[0], &set, (size_t)a[1]);
}

long sys_rt_sigsuspend(struct thread *t, const uint64_t *a)
{
	uint64_t mask;
	if (a[1] != sizeof(uint64_t))
		return -EINVAL;
	if (!wait_rerunning(t)) {
		if (copy_in(t->proc->mm, &mask, a[0], sizeof(mask)))
			return -EFAULT;
		t->saved_mask = t->sig_blocked;
		t->mask_saved = true;
		t->sig_blocked = signal_blockable(mask);
	}
	/* Only a handler ends it: the frame then keeps the mask from before. */
	return wait_block(t, WAIT_SIGNAL, WAIT_KEY(t), UINT64_MAX, WAIT_RERUN | WAIT_INTR);
}

long sys_pause(struct thread *t, const uint64_t *a)
{
	(void)a;
	return wait_block(t, WAIT_SIGNAL, WAIT_KEY(t), UINT64_MAX, WAIT_RERUN | WAIT_INTR);
}

long sys_rt_sigtimedwait(struct thread *t, const uint64_t *a)
{
	uint64_t set, info_at = a[1], ts_at = a[2];
	if (a[3] != sizeof(uint64_t))
		return -EINVAL;
	if (copy_in(t->proc->mm, &set, a[0], sizeof(set)))
		return -EFAULT;
	/* The timeout is read and checked before a signal is taken (Linux): a bad one fails the
	 * call and leaves the signal pending. */
	uint64_t rel = UINT64_MAX;
	if (ts_at) {
		struct linux_timespec ts;
		if (copy_in(t->proc->mm, &ts, ts_at, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000ll)
			return -EINVAL;
		rel = (uint64_t)ts.tv_sec > UINT64_MAX / 1000000000ull - 1
			      ? UINT64_MAX - 1
			      : (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	struct linux_siginfo info;
	int sig = signal_dequeue(t, set, &info);
	if (sig) {
		if (info_at && copy_out(t->proc->mm, info_at, &info, sizeof(info)))
			return -EFAULT;
		return sig;
	}
	uint64_t deadline = wait_deadline(t, rel);
	if (ts_at && plat_clock_ns() >= deadline)
		return -EAGAIN;
	long r = wait_block(t, WAIT_SIGNAL, WAIT_KEY(t), deadline, WAIT_RERUN | WAIT_INTR);
	t->wait.sigset = set;
	return r;
}

long sys_sigaltstack(struct thread *t, const uint64_t *a)
{
	struct mm *mm = t->proc->mm;
	uint64_t rsp = t->ctx.regs.rsp;
	/* Linux's order: the new stack is read and checked (and set) first; the old one is
	 * written back only when that succeeded. */
	struct linux_stack old = {t->altstack_sp, 0, 0, t->altstack_size};
	old.ss_flags = !t->altstack_size || t->altstack_disabled ? SS_DISABLE
		       : signal_on_altstack(t, rsp) ? SS_ONSTACK : 0;
	if (a[0]) {
		struct linux_stack ss;
		if (copy_in(mm, &ss, a[0], sizeof(ss)))
			return -EFAULT;
		if (signal_on_altstack(t, rsp) && !t->altstack_disabled)
			return -EPERM;
		unsigned flags = (unsigned)ss.ss_flags & ~SS_AUTODISARM;
		if (flags != 0 && flags != SS_DISABLE && flags != SS_ONSTACK)
			return -EINVAL;
		if (flags == SS_DISABLE) {
			t->altstack_disabled = true;
			t->altstack_sp = t->altstack_size = 0;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack_sp = ss.ss_sp;
			t->altstack_size = ss.ss_size;
			t->altstack_disabled = false;
		}
	}
	if (a[1] && copy_out(mm, a[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

#define NS_PER_US 1000ull

static uint64_t tv_ns(const struct linux_timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * NS_PER_US;
}

static struct linux_timeval ns_tv(uint64_t ns)
{
	return (struct linux_timeval){(long long)(ns / 1000000000ull),
				      (long long)(ns % 1000000000ull / NS_PER_US)};
}

long sys_alarm(struct thread *t, const uint64_t *a)
{
	uint64_t now = plat_clock_ns(), old_at, old_iv;
	unsigned secs = (unsigned)a[0];
	signal_set_alarm(t->proc, secs ? now + secs * 1000000000ull : 0, 0, &old_at, &old_iv);
	if (!old_at)
		return 0;
	uint64_t left = old_at > now ? old_at - now : 0;
	return (long)((left + 999999999ull) / 1000000000ull) ?: 1;
}

long sys_setitimer(struct thread *t, const uint64_t *a)
{
	if (a[0] != 0) /* ITIMER_REAL only: virtual time is all there is */
		return -EINVAL;
	struct linux_itimerval v, old;
	if (a[1] && copy_in(t->proc->mm, &v, a[1], sizeof(v)))
		return -EFAULT;
	if (a[1] && (v.it_value.tv_sec < 0 || v.it_value.tv_usec < 0 || v.it_value.tv_usec >= 1000000 ||
		     v.it_interval.tv_sec < 0 || v.it_interval.tv_usec < 0 ||
		     v.it_interval.tv_usec >= 1000000))
		return -EINVAL;
	uint64_t now = plat_clock_ns(), old_at, old_iv;
	if (!a[1]) {
		old_at = t->proc->alarm_at;
		old_iv = t->proc->alarm_interval;
	} else {
		uint64_t val = tv_ns(&v.it_value);
		signal_set_alarm(t->proc, val ? now + val : 0, tv_ns(&v.it_interval), &old_at, &old_iv);
	}
	old.it_value = ns_tv(old_at > now ? old_at - now : 0);
	old.it_interval = ns_tv(old_iv);
	if (a[2] && copy_out(t->proc->mm, a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_getitimer(struct thread *t, const uint64_t *a)
{
	if (a[0] > 2)
		return -EINVAL;
	uint64_t now = plat_clock_ns();
	struct linux_itimerval v = {{0, 0}, {0, 0}};
	if (a[0] == 0) {
		v.it_value = ns_tv(t->proc->alarm_at > now ? t->proc->alarm_at - now : 0);
		v.it_interval = ns_tv(t->proc->alarm_interval);
	}
	return copy_out(t->proc->mm, a[1], &v, sizeof(v));
}

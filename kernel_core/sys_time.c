/* Time syscalls: clocks, sleeps, process times. */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <uapi/linux.h>

#define NS_PER_S 1000000000ull
#define HZ 100
#define TIMER_ABSTIME 1

/* The clock's time in ns: 0 or -EINVAL for a clock we do not have. */
static long clock_now(uint64_t clk, uint64_t *ns)
{
	uint64_t now = plat_clock_ns();
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = now + plat_boot_epoch_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = now;
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL(clock_gettime)
{
	uint64_t now;
	long err = clock_now(a[0], &now);
	if (err)
		return err;
	struct linux_timespec ts = {(long long)(now / NS_PER_S), (long long)(now % NS_PER_S)};
	return copy_out(t->proc->mm, a[1], &ts, sizeof(ts));
}

SYSCALL(clock_getres)
{
	uint64_t now;
	long err = clock_now(a[0], &now);
	if (err)
		return err;
	struct linux_timespec ts = {0, 1};
	return a[1] ? copy_out(t->proc->mm, a[1], &ts, sizeof(ts)) : 0;
}

SYSCALL(clock_settime)
{
	(void)t, (void)a;
	return -EPERM; /* the machine's clock is not the guests' to set */
}

/*
 * A sleep until deadline (monotonic ns): done when it passes; a handled signal ends it early
 * with EINTR, writing the time left to rem_at when the sleep was relative.
 */
static long sleep_until(struct thread *t, uint64_t deadline, uint64_t rem_at)
{
	uint64_t now = plat_clock_ns();
	if (now >= deadline)
		return 0;
	if (wait_rerunning(t) && signal_interrupting(t)) {
		uint64_t left = deadline - now;
		struct linux_timespec rem = {(long long)(left / NS_PER_S), (long long)(left % NS_PER_S)};
		if (rem_at && copy_out(t->proc->mm, rem_at, &rem, sizeof(rem)))
			return -EFAULT;
		return -EINTR;
	}
	return wait_block(t, WAIT_SLEEP, WAIT_KEY(t), deadline, WAIT_RERUN | WAIT_INTR);
}

/* A relative or absolute request as a monotonic deadline. */
static long deadline_of(struct thread *t, uint64_t req_at, bool absolute, uint64_t clk,
			uint64_t *deadline)
{
	struct linux_timespec req;
	if (copy_in(t->proc->mm, &req, req_at, sizeof(req)))
		return -EFAULT;
	if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= (long long)NS_PER_S)
		return -EINVAL;
	uint64_t span = (uint64_t)req.tv_sec, nsec = (uint64_t)req.tv_nsec;
	span = span > (UINT64_MAX - 1 - nsec) / NS_PER_S ? UINT64_MAX - 1 : span * NS_PER_S + nsec;
	if (!absolute) {
		*deadline = wait_deadline(t, span);
		return 0;
	}
	uint64_t epoch = clk == CLOCK_REALTIME ? plat_boot_epoch_ns() : 0;
	*deadline = span > epoch ? span - epoch : 0;
	return 0;
}

SYSCALL(nanosleep)
{
	uint64_t deadline;
	long err = deadline_of(t, a[0], false, CLOCK_MONOTONIC, &deadline);
	return err ? err : sleep_until(t, deadline, a[1]);
}

SYSCALL(clock_nanosleep)
{
	uint64_t clk = a[0], now;
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (clock_now(clk, &now))
		return -EINVAL;
	if (a[1] & ~(uint64_t)TIMER_ABSTIME)
		return -EINVAL;
	bool absolute = a[1] & TIMER_ABSTIME;
	uint64_t deadline;
	long err = deadline_of(t, a[2], absolute, clk, &deadline);
	return err ? err : sleep_until(t, deadline, absolute ? 0 : a[3]);
}

SYSCALL(gettimeofday)
{
	uint64_t now = plat_clock_ns() + plat_boot_epoch_ns();
	struct linux_timeval tv = {(long long)(now / NS_PER_S), (long long)(now % NS_PER_S / 1000)};
	struct linux_timezone tz = {0, 0};
	if ((a[0] && copy_out(t->proc->mm, a[0], &tv, sizeof(tv))) ||
	    (a[1] && copy_out(t->proc->mm, a[1], &tz, sizeof(tz))))
		return -EFAULT;
	return 0;
}

SYSCALL(time)
{
	long long secs = (long long)((plat_clock_ns() + plat_boot_epoch_ns()) / NS_PER_S);
	if (a[0] && copy_out(t->proc->mm, a[0], &secs, sizeof(secs)))
		return -EFAULT;
	return secs;
}

static long long ticks(uint64_t ns)
{
	return (long long)(ns / (NS_PER_S / HZ));
}

SYSCALL(times)
{
	struct proc *p = t->proc;
	struct linux_tms tms = {ticks(p->cpu_ns), 0, ticks(p->children_cpu_ns), 0};
	if (a[0] && copy_out(p->mm, a[0], &tms, sizeof(tms)))
		return -EFAULT;
	return ticks(plat_clock_ns());
}

SYSCALL(getrusage)
{
	struct proc *p = t->proc;
	int who = (int)a[0];
	uint64_t ns;
	if (who == RUSAGE_SELF || who == RUSAGE_THREAD)
		ns = p->cpu_ns;
	else if (who == RUSAGE_CHILDREN)
		ns = p->children_cpu_ns;
	else
		return -EINVAL;
	struct linux_rusage ru;
	kmemset(&ru, 0, sizeof(ru));
	ru.ru_utime = (struct linux_timeval){(long long)(ns / NS_PER_S), (long long)(ns % NS_PER_S / 1000)};
	return copy_out(p->mm, a[1], &ru, sizeof(ru));
}

/* Time syscalls and uname. */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

#define NS_PER_S 1000000000ull

long sys_clock_gettime(struct proc *p, const uint64_t *a)
{
	uint64_t now = plat_clock_ns();
	switch (a[0]) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		now += plat_boot_epoch_ns();
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		break;
	default:
		return -EINVAL;
	}
	struct linux_timespec ts = {(long long)(now / NS_PER_S), (long long)(now % NS_PER_S)};
	return copy_out(&p->mm, a[1], &ts, sizeof(ts));
}

long sys_nanosleep(struct proc *p, const uint64_t *a)
{
	struct linux_timespec req;
	if (copy_in(&p->mm, &req, a[0], sizeof(req)))
		return -EFAULT;
	if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= (long long)NS_PER_S)
		return -EINVAL;
	uint64_t now = plat_clock_ns(), span = (uint64_t)req.tv_sec;
	uint64_t nsec = (uint64_t)req.tv_nsec;
	span = span > (UINT64_MAX - nsec) / NS_PER_S ? UINT64_MAX : span * NS_PER_S + nsec;
	/* The result is 0 unless a handled signal cuts the sleep short (signal.c). */
	p->sleep_until = span > UINT64_MAX - now ? UINT64_MAX : now + span;
	p->sleep_rem_at = a[1];
	p->restart = RESTART_SLEEP;
	sched_sleep_until(p, p->sleep_until);
	return 0;
}

long sys_uname(struct proc *p, const uint64_t *a)
{
	static const struct linux_utsname u = {
		.sysname = "Eclipse",
		.nodename = "eclipse",
		.release = ECLIPSE_VERSION,
		.version = "#1 Eclipse OS",
		.machine = "x86_64",
		.domainname = "(none)",
	};
	return copy_out(&p->mm, a[0], &u, sizeof(u));
}

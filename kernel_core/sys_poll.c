/*
 * poll, ppoll, select and pselect6: ask every file how it stands; when none is ready, wait
 * until any object changes (every wake-up reaches pollers), the timeout, or a handled signal.
 */
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define BATCH 64
#define NS 1000000000ull

static unsigned readiness(struct file *f)
{
	return f->ops && f->ops->poll ? f->ops->poll(f) : POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/* How a poll-like call ends when no file is ready: a handled signal ends it with EINTR (after
 * restoring a temporary mask's effect through the frame), the deadline with 0. */
static long wait_or_end(struct thread *t, uint64_t deadline)
{
	if (wait_rerunning(t) && signal_interrupting(t))
		return -EINTR;
	if (deadline != UINT64_MAX && plat_clock_ns() >= deadline)
		return 0;
	return wait_block(t, WAIT_POLL, 0, deadline, WAIT_RERUN | WAIT_INTR);
}

/* One pass over the pollfd array: how many are ready; revents written back when any is (or
 * write_all). */
static long poll_pass(struct thread *t, uint64_t fds_at, unsigned nfds, bool write_all)
{
	struct linux_pollfd batch[BATCH];
	long ready = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < nfds; i += BATCH) {
			unsigned n = MIN(nfds - i, BATCH);
			uint64_t at = fds_at + (uint64_t)i * sizeof(batch[0]);
			if (copy_in(t->proc->mm, batch, at, n * sizeof(batch[0])))
				return -EFAULT;
			for (unsigned j = 0; j < n; j++) {
				struct linux_pollfd *p = &batch[j];
				p->revents = 0;
				if (p->fd < 0)
					continue;
				struct file *f = fd_get(t->proc->fds, p->fd);
				unsigned got = f ? readiness(f) : POLLNVAL;
				p->revents = (short)(got & ((unsigned short)p->events | POLLERR | POLLHUP | POLLNVAL));
				if (p->revents && pass == 0)
					ready++;
			}
			if (pass == 1 && copy_out(t->proc->mm, at, batch, n * sizeof(batch[0])))
				return -EFAULT;
		}
		if (!ready && !write_all)
			return 0;
	}
	return ready;
}

static long do_poll(struct thread *t, uint64_t fds_at, uint64_t nfds, uint64_t rel_ns)
{
	if (nfds > t->proc->rlim[RLIMIT_NOFILE].cur || nfds > FD_LIMIT_MAX)
		return -EINVAL;
	if (!user_range_ok(fds_at, nfds * sizeof(struct linux_pollfd)))
		return -EFAULT;
	long ready = poll_pass(t, fds_at, (unsigned)nfds, false);
	if (ready)
		return ready;
	uint64_t deadline = wait_deadline(t, rel_ns);
	long r = wait_or_end(t, deadline);
	if (r != -EBLOCKED) {
		long w = poll_pass(t, fds_at, (unsigned)nfds, true); /* revents all 0 */
		return w < 0 ? w : r;
	}
	return r;
}

SYSCALL(poll)
{
	int ms = (int)a[2];
	uint64_t rel = ms < 0 ? UINT64_MAX : (uint64_t)ms * 1000000ull;
	return do_poll(t, a[0], (unsigned)a[1], rel) /* nfds is an unsigned int */;
}

/* A relative timespec as nanoseconds (UINT64_MAX for none): 0 or -errno. */
static long timespec_in(struct thread *t, uint64_t at, uint64_t *rel)
{
	*rel = UINT64_MAX;
	if (!at)
		return 0;
	struct linux_timespec ts;
	if (copy_in(t->proc->mm, &ts, at, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long long)NS)
		return -EINVAL;
	*rel = (uint64_t)ts.tv_sec > UINT64_MAX / NS - 1 ? UINT64_MAX - 1
							   : (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
	return 0;
}

/* ppoll's and pselect's mask holds while the call waits, as sigsuspend's does. */
static long temp_mask(struct thread *t, uint64_t mask_at, uint64_t size)
{
	if (!mask_at || wait_rerunning(t))
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	uint64_t mask;
	if (copy_in(t->proc->mm, &mask, mask_at, sizeof(mask)))
		return -EFAULT;
	t->saved_mask = t->sig_blocked;
	t->mask_saved = true;
	t->sig_blocked = mask & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	return 0;
}

SYSCALL(ppoll)
{
	uint64_t rel;
	long err = timespec_in(t, a[2], &rel);
	if (!err)
		err = temp_mask(t, a[3], a[4]);
	return err ? err : do_poll(t, a[0], (unsigned)a[1], rel) /* nfds is an unsigned int */;
}

/* select's three sets, nfds bits each, read from and written to user memory. */
struct fdsets {
	uint64_t at[3];
	uint64_t bits[3][FD_SETSIZE / 64];
};

static long select_pass(struct thread *t, int nfds, struct fdsets *s, bool write_back)
{
	uint64_t out[3][FD_SETSIZE / 64] = {{0}};
	long ready = 0;
	static const unsigned want[3] = {POLLIN | POLLRDNORM | POLLHUP | POLLERR,
					 POLLOUT | POLLWRNORM | POLLERR, POLLPRI};
	for (int fd = 0; fd < nfds; fd++) {
		bool asked = false;
		for (int k = 0; k < 3; k++)
			asked |= (s->bits[k][fd / 64] >> (fd % 64)) & 1;
		if (!asked)
			continue;
		struct file *f = fd_get(t->proc->fds, fd);
		if (!f)
			return -EBADF;
		unsigned got = readiness(f);
		for (int k = 0; k < 3; k++)
			if (((s->bits[k][fd / 64] >> (fd % 64)) & 1) && (got & want[k])) {
				out[k][fd / 64] |= 1ull << (fd % 64);
				ready++;
			}
	}
	if (!ready && !write_back)
		return 0;
	size_t bytes = (size_t)(nfds + 63) / 64 * 8;
	for (int k = 0; k < 3; k++)
		if (s->at[k] && copy_out(t->proc->mm, s->at[k], out[k], bytes))
			return -EFAULT;
	return ready;
}

static long do_select(struct thread *t, int nfds, const uint64_t *sets, uint64_t rel,
		      uint64_t tv_at, bool timeval)
{
	if (nfds < 0)
		return -EINVAL;
	if (nfds > FD_SETSIZE)
		nfds = FD_SETSIZE;
	struct fdsets s;
	kmemset(&s, 0, sizeof(s));
	size_t bytes = (size_t)(nfds + 63) / 64 * 8;
	for (int k = 0; k < 3; k++) {
		s.at[k] = sets[k];
		if (sets[k] && copy_in(t->proc->mm, s.bits[k], sets[k], bytes))
			return -EFAULT;
	}
	long ready = select_pass(t, nfds, &s, false);
	uint64_t deadline = wait_deadline(t, rel);
	if (!ready) {
		long r = wait_or_end(t, deadline);
		if (r == -EBLOCKED)
			return r;
		ready = r < 0 ? r : select_pass(t, nfds, &s, true);
	}
	if (tv_at && ready >= 0 && rel != UINT64_MAX) {
		/* Linux writes back the time that was left. */
		uint64_t now = plat_clock_ns(), left = deadline > now ? deadline - now : 0;
		if (timeval) {
			struct linux_timeval tv = {(long long)(left / NS), (long long)(left % NS / 1000)};
			copy_out(t->proc->mm, tv_at, &tv, sizeof(tv));
		} else {
			struct linux_timespec ts = {(long long)(left / NS), (long long)(left % NS)};
			copy_out(t->proc->mm, tv_at, &ts, sizeof(ts));
		}
	}
	return ready;
}

SYSCALL(select)
{
	uint64_t rel = UINT64_MAX;
	if (a[4]) {
		struct linux_timeval tv;
		if (copy_in(t->proc->mm, &tv, a[4], sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		rel = (uint64_t)tv.tv_sec > UINT64_MAX / NS - 1
			      ? UINT64_MAX - 1
			      : (uint64_t)tv.tv_sec * NS + (uint64_t)tv.tv_usec * 1000;
	}
	const uint64_t sets[3] = {a[1], a[2], a[3]};
	return do_select(t, (int)a[0], sets, rel, a[4], true);
}

SYSCALL(pselect6)
{
	uint64_t rel;
	long err = timespec_in(t, a[4], &rel);
	if (err)
		return err;
	if (a[5]) {
		struct {
			uint64_t mask_at, size;
		} sm;
		if (copy_in(t->proc->mm, &sm, a[5], sizeof(sm)))
			return -EFAULT;
		if ((err = temp_mask(t, sm.mask_at, sm.size)))
			return err;
	}
	const uint64_t sets[3] = {a[1], a[2], a[3]};
	return do_select(t, (int)a[0], sets, rel, a[4], false);
}

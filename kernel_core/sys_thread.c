/*
 * Threads' own calls: their ids, the words the kernel clears when they end, and futexes (the
 * wait queues pthreads build mutexes and condition variables on). A futex is keyed by its
 * memory and address; waiters get their result when woken (or a timeout, or EINTR).
 */
#include <kernel/klib.h>
#include <kernel/kernel.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define ROBUST_LIST_MAX 2048

static uint64_t futex_key(const struct mm *mm, uint64_t uaddr)
{
	uint64_t k = (uint64_t)(uintptr_t)mm * 0x9e3779b97f4a7c15ull ^ uaddr;
	k ^= k >> 31;
	return k | 1; /* never a pointer (those are aligned): apart from other waits' keys */
}

static bool bits_match(const struct thread *t, void *arg)
{
	return t->wait.kind == WAIT_FUTEX && (t->wait.bitset & *(uint32_t *)arg);
}

static unsigned futex_wake(struct mm *mm, uint64_t uaddr, unsigned n, uint32_t bitset)
{
	return wait_complete_n(futex_key(mm, uaddr), n, bits_match, &bitset, 0, 0, 0, NULL);
}

SYSCALL(set_tid_address)
{
	t->clear_child_tid = a[0];
	return t->tid;
}

SYSCALL(set_robust_list)
{
	if (a[1] != sizeof(struct linux_robust_list_head))
		return -EINVAL;
	t->robust_list = a[0];
	t->robust_len = a[1];
	return 0;
}

SYSCALL(get_robust_list)
{
	struct thread *q = a[0] ? thread_find((int)a[0]) : t;
	if (!q)
		return -ESRCH;
	uint64_t len = sizeof(struct linux_robust_list_head);
	if (copy_out(t->proc->mm, a[1], &q->robust_list, sizeof(uint64_t)) ||
	    copy_out(t->proc->mm, a[2], &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

/* A robust futex word of a thread that ended: marked OWNER_DIED and one waiter woken. */
static void robust_release(struct thread *t, uint64_t word_at)
{
	struct mm *mm = t->proc->mm;
	uint32_t v;
	if (copy_in(mm, &v, word_at, sizeof(v)) || (v & FUTEX_TID_MASK) != (uint32_t)t->tid)
		return;
	v = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (copy_out(mm, word_at, &v, sizeof(v)) == 0)
		futex_wake(mm, word_at, 1, FUTEX_BITSET_MATCH_ANY);
}

void thread_exit_hooks(struct thread *t)
{
	struct mm *mm = t->proc->mm;
	if (mm && t->robust_list) {
		struct linux_robust_list_head head;
		if (!copy_in(mm, &head, t->robust_list, sizeof(head))) {
			uint64_t entry = head.next;
			for (int i = 0; i < ROBUST_LIST_MAX && entry && entry != t->robust_list; i++) {
				uint64_t next;
				if (copy_in(mm, &next, entry, sizeof(next)))
					break;
				robust_release(t, entry + (uint64_t)head.futex_offset);
				entry = next;
			}
			if (head.list_op_pending)
				robust_release(t, head.list_op_pending + (uint64_t)head.futex_offset);
		}
	}
	if (mm && t->clear_child_tid) {
		int zero = 0;
		if (copy_out(mm, t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake(mm, t->clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY);
	}
	srv_thread_exit(t);
}

/* A timeout of FUTEX_WAIT (relative) or FUTEX_WAIT_BITSET (absolute, on the clock flags
 * choose), as a monotonic deadline. */
static long futex_deadline(struct thread *t, uint64_t ts_at, bool absolute, bool realtime,
			   uint64_t *deadline)
{
	*deadline = UINT64_MAX;
	if (!ts_at)
		return 0;
	struct linux_timespec ts;
	if (copy_in(t->proc->mm, &ts, ts_at, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000ll)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts.tv_sec > UINT64_MAX / 1000000000ull - 1
			      ? UINT64_MAX - 1
			      : (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (!absolute) {
		*deadline = wait_deadline(t, ns);
		return 0;
	}
	uint64_t epoch = realtime ? plat_boot_epoch_ns() : 0;
	*deadline = ns > epoch ? ns - epoch : 0;
	return 0;
}

static long futex_wait(struct thread *t, uint64_t uaddr, uint32_t val, uint64_t ts_at,
		       uint32_t bitset, bool absolute, bool realtime)
{
	struct mm *mm = t->proc->mm;
	uint32_t cur;
	if (!bitset)
		return -EINVAL;
	if (copy_in(mm, &cur, uaddr, sizeof(cur)))
		return -EFAULT;
	uint64_t deadline;
	long err = futex_deadline(t, ts_at, absolute, realtime, &deadline);
	if (err)
		return err;
	if (cur != val)
		return -EAGAIN;
	if (deadline != UINT64_MAX && plat_clock_ns() >= deadline)
		return -ETIMEDOUT;
	long r = wait_block(t, WAIT_FUTEX, futex_key(mm, uaddr), deadline, WAIT_INTR);
	t->wait.bitset = bitset;
	return r;
}

/* FUTEX_WAKE_OP's operation on the word at uaddr2; whether its comparison holds. */
static long wake_op(struct thread *t, uint64_t uaddr2, uint32_t encoded, bool *cmp_true)
{
	struct mm *mm = t->proc->mm;
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	uint32_t oparg = (encoded >> 12) & 0xfff, cmparg = encoded & 0xfff, old, v;
	if ((encoded >> 28) & 8)
		oparg = 1u << (oparg & 31);
	if (copy_in(mm, &old, uaddr2, sizeof(old)))
		return -EFAULT;
	switch (op) {
	case 0: v = oparg; break;          /* SET */
	case 1: v = old + oparg; break;    /* ADD */
	case 2: v = old | oparg; break;    /* OR */
	case 3: v = old & ~oparg; break;   /* ANDN */
	case 4: v = old ^ oparg; break;    /* XOR */
	default: return -ENOSYS;
	}
	if (copy_out(mm, uaddr2, &v, sizeof(v)))
		return -EFAULT;
	switch (cmp) {
	case 0: *cmp_true = old == cmparg; break;
	case 1: *cmp_true = old != cmparg; break;
	case 2: *cmp_true = (int)old < (int)cmparg; break;
	case 3: *cmp_true = (int)old <= (int)cmparg; break;
	case 4: *cmp_true = (int)old > (int)cmparg; break;
	case 5: *cmp_true = (int)old >= (int)cmparg; break;
	default: return -ENOSYS;
	}
	return 0;
}

SYSCALL(futex)
{
	uint64_t uaddr = a[0], uaddr2 = a[4];
	int op = (int)a[1];
	uint32_t val = (uint32_t)a[2], val3 = (uint32_t)a[5];
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	struct mm *mm = t->proc->mm;
	if (uaddr & 3)
		return -EINVAL;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(t, uaddr, val, a[3], FUTEX_BITSET_MATCH_ANY, false, false);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, uaddr, val, a[3], val3, true, realtime);
	case FUTEX_WAKE:
		return futex_wake(mm, uaddr, val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		return val3 ? (long)futex_wake(mm, uaddr, val, val3) : -EINVAL;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE: {
		if (uaddr2 & 3)
			return -EINVAL;
		if (cmd == FUTEX_CMP_REQUEUE) {
			uint32_t cur;
			if (copy_in(mm, &cur, uaddr, sizeof(cur)))
				return -EFAULT;
			if (cur != val3)
				return -EAGAIN;
		}
		unsigned moved;
		uint32_t any = FUTEX_BITSET_MATCH_ANY;
		unsigned woke = wait_complete_n(futex_key(mm, uaddr), val, bits_match, &any, 0,
						futex_key(mm, uaddr2), (unsigned)a[3], &moved);
		return (long)(woke + (cmd == FUTEX_CMP_REQUEUE ? moved : 0));
	}
	case FUTEX_WAKE_OP: {
		if (uaddr2 & 3)
			return -EINVAL;
		bool cmp = false;
		long err = wake_op(t, uaddr2, val3, &cmp);
		if (err)
			return err;
		long n = futex_wake(mm, uaddr, val, FUTEX_BITSET_MATCH_ANY);
		if (cmp)
			n += futex_wake(mm, uaddr2, (unsigned)a[3], FUTEX_BITSET_MATCH_ANY);
		return n;
	}
	default:
		return -ENOSYS;
	}
}

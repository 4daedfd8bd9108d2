/*
 * Synchronous IPC in the L4 manner: a message goes straight from the sender's memory to the
 * receiver's, copied by the kernel through both page tables, when both sides are there. Whoever
 * comes first blocks (or fails at once with timeout 0): senders queue in order on the receiver.
 * A blocked side gets its result in rax when its partner completes it, so no message is ever
 * dropped or buffered in the kernel.
 */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

#define REGISTRY_MAX 64
#define CHUNK 512

static struct {
	char name[IPC_NAME_MAX];
	int pid;
} registry[REGISTRY_MAX];

static bool alive(const struct proc *q)
{
	return q && q->state != PROC_ZOMBIE;
}

/* A message to send from p: its header readable, len in range, the payload readable. */
static long check_msg(struct proc *p, uint64_t at)
{
	struct ipc_msg hdr;
	if (copy_in(&p->mm, &hdr, at, IPC_HEADER_SIZE))
		return -EFAULT;
	if (hdr.len > IPC_PAYLOAD_MAX)
		return -EINVAL;
	return uaccess_prepare(&p->mm, at, IPC_HEADER_SIZE + hdr.len, false);
}

/* A buffer of p that can take any message. */
static long check_buf(struct proc *p, uint64_t at)
{
	return uaccess_prepare(&p->mm, at, sizeof(struct ipc_msg), true);
}

/* Copies the message at from_at in from's memory to to_at in to's, stamped with the sender. */
static long transfer(struct proc *from, uint64_t from_at, struct proc *to, uint64_t to_at)
{
	struct ipc_msg hdr;
	if (copy_in(&from->mm, &hdr, from_at, IPC_HEADER_SIZE))
		return -EFAULT;
	hdr.sender = from->pid;
	hdr.reserved = 0;
	if (hdr.len > IPC_PAYLOAD_MAX || copy_out(&to->mm, to_at, &hdr, IPC_HEADER_SIZE))
		return -EFAULT;
	char chunk[CHUNK];
	for (uint32_t done = 0; done < hdr.len; done += CHUNK) {
		size_t n = MIN(CHUNK, hdr.len - done);
		if (copy_in(&from->mm, chunk, from_at + IPC_HEADER_SIZE + done, n) ||
		    copy_out(&to->mm, to_at + IPC_HEADER_SIZE + done, chunk, n))
			return -EFAULT;
	}
	return 0;
}

/* Ends q's blocked call with result; a stopped q stays stopped until SIGCONT. */
static void complete(struct proc *q, long result)
{
	q->ctx.regs.rax = (uint64_t)result;
	q->restart = RESTART_NONE;
	q->ipc.state = IPC_IDLE;
	q->ipc.next = NULL;
	if (q->state != PROC_STOPPED)
		sched_make_runnable(q);
}

/* p waits in state for peer: forever, until timeout_ns from now, or not at all. */
static long block(struct proc *p, struct ipc_wait w, uint64_t timeout_ns)
{
	if (timeout_ns == 0)
		return -EAGAIN;
	p->ipc = w;
	p->restart = RESTART_IPC;
	uint64_t now = plat_clock_ns();
	p->ipc_deadline = timeout_ns == IPC_FOREVER		  ? UINT64_MAX
			  : timeout_ns > UINT64_MAX - now ? UINT64_MAX - 1
							  : now + timeout_ns;
	ipc_wait_again(p);
	return -EBLOCKED;
}

static void enqueue_sender(struct proc *dest, struct proc *s)
{
	struct proc **link = &dest->ipc_senders;
	while (*link)
		link = &(*link)->ipc.next;
	s->ipc.next = NULL;
	*link = s;
}

static void dequeue_sender(struct proc *s)
{
	struct proc *dest = proc_find(s->ipc.peer);
	if (!dest)
		return;
	for (struct proc **link = &dest->ipc_senders; *link; link = &(*link)->ipc.next)
		if (*link == s) {
			*link = s->ipc.next;
			break;
		}
	s->ipc.next = NULL;
}

/* Is q blocked receiving, ready for a message from sender? */
static bool receiving_from(const struct proc *q, const struct proc *sender)
{
	return q->restart == RESTART_IPC && q->ipc.state == IPC_RECEIVING &&
	       (q->ipc.peer == 0 || q->ipc.peer == sender->pid);
}

/* The first half of send and call: deliver now, or queue. */
static long send_or_queue(struct proc *p, struct proc *dest, uint64_t msg_at, bool calling,
			  uint64_t reply_at, uint64_t timeout_ns)
{
	if (receiving_from(dest, p)) {
		long err = transfer(p, msg_at, dest, dest->ipc.buf_at);
		complete(dest, err ? err : p->pid);
		if (err)
			return err;
		if (!calling)
			return 0;
		return block(p, (struct ipc_wait){IPC_REPLYWAIT, true, dest->pid, 0, reply_at, NULL},
			     timeout_ns == 0 ? IPC_FOREVER : timeout_ns);
	}
	long r = block(p, (struct ipc_wait){IPC_SENDING, calling, dest->pid, msg_at, reply_at, NULL},
		       timeout_ns);
	if (r == -EBLOCKED)
		enqueue_sender(dest, p);
	return r;
}

/* The live process pid other than p, or NULL with *err set. */
static struct proc *partner(struct proc *p, int64_t pid, long *err)
{
	struct proc *q = pid > 0 && pid <= INT32_MAX ? proc_find((int)pid) : NULL;
	*err = pid == p->pid ? -EDEADLK : !alive(q) ? -ESRCH : 0;
	return *err ? NULL : q;
}

long sys_ipc_send(struct proc *p, const uint64_t *a)
{
	long err;
	struct proc *dest = partner(p, (int64_t)a[0], &err);
	if (!dest || (err = check_msg(p, a[1])))
		return err;
	return send_or_queue(p, dest, a[1], false, 0, a[2]);
}

long sys_ipc_call(struct proc *p, const uint64_t *a)
{
	long err;
	struct proc *dest = partner(p, (int64_t)a[0], &err);
	if (!dest || (err = check_msg(p, a[1])) || (err = check_buf(p, a[2])))
		return err;
	return send_or_queue(p, dest, a[1], true, a[2], a[3]);
}

long sys_ipc_receive(struct proc *p, const uint64_t *a)
{
	int64_t from = (int64_t)a[0];
	uint64_t buf_at = a[1];
	long err = 0;
	if (from != 0 && !partner(p, from, &err))
		return err;
	if ((err = check_buf(p, buf_at)))
		return err;
	for (struct proc **link = &p->ipc_senders; *link; link = &(*link)->ipc.next) {
		struct proc *s = *link;
		if (from != 0 && s->pid != from)
			continue;
		*link = s->ipc.next;
		s->ipc.next = NULL;
		err = transfer(s, s->ipc.msg_at, p, buf_at);
		if (err || !s->ipc.calling) {
			complete(s, err);
			return err ? err : s->pid;
		}
		s->ipc.state = IPC_REPLYWAIT; /* the caller waits on: for our reply */
		return s->pid;
	}
	return block(p, (struct ipc_wait){IPC_RECEIVING, false, (int)from, 0, buf_at, NULL}, a[2]);
}

long sys_ipc_reply(struct proc *p, const uint64_t *a)
{
	struct proc *q = (int64_t)a[0] > 0 && a[0] <= INT32_MAX ? proc_find((int)a[0]) : NULL;
	if (!q || q->restart != RESTART_IPC || q->ipc.state != IPC_REPLYWAIT || q->ipc.peer != p->pid)
		return -ESRCH;
	long err = check_msg(p, a[1]);
	if (err)
		return err;
	err = transfer(p, a[1], q, q->ipc.buf_at);
	complete(q, err);
	return err;
}

void ipc_wait_again(struct proc *p)
{
	if (p->ipc_deadline == UINT64_MAX)
		sched_block(p);
	else
		sched_sleep_until(p, p->ipc_deadline);
}

void ipc_cancel(struct proc *p, long result)
{
	if (p->ipc.state == IPC_SENDING)
		dequeue_sender(p);
	p->ipc.state = IPC_IDLE;
	p->restart = RESTART_NONE;
	p->ctx.regs.rax = (uint64_t)result;
}

void ipc_exit(struct proc *p)
{
	while (p->ipc_senders) {
		struct proc *s = p->ipc_senders;
		p->ipc_senders = s->ipc.next;
		complete(s, -EPIPE);
	}
	if (p->restart == RESTART_IPC)
		ipc_cancel(p, -EPIPE);
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));)
		if (q->restart == RESTART_IPC && q->ipc.peer == p->pid)
			complete(q, -EPIPE);
	for (int i = 0; i < REGISTRY_MAX; i++)
		if (registry[i].pid == p->pid)
			registry[i].pid = 0;
}

/* Reads a service name: 1..IPC_NAME_MAX-1 characters. */
static long read_name(struct proc *p, uint64_t at, char *name)
{
	long n = copy_str_in(&p->mm, name, at, IPC_NAME_MAX);
	return n == 0 ? -EINVAL : n < 0 ? n : 0;
}

long sys_ipc_register(struct proc *p, const uint64_t *a)
{
	char name[IPC_NAME_MAX];
	long err = read_name(p, a[0], name);
	if (err)
		return err;
	int free_slot = -1;
	for (int i = 0; i < REGISTRY_MAX; i++) {
		if (registry[i].pid && !kstrcmp(registry[i].name, name))
			return registry[i].pid == p->pid ? 0 : -EEXIST;
		if (!registry[i].pid && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -ENOSPC;
	kmemcpy(registry[free_slot].name, name, sizeof(name));
	registry[free_slot].pid = p->pid;
	trace_sched("register '%s' as pid %d", name, p->pid);
	return 0;
}

long sys_ipc_lookup(struct proc *p, const uint64_t *a)
{
	char name[IPC_NAME_MAX];
	long err = read_name(p, a[0], name);
	if (err)
		return err;
	for (int i = 0; i < REGISTRY_MAX; i++)
		if (registry[i].pid && !kstrcmp(registry[i].name, name))
			return registry[i].pid;
	return -ENOENT;
}

void ipc_reset(void)
{
	kmemset(registry, 0, sizeof(registry));
}

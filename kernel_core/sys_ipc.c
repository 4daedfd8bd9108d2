/*
 * Synchronous IPC in the L4 manner: a message goes straight from the sender's memory to the
 * receiver's, copied by the kernel through both page tables, when both sides are there. Whoever
 * comes first blocks (or fails at once with timeout 0): senders queue in order on the receiver.
 * A blocked side gets its result in rax when its partner completes it, so no message is ever
 * dropped or buffered in the kernel. File-server requests (srvfs.c) travel the same way, their
 * bytes in kernel memory, sent by the thread the kernel makes them for.
 *
 * The calls (ipc_send, ipc_call, ipc_receive, ipc_reply, ipc_register, ipc_lookup) and the
 * kernel's own sends (ipc_kernel_*) share one rendezvous, so they live in one file.
 */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define REGISTRY_MAX 64
#define CHUNK 512

static struct {
	char name[IPC_NAME_MAX];
	int tid;
} registry[REGISTRY_MAX];

/* A message to send from t: its header readable, len in range, the payload readable. */
static long check_msg(struct thread *t, uint64_t at)
{
	struct ipc_msg hdr;
	if (copy_in(t->proc->mm, &hdr, at, IPC_HEADER_SIZE))
		return -EFAULT;
	if (hdr.len > IPC_PAYLOAD_MAX)
		return -EINVAL;
	return uaccess_prepare(t->proc->mm, at, IPC_HEADER_SIZE + hdr.len, false);
}

/* A buffer of t that can take any message. */
static long check_buf(struct thread *t, uint64_t at)
{
	return uaccess_prepare(t->proc->mm, at, sizeof(struct ipc_msg), true);
}

/* Copies a kernel message (header fields, then len bytes at data) to to_at in to's memory. */
static long transfer_kernel(int sender, unsigned type, const void *data, size_t len,
			    struct thread *to, uint64_t to_at)
{
	struct ipc_msg hdr = {.sender = sender, .type = type, .len = (unsigned)len,
			      .flags = IPC_KERNEL};
	if (copy_out(to->proc->mm, to_at, &hdr, IPC_HEADER_SIZE) ||
	    copy_out(to->proc->mm, to_at + IPC_HEADER_SIZE, data, len))
		return -EFAULT;
	return 0;
}

/* Copies from's message (at from_at, or its kernel request) to to_at in to's memory, stamped
 * with the sender. */
static long transfer(struct thread *from, uint64_t from_at, struct thread *to, uint64_t to_at)
{
	if (from->ipc.kernel) {
		size_t len;
		unsigned op;
		const void *req = srv_request(from, &len, &op);
		return transfer_kernel(from->tid, op, req, len, to, to_at);
	}
	struct ipc_msg hdr;
	if (copy_in(from->proc->mm, &hdr, from_at, IPC_HEADER_SIZE))
		return -EFAULT;
	hdr.sender = from->tid;
	hdr.flags = 0;
	if (hdr.len > IPC_PAYLOAD_MAX || copy_out(to->proc->mm, to_at, &hdr, IPC_HEADER_SIZE))
		return -EFAULT;
	char chunk[CHUNK];
	for (uint32_t done = 0; done < hdr.len; done += CHUNK) {
		size_t n = MIN(CHUNK, hdr.len - done);
		if (copy_in(from->proc->mm, chunk, from_at + IPC_HEADER_SIZE + done, n) ||
		    copy_out(to->proc->mm, to_at + IPC_HEADER_SIZE + done, chunk, n))
			return -EFAULT;
	}
	return 0;
}

/* Tells the event observer that from's message reached to (kernel: a request the kernel sent
 * for from, or a server's answer to one). */
static void delivered(struct thread *from, struct thread *to, enum core_ipc_kind kind, bool kernel)
{
	EVENT(.kind = CORE_EVENT_IPC, .t = from, .ipc = {to, kind, kernel});
}

/* Ends q's blocked call with result; a stopped q stays stopped until SIGCONT. */
static void complete(struct thread *q, long result)
{
	q->ipc.state = IPC_IDLE;
	q->ipc.next = NULL;
	wait_complete(q, result);
}

/* t waits in the IPC state w: forever, until timeout_ns from now, or not at all. */
static long block(struct thread *t, struct ipc_wait w, uint64_t timeout_ns)
{
	if (timeout_ns == 0)
		return -EAGAIN;
	t->ipc = w;
	uint64_t deadline = timeout_ns == IPC_FOREVER ? UINT64_MAX : wait_deadline(t, timeout_ns);
	return wait_block(t, WAIT_IPC, WAIT_KEY(t), deadline, WAIT_INTR);
}

static void enqueue_sender(struct thread *dest, struct thread *s)
{
	struct thread **link = &dest->ipc_senders;
	while (*link)
		link = &(*link)->ipc.next;
	s->ipc.next = NULL;
	*link = s;
}

static void dequeue_sender(struct thread *s)
{
	struct thread *dest = thread_find(s->ipc.peer);
	if (!dest)
		return;
	for (struct thread **link = &dest->ipc_senders; *link; link = &(*link)->ipc.next)
		if (*link == s) {
			*link = s->ipc.next;
			break;
		}
	s->ipc.next = NULL;
}

/* Is q blocked receiving notifications (from 0 or IPC_FROM_NOTIFY)? */
static bool receiving_notify(const struct thread *q)
{
	return q->wait.kind == WAIT_IPC && q->ipc.state == IPC_RECEIVING &&
	       (q->ipc.peer == 0 || q->ipc.peer == IPC_FROM_NOTIFY);
}

/* Delivers t's notifications into buf_at: true when it had some. */
static bool take_notify(struct thread *t, uint64_t buf_at, long *result)
{
	if (!t->notify)
		return false;
	struct ipc_msg hdr = {.sender = 0, .type = IPC_NOTIFY_IRQ, .len = sizeof(t->notify),
			      .flags = IPC_KERNEL | IPC_NOTIFY};
	*result = copy_out(t->proc->mm, buf_at, &hdr, IPC_HEADER_SIZE) ||
			  copy_out(t->proc->mm, buf_at + IPC_HEADER_SIZE, &t->notify, sizeof(t->notify))
		      ? -EFAULT
		      : 0;
	if (!*result)
		t->notify = 0;
	return true;
}

void ipc_notify_ready(struct thread *t)
{
	long result;
	if (receiving_notify(t) && take_notify(t, t->ipc.buf_at, &result))
		complete(t, result);
}

/* Is q blocked receiving, ready for a message from sender (NULL: a posted one)? */
static bool receiving_from(const struct thread *q, const struct thread *sender)
{
	return q->wait.kind == WAIT_IPC && q->ipc.state == IPC_RECEIVING &&
	       (q->ipc.peer == 0 || (sender && q->ipc.peer == sender->tid));
}

/* The first half of send and call: deliver now, or queue. */
static long send_or_queue(struct thread *t, struct thread *dest, uint64_t msg_at, bool calling,
			  uint64_t reply_at, uint64_t timeout_ns)
{
	if (receiving_from(dest, t)) {
		long err = transfer(t, msg_at, dest, dest->ipc.buf_at);
		if (!err)
			delivered(t, dest, calling ? CORE_IPC_CALL : CORE_IPC_SEND, false);
		complete(dest, err ? err : t->tid);
		if (err)
			return err;
		if (!calling)
			return 0;
		return block(t, (struct ipc_wait){IPC_REPLYWAIT, true, false, dest->tid, 0, reply_at, NULL},
			     timeout_ns == 0 ? IPC_FOREVER : timeout_ns);
	}
	long r = block(t, (struct ipc_wait){IPC_SENDING, calling, false, dest->tid, msg_at, reply_at, NULL},
		       timeout_ns);
	if (r == -EBLOCKED)
		enqueue_sender(dest, t);
	return r;
}

/* The live thread tid other than t, or NULL with *err set. */
static struct thread *partner(struct thread *t, int64_t tid, long *err)
{
	struct thread *q = tid > 0 && tid <= INT32_MAX ? thread_find((int)tid) : NULL;
	*err = tid == t->tid ? -EDEADLK : !q ? -ESRCH : 0;
	return *err ? NULL : q;
}

long sys_ipc_send(struct thread *t, const uint64_t *a)
{
	long err;
	struct thread *dest = partner(t, (int64_t)a[0], &err);
	if (!dest || (err = check_msg(t, a[1])))
		return err;
	return send_or_queue(t, dest, a[1], false, 0, a[2]);
}

long sys_ipc_call(struct thread *t, const uint64_t *a)
{
	long err;
	struct thread *dest = partner(t, (int64_t)a[0], &err);
	if (!dest || (err = check_msg(t, a[1])) || (err = check_buf(t, a[2])))
		return err;
	return send_or_queue(t, dest, a[1], true, a[2], a[3]);
}

/* Delivers a message posted for server t into buf_at: true when there was one. */
static bool take_posted(struct thread *t, uint64_t buf_at, long *result)
{
	void *req;
	size_t len;
	unsigned op;
	if (!srv_posted_take(t, &req, &len, &op))
		return false;
	*result = transfer_kernel(0, op, req, len, t, buf_at);
	srv_posted_free(req);
	return true;
}

long sys_ipc_receive(struct thread *t, const uint64_t *a)
{
	int64_t from = (int64_t)a[0];
	uint64_t buf_at = a[1];
	long err = 0;
	if (from != 0 && from != IPC_FROM_NOTIFY && !partner(t, from, &err))
		return err;
	if ((err = check_buf(t, buf_at)))
		return err;
	long posted;
	if ((from == 0 || from == IPC_FROM_NOTIFY) && take_notify(t, buf_at, &posted))
		return posted;
	if (from == 0 && take_posted(t, buf_at, &posted))
		return posted;
	for (struct thread **link = &t->ipc_senders; *link; link = &(*link)->ipc.next) {
		struct thread *s = *link;
		if (from != 0 && s->tid != from)
			continue;
		*link = s->ipc.next;
		s->ipc.next = NULL;
		err = transfer(s, s->ipc.msg_at, t, buf_at);
		if (!err)
			delivered(s, t, s->ipc.calling ? CORE_IPC_CALL : CORE_IPC_SEND, s->ipc.kernel);
		if (s->ipc.kernel) {
			if (err) {
				s->ipc.state = IPC_IDLE;
				srv_fail(s, -EIO);
				return err;
			}
			s->ipc.state = IPC_REPLYWAIT; /* the kernel waits for our answer */
			return s->tid;
		}
		if (err || !s->ipc.calling) {
			complete(s, err);
			return err ? err : s->tid;
		}
		s->ipc.state = IPC_REPLYWAIT; /* the caller waits on: for our reply */
		return s->tid;
	}
	return block(t, (struct ipc_wait){IPC_RECEIVING, false, false, (int)from, 0, buf_at, NULL}, a[2]);
}

long sys_ipc_reply(struct thread *t, const uint64_t *a)
{
	struct thread *q = (int64_t)a[0] > 0 && a[0] <= INT32_MAX ? thread_find((int)a[0]) : NULL;
	if (!q || q->ipc.state != IPC_REPLYWAIT || q->ipc.peer != t->tid)
		return -ESRCH;
	long err = check_msg(t, a[1]);
	if (err)
		return err;
	if (q->ipc.kernel) {
		err = srv_reply(t, q, a[1]);
		if (!err) {
			q->ipc.state = IPC_IDLE;
			q->ipc.kernel = false;
			delivered(t, q, CORE_IPC_REPLY, true);
		}
		return err;
	}
	if (q->wait.kind != WAIT_IPC)
		return -ESRCH;
	err = transfer(t, a[1], q, q->ipc.buf_at);
	if (!err)
		delivered(t, q, CORE_IPC_REPLY, false);
	complete(q, err);
	return err;
}

void ipc_kernel_send(struct thread *client, struct thread *server)
{
	client->ipc = (struct ipc_wait){IPC_SENDING, true, true, server->tid, 0, 0, NULL};
	if (receiving_from(server, client)) {
		long err = transfer(client, 0, server, server->ipc.buf_at);
		if (!err)
			delivered(client, server, CORE_IPC_CALL, true);
		complete(server, err ? err : client->tid);
		if (err) {
			client->ipc.state = IPC_IDLE;
			srv_fail(client, -EIO);
			return;
		}
		client->ipc.state = IPC_REPLYWAIT;
		return;
	}
	enqueue_sender(server, client);
}

void ipc_kernel_abandon(struct thread *client)
{
	if (!client->ipc.kernel)
		return;
	if (client->ipc.state == IPC_SENDING)
		dequeue_sender(client);
	client->ipc.state = IPC_IDLE;
	client->ipc.kernel = false;
}

bool ipc_kernel_delivered(const struct thread *client)
{
	return client->ipc.kernel && client->ipc.state == IPC_REPLYWAIT;
}

void ipc_kernel_post_ready(struct thread *server)
{
	long result;
	if (receiving_from(server, NULL) && server->ipc.peer == 0 &&
	    take_posted(server, server->ipc.buf_at, &result))
		complete(server, result);
}

void ipc_cancel(struct thread *t, long result)
{
	if (t->ipc.state == IPC_SENDING)
		dequeue_sender(t);
	complete(t, result);
}

/* A partner of t is gone: its call fails. */
static void partner_gone(struct thread *q)
{
	if (q->ipc.kernel) {
		q->ipc.state = IPC_IDLE;
		q->ipc.kernel = false;
		srv_fail(q, -EIO);
	} else {
		complete(q, -EPIPE);
	}
}

void ipc_exit(struct thread *t)
{
	while (t->ipc_senders) {
		struct thread *s = t->ipc_senders;
		t->ipc_senders = s->ipc.next;
		s->ipc.next = NULL;
		partner_gone(s);
	}
	if (t->ipc.kernel)
		ipc_kernel_abandon(t);
	else if (t->wait.kind == WAIT_IPC && t->ipc.state == IPC_SENDING)
		dequeue_sender(t);
	t->ipc.state = IPC_IDLE;
	unsigned cursor = 0;
	for (struct thread *q; (q = thread_next(&cursor));) {
		bool waits = q->ipc.state == IPC_REPLYWAIT ||
			     (q->ipc.state == IPC_RECEIVING && q->wait.kind == WAIT_IPC);
		if (q != t && waits && q->ipc.peer == t->tid)
			partner_gone(q);
	}
	srv_server_exit(t);
	for (int i = 0; i < REGISTRY_MAX; i++)
		if (registry[i].tid == t->tid)
			registry[i].tid = 0;
}

/* Reads a service name: 1..IPC_NAME_MAX-1 characters. */
static long read_name(struct thread *t, uint64_t at, char *name)
{
	long n = copy_str_in(t->proc->mm, name, at, IPC_NAME_MAX);
	return n == 0 ? -EINVAL : n < 0 ? n : 0;
}

long sys_ipc_register(struct thread *t, const uint64_t *a)
{
	char name[IPC_NAME_MAX];
	long err = read_name(t, a[0], name);
	if (err)
		return err;
	int free_slot = -1;
	for (int i = 0; i < REGISTRY_MAX; i++) {
		if (registry[i].tid && !kstrcmp(registry[i].name, name))
			return registry[i].tid == t->tid ? 0 : -EEXIST;
		if (!registry[i].tid && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -ENOSPC;
	kmemcpy(registry[free_slot].name, name, sizeof(name));
	registry[free_slot].tid = t->tid;
	trace_sched("register '%s' as pid %d", name, t->tid);
	return 0;
}

long sys_ipc_lookup(struct thread *t, const uint64_t *a)
{
	char name[IPC_NAME_MAX];
	long err = read_name(t, a[0], name);
	if (err)
		return err;
	for (int i = 0; i < REGISTRY_MAX; i++)
		if (registry[i].tid && !kstrcmp(registry[i].name, name))
			return registry[i].tid;
	return -ENOENT;
}

void ipc_reset(void)
{
	kmemset(registry, 0, sizeof(registry));
}

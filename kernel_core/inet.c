/*
 * Internet sockets: files whose calls the kernel turns into requests to the network service
 * (uapi/eclipse.h, "Internet sockets"; docs/network.md has the design), carried as srvfs.c
 * carries a file server's. The service answers every request at once; a call that cannot go on
 * yet is answered -EAGAIN, and the caller waits here, in the kernel, on its socket's readiness,
 * which the service reports as it changes (net_ready). poll and select read that readiness and
 * ask the service nothing.
 *
 * A syscall's requests are logged (srvfs.c): running again after waiting for an answer, it
 * makes the same requests and gets the same answers. Waiting for readiness instead forgets
 * them: the bytes moved so far are kept in t->net_done, and the call goes on from there.
 */
#include <kernel/fd.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define SLOT(h) ((h) & 0xffffu)
#define NS_PER_US 1000ull

#define OPTS_MAX 6

struct isock {
	unsigned handle;   /* the service's name for it */
	uint64_t epoch;    /* of the server that made it */
	unsigned type;     /* SOCK_STREAM, SOCK_DGRAM */
	uint64_t rcvtimeo, sndtimeo; /* SO_RCVTIMEO, SO_SNDTIMEO in ns; 0: none */
	bool reset_told;   /* its server died, and a receive said ECONNRESET once */
	/* What it takes to make it again with the next server (revive): a listener, or a bound
	 * datagram socket, is not tied to a connection the dead server took with it. */
	bool bound, listening, connected;
	struct net_addr addr;
	unsigned backlog;
	unsigned nopts;
	struct {
		unsigned level, name;
		int value;
	} opts[OPTS_MAX];
};

/* The server of every Internet socket: a mount in all but name, so that srvfs carries its
 * requests; never in the mount table. */
static struct mount net = {.name = "network"};
static bool served; /* a server has come: socket() waits for the next one after it goes */

/* What the service last said of each socket's readiness, by slot. */
static struct readiness {
	unsigned handle, mask, version;
} ready[NET_SOCKETS_MAX];

static const struct file_ops inet_ops;

bool file_is_inet(const struct file *f)
{
	return f->ops == &inet_ops;
}

/* A handle the service gave: one of its slots (the kernel indexes its table by it). */
static bool handle_ok(unsigned handle)
{
	return handle && SLOT(handle) < NET_SOCKETS_MAX;
}

static bool dead(const struct isock *s)
{
	return s->epoch != net.epoch || !net.server;
}

/* A readiness from the service: a report (net_ready) is the newest word on its handle; a reply
 * counts only for a handle that still holds its slot, and only when newer. */
static void note(unsigned handle, unsigned mask, unsigned version, bool report)
{
	if (!handle || SLOT(handle) >= NET_SOCKETS_MAX)
		return;
	struct readiness *r = &ready[SLOT(handle)];
	if (r->handle == handle ? (int)(version - r->version) <= 0 : !report)
		return;
	*r = (struct readiness){handle, mask, version};
	wait_wake(WAIT_KEY(r));
}

/* A socket the next server can make again: it keeps its address and its waiters. */
static bool revivable(const struct isock *s)
{
	return s->bound && (s->listening || (s->type == SOCK_DGRAM && !s->connected));
}

static unsigned mask_of(const struct isock *s)
{
	if (dead(s) && revivable(s))
		return net.server ? POLLIN | POLLRDNORM : 0; /* a call makes it again (revive) */
	if (dead(s))
		return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP | POLLRDNORM | POLLWRNORM;
	const struct readiness *r = &ready[SLOT(s->handle)];
	unsigned m = r->handle == s->handle ? r->mask : 0;
	if (m & POLLIN)
		m |= POLLRDNORM;
	if (m & POLLOUT)
		m |= POLLWRNORM;
	return m;
}

static long revive(struct thread *t, struct isock *s);

/* One request about s (NULL: none yet) of op, with q's fields and g's data: the status, the
 * reply in *rep; or -EBLOCKED. A dead server's socket fails with ECONNRESET, unless the next
 * server can make it again. */
static long ask(struct thread *t, struct isock *s, unsigned op, const struct net_req *q,
		const struct grant *g, struct net_rep *rep)
{
	if (s && dead(s) && revivable(s)) {
		if (!net.server)
			return -EAGAIN; /* not yet: the next server's net_serve wakes the waiters */
		long r = revive(t, s);
		if (r)
			return r;
	}
	kmemset(rep, 0, sizeof(*rep));
	if (s && dead(s))
		return -ECONNRESET;
	struct net_req *page = kpage_alloc();
	if (!page)
		return -ENOMEM;
	*page = *q;
	if (s)
		page->handle = s->handle;
	unsigned handle = page->handle;
	long r = srv_call(t, &net, op, page, sizeof(*page), g, rep, sizeof(*rep));
	if (r == -EBLOCKED)
		return r;
	if (s && dead(s))
		return -ECONNRESET;
	if (s && rep->version && !rep->handle)
		note(handle, rep->mask, rep->version, false);
	return r;
}

/*
 * s's server died: the next one makes it again as it was (its options, its address, listening)
 * under a new handle. 0, or -errno (the socket stays dead), or -EBLOCKED.
 */
static long revive(struct thread *t, struct isock *s)
{
	struct net_req q = {.arg = s->type};
	struct net_rep rep;
	long r = ask(t, NULL, NET_SOCKET, &q, NULL, &rep);
	if (r < 0)
		return r;
	unsigned handle = rep.handle;
	if (!handle_ok(handle))
		return -EIO; /* nonsense from the service */
	for (unsigned i = 0; i < s->nopts && !r; i++) {
		q = (struct net_req){.handle = handle, .level = s->opts[i].level,
				     .name = s->opts[i].name, .optval = s->opts[i].value};
		r = ask(t, NULL, NET_SETOPT, &q, NULL, &rep);
	}
	if (!r) {
		q = (struct net_req){.handle = handle, .addr = s->addr};
		r = ask(t, NULL, NET_BIND, &q, NULL, &rep);
	}
	if (!r && s->listening) {
		q = (struct net_req){.handle = handle, .arg = s->backlog};
		r = ask(t, NULL, NET_LISTEN, &q, NULL, &rep);
	}
	if (r == -EBLOCKED)
		return r;
	if (r) {
		q = (struct net_req){.handle = handle};
		srv_post(&net, NET_CLOSE, &q, sizeof(q));
		return r;
	}
	s->handle = handle;
	s->epoch = net.epoch;
	ready[SLOT(handle)] = (struct readiness){handle, rep.mask, rep.version};
	return 0;
}

/*
 * The service said -EAGAIN: the call waits until s shows one of want (or an error), up to its
 * timeout (timeo ns, 0 none), or fails at once for a socket that does not block. early is what
 * a signal makes it return. The answers so far are forgotten: the call runs again from
 * t->net_done.
 */
static long wait_ready(struct thread *t, struct file *f, const struct isock *s, unsigned want,
		       uint64_t timeo, long early)
{
	if ((f->flags & O_NONBLOCK) || (t->msg_flags & MSG_DONTWAIT))
		return -EAGAIN;
	srv_log_drop(t);
	uint64_t now = plat_clock_ns();
	if (!t->net_deadline)
		t->net_deadline = timeo ? now + timeo : UINT64_MAX;
	if (now >= t->net_deadline)
		return -EAGAIN;
	const struct readiness *r = &ready[SLOT(s->handle)];
	long b = wait_block(t, WAIT_SOCKET, WAIT_KEY(r), t->net_deadline,
			    WAIT_RERUN | WAIT_INTR | (timeo ? 0 : WAIT_RESTARTABLE));
	t->wait.early = early;
	if (mask_of(s) & (want | POLLERR | POLLHUP))
		wait_wake_thread(t); /* it changed after the answer: ask again now */
	return b;
}

/* The caller's struct sockaddr_in of len bytes at uaddr. AF_UNSPEC is allowed where unspec. */
static long addr_in(struct thread *t, uint64_t uaddr, uint64_t len, struct net_addr *a,
		    bool unspec)
{
	struct linux_sockaddr_in sin = {0};
	if (len < sizeof(sin.sin_family) || len > 128)
		return -EINVAL;
	if (copy_in(t->proc->mm, &sin, uaddr, MIN(len, sizeof(sin))))
		return -EFAULT;
	if (sin.sin_family == AF_UNSPEC && unspec) {
		*a = (struct net_addr){0};
		return 0;
	}
	if (sin.sin_family != AF_INET)
		return -EAFNOSUPPORT;
	if (len < sizeof(sin))
		return -EINVAL;
	*a = (struct net_addr){AF_INET, sin.sin_port, sin.sin_addr};
	return 0;
}

/* a as a struct sockaddr_in to uaddr, with its length to the int at ulen_at (the room there
 * first). Neither given: nothing. */
static long addr_out(struct thread *t, const struct net_addr *a, uint64_t uaddr, uint64_t ulen_at)
{
	if (!uaddr || !ulen_at)
		return 0;
	int room;
	if (copy_in(t->proc->mm, &room, ulen_at, sizeof(room)))
		return -EFAULT;
	if (room < 0)
		return -EINVAL;
	struct linux_sockaddr_in sin = {AF_INET, a->port, a->addr, {0}};
	int len = sizeof(sin);
	if (copy_out(t->proc->mm, uaddr, &sin, (size_t)MIN(room, len)) ||
	    copy_out(t->proc->mm, ulen_at, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

static struct file *isock_file(unsigned handle, unsigned type, unsigned flags,
			       const struct net_rep *rep)
{
	if (!handle_ok(handle))
		return NULL; /* nonsense from the service */
	struct isock *s = kmalloc(sizeof(*s));
	struct file *f = s ? sock_file_alloc(&inet_ops, s, flags) : NULL;
	if (!f) {
		kfree(s);
		struct net_req q = {.handle = handle};
		srv_post(&net, NET_CLOSE, &q, sizeof(q));
		return NULL;
	}
	*s = (struct isock){.handle = handle, .epoch = net.epoch, .type = type};
	ready[SLOT(handle)] = (struct readiness){handle, rep->mask, rep->version};
	return f;
}

int inet_socket_create(struct thread *t, unsigned type, int proto, unsigned flags,
		       struct file **out)
{
	*out = NULL;
	if (!served)
		return -EAFNOSUPPORT; /* no network service has ever run */
	if (type == SOCK_RAW && proto != IPPROTO_ICMP)
		return -EPROTONOSUPPORT; /* raw sockets: ICMP's alone (ping) */
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	if (proto && proto != (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP) &&
	    proto != IPPROTO_ICMP) /* a ping socket, a raw one */
		return -EPROTONOSUPPORT;
	struct net_req q = {.arg = type, .flags = (unsigned)proto};
	struct net_rep rep;
	long r = ask(t, NULL, NET_SOCKET, &q, NULL, &rep);
	if (r < 0)
		return (int)(r == -EIO ? -ENOBUFS : r);
	*out = isock_file(rep.handle, type, flags, &rep);
	return *out ? 0 : -ENOMEM;
}

/*
 * A send or receive of the pieces on f with flags (MSG_*): a stream moves what it can (a
 * blocking send all of it, a receive what there is, MSG_WAITALL all of it); a datagram is one
 * message, to or from the address (a send's at uaddr, ulen bytes; a receive's sender to uaddr,
 * its length to the int at ulen).
 */
long inet_transfer(struct thread *t, struct file *f, struct pieces *ps, unsigned flags, bool out,
		   uint64_t uaddr, uint64_t ulen, int *msg_flags)
{
	struct isock *s = f->priv;
	long err = pieces_check(t, ps);
	if (err)
		return err;
	struct net_req q = {.flags = flags};
	if (out && uaddr && ulen) {
		if (s->type == SOCK_STREAM)
			return -EISCONN;
		if ((err = addr_in(t, uaddr, ulen, &q.addr, false)))
			return err;
		q.has_addr = 1;
	}
	unsigned saved = t->msg_flags;
	t->msg_flags = flags;
	bool all = s->type == SOCK_STREAM && (out || (flags & MSG_WAITALL));
	uint64_t done = t->net_done;
	long r;
	for (;;) {
		/* The pieces after done, as one grant (a datagram's must fit one). */
		struct grant g = {.mm = t->proc->mm, .dir = out ? GRANT_FROM_CLIENT : GRANT_TO_CLIENT};
		uint64_t skip = done;
		unsigned n = ps->vec ? ps->cnt : 1;
		for (unsigned i = 0; i < n && g.len < NET_IO_MAX && g.len + done < ps->total; i++) {
			uint64_t buf, len;
			if (!piece_left(t, ps, i, &skip, &buf, &len))
				continue;
			len = MIN(len, MIN(NET_IO_MAX - g.len, ps->total - done - g.len));
			if (g.nseg == GRANT_SEGS) {
				if (s->type != SOCK_STREAM) {
					r = -EMSGSIZE;
					goto end;
				}
				break;
			}
			g.seg[g.nseg].uva = buf;
			g.seg[g.nseg++].len = len;
			g.len += len;
		}
		if (!g.len && done) {
			r = (long)done;
			break;
		}
		q.len = g.len;
		q.uva = g.nseg ? g.seg[0].uva : 0;
		struct net_rep rep;
		r = ask(t, s, out ? NET_SEND : NET_RECV, &q, g.len ? &g : NULL, &rep);
		if (r == -EBLOCKED)
			goto end;
		if (r == -EAGAIN) {
			if (done && !all) {
				r = (long)done;
				break;
			}
			r = wait_ready(t, f, s, out ? POLLOUT : POLLIN | POLLRDHUP,
				       out ? s->sndtimeo : s->rcvtimeo, done ? (long)done : -EINTR);
			if (r == -EBLOCKED) {
				t->net_done = done;
				goto end;
			}
			if (done)
				r = (long)done;
			break;
		}
		if (r < 0) {
			if (!out && r == -ECONNRESET && dead(s)) {
				if (s->reset_told)
					r = 0; /* after the reset, the end */
				s->reset_told = true;
			}
			if (out && (r == -EPIPE || (r == -ECONNRESET && dead(s)))) {
				r = -EPIPE;
				if (!(flags & MSG_NOSIGNAL))
					signal_send_thread(t, SIGPIPE, SI_USER, t->proc->pid, 0);
			}
			if (done)
				r = (long)done;
			break;
		}
		if (!out && uaddr && ulen && (err = addr_out(t, &rep.addr, uaddr, ulen))) {
			r = err;
			break;
		}
		if (msg_flags)
			*msg_flags = (int)rep.msg_flags;
		if (s->type != SOCK_STREAM)
			break; /* one message */
		done += (uint64_t)r;
		r = (long)done;
		if (done >= ps->total || (!out && (!all || rep.status == 0)) || (flags & MSG_PEEK))
			break;
	}
	t->net_done = 0;
end:
	t->msg_flags = saved;
	return r;
}

static long inet_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	struct pieces ps = {.buf = buf, .len = len};
	return inet_transfer(t, f, &ps, t->msg_flags, false, 0, 0, NULL);
}

static long inet_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	struct pieces ps = {.buf = buf, .len = len};
	return inet_transfer(t, f, &ps, t->msg_flags, true, 0, 0, NULL);
}

static unsigned inet_poll(struct file *f)
{
	return mask_of(f->priv);
}

static long inet_ioctl(struct thread *t, struct file *f, uint64_t cmd, uint64_t arg)
{
	struct isock *s = f->priv;
	struct net_req q = {.arg = (unsigned)cmd};
	struct net_rep rep;
	if (cmd == FIONREAD) {
		long r = ask(t, s, NET_IOCTL, &q, NULL, &rep);
		if (r < 0)
			return r;
		return copy_out(t->proc->mm, arg, &rep.optval, sizeof(int)) ? -EFAULT : 0;
	}
	if ((cmd & 0xff00) != 0x8900)
		return -ENOTTY;
	/* SIOC*: interface requests. SIOCGIFCONF fills the caller's buffer through a grant. */
	if (cmd == SIOCGIFCONF) {
		struct linux_ifconf c;
		if (copy_in(t->proc->mm, &c, arg, sizeof(c)))
			return -EFAULT;
		struct grant g = grant_one(t->proc->mm, c.ifc_buf, c.ifc_buf ? (unsigned)c.ifc_len : 0,
					   GRANT_TO_CLIENT);
		q.len = g.len;
		q.uva = c.ifc_buf;
		long r = ask(t, s, NET_IOCTL, &q, g.len ? &g : NULL, &rep);
		if (r < 0)
			return r;
		c.ifc_len = (int)r;
		return copy_out(t->proc->mm, arg, &c, sizeof(c)) ? -EFAULT : 0;
	}
	if (copy_in(t->proc->mm, q.ifreq, arg, sizeof(q.ifreq)))
		return -EFAULT;
	long r = ask(t, s, NET_IOCTL, &q, NULL, &rep);
	if (r < 0)
		return r;
	return copy_out(t->proc->mm, arg, rep.ifreq, sizeof(rep.ifreq)) ? -EFAULT : 0;
}

static void inet_release(struct file *f)
{
	struct isock *s = f->priv;
	if (!dead(s)) {
		struct net_req q = {.handle = s->handle};
		srv_post(&net, NET_CLOSE, &q, sizeof(q));
		struct readiness *r = &ready[SLOT(s->handle)];
		if (r->handle == s->handle)
			*r = (struct readiness){0};
	}
	kfree(s);
}

static const struct file_ops inet_ops = {.read = inet_read, .write = inet_write,
					 .ioctl = inet_ioctl, .poll = inet_poll,
					 .release = inet_release};

/* A request about f that only says yes or no. */
static long simple(struct thread *t, struct file *f, unsigned op, const struct net_req *q)
{
	struct net_rep rep;
	return ask(t, f->priv, op, q, NULL, &rep);
}

long inet_bind(struct thread *t, struct file *f, const uint64_t *a)
{
	struct isock *s = f->priv;
	struct net_req q = {0};
	long err = addr_in(t, a[1], a[2], &q.addr, false);
	if (!err && !(err = simple(t, f, NET_BIND, &q))) {
		s->bound = true;
		s->addr = q.addr;
	}
	return err;
}

long inet_listen(struct thread *t, struct file *f, const uint64_t *a)
{
	int backlog = (int)a[1];
	struct isock *s = f->priv;
	struct net_req q = {.arg = backlog < 1 ? 1 : backlog > 128 ? 128 : (unsigned)backlog};
	long r = simple(t, f, NET_LISTEN, &q);
	if (!r) {
		struct net_rep rep;
		struct net_req nq = {0};
		if (!s->bound && !(r = ask(t, s, NET_NAME, &nq, NULL, &rep))) {
			s->addr = rep.addr; /* the port listen chose */
			s->bound = true;
		}
		s->listening = !r;
		s->backlog = q.arg;
	}
	return r;
}

/* A stream's connect waits for the connection (t->net_done 1: it asked, and waited since). */
long inet_connect(struct thread *t, struct file *f, const uint64_t *a)
{
	struct isock *s = f->priv;
	struct net_req q = {0};
	struct net_rep rep;
	long r;
	if (!t->net_done) {
		if ((r = addr_in(t, a[1], a[2], &q.addr, true)))
			return r;
		r = ask(t, s, NET_CONNECT, &q, NULL, &rep);
		if (r != -EINPROGRESS || (f->flags & O_NONBLOCK)) {
			if (!r)
				s->connected = q.addr.family != AF_UNSPEC; /* a datagram socket's peer */
			return r;
		}
	}
	r = ask(t, s, NET_CONNECTED, &q, NULL, &rep);
	if (r == -EAGAIN) {
		r = wait_ready(t, f, s, POLLOUT, s->sndtimeo, -EINTR);
		if (r == -EBLOCKED)
			t->net_done = 1; /* the log is gone: connecting, not to be asked again */
		if (r == -EAGAIN)
			r = -EINPROGRESS; /* SO_SNDTIMEO ran out: it goes on connecting */
	}
	return r;
}

long inet_accept(struct thread *t, struct file *f, unsigned flags, uint64_t uaddr, uint64_t ulen,
		 struct file **out)
{
	struct isock *s = f->priv;
	struct net_req q = {0};
	struct net_rep rep;
	*out = NULL;
	long r = ask(t, s, NET_ACCEPT, &q, NULL, &rep);
	if (r == -EAGAIN)
		return wait_ready(t, f, s, POLLIN, s->rcvtimeo, -EINTR);
	if (r < 0)
		return r;
	*out = isock_file(rep.handle, s->type, flags, &rep);
	if (!*out)
		return -ENOMEM;
	if ((r = addr_out(t, &rep.addr, uaddr, ulen))) {
		file_put(*out);
		*out = NULL;
	}
	return r;
}

static long name(struct thread *t, struct file *f, const uint64_t *a, unsigned which)
{
	struct net_req q = {.arg = which};
	struct net_rep rep;
	long r = ask(t, f->priv, NET_NAME, &q, NULL, &rep);
	if (r < 0)
		return r;
	if (!a[1] || !a[2])
		return -EFAULT;
	return addr_out(t, &rep.addr, a[1], a[2]);
}

long inet_getsockname(struct thread *t, struct file *f, const uint64_t *a)
{
	return name(t, f, a, 0);
}

long inet_getpeername(struct thread *t, struct file *f, const uint64_t *a)
{
	return name(t, f, a, 1);
}

long inet_shutdown(struct thread *t, struct file *f, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	struct net_req q = {.arg = (unsigned)how};
	return simple(t, f, NET_SHUTDOWN, &q);
}

static bool timeout_opt(int level, int opt)
{
	return level == SOL_SOCKET && (opt == SO_RCVTIMEO || opt == SO_SNDTIMEO);
}

long inet_getsockopt(struct thread *t, struct file *f, const uint64_t *a)
{
	struct isock *s = f->priv;
	int level = (int)a[1], opt = (int)a[2];
	int len;
	if (copy_in(t->proc->mm, &len, a[4], sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	unsigned char v[16] = {0};
	int size = sizeof(int);
	if (timeout_opt(level, opt)) {
		uint64_t ns = opt == SO_RCVTIMEO ? s->rcvtimeo : s->sndtimeo;
		struct linux_timeval tv = {(long long)(ns / 1000000000ull),
					   (long long)(ns % 1000000000ull / NS_PER_US)};
		kmemcpy(v, &tv, sizeof(tv));
		size = sizeof(tv);
	} else if (level == SOL_SOCKET && (opt == SO_DOMAIN || opt == SO_TYPE)) {
		int x = opt == SO_DOMAIN ? AF_INET : (int)s->type;
		kmemcpy(v, &x, sizeof(x));
	} else {
		struct net_req q = {.level = (unsigned)level, .name = (unsigned)opt};
		struct net_rep rep;
		long r = ask(t, s, NET_GETOPT, &q, NULL, &rep);
		if (r < 0)
			return r;
		kmemcpy(v, &rep.optval, sizeof(rep.optval));
		if (level == SOL_SOCKET && opt == SO_LINGER)
			size = 2 * sizeof(int); /* struct linger: l_onoff, l_linger */
	}
	len = MIN(len, size);
	if (copy_out(t->proc->mm, a[3], v, (size_t)len) ||
	    copy_out(t->proc->mm, a[4], &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

long inet_setsockopt(struct thread *t, struct file *f, const uint64_t *a)
{
	struct isock *s = f->priv;
	int level = (int)a[1], opt = (int)a[2];
	if (timeout_opt(level, opt)) {
		struct linux_timeval tv;
		if (a[4] < sizeof(tv))
			return -EINVAL;
		if (copy_in(t->proc->mm, &tv, a[3], sizeof(tv)))
			return -EFAULT;
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EDOM;
		uint64_t ns = tv.tv_sec < 0 ? 0 : (uint64_t)tv.tv_sec * 1000000000ull +
						  (uint64_t)tv.tv_usec * NS_PER_US;
		*(opt == SO_RCVTIMEO ? &s->rcvtimeo : &s->sndtimeo) = ns;
		return 0;
	}
	int v;
	if (a[4] < sizeof(v))
		return -EINVAL;
	if (copy_in(t->proc->mm, &v, a[3], sizeof(v)))
		return -EFAULT;
	struct net_req q = {.level = (unsigned)level, .name = (unsigned)opt, .optval = v};
	long r = simple(t, f, NET_SETOPT, &q);
	if (!r) { /* kept for the next server (revive): the last value of each option */
		unsigned i = 0;
		while (i < s->nopts && (s->opts[i].level != q.level || s->opts[i].name != q.name))
			i++;
		if (i < OPTS_MAX) {
			s->opts[i].level = q.level;
			s->opts[i].name = q.name;
			s->opts[i].value = v;
			s->nopts = MAX(s->nopts, i + 1);
		}
	}
	return r;
}

long sys_net_serve(struct thread *t, const uint64_t *a)
{
	(void)a;
	if (net.server && thread_find(net.server))
		return net.server == t->tid ? 0 : -EBUSY;
	net.server = t->tid;
	net.epoch++;
	served = true;
	kmemset(ready, 0, sizeof(ready));
	wait_wake(WAIT_KEY(&net));
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		wait_wake(WAIT_KEY(&ready[i])); /* listeners waiting to be made again (revive) */
	trace_sched("pid %d serves the Internet sockets", t->proc->pid);
	return 0;
}

long sys_net_ready(struct thread *t, const uint64_t *a)
{
	if (!net.server || net.server != t->tid)
		return -EPERM;
	uint64_t at = a[0], n = a[1];
	if (n > NET_READY_MAX)
		return -EINVAL;
	struct net_ready batch[32];
	for (uint64_t i = 0; i < n; i += 32) {
		unsigned k = (unsigned)MIN(n - i, 32);
		if (copy_in(t->proc->mm, batch, at + i * sizeof(batch[0]), k * sizeof(batch[0])))
			return -EFAULT;
		for (unsigned j = 0; j < k; j++)
			note(batch[j].handle, batch[j].mask, batch[j].version, true);
	}
	return 0;
}

void inet_server_exit(struct thread *server)
{
	if (net.server != server->tid)
		return;
	net.server = 0; /* its sockets are dead: every waiter looks again */
	for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
		wait_wake(WAIT_KEY(&ready[i]));
	kmemset(ready, 0, sizeof(ready));
}

void inet_reset(void)
{
	net.server = 0;
	net.epoch = 0;
	served = false;
	kmemset(ready, 0, sizeof(ready));
}

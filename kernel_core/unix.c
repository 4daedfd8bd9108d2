/*
 * AF_UNIX stream sockets, the kernel's own: a connected socket is two pipe rings crossed
 * (kernel/pipe_ring.h), each end reading one and writing the other, so reads end when the peer
 * closes or shuts its sending side down and writes fail with EPIPE (and SIGPIPE) when it is
 * gone. A socket is bound to a name in the abstract namespace (a sun_path that starts with a
 * NUL byte) or to a path, where bind makes a socket node (S_IFSOCK) in the filesystem, as Linux
 * does: it stays until unlinked, and a connect finds the listener by that node's identity, as
 * a FIFO's open finds its pipe. A listener keeps the connections made to it until accept takes
 * them: connect completes at once while there is room in the backlog.
 */
#include <kernel/fd.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/pipe_ring.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define UNIX_PATH_MAX 108
#define NAMED_MAX 64   /* sockets bound at once */
#define BACKLOG_MAX 128
#define SUN_PATH_AT 2  /* offsetof(struct sockaddr_un, sun_path) */

enum { U_NEW, U_LISTENING, U_CONNECTED };

struct sockname {
	unsigned len; /* bytes of sun_path that name it: 0 unnamed, path + NUL, or abstract */
	char path[UNIX_PATH_MAX];
};

struct usock {
	unsigned type;         /* SOCK_STREAM or SOCK_DGRAM */
	unsigned state;
	struct pipe *rx, *tx;  /* connected: what it reads and what it writes */
	bool shut_rd, shut_wr;
	struct sockname name, peer;
	struct mount *mnt;     /* a path-bound socket's node */
	uint64_t ino;
	struct usock *queue[BACKLOG_MAX]; /* listening: connections accept has not taken */
	unsigned nqueue, backlog;
	/* Datagram sockets: the messages that came (records of struct drec, the sender's name,
	 * the bytes), where send and write go without an address, and whether that peer went
	 * away since (the next send says ECONNREFUSED, as Linux's does, then ENOTCONN). */
	struct pipe *dq;
	struct usock *dpeer;
	bool dpeer_lost;
	struct usock *dnext;   /* the list of every datagram socket */
	int peer_pid;          /* SO_PEERCRED: the process at the other end when it connected (0:
				* none), and a listener's own, given to those that connect to it */
	int listen_pid;
};

struct drec {
	uint32_t len;
	uint16_t namelen, pad;
};

static struct usock *named[NAMED_MAX];
static struct usock *dgrams;

/* A socket of type (SOCK_STREAM or SOCK_DGRAM), or NULL. */
static struct usock *usock_new(unsigned type)
{
	struct usock *u = kmalloc(sizeof(struct usock));
	if (!u)
		return NULL;
	u->type = type;
	if (type == SOCK_DGRAM) {
		if (!(u->dq = pipe_new())) {
			kfree(u);
			return NULL;
		}
		u->dq->readers = u->dq->writers = u->dq->refs = 1;
		u->dnext = dgrams;
		dgrams = u;
	}
	return u;
}

/* Closes both directions of a connected socket (its pipes' ends). A socket closed with bytes
 * unread, or a connection closed before it was accepted, resets its peer (ECONNRESET once, after
 * what was sent to it), as Linux does. */
static void disconnect(struct usock *u, bool embryo)
{
	if (u->state != U_CONNECTED)
		return;
	if (u->rx->len || embryo)
		u->tx->reset = true;
	if (!u->shut_rd) {
		u->shut_rd = true;
		u->rx->readers--;
	}
	if (!u->shut_wr) {
		u->shut_wr = true;
		u->tx->writers--;
	}
	wait_wake(WAIT_KEY(u->rx));
	wait_wake(WAIT_KEY(u->tx));
	struct pipe *pipes[2] = {u->rx, u->tx};
	for (int i = 0; i < 2; i++)
		if (--pipes[i]->refs == 0)
			pipe_free(pipes[i]);
	u->rx = u->tx = NULL;
}

static void usock_free(struct usock *u, bool embryo)
{
	disconnect(u, embryo);
	if (u->type == SOCK_DGRAM) {
		for (struct usock **pp = &dgrams; *pp;) {
			if (*pp == u) {
				*pp = u->dnext;
				continue;
			}
			if ((*pp)->dpeer == u) {
				(*pp)->dpeer = NULL;
				(*pp)->dpeer_lost = true;
			}
			pp = &(*pp)->dnext;
		}
		wait_wake(WAIT_KEY(u->dq));
		pipe_free(u->dq);
	}
	for (unsigned i = 0; i < u->nqueue; i++)
		usock_free(u->queue[i], true); /* never accepted: their clients are reset */
	for (int i = 0; i < NAMED_MAX; i++)
		if (named[i] == u)
			named[i] = NULL;
	wait_wake(WAIT_KEY(u));
	kfree(u);
}

/* Connects a and b with two new rings: 0 or -ENOMEM. */
static int connect_pair(struct usock *a, struct usock *b)
{
	struct pipe *p1 = pipe_new(), *p2 = p1 ? pipe_new() : NULL;
	if (!p2) {
		kfree(p1);
		return -ENOMEM;
	}
	p1->readers = p1->writers = p2->readers = p2->writers = 1;
	p1->refs = p2->refs = 2;
	a->rx = b->tx = p1;
	a->tx = b->rx = p2;
	a->state = b->state = U_CONNECTED;
	return 0;
}

static long unix_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	struct usock *u = f->priv;
	if (u->type == SOCK_DGRAM || u->state != U_CONNECTED)
		return -EINVAL; /* as Linux answers a stream socket that is not connected */
	if (!u->rx->len && u->rx->reset && !(t->msg_flags & MSG_PEEK)) {
		u->rx->reset = false;
		return -ECONNRESET;
	}
	if (u->shut_rd && !u->rx->len)
		return 0;
	return pipe_ring_read(t, f, u->rx, buf, len);
}

static long unix_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	struct usock *u = f->priv;
	if (u->type == SOCK_DGRAM)
		return -EINVAL; /* a message goes whole, through unix_dgram_send */
	if (u->state != U_CONNECTED)
		return -ENOTCONN;
	if (u->shut_wr) {
		if (!(t->msg_flags & MSG_NOSIGNAL))
			signal_send_thread(t, SIGPIPE, SI_USER, t->proc->pid, 0);
		return -EPIPE;
	}
	return pipe_ring_write(t, f, u->tx, buf, len);
}

static unsigned unix_poll(struct file *f)
{
	struct usock *u = f->priv;
	if (u->type == SOCK_DGRAM) /* writable as Linux says it, whether or not a peer is there */
		return (u->dq->len ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM;
	if (u->state == U_LISTENING)
		return u->nqueue ? POLLIN | POLLRDNORM : 0;
	if (u->state != U_CONNECTED)
		return POLLOUT | POLLWRNORM | POLLHUP; /* as Linux says of an unconnected stream */
	unsigned r = 0;
	bool rd_end = !u->rx->writers || u->shut_rd; /* nothing more will come */
	if (u->rx->len || rd_end)
		r |= POLLIN | POLLRDNORM;
	if (rd_end)
		r |= POLLRDHUP;
	if (!u->shut_wr && u->tx->readers && PIPE_SIZE - u->tx->len >= PIPE_BUF)
		r |= POLLOUT | POLLWRNORM;
	if (rd_end && (u->shut_wr || !u->tx->readers))
		r |= POLLHUP; /* both directions are over */
	if (u->rx->reset)
		r |= POLLERR;
	return r;
}

static long unix_ioctl(struct thread *t, struct file *f, uint64_t cmd, uint64_t arg)
{
	struct usock *u = f->priv;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = u->state == U_CONNECTED ? (int)u->rx->len : 0;
	struct drec r;
	if (u->type == SOCK_DGRAM) /* the next message's size, as Linux gives it */
		n = u->dq->len && !pipe_ring_kget(u->dq, 0, &r, sizeof(r)) ? (int)r.len : 0;
	return copy_out(t->proc->mm, arg, &n, sizeof(n));
}

static void unix_release(struct file *f)
{
	usock_free(f->priv, false);
}

static const struct file_ops unix_ops = {.read = unix_read, .write = unix_write,
					 .ioctl = unix_ioctl, .poll = unix_poll,
					 .release = unix_release};

bool file_is_socket(const struct file *f)
{
	return f->ops == &unix_ops || file_is_inet(f);
}

const struct fs_type sockfs_type = {
	.name = "sockfs",
	.magic = SOCKFS_MAGIC,
	.getattr = pipe_anon_getattr,
};

static unsigned long long next_sock_ino = 1;

struct file *sock_file_alloc(const struct file_ops *ops, void *priv, unsigned flags)
{
	struct inode *ino = inode_new(&sockfs_type, NULL, next_sock_ino++, S_IFSOCK | 0777);
	struct file *f = ino ? file_alloc(inode_get(ino), NULL, O_RDWR | (flags & O_NONBLOCK)) : NULL;
	inode_put(ino);
	if (f) {
		f->ops = ops;
		f->priv = priv;
	}
	return f;
}

/* A file for socket u (which it owns from now on, freeing it on failure). */
static struct file *socket_file(struct usock *u, unsigned flags)
{
	struct file *f = sock_file_alloc(&unix_ops, u, flags);
	if (!f)
		usock_free(u, false);
	return f;
}

int unix_socket_create(unsigned type, unsigned flags, struct file **out)
{
	struct usock *u = usock_new(type);
	*out = u ? socket_file(u, flags) : NULL;
	return *out ? 0 : -ENOMEM;
}

int unix_pair_create(struct thread *t, unsigned type, unsigned flags, struct file **a,
		     struct file **b)
{
	struct usock *x = usock_new(type), *y = x ? usock_new(type) : NULL;
	if (!y || (type == SOCK_STREAM && connect_pair(x, y))) {
		if (y)
			usock_free(y, false);
		if (x)
			usock_free(x, false);
		return -ENOMEM;
	}
	if (type == SOCK_DGRAM) {
		x->dpeer = y;
		y->dpeer = x;
	}
	x->peer_pid = y->peer_pid = t->proc->pid;
	struct file *fx = socket_file(x, flags);
	struct file *fy = fx ? socket_file(y, flags) : NULL;
	if (!fy) {
		if (fx)
			file_put(fx);
		else
			usock_free(y, false);
		return -ENOMEM;
	}
	*a = fx;
	*b = fy;
	return 0;
}

int unix_transfer_check(struct file *f, bool out)
{
	struct usock *u = f->priv;
	if (u->state == U_CONNECTED || u->type == SOCK_DGRAM)
		return 0;
	return out ? -ENOTCONN : -EINVAL;
}

int unix_shutdown(struct file *f, int how)
{
	struct usock *u = f->priv;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (u->type == SOCK_DGRAM)
		return 0; /* nothing is streamed to end */
	if (u->state != U_CONNECTED)
		return 0; /* Linux only notes it: nothing is connected to tell */
	if (how != SHUT_WR && !u->shut_rd) {
		u->shut_rd = true;
		u->rx->readers--; /* the other end's writes fail now */
	}
	if (how != SHUT_RD && !u->shut_wr) {
		u->shut_wr = true;
		u->tx->writers--; /* the other end reads to the end of what was sent */
	}
	wait_wake(WAIT_KEY(u->rx));
	wait_wake(WAIT_KEY(u->tx));
	return 0;
}

/* The socket at descriptor fd: NULL with *err -EBADF or -ENOTSOCK. */
struct file *socket_of(struct thread *t, uint64_t fd, long *err)
{
	struct file *f = fd_get(t->proc->fds, (int64_t)(int)fd);
	*err = !f ? -EBADF : !file_is_socket(f) ? -ENOTSOCK : 0;
	return *err ? NULL : f;
}

/* A call on an Internet socket goes to inet.c. */
#define INET_ROUTE(fn)                                                                           \
	do {                                                                                     \
		long e_;                                                                         \
		struct file *f_ = socket_of(t, a[0], &e_);                                       \
		if (f_ && file_is_inet(f_))                                                      \
			return fn(t, f_, a);                                                     \
	} while (0)

static struct usock *usock_of(struct thread *t, uint64_t fd, struct file **fp, long *err)
{
	struct file *f = socket_of(t, fd, err);
	if (fp)
		*fp = f;
	return f ? f->priv : NULL;
}

/* A struct sockaddr_un of len bytes at uaddr into *n: 0, or -EINVAL, -EFAULT. A path is cut at
 * its first NUL (or at len, as Linux reads one without it). */
static long sockname_in(struct thread *t, uint64_t uaddr, uint64_t len, struct sockname *n)
{
	char buf[SUN_PATH_AT + UNIX_PATH_MAX];
	if (len <= SUN_PATH_AT || len > sizeof(buf))
		return -EINVAL;
	if (copy_in(t->proc->mm, buf, uaddr, (size_t)len))
		return -EFAULT;
	uint16_t family;
	kmemcpy(&family, buf, sizeof(family));
	if (family != AF_UNIX)
		return -EINVAL;
	unsigned plen = (unsigned)len - SUN_PATH_AT;
	kmemset(n, 0, sizeof(*n));
	kmemcpy(n->path, buf + SUN_PATH_AT, plen);
	if (n->path[0]) {
		unsigned l = 0;
		while (l < plen && n->path[l])
			l++;
		if (l == UNIX_PATH_MAX)
			return -EINVAL; /* no room for its NUL */
		n->path[l] = 0;
		n->len = l + 1;
	} else {
		n->len = plen; /* abstract: every byte counts */
	}
	return 0;
}

/* Writes name n as a struct sockaddr_un at uaddr, cut to *ulen's room, and its length there. */
static long sockname_out(struct thread *t, const struct sockname *n, uint64_t uaddr, uint64_t ulen)
{
	if (!uaddr)
		return 0;
	int room;
	if (copy_in(t->proc->mm, &room, ulen, sizeof(room)))
		return -EFAULT;
	if (room < 0)
		return -EINVAL;
	char buf[SUN_PATH_AT + UNIX_PATH_MAX];
	uint16_t family = AF_UNIX;
	kmemcpy(buf, &family, sizeof(family));
	kmemcpy(buf + SUN_PATH_AT, n->path, n->len);
	int len = SUN_PATH_AT + (int)n->len;
	if (copy_out(t->proc->mm, uaddr, buf, (size_t)MIN(room, len)) ||
	    copy_out(t->proc->mm, ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

static bool abstract(const struct sockname *n)
{
	return n->len && !n->path[0];
}

static struct usock *find_abstract(const struct sockname *n)
{
	for (int i = 0; i < NAMED_MAX; i++)
		if (named[i] && abstract(&named[i]->name) && named[i]->name.len == n->len &&
		    !kmemcmp(named[i]->name.path, n->path, n->len))
			return named[i];
	return NULL;
}

/* bind of a bound socket to path n: EADDRINUSE when the path is there, else EINVAL. */
static long bound_elsewhere(struct thread *t, const struct sockname *n)
{
	struct walk w = {0};
	long err = vfs_walk(t, AT_FDCWD, n->path, &w);
	if (err == -EBLOCKED)
		return err;
	if (!err)
		inode_put(w.ino);
	return err ? -EINVAL : -EADDRINUSE;
}

SYSCALL(bind)
{
	INET_ROUTE(inet_bind);
	long err;
	struct usock *u = usock_of(t, a[0], NULL, &err);
	if (!u)
		return err;
	struct sockname n;
	if (a[2] == SUN_PATH_AT) { /* the family alone: an abstract name of the kernel's choosing */
		uint16_t family;
		if (copy_in(t->proc->mm, &family, a[1], sizeof(family)))
			return -EFAULT;
		if (family != AF_UNIX)
			return -EINVAL;
		static unsigned next_auto;
		kmemset(&n, 0, sizeof(n));
		do {
			static const char hex[] = "0123456789abcdef";
			unsigned v = next_auto++ & 0xfffff;
			for (int i = 5; i >= 1; i--, v >>= 4)
				n.path[i] = hex[v & 15];
			n.len = 6;
		} while (find_abstract(&n));
	} else if ((err = sockname_in(t, a[1], a[2], &n))) {
		return err;
	}
	int slot = 0;
	while (slot < NAMED_MAX && named[slot])
		slot++;
	if (slot == NAMED_MAX)
		return -ENOBUFS;
	if (abstract(&n)) {
		if (find_abstract(&n))
			return -EADDRINUSE;
		if (u->name.len || u->state != U_NEW)
			return -EINVAL;
	} else {
		/* A socket node at the path, made as mknod makes one: it must not be there yet. */
		struct walk w = {.flags = WALK_PARENT};
		if ((err = vfs_walk(t, AT_FDCWD, n.path, &w)))
			return err;
		struct inode *node = NULL;
		if (!w.name[0] || !kstrcmp(w.name, ".") || !kstrcmp(w.name, ".."))
			err = -EADDRINUSE;
		else if (u->name.len || u->state != U_NEW)
			err = bound_elsewhere(t, &n); /* Linux: a taken path first, then EINVAL */
		else if (!w.ino->fs->create)
			err = -EROFS;
		else
			err = w.ino->fs->create(t, w.ino, w.name,
						S_IFSOCK | (0777 & ~t->proc->fs->umask), &node);
		inode_put(w.ino);
		if (err)
			return err == -EEXIST ? -EADDRINUSE : err;
		u->mnt = node->mnt;
		u->ino = node->ino;
		inode_put(node);
	}
	u->name = n;
	named[slot] = u;
	return 0;
}

SYSCALL(listen)
{
	INET_ROUTE(inet_listen);
	long err;
	struct usock *u = usock_of(t, a[0], NULL, &err);
	if (!u)
		return err;
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (u->state == U_CONNECTED || !u->name.len)
		return -EINVAL;
	int backlog = (int)a[1];
	u->backlog = backlog < 1 ? 1 : backlog > BACKLOG_MAX ? BACKLOG_MAX : (unsigned)backlog;
	u->state = U_LISTENING;
	u->listen_pid = t->proc->pid;
	return 0;
}

/* The socket bound to name n: 0 with *found (NULL when nobody has it), or -errno (a path
 * that is not there: ENOENT; -EBLOCKED to wait for the filesystem). */
static long lookup(struct thread *t, const struct sockname *n, struct usock **found)
{
	*found = NULL;
	if (abstract(n)) {
		*found = find_abstract(n);
		return 0;
	}
	struct walk w = {.flags = WALK_FOLLOW};
	long err = vfs_walk(t, AT_FDCWD, n->path, &w);
	if (err)
		return err;
	for (int i = 0; i < NAMED_MAX && !*found; i++)
		if (named[i] && !abstract(&named[i]->name) && named[i]->mnt == w.ino->mnt &&
		    named[i]->ino == w.ino->ino)
			*found = named[i];
	inode_put(w.ino);
	return 0;
}

SYSCALL(connect)
{
	INET_ROUTE(inet_connect);
	long err;
	struct file *f;
	struct usock *u = usock_of(t, a[0], &f, &err);
	if (!u)
		return err;
	struct sockname n;
	if ((err = sockname_in(t, a[1], a[2], &n)))
		return err;
	struct usock *l;
	if (u->type == SOCK_DGRAM) { /* the peer for sends without an address */
		if ((err = lookup(t, &n, &l)))
			return err;
		if (!l)
			return -ECONNREFUSED;
		if (l->type != SOCK_DGRAM)
			return -EPROTOTYPE;
		u->dpeer = l;
		u->dpeer_lost = false;
		u->peer = l->name;
		return 0;
	}
	if (u->state == U_CONNECTED)
		return -EISCONN;
	if (u->state == U_LISTENING)
		return -EINVAL;
	if ((err = lookup(t, &n, &l)))
		return err;
	if (!l || l->state != U_LISTENING)
		return -ECONNREFUSED;
	if (l->nqueue >= l->backlog) {
		if ((f->flags & O_NONBLOCK))
			return -EAGAIN;
		return wait_block(t, WAIT_PIPE, WAIT_KEY(l), UINT64_MAX,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	struct usock *s = usock_new(SOCK_STREAM);
	if (!s || connect_pair(u, s)) {
		kfree(s);
		return -ENOMEM;
	}
	s->name = l->name;
	s->peer = u->name;
	u->peer = l->name;
	s->peer_pid = t->proc->pid;
	u->peer_pid = l->listen_pid;
	l->queue[l->nqueue++] = s;
	wait_wake(WAIT_KEY(l));
	return 0;
}

int unix_accept(struct thread *t, uint64_t fd, unsigned flags, uint64_t uaddr, uint64_t ulen,
		struct file **out)
{
	long err;
	struct file *f;
	struct usock *l = usock_of(t, fd, &f, &err);
	if (!l)
		return (int)err;
	if (l->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (l->state != U_LISTENING)
		return -EINVAL;
	if (!l->nqueue) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		return (int)wait_block(t, WAIT_PIPE, WAIT_KEY(l), UINT64_MAX,
				       WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	if (uaddr && (err = sockname_out(t, &l->queue[0]->peer, uaddr, ulen)))
		return (int)err;
	struct usock *s = l->queue[0];
	l->nqueue--;
	for (unsigned i = 0; i < l->nqueue; i++)
		l->queue[i] = l->queue[i + 1];
	wait_wake(WAIT_KEY(l)); /* room in the backlog for a waiting connect */
	*out = socket_file(s, flags);
	return *out ? 0 : -ENOMEM;
}

SYSCALL(getsockname)
{
	INET_ROUTE(inet_getsockname);
	long err;
	struct usock *u = usock_of(t, a[0], NULL, &err);
	return u ? sockname_out(t, &u->name, a[1], a[2]) : err;
}

SYSCALL(getpeername)
{
	INET_ROUTE(inet_getpeername);
	long err;
	struct usock *u = usock_of(t, a[0], NULL, &err);
	if (!u)
		return err;
	if (u->type == SOCK_DGRAM ? !u->dpeer : u->state != U_CONNECTED)
		return -ENOTCONN;
	return sockname_out(t, &u->peer, a[1], a[2]);
}

SYSCALL(getsockopt)
{
	INET_ROUTE(inet_getsockopt);
	long err;
	struct usock *u = usock_of(t, a[0], NULL, &err);
	if (!u)
		return err;
	if ((int)a[1] != SOL_SOCKET)
		return -ENOPROTOOPT;
	int v[3] = {0}; /* an int, or SO_PEERCRED's struct ucred: pid, uid, gid (all root here) */
	int size = sizeof(v[0]);
	switch ((int)a[2]) {
	case SO_TYPE: v[0] = (int)u->type; break;
	case SO_DOMAIN: v[0] = AF_UNIX; break;
	case SO_ERROR: /* read once, as Linux's sk_err */
		v[0] = u->state == U_CONNECTED && u->type == SOCK_STREAM && u->rx->reset ? ECONNRESET : 0;
		if (v[0])
			u->rx->reset = false;
		break;
	case SO_ACCEPTCONN: v[0] = u->state == U_LISTENING; break;
	case SO_SNDBUF: case SO_RCVBUF: v[0] = PIPE_SIZE; break;
	case SO_PEERCRED:
		v[0] = u->peer_pid;
		v[1] = v[2] = u->peer_pid ? 0 : -1;
		size = sizeof(v);
		break;
	default: return -ENOPROTOOPT;
	}
	int len;
	if (copy_in(t->proc->mm, &len, a[4], sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = MIN(len, size);
	if (copy_out(t->proc->mm, a[3], v, (size_t)len) ||
	    copy_out(t->proc->mm, a[4], &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

SYSCALL(setsockopt)
{
	INET_ROUTE(inet_setsockopt);
	long err;
	if (!usock_of(t, a[0], NULL, &err))
		return err;
	if ((int)a[1] != SOL_SOCKET)
		return -ENOPROTOOPT;
	int opt = (int)a[2];
	if (opt != SO_SNDBUF && opt != SO_RCVBUF && opt != SO_REUSEADDR)
		return -ENOPROTOOPT;
	int v;
	if (a[4] < sizeof(v))
		return -EINVAL;
	return copy_in(t->proc->mm, &v, a[3], sizeof(v)) ? -EFAULT : 0; /* the ring keeps its size */
}

bool unix_is_dgram(const struct file *f)
{
	return f->ops == &unix_ops && ((const struct usock *)f->priv)->type == SOCK_DGRAM;
}

long unix_dgram_send(struct thread *t, struct file *f, const struct pieces *ps, uint64_t uaddr,
		     uint64_t ulen)
{
	struct usock *u = f->priv, *to;
	long err;
	if (uaddr) {
		struct sockname n;
		if ((err = sockname_in(t, uaddr, ulen, &n)) || (err = lookup(t, &n, &to)))
			return err;
		if (!to)
			return -ECONNREFUSED;
		if (to->type != SOCK_DGRAM)
			return -EPROTOTYPE;
	} else {
		if (u->dpeer_lost) {
			u->dpeer_lost = false;
			return -ECONNREFUSED;
		}
		if (!(to = u->dpeer))
			return -ENOTCONN;
	}
	struct drec r = {.len = (uint32_t)ps->total, .namelen = (uint16_t)u->name.len};
	size_t need = sizeof(r) + r.namelen + r.len;
	if (need > PIPE_SIZE)
		return -EMSGSIZE;
	struct pipe *q = to->dq;
	if (pipe_ring_room(q) < need) {
		if (pipe_nonblocking(t, f))
			return -EAGAIN;
		return wait_block(t, WAIT_PIPE, WAIT_KEY(q), UINT64_MAX,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	size_t was = q->len;
	err = pipe_ring_kput(q, &r, sizeof(r));
	if (!err)
		err = pipe_ring_kput(q, u->name.path, r.namelen);
	unsigned n = ps->vec ? ps->cnt : 1;
	uint64_t left = r.len;
	for (unsigned i = 0; !err && i < n && left; i++) {
		uint64_t buf, len;
		piece(t, ps, i, &buf, &len);
		len = MIN(len, left);
		err = pipe_ring_uput(t, q, buf, (size_t)len);
		left -= len;
	}
	if (err) {
		q->len = was; /* the message goes whole or not at all */
		return err;
	}
	wait_wake(WAIT_KEY(q));
	return (long)r.len;
}

long unix_dgram_recv(struct thread *t, struct file *f, const struct pieces *ps, uint64_t uaddr,
		     uint64_t ulen, int *msg_flags)
{
	struct usock *u = f->priv;
	struct pipe *q = u->dq;
	if (!q->len) {
		if (pipe_nonblocking(t, f))
			return -EAGAIN;
		return wait_block(t, WAIT_PIPE, WAIT_KEY(q), UINT64_MAX,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	struct drec r;
	struct sockname from = {0};
	if (pipe_ring_kget(q, 0, &r, sizeof(r)) || r.namelen > UNIX_PATH_MAX ||
	    pipe_ring_kget(q, sizeof(r), from.path, r.namelen))
		return -ENOMEM;
	from.len = r.namelen;
	size_t off = sizeof(r) + r.namelen;
	uint64_t left = r.len, copied = 0;
	unsigned n = ps->vec ? ps->cnt : 1;
	for (unsigned i = 0; i < n && left; i++) {
		uint64_t buf, len;
		piece(t, ps, i, &buf, &len);
		len = MIN(len, left);
		if (len && pipe_ring_uget(t, q, off, buf, (size_t)len))
			return -EFAULT; /* the message stays for the next try */
		off += len;
		left -= len;
		copied += len;
	}
	if (uaddr) {
		int zero = 0;
		long err = from.len ? sockname_out(t, &from, uaddr, ulen)
				    : copy_out(t->proc->mm, ulen, &zero, sizeof(zero));
		if (err)
			return err;
	}
	if (!(t->msg_flags & MSG_PEEK))
		pipe_ring_drop(q, sizeof(r) + r.namelen + r.len);
	if (left && msg_flags)
		*msg_flags |= MSG_TRUNC;
	return (long)((t->msg_flags & MSG_TRUNC) ? r.len : copied);
}

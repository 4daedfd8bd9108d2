/*
 * Filesystems served by processes (MINIX 3's VFS and FS servers, Redox's schemes): the kernel
 * turns file calls into requests of the uapi's vfs protocol, sent over IPC on behalf of the
 * calling thread, and the server's reply completes them. Bulk data goes straight between the
 * caller's buffer and the server (grant_copy).
 *
 * A syscall may need several requests (a lookup per path component, then the operation). The
 * kernel has no stack per thread to block on, so a syscall that must wait for a server returns
 * -EBLOCKED and runs again from the start once the answer is there (wait.h). Its thread keeps a
 * log of the requests the syscall made and their answers: running again, the syscall makes the
 * same requests in the same order and gets the logged answers without asking again, until it
 * reaches the one still open. A request that differs from the log's (another thread changed
 * what the call sees) drops the rest of the log. The log goes when the syscall ends.
 *
 * A server that does not answer in SRV_TIMEOUT_NS fails the call with EIO; one that dies fails
 * every call in flight with EIO, and its mount waits (as long) for the next server.
 */
#include <kernel/elf.h>
#include <kernel/ipc.h>
#include <kernel/klib.h>
#include <kernel/kernel.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define SRV_TIMEOUT_NS (10ull * 1000000000ull)
#define LOG_PER_PAGE (PAGE_SIZE / sizeof(struct log_entry))
#define LOG_PAGES 24
#define LOG_MAX (LOG_PAGES * LOG_PER_PAGE)
#define LOAD_VA 0x10000000ull /* where exec's staging memory holds a file */
#define LOAD_MAX (256ull << 20)
#define REP_MIN MAX(sizeof(struct vfs_rep), sizeof(struct net_rep))
#define LOAD_SLOTS 8 /* files exec may load in one call: a script, interpreters, the program */

struct log_entry {
	uint64_t hash;
	struct mount *mnt;
	unsigned op;
	bool done;
	long status;
	struct vfs_rep *rep; /* the reply (kmalloc'd or a page), NULL until done */
	size_t rep_len;
};

struct server_call {
	unsigned op; /* of the request in flight */
	struct log_entry *log[LOG_PAGES]; /* pages of entries, allocated as the log grows */
	unsigned n, pos;
	/* The request in flight (the last log entry): its bytes, for the server's receive. */
	void *req;
	size_t req_len;
	struct grant grant;
	bool grant_faulted; /* the client's buffer faulted in a grant_copy of the request */
	int server;        /* the thread it was sent to */
	struct mm *staging; /* exec's copies of files */
	/* Where each file exec loaded in this call lies in staging, in the order of the loads: a
	 * script's, then its interpreter's. A run again finds its loads in the same order. */
	struct {
		uint64_t va, size;
	} load[LOAD_SLOTS];
	unsigned nload, load_pos;
};

/* Messages posted to a server without a waiting caller (VFS_OPEN, VFS_CLOSE, NET_CLOSE). */
struct posted {
	struct posted *next;
	struct mount *mnt;
	unsigned op;
	size_t len;
	union {
		unsigned long long align;
		char vfs[sizeof(struct vfs_req) + 2]; /* a struct vfs_req and its two empty names */
		struct net_req net;
		struct chr_req chr;
	} req;
};
static struct posted *posts, **posts_tail = &posts;

/* Entry i of the log (its page allocated by call() before it is used). */
static struct log_entry *entry(struct server_call *sc, unsigned i)
{
	return &sc->log[i / LOG_PER_PAGE][i % LOG_PER_PAGE];
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void entry_free(struct log_entry *e)
{
	if (e->rep && e->rep_len > KMALLOC_MAX)
		kpage_free(e->rep);
	else
		kfree(e->rep);
	*e = (struct log_entry){0};
}

/* Drops the log from position from on; a request in flight among it is abandoned. */
static void log_truncate(struct thread *t, unsigned from)
{
	struct server_call *sc = t->srv;
	if (sc->n > from && !entry(sc, sc->n - 1)->done) {
		ipc_kernel_abandon(t);
		kpage_free(sc->req);
		sc->req = NULL;
	}
	while (sc->n > from)
		entry_free(entry(sc, --sc->n));
}

void srv_syscall_done(struct thread *t)
{
	struct server_call *sc = t->srv;
	if (!sc)
		return;
	log_truncate(t, 0);
	mm_put(sc->staging);
	for (unsigned i = 0; i < LOG_PAGES; i++)
		kpage_free(sc->log[i]);
	kfree(sc);
	t->srv = NULL;
}

void srv_syscall_begin(struct thread *t)
{
	if (t->srv)
		t->srv->pos = t->srv->load_pos = 0;
}

void srv_thread_exit(struct thread *t)
{
	srv_syscall_done(t);
}

const void *srv_request(struct thread *client, size_t *len, unsigned *op)
{
	*len = client->srv->req_len;
	*op = client->srv->op;
	return client->srv->req;
}

/* The request in flight of client ends with status (the server died or timed out). */
static void fail_in_flight(struct thread *client, long status)
{
	struct server_call *sc = client->srv;
	if (!sc || !sc->n || entry(sc, sc->n - 1)->done)
		return;
	struct log_entry *e = entry(sc, sc->n - 1);
	e->done = true;
	e->status = status;
	kpage_free(sc->req);
	sc->req = NULL;
}

void srv_fail(struct thread *client, long status)
{
	fail_in_flight(client, status);
	wait_wake_thread(client);
}

/*
 * One request of t's syscall to m's server: op with the req_len bytes of req (a page the call
 * takes), data to or from g during it. The reply's status, with its log entry in *done (NULL
 * when there is no reply: the server failed or died); or -EBLOCKED.
 */
static long exchange(struct thread *t, struct mount *m, unsigned op, void *req, size_t req_len,
		     const struct grant *g, const struct log_entry **done)
{
	*done = NULL;
	if (!t->srv && !(t->srv = kmalloc(sizeof(*t->srv)))) {
		kpage_free(req);
		return -ENOMEM;
	}
	struct server_call *sc = t->srv;
	uint64_t h = hash_bytes(hash_bytes(0xcbf29ce484222325ull, &op, sizeof(op)), req, req_len);
	if (sc->pos < sc->n) {
		struct log_entry *e = entry(sc, sc->pos);
		if (e->hash == h && e->op == op && e->mnt == m) {
			kpage_free(req);
			if (!e->done) {
				if (plat_clock_ns() < t->wait.deadline || !wait_rerunning(t))
					return wait_block(t, WAIT_SERVER, WAIT_KEY(t), t->wait.deadline,
							  WAIT_RERUN);
				ipc_kernel_abandon(t);
				fail_in_flight(t, -EIO);
			}
			sc->pos++;
			if (e->done && e->rep)
				*done = e;
			return e->status;
		}
		log_truncate(t, sc->pos);
	}
	if (sc->n >= LOG_MAX) {
		kpage_free(req);
		return -EIO; /* a call needing this many requests is not one we serve */
	}
	struct thread *server = m->server ? thread_find(m->server) : NULL;
	/* A call that waited for something else before (a socket's data) starts a new span. */
	bool again = wait_rerunning(t) && (t->wait.kind == WAIT_SERVER || t->wait.kind == WAIT_MOUNT);
	uint64_t deadline = again ? t->wait.deadline : plat_clock_ns() + SRV_TIMEOUT_NS;
	if (!server) {
		kpage_free(req);
		if (wait_rerunning(t) && plat_clock_ns() >= deadline)
			return -EIO;
		return wait_block(t, WAIT_MOUNT, WAIT_KEY(m), deadline, WAIT_RERUN);
	}
	if (server->proc == t->proc) {
		kpage_free(req);
		return -EDEADLK; /* a server asking its own filesystem would wait for itself */
	}
	if (!sc->log[sc->n / LOG_PER_PAGE] && !(sc->log[sc->n / LOG_PER_PAGE] = kpage_alloc())) {
		kpage_free(req);
		return -ENOMEM;
	}
	struct log_entry *e = entry(sc, sc->n++);
	*e = (struct log_entry){.hash = h, .mnt = m, .op = op};
	sc->pos = sc->n;
	sc->req = req;
	sc->req_len = req_len;
	sc->op = op;
	sc->grant = g ? *g : (struct grant){0};
	sc->grant_faulted = false;
	sc->server = server->tid;
	ipc_kernel_send(t, server);
	return wait_block(t, WAIT_SERVER, WAIT_KEY(t), deadline, WAIT_RERUN);
}

/* A request of the vfs protocol: the reply in *rep (and READLINK's data in data, up to
 * data_max bytes). */
static long call(struct thread *t, struct mount *m, unsigned op, struct vfs_req *req,
		 size_t req_len, const struct grant *g, struct vfs_rep *rep, char *data,
		 size_t data_max)
{
	const struct log_entry *e;
	long r = exchange(t, m, op, req, req_len, g, &e);
	if (e) {
		kmemcpy(rep, e->rep, sizeof(*rep));
		if (data_max && e->rep_len > sizeof(*rep))
			kmemcpy(data, e->rep->data, MIN(data_max, e->rep_len - sizeof(*rep)));
	}
	return r;
}

long srv_call(struct thread *t, struct mount *m, unsigned op, void *req, size_t req_len,
	      const struct grant *g, void *rep, size_t rep_size)
{
	const struct log_entry *e;
	long r = exchange(t, m, op, req, req_len, g, &e);
	if (e)
		kmemcpy(rep, e->rep, MIN(rep_size, e->rep_len));
	return r;
}

void srv_log_drop(struct thread *t)
{
	if (t->srv) {
		log_truncate(t, 0);
		t->srv->pos = 0;
	}
}

long srv_reply(struct thread *server, struct thread *client, uint64_t msg_at)
{
	struct server_call *sc = client->srv;
	if (!sc || !sc->n || entry(sc, sc->n - 1)->done || sc->server != server->tid)
		return -ESRCH;
	struct log_entry *e = entry(sc, sc->n - 1);
	struct ipc_msg hdr;
	if (copy_in(server->proc->mm, &hdr, msg_at, IPC_HEADER_SIZE))
		return -EFAULT;
	size_t len = MIN(hdr.len, IPC_PAYLOAD_MAX);
	if (len < REP_MIN)
		len = REP_MIN; /* whatever the server left out reads as zeros */
	void *rep = len > KMALLOC_MAX ? kpage_alloc() : kmalloc(len);
	if (!rep)
		return -ENOMEM;
	kmemset(rep, 0, len);
	size_t got = MIN(hdr.len, IPC_PAYLOAD_MAX);
	if (got && copy_in(server->proc->mm, rep, msg_at + IPC_HEADER_SIZE, got)) {
		if (len > KMALLOC_MAX)
			kpage_free(rep);
		else
			kfree(rep);
		return -EFAULT;
	}
	e->rep = rep;
	e->rep_len = len;
	e->done = true;
	e->status = hdr.len >= sizeof(long long) ? (long)e->rep->status : -EIO;
	if (e->status < -ERRNO_MAX || e->status > (long)INT32_MAX)
		e->status = -EIO; /* nonsense from the server */
	if (e->status < 0 && sc->grant_faulted)
		e->status = -EFAULT; /* the server failed because the caller's buffer is bad */
	kpage_free(sc->req);
	sc->req = NULL;
	wait_wake_thread(client);
	return 0;
}

long sys_grant_copy(struct thread *t, const uint64_t *a)
{
	struct thread *c = thread_find((int)a[0]);
	uint64_t off = a[1], buf = a[2], len = a[3];
	unsigned dir = (unsigned)a[4];
	struct server_call *sc = c ? c->srv : NULL;
	if (!sc || !sc->n || entry(sc, sc->n - 1)->done || sc->server != t->tid ||
	    !ipc_kernel_delivered(c))
		return -ESRCH;
	const struct grant *g = &sc->grant;
	if (!g->mm || g->dir != dir || off > g->len || len > g->len - off)
		return -EINVAL;
	char *bounce = kpage_alloc();
	if (!bounce)
		return -ENOMEM;
	uint64_t done = 0;
	unsigned seg = 0;
	while (seg < g->nseg && off >= g->seg[seg].len)
		off -= g->seg[seg++].len; /* the segment where off falls, and off within it */
	long err = 0;
	while (done < len && !err && seg < g->nseg) {
		if (off == g->seg[seg].len) {
			off = 0;
			seg++;
			continue;
		}
		size_t n = (size_t)MIN(MIN(len - done, PAGE_SIZE), g->seg[seg].len - off);
		uint64_t at = g->seg[seg].uva + off;
		if (dir == GRANT_TO_CLIENT)
			err = copy_in(t->proc->mm, bounce, buf + done, n) ? -EFAULT
			      : copy_out(g->mm, at, bounce, n) ? -EIO : 0;
		else
			err = copy_in(g->mm, bounce, at, n) ? -EIO
			      : copy_out(t->proc->mm, buf + done, bounce, n) ? -EFAULT : 0;
		if (!err) {
			done += n;
			off += n;
		}
	}
	kpage_free(bounce);
	if (err == -EIO)
		sc->grant_faulted = true;
	return err ? err : (long)done;
}

/* Posted messages go before any request queued after them. */
bool srv_posted_take(struct thread *server, void **req, size_t *len, unsigned *op)
{
	for (struct posted **link = &posts; *link; link = &(*link)->next) {
		struct posted *p = *link;
		if (p->mnt->server != server->tid)
			continue;
		*link = p->next;
		if (posts_tail == &p->next)
			posts_tail = link;
		*req = &p->req;
		*len = p->len;
		*op = p->op;
		return true;
	}
	return false;
}

void srv_posted_free(void *req)
{
	kfree((char *)req - __builtin_offsetof(struct posted, req));
}

bool srv_has_posted(const struct thread *server)
{
	for (struct posted *p = posts; p; p = p->next)
		if (p->mnt->server == server->tid)
			return true;
	return false;
}

void srv_post(struct mount *m, unsigned op, const void *req, size_t len)
{
	struct thread *server = m->server ? thread_find(m->server) : NULL;
	struct posted *p = server && len <= sizeof(p->req) ? kmalloc(sizeof(*p)) : NULL;
	if (!p)
		return; /* no server now: the next one starts without what this said */
	kmemset(p, 0, sizeof(*p));
	p->mnt = m;
	p->len = len;
	kmemcpy(&p->req, req, len);
	p->op = op;
	*posts_tail = p;
	posts_tail = &p->next;
	ipc_kernel_post_ready(server);
}

static void post(struct mount *m, unsigned op, uint64_t node, uint64_t gen)
{
	/* Like every request, it ends with its two names, empty here: two NULs. */
	union {
		unsigned long long align;
		char bytes[sizeof(struct vfs_req) + 2];
	} buf = {0};
	struct vfs_req r = {.node = node, .gen = gen};
	kmemcpy(buf.bytes, &r, sizeof(r));
	srv_post(m, op, buf.bytes, sizeof(buf.bytes));
}

void srv_server_exit(struct thread *server)
{
	vfs_server_gone(server);
	inet_server_exit(server);
	chrsrv_server_exit(server);
	for (unsigned i = 0; i < MOUNT_MAX; i++) {
		unsigned cursor = i;
		struct mount *m = vfs_mount_next(&cursor);
		if (m && m->server == server->tid) {
			m->server = 0;
			wait_wake(WAIT_KEY(m));
		}
	}
	for (struct posted **link = &posts; *link;) {
		struct posted *p = *link;
		if (p->mnt->server == 0 || !thread_find(p->mnt->server)) {
			*link = p->next;
			kfree(p);
		} else {
			link = &p->next;
		}
	}
	posts_tail = &posts;
	while (*posts_tail)
		posts_tail = &(*posts_tail)->next;
}

void srv_reset(void)
{
	while (posts) {
		struct posted *p = posts;
		posts = p->next;
		kfree(p);
	}
	posts_tail = &posts;
}

/* A request page for node ino with name and name2 (either may be NULL). */
/* A node from a server the mount had before its present one: the node numbers meant that
 * server's files (the root directory alone is the same for every server). */
static bool stale(const struct inode *ino)
{
	return ino->priv != ino->mnt->epoch && ino->ino != VFS_ROOT_NODE;
}

static struct vfs_req *request(const struct inode *ino, const char *name, const char *name2,
			       size_t *len, long *err)
{
	size_t n1 = name ? kstrlen(name) : 0, n2 = name2 ? kstrlen(name2) : 0;
	*err = -ESTALE;
	if (stale(ino))
		return NULL;
	*err = -ENAMETOOLONG;
	if (n1 + n2 + 2 > VFS_NAMES_MAX)
		return NULL;
	*err = -ENOMEM;
	struct vfs_req *r = kpage_alloc();
	if (!r)
		return NULL;
	r->node = ino->ino;
	r->gen = ino->gen;
	r->name_len = (unsigned)n1;
	r->name2_len = (unsigned)n2;
	if (name)
		kmemcpy(r->names, name, n1);
	if (name2)
		kmemcpy(r->names + n1 + 1, name2, n2);
	*len = sizeof(*r) + n1 + n2 + 2;
	return r;
}

#define REQUEST(ino, name, name2)                                                                \
	size_t req_len;                                                                          \
	long req_err;                                                                            \
	struct vfs_req *req = request(ino, name, name2, &req_len, &req_err);                     \
	if (!req)                                                                                \
		return (int)req_err;                                                             \
	struct vfs_rep rep

static struct inode *node_of(struct mount *m, const struct vfs_attr *a)
{
	struct inode *n = inode_new(&srvfs_type, m, a->ino, a->mode);
	if (n) {
		n->gen = a->gen;
		n->priv = m->epoch;
	}
	return n;
}

static int srv_lookup(struct thread *t, struct inode *dir, const char *name, size_t len,
		      struct inode **out)
{
	char buf[NAME_MAX + 1];
	kmemcpy(buf, name, len);
	buf[len] = 0;
	REQUEST(dir, buf, NULL);
	long r = call(t, dir->mnt, VFS_LOOKUP, req, req_len, NULL, &rep, NULL, 0);
	if (r < 0)
		return (int)r;
	*out = node_of(dir->mnt, &rep.attr);
	return *out ? 0 : -ENOMEM;
}

static int srv_parent(struct thread *t, struct inode *dir, struct inode **out)
{
	return srv_lookup(t, dir, "..", 2, out);
}

static int srv_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a)
{
	REQUEST(ino, NULL, NULL);
	long r = call(t, ino->mnt, VFS_GETATTR, req, req_len, NULL, &rep, NULL, 0);
	if (r < 0)
		return (int)r;
	*a = rep.attr;
	return 0;
}

static long srv_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	REQUEST(f->ino, NULL, NULL);
	req->offset = off;
	req->len = len;
	struct grant g = grant_one(t->proc->mm, buf, len, GRANT_TO_CLIENT);
	return call(t, f->ino->mnt, VFS_READ, req, req_len, &g, &rep, NULL, 0);
}

static long srv_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	REQUEST(f->ino, NULL, NULL);
	req->offset = off == OFFSET_APPEND ? 0 : off;
	req->flags = off == OFFSET_APPEND ? O_APPEND : 0;
	req->len = len;
	struct grant g = grant_one(t->proc->mm, buf, len, GRANT_FROM_CLIENT);
	long r = call(t, f->ino->mnt, VFS_WRITE, req, req_len, &g, &rep, NULL, 0);
	if (r >= 0 && off == OFFSET_APPEND)
		f->offset = rep.attr.size;
	return r;
}

static long srv_readdir(struct thread *t, struct file *f, uint64_t buf, uint64_t len)
{
	REQUEST(f->ino, NULL, NULL);
	req->offset = f->offset;
	req->len = len;
	struct grant g = grant_one(t->proc->mm, buf, len, GRANT_TO_CLIENT);
	long r = call(t, f->ino->mnt, VFS_READDIR, req, req_len, &g, &rep, NULL, 0);
	if (r > 0)
		f->offset = rep.cookie;
	return r;
}

static void srv_release_file(struct file *f)
{
	if (!stale(f->ino))
		post(f->ino->mnt, VFS_CLOSE, f->ino->ino, f->ino->gen);
}

static unsigned srv_poll(struct file *f)
{
	(void)f;
	return POLLIN | POLLOUT;
}

static const struct file_ops file_ops = {.read = srv_read, .write = srv_write, .poll = srv_poll,
					 .release = srv_release_file, .seekable = true};
static const struct file_ops dir_ops = {.readdir = srv_readdir, .seekable = true};

static int srv_open(struct thread *t, struct inode *ino, struct file *f)
{
	if (stale(ino))
		return -ESTALE;
	switch (ino->mode & S_IFMT) {
	case S_IFDIR:
		if ((f->flags & O_ACCMODE) != O_RDONLY)
			return -EISDIR;
		f->ops = &dir_ops;
		return 0;
	case S_IFIFO:
		return pipe_open_fifo(t, ino, f);
	case S_IFCHR: {
		struct vfs_attr a;
		int err = srv_getattr(t, ino, &a);
		return err ? err : chrdev_open(t, a.rdev, f);
	}
	case S_IFREG:
		f->ops = &file_ops;
		post(ino->mnt, VFS_OPEN, ino->ino, ino->gen);
		return 0;
	default:
		return -ENXIO;
	}
}

static long srv_readlink(struct thread *t, struct inode *ino, char *buf, size_t size)
{
	REQUEST(ino, NULL, NULL);
	return call(t, ino->mnt, VFS_READLINK, req, req_len, NULL, &rep, buf, size);
}

static int srv_create(struct thread *t, struct inode *dir, const char *name, unsigned mode,
		      struct inode **out)
{
	REQUEST(dir, name, NULL);
	req->mode = mode;
	long r = call(t, dir->mnt, VFS_CREATE, req, req_len, NULL, &rep, NULL, 0);
	if (r < 0)
		return (int)r;
	*out = node_of(dir->mnt, &rep.attr);
	return *out ? 0 : -ENOMEM;
}

static int simple(struct thread *t, struct inode *dir, unsigned op, const char *name,
		  const char *name2, unsigned mode, const struct inode *other, unsigned flags)
{
	REQUEST(dir, name, name2);
	req->mode = mode;
	req->flags = flags;
	if (other) {
		if (stale(other)) {
			kpage_free(req);
			return -ESTALE;
		}
		req->node2 = other->ino;
		req->gen2 = other->gen;
	}
	long r = call(t, dir->mnt, op, req, req_len, NULL, &rep, NULL, 0);
	return r < 0 ? (int)r : 0;
}

static int srv_mkdir(struct thread *t, struct inode *dir, const char *name, unsigned mode)
{
	return simple(t, dir, VFS_MKDIR, name, NULL, mode, NULL, 0);
}

static int srv_symlink(struct thread *t, struct inode *dir, const char *name, const char *target)
{
	return simple(t, dir, VFS_SYMLINK, name, target, S_IFLNK | 0777, NULL, 0);
}

static int srv_link(struct thread *t, struct inode *dir, const char *name, struct inode *ino)
{
	if (ino->mnt != dir->mnt)
		return -EXDEV;
	return simple(t, dir, VFS_LINK, name, NULL, 0, ino, 0);
}

static int srv_unlink(struct thread *t, struct inode *dir, const char *name)
{
	return simple(t, dir, VFS_UNLINK, name, NULL, 0, NULL, 0);
}

static int srv_rmdir(struct thread *t, struct inode *dir, const char *name)
{
	return simple(t, dir, VFS_RMDIR, name, NULL, 0, NULL, 0);
}

static int srv_rename(struct thread *t, struct inode *dir, const char *name, struct inode *dir2,
		      const char *name2, unsigned flags)
{
	if (dir->mnt != dir2->mnt)
		return -EXDEV;
	return simple(t, dir, VFS_RENAME, name, name2, 0, dir2, flags);
}

static int srv_setattr(struct thread *t, struct inode *ino, unsigned what, const struct vfs_attr *a)
{
	REQUEST(ino, NULL, NULL);
	req->flags = what;
	req->attr = *a;
	long r = call(t, ino->mnt, VFS_SETATTR, req, req_len, NULL, &rep, NULL, 0);
	return r < 0 ? (int)r : 0;
}

static int srv_statfs(struct thread *t, struct inode *ino, struct vfs_statfs *s)
{
	REQUEST(ino, NULL, NULL);
	long r = call(t, ino->mnt, VFS_STATFS, req, req_len, NULL, &rep, NULL, 0);
	if (r < 0)
		return (int)r;
	*s = rep.statfs;
	return 0;
}

static int srv_sync(struct thread *t, struct inode *ino, bool all)
{
	REQUEST(ino, NULL, NULL);
	if (all)
		req->node = 0; /* the protocol's "everything" */
	long r = call(t, ino->mnt, VFS_SYNC, req, req_len, NULL, &rep, NULL, 0);
	return r < 0 ? (int)r : 0;
}

/* exec reads the whole file into a staging memory the kernel keeps until the syscall ends. */
static int srv_load(struct thread *t, struct inode *ino, struct elf_source *src)
{
	struct vfs_attr a;
	int err = srv_getattr(t, ino, &a);
	if (err)
		return err;
	if (a.size > LOAD_MAX)
		return -ENOMEM;
	if (!t->srv && !(t->srv = kmalloc(sizeof(*t->srv))))
		return -ENOMEM;
	struct server_call *sc = t->srv;
	if (!sc->staging && !(sc->staging = mm_new()))
		return -ENOMEM;
	/* Each load of the call in a place of its own: a script's interpreter does not overwrite
	 * the script, which the call reads again when it runs again. */
	unsigned slot = sc->load_pos;
	if (slot >= LOAD_SLOTS)
		return -ELOOP;
	if (slot == sc->nload) {
		uint64_t va = slot ? PAGE_UP(sc->load[slot - 1].va + sc->load[slot - 1].size) + PAGE_SIZE
				   : LOAD_VA;
		if (a.size && (err = mm_map(sc->staging, va, a.size, PROT_READ | PROT_WRITE)))
			return err;
		sc->load[slot].va = va;
		sc->load[slot].size = a.size;
		sc->nload++;
	}
	sc->load_pos++;
	uint64_t va = sc->load[slot].va, size = MIN(a.size, sc->load[slot].size);
	REQUEST(ino, NULL, NULL);
	req->offset = 0;
	req->len = size;
	struct grant g = grant_one(sc->staging, va, size, GRANT_TO_CLIENT);
	long r = call(t, ino->mnt, VFS_READ, req, req_len, &g, &rep, NULL, 0);
	if (r < 0)
		return (int)r;
	/* Files change: the cache knows this one by node, generation, size and time. */
	uint64_t id = hash_bytes(0xcbf29ce484222325ull, &a.ino, sizeof(a.ino));
	id = hash_bytes(id, &a.gen, sizeof(a.gen));
	id = hash_bytes(id, &a.mtime_ns, sizeof(a.mtime_ns));
	id = hash_bytes(id, &a.size, sizeof(a.size));
	*src = (struct elf_source){.mm = sc->staging, .uva = va, .len = (size_t)r,
				   .cache_id = id | 1ull << 62};
	return 0;
}

const struct fs_type srvfs_type = {
	.name = "eclipsefs",
	.magic = TMPFS_MAGIC,
	.lookup = srv_lookup,
	.parent = srv_parent,
	.getattr = srv_getattr,
	.open = srv_open,
	.readlink = srv_readlink,
	.create = srv_create,
	.mkdir = srv_mkdir,
	.symlink = srv_symlink,
	.link = srv_link,
	.unlink = srv_unlink,
	.rmdir = srv_rmdir,
	.rename = srv_rename,
	.setattr = srv_setattr,
	.statfs = srv_statfs,
	.sync = srv_sync,
	.load = srv_load,
};

long sys_fs_serve(struct thread *t, const uint64_t *a)
{
	char path[64];
	long n = copy_str_in(t->proc->mm, path, a[0], sizeof(path));
	if (n < 0)
		return n == -ENAMETOOLONG ? -EINVAL : n;
	const char *name = path + 1;
	if (path[0] != '/' || kstrchr(name, '/') || n > (long)sizeof(((struct mount *)0)->name))
		return -EINVAL; /* "/" or "/name" */
	struct mount *m = *name ? vfs_mount_at(name, kstrlen(name)) : vfs_root_mount();
	if (m && m->fs == &srvfs_type) {
		if (m->server && thread_find(m->server))
			return -EBUSY;
		m->server = t->tid; /* the next server of a mount takes it over */
		m->epoch++;
		wait_wake(WAIT_KEY(m));
		return 0;
	}
	if (m && *name)
		return -EBUSY; /* a kernel filesystem is mounted there */
	/* The root's node is the server's node 1 until its first answer says more. */
	struct inode *root = inode_new(&srvfs_type, NULL, VFS_ROOT_NODE, S_IFDIR | 0755);
	if (!root || !(m = vfs_mount(name, &srvfs_type, root)))
		return -ENOMEM;
	m->server = t->tid;
	trace_sched("pid %d serves the filesystem at %s", t->proc->pid, path);
	if (!*name)
		vfs_root_changed();
	return 0;
}

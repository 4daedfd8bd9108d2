/*
 * Pipes and FIFOs: a 64 KiB ring of pages allocated as they fill. Writes of up to PIPE_BUF bytes
 * are atomic; longer ones go in as room appears (sys_file.c keeps their progress across waits,
 * and a signal ends them with what was written). A write with no reader is EPIPE and SIGPIPE.
 * AF_UNIX stream sockets (unix.c) are two of these rings crossed (kernel/pipe_ring.h); a send
 * or receive call's MSG_DONTWAIT and MSG_NOSIGNAL (t->msg_flags) apply to that call.
 */
#include <kernel/klib.h>
#include <kernel/pipe_ring.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>

#define FIFO_MAX 32

static struct pipe *fifos[FIFO_MAX];

struct pipe *pipe_new(void)
{
	return kmalloc(sizeof(struct pipe));
}

static void pipe_unref(struct pipe *p);

/* p's place in the FIFO table, or -1 (an anonymous pipe). */
static int fifo_slot(const struct pipe *p)
{
	for (int i = 0; i < FIFO_MAX; i++)
		if (fifos[i] == p)
			return i;
	return -1;
}

void pipe_free(struct pipe *p)
{
	for (int i = 0; i < PIPE_PAGES; i++)
		kpage_free(p->page[i]);
	for (int i = 0; i < FIFO_MAX; i++)
		if (fifos[i] == p)
			fifos[i] = NULL;
	kfree(p);
}

/* Copies between the ring (from position pos, n bytes) and user memory. */
static int ring_copy(struct thread *t, struct pipe *p, size_t pos, uint64_t ubuf, size_t n,
		     bool to_user)
{
	int err = uaccess_prepare(t->proc->mm, ubuf, n, to_user);
	if (err)
		return err;
	while (n) {
		size_t idx = (pos / PAGE_SIZE) % PIPE_PAGES, off = pos % PAGE_SIZE;
		size_t chunk = MIN(n, PAGE_SIZE - off);
		if (!p->page[idx] && !(p->page[idx] = kpage_alloc()))
			return -ENOMEM;
		char *k = p->page[idx] + off;
		err = to_user ? copy_out_prepared(t->proc->mm, ubuf, k, chunk)
			      : copy_in_prepared(t->proc->mm, k, ubuf, chunk);
		if (err)
			return err;
		pos += chunk;
		ubuf += chunk;
		n -= chunk;
	}
	return 0;
}

/* Copies between the ring (from position pos, n bytes) and kernel memory. */
static int ring_kcopy(struct pipe *p, size_t pos, char *k, size_t n, bool to_kernel)
{
	while (n) {
		size_t idx = (pos / PAGE_SIZE) % PIPE_PAGES, off = pos % PAGE_SIZE;
		size_t chunk = MIN(n, PAGE_SIZE - off);
		if (!p->page[idx] && !(p->page[idx] = kpage_alloc()))
			return -ENOMEM;
		if (to_kernel)
			kmemcpy(k, p->page[idx] + off, chunk);
		else
			kmemcpy(p->page[idx] + off, k, chunk);
		pos += chunk;
		k += chunk;
		n -= chunk;
	}
	return 0;
}

size_t pipe_ring_room(const struct pipe *p)
{
	return PIPE_SIZE - p->len;
}

int pipe_ring_kput(struct pipe *p, const void *k, size_t n)
{
	int err = ring_kcopy(p, (p->head + p->len) % PIPE_SIZE, (char *)k, n, false);
	if (!err)
		p->len += n;
	return err;
}

int pipe_ring_uput(struct thread *t, struct pipe *p, uint64_t ubuf, size_t n)
{
	int err = ring_copy(t, p, (p->head + p->len) % PIPE_SIZE, ubuf, n, false);
	if (!err)
		p->len += n;
	return err;
}

int pipe_ring_kget(struct pipe *p, size_t off, void *k, size_t n)
{
	return ring_kcopy(p, (p->head + off) % PIPE_SIZE, k, n, true);
}

int pipe_ring_uget(struct thread *t, struct pipe *p, size_t off, uint64_t ubuf, size_t n)
{
	return ring_copy(t, p, (p->head + off) % PIPE_SIZE, ubuf, n, true);
}

void pipe_ring_drop(struct pipe *p, size_t n)
{
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	wait_wake(WAIT_KEY(p));
}

bool pipe_nonblocking(struct thread *t, struct file *f)
{
	return (f->flags & O_NONBLOCK) || (t->msg_flags & MSG_DONTWAIT);
}

long pipe_ring_read(struct thread *t, struct file *f, struct pipe *p, uint64_t buf, uint64_t len)
{
	if (len == 0)
		return 0;
	if (p->len == 0) {
		if (!p->writers)
			return 0;
		if (pipe_nonblocking(t, f))
			return -EAGAIN;
		return wait_block(t, WAIT_PIPE, WAIT_KEY(p), UINT64_MAX,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	if (t->msg_flags & MSG_PEEK) { /* a later piece of the call goes on where it stopped */
		size_t seen = (size_t)MIN(t->msg_peeked, p->len);
		size_t n = (size_t)MIN(len, p->len - seen);
		int err = n ? ring_copy(t, p, (p->head + seen) % PIPE_SIZE, buf, n, true) : 0;
		if (err)
			return err;
		t->msg_peeked += n;
		return (long)n;
	}
	size_t n = (size_t)MIN(len, p->len);
	int err = ring_copy(t, p, p->head, buf, n, true);
	if (err)
		return err;
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	wait_wake(WAIT_KEY(p));
	return (long)n;
}

static long pipe_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	return pipe_ring_read(t, f, f->priv, buf, len);
}

/* Writes what fits now; waits only when nothing can go in (up to PIPE_BUF bytes go in whole
 * or not at all). The syscall keeps the progress of a long write across its waits. */
long pipe_ring_write(struct thread *t, struct file *f, struct pipe *p, uint64_t buf, uint64_t len)
{
	if (!p->readers) {
		if (!(t->msg_flags & MSG_NOSIGNAL))
			signal_send_thread(t, SIGPIPE, SI_USER, t->proc->pid, 0);
		return -EPIPE;
	}
	if (len == 0)
		return 0;
	size_t room = PIPE_SIZE - p->len;
	if (len <= PIPE_BUF ? room < len : room == 0) {
		if (pipe_nonblocking(t, f))
			return -EAGAIN;
		return wait_block(t, WAIT_PIPE, WAIT_KEY(p), UINT64_MAX,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	size_t n = (size_t)MIN(len, room);
	int err = ring_copy(t, p, (p->head + p->len) % PIPE_SIZE, buf, n, false);
	if (err)
		return err;
	p->len += n;
	wait_wake(WAIT_KEY(p));
	return (long)n;
}

static long pipe_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	return pipe_ring_write(t, f, f->priv, buf, len);
}

static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned r = 0;
	if ((f->flags & O_ACCMODE) != O_WRONLY) {
		if (p->len)
			r |= POLLIN | POLLRDNORM;
		if (!p->writers)
			r |= POLLHUP;
	}
	if ((f->flags & O_ACCMODE) != O_RDONLY) {
		if (PIPE_SIZE - p->len >= PIPE_BUF)
			r |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			r |= POLLERR;
	}
	return r;
}

static long pipe_ioctl(struct thread *t, struct file *f, uint64_t cmd, uint64_t arg)
{
	struct pipe *p = f->priv;
	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = (int)p->len;
	return copy_out(t->proc->mm, arg, &n, sizeof(n));
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	if ((f->flags & O_ACCMODE) != O_WRONLY)
		p->readers--;
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		p->writers--;
	wait_wake(WAIT_KEY(p));
	pipe_unref(p);
}

static const struct file_ops pipe_ops = {.read = pipe_read, .write = pipe_write,
					 .ioctl = pipe_ioctl, .poll = pipe_poll,
					 .release = pipe_release};

bool file_is_pipe(const struct file *f)
{
	return f->ops == &pipe_ops;
}

int pipe_anon_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a)
{
	(void)t;
	a->ino = ino->ino;
	a->mode = ino->mode;
	a->nlink = 1;
	a->blksize = PAGE_SIZE;
	return 0;
}

const struct fs_type pipefs_type = {
	.name = "pipefs",
	.magic = PIPEFS_MAGIC,
	.getattr = pipe_anon_getattr,
};

static unsigned long long next_pipe_ino = 1;

int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
	unsigned nb = flags & O_NONBLOCK;
	struct pipe *p = pipe_new();
	struct inode *ino = p ? inode_new(&pipefs_type, NULL, next_pipe_ino++, S_IFIFO | 0600) : NULL;
	struct file *r = ino ? file_alloc(inode_get(ino), NULL, O_RDONLY | nb) : NULL;
	struct file *w = r ? file_alloc(inode_get(ino), NULL, O_WRONLY | nb) : NULL;
	inode_put(ino);
	if (!w) {
		if (r)
			file_put(r);
		kfree(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	p->refs = 2;
	r->ops = w->ops = &pipe_ops;
	r->priv = w->priv = p;
	*rd = r;
	*wr = w;
	return 0;
}

/* The pipe of FIFO node ino, made when first opened. It stays while nothing has it open, for
 * the counts of opens (rgen, wgen) an opener waiting for the other end compares; one that
 * nothing has open is reused for another node when the table is full. */
static struct pipe *fifo_of(struct inode *ino)
{
	for (int i = 0; i < FIFO_MAX; i++)
		if (fifos[i] && fifos[i]->mnt == ino->mnt && fifos[i]->ino == ino->ino)
			return fifos[i];
	for (int pass = 0; pass < 2; pass++)
	for (int i = 0; i < FIFO_MAX; i++) {
		if (fifos[i] && (pass == 0 || fifos[i]->refs))
			continue;
		if (fifos[i])
			pipe_free(fifos[i]);
		struct pipe *p = pipe_new();
		if (!p)
			return NULL;
		p->mnt = ino->mnt;
		p->ino = ino->ino;
		return fifos[i] = p;
	}
	return NULL;
}

/* t's entry among p's waiting opens, or -1. */
static int pending(const struct pipe *p, const struct thread *t)
{
	for (int i = 0; i < (int)(sizeof(p->pend) / sizeof(p->pend[0])); i++)
		if (p->pend[i].tid == t->tid)
			return i;
	return -1;
}

/* Drops p's reference (a file's, or a waiting open's). */
static void pipe_unref(struct pipe *p)
{
	if (--p->refs)
		return;
	if (fifo_slot(p) < 0) {
		pipe_free(p);
		return;
	}
	/* A FIFO's bytes go with its last end, as Linux's do; the pipe stays for the counts of
	 * opens (rgen, wgen) that a later opener waiting for the other end compares. */
	for (int i = 0; i < PIPE_PAGES; i++) {
		kpage_free(p->page[i]);
		p->page[i] = NULL;
	}
	p->head = p->len = 0;
}

/*
 * Opening a FIFO for reading or for writing alone waits for the other end, as on Linux: the
 * waiting opener counts as an end at once (so the other's open, and its reads and writes, see
 * it) and completes when the other end is there or has come and gone since it began. A signal
 * or the thread's end takes it back (pipe_fifo_abandon).
 */
int pipe_open_fifo(struct thread *t, struct inode *ino, struct file *f)
{
	struct pipe *p = fifo_of(ino);
	if (!p)
		return -ENFILE;
	unsigned mode = f->flags & O_ACCMODE;
	bool reader = mode != O_WRONLY, writer = mode != O_RDONLY;
	int w = pending(p, t);
	if (w < 0 && reader != writer && !(reader ? p->writers : p->readers)) {
		if (writer && (f->flags & O_NONBLOCK))
			return -ENXIO;
		if (!(f->flags & O_NONBLOCK)) {
			int n = sizeof(p->pend) / sizeof(p->pend[0]);
			for (w = 0; w < n && p->pend[w].tid; w++)
				;
			if (w == n)
				return -EAGAIN; /* more waiting opens than we keep: the caller may retry */
			p->pend[w].tid = t->tid;
			p->pend[w].reader = reader;
			p->pend[w].seen = reader ? p->wgen : p->rgen;
			*(reader ? &p->readers : &p->writers) += 1;
			*(reader ? &p->rgen : &p->wgen) += 1;
			p->refs++;
			wait_wake(WAIT_KEY(p));
		}
	}
	if (w >= 0) {
		unsigned gen = p->pend[w].reader ? p->wgen : p->rgen;
		if (!(p->pend[w].reader ? p->writers : p->readers) && gen == p->pend[w].seen)
			return wait_block(t, WAIT_FIFO_OPEN, WAIT_KEY(p), UINT64_MAX,
					  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
		p->pend[w].tid = 0; /* the other end came: this open is done, its counts stand */
	} else {
		if (reader) {
			p->readers++;
			p->rgen++;
		}
		if (writer) {
			p->writers++;
			p->wgen++;
		}
		p->refs++;
	}
	f->ops = &pipe_ops;
	f->priv = p;
	wait_wake(WAIT_KEY(p));
	return 0;
}

void pipe_reset(void)
{
	for (int i = 0; i < FIFO_MAX; i++)
		if (fifos[i])
			pipe_free(fifos[i]);
}

void pipe_fifo_abandon(struct thread *t)
{
	struct pipe *p = NULL;
	for (int i = 0; i < FIFO_MAX && !p; i++)
		if (fifos[i] && WAIT_KEY(fifos[i]) == t->wait.key)
			p = fifos[i];
	int w = p ? pending(p, t) : -1;
	if (w < 0)
		return;
	*(p->pend[w].reader ? &p->readers : &p->writers) -= 1;
	p->pend[w].tid = 0;
	wait_wake(WAIT_KEY(p));
	pipe_unref(p);
}


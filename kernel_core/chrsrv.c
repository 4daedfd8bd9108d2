/*
 * Character devices served by processes (uapi/eclipse.h, "Character devices served by
 * processes"): OSS's /dev/dsp and /dev/mixer, whose driver is the audio service. Every call on
 * such a file is a request to the device's server, carried as srvfs.c carries a file server's;
 * the server may hold a request (a write waits there until its stream has room), and the
 * caller then waits in the kernel for the answer as it would for a file server's.
 *
 * Each device is a mount in all but name, never in the mount table. A file remembers the epoch
 * of the server that opened it: once that server is gone, the file's calls fail with EIO (the
 * next server knows nothing of it), while open waits for the next server.
 */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define IOC_WRITE 1u
#define IOC_READ 2u
#define IOC_DIR(cmd) ((unsigned)((cmd) >> 30) & 3u)
#define IOC_SIZE(cmd) ((unsigned)((cmd) >> 16) & 0x3fffu)

static struct served {
	unsigned rdev;
	struct mount m;
	bool ever; /* somebody served it once: open waits for the next server */
} devices[] = {
	{CHR_RDEV_MIXER, {.name = "mixer"}, false},
	{CHR_RDEV_DSP, {.name = "dsp"}, false},
};

struct cfile {
	struct served *dev;
	unsigned handle; /* the server's name for the open file */
	uint64_t epoch;  /* of the server that opened it */
};

static const struct file_ops chr_ops;

static struct served *device(unsigned rdev)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (devices[i].rdev == rdev)
			return &devices[i];
	return NULL;
}

static bool dead(const struct cfile *c)
{
	return c->epoch != c->dev->m.epoch || !c->dev->m.server;
}

/* One request of op about c (NULL: an open of d) with q's fields and g's data: the status, the
 * reply in *rep; or -EBLOCKED. */
static long ask(struct thread *t, struct served *d, const struct cfile *c, unsigned op,
		const struct chr_req *q, const struct grant *g, struct chr_rep *rep)
{
	kmemset(rep, 0, sizeof(*rep));
	if (c && dead(c))
		return -EIO;
	struct chr_req *page = kpage_alloc();
	if (!page)
		return -ENOMEM;
	*page = *q;
	page->rdev = d->rdev;
	if (c)
		page->handle = c->handle;
	long r = srv_call(t, &d->m, op, page, sizeof(*page), g, rep, sizeof(*rep));
	if (r != -EBLOCKED && c && dead(c))
		return -EIO;
	return r;
}

int chrsrv_open(struct thread *t, unsigned rdev, struct file *f)
{
	struct served *d = device(rdev);
	if (!d)
		return -ENXIO;
	if (!d->ever)
		return -ENODEV;
	struct chr_req q = {.flags = f->flags};
	struct chr_rep rep;
	long r = ask(t, d, NULL, CHR_OPEN, &q, NULL, &rep);
	if (r < 0)
		return (int)r;
	struct cfile *c = kmalloc(sizeof(*c));
	if (!c) {
		q.handle = rep.handle;
		q.rdev = d->rdev;
		srv_post(&d->m, CHR_CLOSE, &q, sizeof(q));
		return -ENOMEM;
	}
	*c = (struct cfile){.dev = d, .handle = rep.handle, .epoch = d->m.epoch};
	f->ops = &chr_ops;
	f->priv = c;
	return 0;
}

static long transfer(struct thread *t, struct file *f, uint64_t buf, uint64_t len, bool out)
{
	struct cfile *c = f->priv;
	if (dead(c))
		return -EIO;
	if (!len)
		return 0;
	len = MIN(len, (uint64_t)CHR_IO_MAX);
	struct grant g = grant_one(t->proc->mm, buf, len, out ? GRANT_FROM_CLIENT : GRANT_TO_CLIENT);
	struct chr_req q = {.flags = f->flags, .len = len};
	struct chr_rep rep;
	long r = ask(t, c->dev, c, out ? CHR_WRITE : CHR_READ, &q, &g, &rep);
	if (r > (long)len)
		return -EIO; /* nonsense from the server */
	return r;
}

static long chr_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	return transfer(t, f, buf, len, false);
}

static long chr_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	return transfer(t, f, buf, len, true);
}

static long chr_ioctl(struct thread *t, struct file *f, uint64_t cmd, uint64_t arg)
{
	struct cfile *c = f->priv;
	unsigned size = IOC_SIZE(cmd), dir = IOC_DIR(cmd);
	if (dir && size > CHR_ARG_MAX)
		return -ENOTTY; /* no OSS request is that big */
	struct chr_req q = {.flags = f->flags, .cmd = cmd, .arg_value = arg};
	if (dir && (dir & IOC_WRITE) && copy_in(t->proc->mm, q.arg, arg, size))
		return -EFAULT;
	if ((dir & IOC_READ) && uaccess_prepare(t->proc->mm, arg, size, true))
		return -EFAULT; /* before asking: the server's answer must not be lost to a bad pointer */
	struct chr_rep rep;
	long r = ask(t, c->dev, c, CHR_IOCTL, &q, NULL, &rep);
	if (r >= 0 && (dir & IOC_READ) && copy_out(t->proc->mm, arg, rep.arg, size))
		return -EFAULT;
	return r;
}

static unsigned chr_poll(struct file *f)
{
	return dead(f->priv) ? POLLERR | POLLHUP : POLLIN | POLLOUT;
}

static void chr_release(struct file *f)
{
	struct cfile *c = f->priv;
	if (!dead(c)) {
		struct chr_req q = {.rdev = c->dev->rdev, .handle = c->handle};
		srv_post(&c->dev->m, CHR_CLOSE, &q, sizeof(q));
	}
	kfree(c);
}

static const struct file_ops chr_ops = {.read = chr_read, .write = chr_write, .ioctl = chr_ioctl,
					.poll = chr_poll, .release = chr_release};

long sys_chr_serve(struct thread *t, const uint64_t *a)
{
	struct served *d = a[0] >> 32 ? NULL : device((unsigned)a[0]);
	if (!d)
		return -EINVAL;
	if (d->m.server && thread_find(d->m.server))
		return d->m.server == t->tid ? 0 : -EBUSY;
	d->m.server = t->tid;
	d->m.epoch++;
	d->ever = true;
	wait_wake(WAIT_KEY(&d->m)); /* opens waiting for a server */
	trace_sched("pid %d serves /dev/%s", t->proc->pid, d->m.name);
	return 0;
}

void chrsrv_server_exit(struct thread *server)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (devices[i].m.server == server->tid)
			devices[i].m.server = 0; /* its files are dead; open waits for the next */
}

void chrsrv_reset(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		devices[i].m.server = 0;
		devices[i].m.epoch = 0;
		devices[i].ever = false;
	}
}

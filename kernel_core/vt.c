/*
 * The framebuffer console's terminal. /dev/tty1 is a terminal like the console (tty.c's line
 * discipline, job control, a session's controlling tty); its device is not hardware the kernel
 * drives but /dev/vt1, held by the services that drive the hardware: the display service reads
 * what programs write to tty1 and draws it, the input service writes what was typed. It is a
 * pseudo-terminal pair with a fixed number, as BSD's /dev/ptyp0 and /dev/ttyp0 were.
 *
 * Output is kept as a history of VT_LOG bytes at absolute positions. Each reader of /dev/vt1
 * has its own position (f->offset); a new one starts at the oldest byte still there, so that a
 * restarted display service replays the recent output and draws the screen again. Writers of
 * tty1 wait while the slowest reader is VT_LOG bytes behind (backpressure, as a pty's master
 * that is not read); with no reader they go on and the oldest history goes; tcdrain waits
 * until every reader has read all. Writes to /dev/vt1
 * are typing: they wait while the tty's input ring is full and a reader of tty1 will empty it,
 * so nothing typed is lost; a canonical line that fills the ring loses bytes as on Linux.
 */
#include <kernel/klib.h>
#include <kernel/syscall.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <kernel/vt.h>

#define VT_LOG 16384u
#define VT_READERS 4
#define VT_ROWS 25
#define VT_COLS 80

static struct {
	struct tty tty;
	char log[VT_LOG];
	uint64_t head; /* bytes ever written */
	struct file *readers[VT_READERS];
} vt;

/* The position of the slowest reader, or head when nobody reads. */
static uint64_t slowest(void)
{
	uint64_t min = vt.head;
	for (unsigned i = 0; i < VT_READERS; i++)
		if (vt.readers[i] && vt.readers[i]->offset < min)
			min = vt.readers[i]->offset;
	return min;
}

static size_t vt_room(struct tty *tty)
{
	(void)tty;
	uint64_t behind = vt.head - slowest();
	return behind >= VT_LOG ? 0 : VT_LOG - (size_t)behind;
}

static bool vt_drained(struct tty *tty)
{
	(void)tty;
	return slowest() == vt.head;
}

static void vt_out(struct tty *tty, const char *buf, size_t len)
{
	(void)tty;
	for (size_t i = 0; i < len; i++)
		vt.log[(vt.head + i) % VT_LOG] = buf[i];
	vt.head += len;
	wait_wake(WAIT_KEY(&vt.head));
}

void vt_init(void)
{
	kmemset(&vt, 0, sizeof(vt));
	tty_setup(&vt.tty, 4 << 8 | 1, VT_ROWS, VT_COLS, vt_out); /* /dev/tty1 */
	vt.tty.room = vt_room;
	vt.tty.drained = vt_drained;
}

struct tty *vt_tty(void)
{
	return &vt.tty;
}

/* The bytes f has not read; a reader overrun (nobody waited for it) skips to the oldest. */
static uint64_t unread(struct file *f)
{
	if (vt.head - f->offset > VT_LOG)
		f->offset = vt.head - VT_LOG;
	return vt.head - f->offset;
}

static bool reads(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static long vt_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	if (!reads(f))
		return -EBADF;
	uint64_t avail = unread(f);
	if (len == 0)
		return 0;
	if (!avail) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		return wait_block(t, WAIT_TTY, WAIT_KEY(&vt.head), UINT64_MAX,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	size_t at = (size_t)(f->offset % VT_LOG);
	size_t n = (size_t)MIN(MIN(len, avail), VT_LOG - at); /* the rest on the next read */
	if (copy_out(t->proc->mm, buf, vt.log + at, n))
		return -EFAULT;
	f->offset += n;
	wait_wake(WAIT_KEY(&vt.tty.room));
	return (long)n;
}

static long vt_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	struct tty *tty = &vt.tty;
	char chunk[256];
	uint64_t done = 0;
	while (done < len) {
		size_t room = tty_input_room(tty);
		bool drains = !(tty->termios.c_lflag & ICANON) || tty->cooked > 0;
		if (!room && drains) {
			if (done)
				break;
			if (f->flags & O_NONBLOCK)
				return -EAGAIN;
			return wait_block(t, WAIT_TTY, WAIT_KEY(tty->in), UINT64_MAX,
					  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
		}
		/* A full canonical line that nobody can read: the bytes go, as on Linux. */
		size_t n = (size_t)MIN(len - done, room ? MIN(room, sizeof(chunk)) : sizeof(chunk));
		if (copy_in(t->proc->mm, chunk, buf + done, n))
			return done ? (long)done : -EFAULT;
		tty_input(tty, chunk, n);
		done += n;
	}
	return (long)done;
}

static unsigned vt_poll(struct file *f)
{
	unsigned r = tty_input_room(&vt.tty) ? POLLOUT : 0;
	if (reads(f) && unread(f))
		r |= POLLIN;
	return r;
}

static long vt_ioctl(struct thread *t, struct file *f, uint64_t cmd, uint64_t arg)
{
	struct mm *mm = t->proc->mm;
	switch (cmd) {
	case TIOCGWINSZ:
		return copy_out(mm, arg, &vt.tty.winsize, sizeof(vt.tty.winsize));
	case TIOCSWINSZ: {
		struct linux_winsize ws;
		if (copy_in(mm, &ws, arg, sizeof(ws)))
			return -EFAULT;
		tty_set_winsize(&vt.tty, &ws);
		return 0;
	}
	case FIONREAD: {
		int n = reads(f) ? (int)unread(f) : 0;
		return copy_out(mm, arg, &n, sizeof(n));
	}
	default:
		return -ENOTTY;
	}
}

static void vt_release(struct file *f)
{
	for (unsigned i = 0; i < VT_READERS; i++)
		if (vt.readers[i] == f)
			vt.readers[i] = NULL;
	wait_wake(WAIT_KEY(&vt.tty.room));
}

static const struct file_ops vt_ops = {
	.read = vt_read, .write = vt_write, .ioctl = vt_ioctl, .poll = vt_poll,
	.release = vt_release,
};

int vt_open(struct file *f)
{
	f->ops = &vt_ops;
	if (!reads(f))
		return 0;
	for (unsigned i = 0; i < VT_READERS; i++) {
		if (!vt.readers[i]) {
			vt.readers[i] = f;
			f->offset = vt.head > VT_LOG ? vt.head - VT_LOG : 0;
			return 0;
		}
	}
	return -EBUSY;
}

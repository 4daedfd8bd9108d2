/*
 * The line discipline (Linux's n_tty, smaller): input bytes are edited into lines in canonical
 * mode or passed on at once in raw and cbreak modes, echoed as the termios flags say, and the
 * signal characters reach the foreground process group. Job control: a background group that
 * reads (or writes, with TOSTOP) gets SIGTTIN (SIGTTOU) and waits until it is foreground.
 */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>

#define CTRL(c) ((c) & 0x1f)
#define CONSOLE_ROWS 25
#define CONSOLE_COLS 80
#define CONSOLE_INO 8 /* devfs's node of /dev/console */

static struct tty console;

/*
 * The console's input as a stream (a pipe or a file, not a terminal): the bytes the platform
 * gave that no read took yet. It is filled only when somebody reads or polls it, never ahead,
 * so a system that does not read its input leaves it unread. A reader that finds it empty
 * waits as a thread (the machine goes on); `wanted` says so, for the idle loop to wait for
 * the platform's input rather than call the system deadlocked.
 */
static struct {
	char buf[4096];
	size_t head, len;
	bool ended;  /* the platform said the input ended: reads give 0 once it is empty */
	bool wanted; /* a read or poll found it empty since the last bytes came */
} stream_in;

static void console_out(struct tty *tty, const char *buf, size_t len)
{
	(void)tty;
	plat_console_write(1, buf, len);
}

static void termios_defaults(struct linux_termios *t)
{
	kmemset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON | IUTF8;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_cc[VINTR] = CTRL('C');
	t->c_cc[VQUIT] = CTRL('\\');
	t->c_cc[VERASE] = 0x7f;
	t->c_cc[VKILL] = CTRL('U');
	t->c_cc[VEOF] = CTRL('D');
	t->c_cc[VMIN] = 1;
	t->c_cc[VSTART] = CTRL('Q');
	t->c_cc[VSTOP] = CTRL('S');
	t->c_cc[VSUSP] = CTRL('Z');
	t->c_cc[VREPRINT] = CTRL('R');
	t->c_cc[VDISCARD] = CTRL('O');
	t->c_cc[VWERASE] = CTRL('W');
	t->c_cc[VLNEXT] = CTRL('V');
}

void tty_setup(struct tty *tty, unsigned rdev, unsigned rows, unsigned cols,
	       void (*out)(struct tty *tty, const char *buf, size_t len))
{
	kmemset(tty, 0, sizeof(*tty));
	tty->rdev = rdev;
	termios_defaults(&tty->termios);
	tty->winsize = (struct linux_winsize){(unsigned short)rows, (unsigned short)cols, 0, 0};
	tty->out = out;
}

void tty_init(void)
{
	kmemset(&stream_in, 0, sizeof(stream_in));
	unsigned rows = CONSOLE_ROWS, cols = CONSOLE_COLS;
	if (plat_console_interactive())
		plat_console_size(&rows, &cols);
	tty_setup(&console, 5 << 8 | 1, rows, cols, console_out);
}

struct tty *tty_console(void)
{
	return &console;
}

/* Output with the termios output processing (OPOST, ONLCR, OCRNL), tracking the column. */
static void emit(struct tty *tty, const char *buf, size_t len)
{
	char out[256];
	size_t n = 0;
	bool post = tty->termios.c_oflag & OPOST;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (n + 2 > sizeof(out)) {
			tty->out(tty, out, n);
			n = 0;
		}
		if (post && c == '\n' && (tty->termios.c_oflag & ONLCR)) {
			out[n++] = '\r';
			tty->column = 0;
		} else if (post && c == '\r' && (tty->termios.c_oflag & OCRNL)) {
			c = '\n';
		}
		out[n++] = c;
		if (c == '\r' || c == '\n')
			tty->column = 0;
		else if (c == '\b')
			tty->column -= tty->column > 0;
		else if (c == '\t')
			tty->column = (tty->column | 7) + 1;
		else if ((unsigned char)c >= 0x20)
			tty->column++;
	}
	if (n)
		tty->out(tty, out, n);
}

static bool is_ctl(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

static void echo(struct tty *tty, char c)
{
	unsigned lflag = tty->termios.c_lflag;
	if (!(lflag & ECHO)) {
		if (c == '\n' && (lflag & ECHONL))
			emit(tty, "\n", 1);
		return;
	}
	if (is_ctl(c) && c != '\n' && c != '\t' && (lflag & ECHOCTL)) {
		char s[2] = {'^', (char)(c ^ 0x40)};
		emit(tty, s, 2);
		return;
	}
	emit(tty, &c, 1);
}

static size_t at(const struct tty *tty, size_t i)
{
	return (tty->in_head + i) % TTY_BUF;
}

static bool marked(const struct tty *tty, size_t pos)
{
	return (tty->eof_mark[pos / 8] >> (pos % 8)) & 1;
}

static void mark(struct tty *tty, size_t pos, bool on)
{
	if (on)
		tty->eof_mark[pos / 8] |= (uint8_t)(1u << (pos % 8));
	else
		tty->eof_mark[pos / 8] &= (uint8_t)~(1u << (pos % 8));
}

static bool push(struct tty *tty, char c, bool eof)
{
	/* In canonical mode one byte stays free for the line's end. */
	size_t room = TTY_BUF - ((tty->termios.c_lflag & ICANON) && !eof && c != '\n');
	if (tty->in_len >= room)
		return false;
	size_t pos = at(tty, tty->in_len++);
	tty->in[pos] = c;
	mark(tty, pos, eof);
	return true;
}

/* Erases the last character of the line being edited; false when there is none. */
static bool erase_one(struct tty *tty)
{
	if (tty->in_len <= tty->cooked)
		return false;
	char c = tty->in[at(tty, --tty->in_len)];
	unsigned lflag = tty->termios.c_lflag;
	if ((lflag & ECHO) && (lflag & ECHOE)) {
		unsigned cols = is_ctl(c) && c != '\t' && (lflag & ECHOCTL) ? 2 : 1;
		for (unsigned i = 0; i < cols; i++)
			emit(tty, "\b \b", 3);
	}
	return true;
}

static void flush_input(struct tty *tty)
{
	tty->in_len = tty->cooked = 0;
	tty->eofs = 0;
}

static void line_done(struct tty *tty)
{
	tty->cooked = tty->in_len;
	wait_wake(WAIT_KEY(tty));
}

/* The signal character c of an ISIG terminal: signal the foreground group. */
static bool signal_char(struct tty *tty, char c)
{
	const uint8_t *cc = tty->termios.c_cc;
	int sig = c == (char)cc[VINTR] ? SIGINT : c == (char)cc[VQUIT] ? SIGQUIT
		: c == (char)cc[VSUSP] ? SIGTSTP : 0;
	if (!sig || !c)
		return false;
	if (!(tty->termios.c_lflag & NOFLSH))
		flush_input(tty);
	echo(tty, c);
	bool delivered = tty->pgrp > 0 && signal_send_pgrp(tty->pgrp, sig, SI_KERNEL, 0);
	if (!delivered && sig == SIGINT && tty == &console)
		kernel_request_stop(); /* nobody in the foreground: ^C stops the machine */
	wait_wake(WAIT_KEY(tty));
	return true;
}

/* Canonical editing of c: true when c was an editing character. */
static bool edit_char(struct tty *tty, char c)
{
	const uint8_t *cc = tty->termios.c_cc;
	unsigned lflag = tty->termios.c_lflag;
	if (!c)
		return false;
	if (c == (char)cc[VERASE] || c == '\b') {
		erase_one(tty);
		return true;
	}
	if (c == (char)cc[VKILL]) {
		while (erase_one(tty))
			;
		return true;
	}
	if ((lflag & IEXTEN) && c == (char)cc[VWERASE]) {
		while (tty->in_len > tty->cooked && tty->in[at(tty, tty->in_len - 1)] == ' ')
			erase_one(tty);
		while (tty->in_len > tty->cooked && tty->in[at(tty, tty->in_len - 1)] != ' ')
			erase_one(tty);
		return true;
	}
	if ((lflag & IEXTEN) && c == (char)cc[VLNEXT]) {
		tty->lnext = true;
		if (lflag & ECHO)
			emit(tty, "^\b", 2);
		return true;
	}
	if (c == (char)cc[VEOF]) {
		if (push(tty, c, true)) {
			tty->eofs++;
			line_done(tty);
		}
		return true;
	}
	return false;
}

void tty_input(struct tty *tty, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		const struct linux_termios *tm = &tty->termios;
		char c = buf[i];
		if (tm->c_iflag & ISTRIP)
			c &= 0x7f;
		bool literal = tty->lnext;
		tty->lnext = false;
		if (!literal) {
			if (c == '\r' && (tm->c_iflag & IGNCR))
				continue;
			if (c == '\r' && (tm->c_iflag & ICRNL))
				c = '\n';
			else if (c == '\n' && (tm->c_iflag & INLCR))
				c = '\r';
			if ((tm->c_lflag & ISIG) && signal_char(tty, c))
				continue;
			if ((tm->c_lflag & ICANON) && edit_char(tty, c))
				continue;
		}
		if (!push(tty, c, false))
			continue; /* full: the byte is lost, as on Linux */
		echo(tty, c);
		bool eol = c == '\n' || (c && (c == (char)tm->c_cc[VEOL] || c == (char)tm->c_cc[VEOL2]));
		if (!(tm->c_lflag & ICANON) || (eol && !literal))
			line_done(tty);
	}
}

size_t tty_input_room(const struct tty *tty)
{
	return TTY_BUF - 1 - tty->in_len;
}

void tty_set_winsize(struct tty *tty, const struct linux_winsize *ws)
{
	bool changed = kmemcmp(ws, &tty->winsize, sizeof(*ws)) != 0;
	tty->winsize = *ws;
	if (changed && tty->pgrp > 0)
		signal_send_pgrp(tty->pgrp, SIGWINCH, SI_KERNEL, 0);
}

/* Takes what the platform has of a stream console's input, as far as the buffer has room. */
static void stream_fill(void)
{
	bool got = false;
	while (!stream_in.ended && stream_in.len < sizeof(stream_in.buf)) {
		size_t tail = (stream_in.head + stream_in.len) % sizeof(stream_in.buf);
		size_t room = MIN(sizeof(stream_in.buf) - stream_in.len, sizeof(stream_in.buf) - tail);
		long n = plat_console_poll(stream_in.buf + tail, room);
		if (n == 0)
			break;
		if (n < 0)
			stream_in.ended = true;
		else
			stream_in.len += (size_t)n;
		got = true;
	}
	if (got) {
		stream_in.wanted = false;
		wait_wake(WAIT_KEY(&stream_in));
	}
}

bool tty_console_wanted(void)
{
	if (plat_console_interactive())
		return true;
	if (!stream_in.wanted)
		return false;
	/* Somebody still waits for it: a reader, or a poll (which may be polling it). */
	unsigned cursor = 0;
	for (struct thread *t; (t = thread_next(&cursor));)
		if ((t->wait.kind == WAIT_TTY && t->wait.key == WAIT_KEY(&stream_in)) ||
		    t->wait.kind == WAIT_POLL)
			return true;
	return false;
}

void tty_poll_console(void)
{
	if (!plat_console_interactive()) {
		if (stream_in.wanted)
			stream_fill();
		return;
	}
	unsigned rows, cols;
	if (plat_console_size(&rows, &cols)) {
		console.winsize.ws_row = (unsigned short)rows;
		console.winsize.ws_col = (unsigned short)cols;
		if (console.pgrp > 0)
			signal_send_pgrp(console.pgrp, SIGWINCH, SI_KERNEL, 0);
	}
	char buf[256];
	long n;
	while ((n = plat_console_poll(buf, sizeof(buf))) > 0)
		tty_input(&console, buf, (size_t)n);
	if (n < 0 && !console.hung_up) {
		console.hung_up = true; /* the person's terminal went away */
		if (console.pgrp > 0)
			signal_send_pgrp(console.pgrp, SIGHUP, SI_KERNEL, 0);
		wait_wake(WAIT_KEY(&console));
	}
}

/*
 * Job control: may p use tty now? A process of the terminal's session outside its foreground
 * group gets sig (SIGTTIN, SIGTTOU) sent to its group, unless it ignores or blocks it; then
 * reads fail with EIO and writes go on. 0 to go on, -EIO, or -EBLOCKED (stopped, it waits).
 */
static long job_check(struct thread *t, struct tty *tty, int sig)
{
	struct proc *p = t->proc;
	if (p->tty != tty || tty->pgrp <= 0 || p->pgid == tty->pgrp)
		return 0;
	if (signal_ignored_or_blocked(t, sig))
		return sig == SIGTTIN ? -EIO : 0;
	signal_send_pgrp(p->pgid, sig, SI_KERNEL, 0);
	return wait_block(t, WAIT_TTY, WAIT_KEY(tty), UINT64_MAX,
			  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
}

/* Bytes a read may take now, and whether the end of a line or file limits it. */
static long tty_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	struct tty *tty = f->priv;
	long r = job_check(t, tty, SIGTTIN);
	if (r)
		return r;
	if (len == 0)
		return 0;
	bool canon = tty->termios.c_lflag & ICANON;
	size_t avail = canon ? tty->cooked : tty->in_len;
	unsigned vmin = tty->termios.c_cc[VMIN], vtime = tty->termios.c_cc[VTIME];
	bool enough = canon ? avail > 0 : vmin == 0 || avail >= MIN(vmin, len);
	if (!enough && !canon && vtime && avail > 0 && wait_rerunning(t) &&
	    plat_clock_ns() >= t->wait.deadline)
		enough = true; /* the inter-byte timer ran out */
	if (!enough && tty->hung_up)
		return 0;
	if (!enough) {
		if (tty == &console)
			tty_poll_console();
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		uint64_t deadline = !canon && vtime ? wait_deadline(t, vtime * 100000000ull) : UINT64_MAX;
		if (!canon && vmin == 0 && vtime && wait_rerunning(t) && plat_clock_ns() >= deadline)
			return 0;
		return wait_block(t, WAIT_TTY, WAIT_KEY(tty), deadline,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	char chunk[256];
	uint64_t done = 0;
	bool stop = false;
	while (done < len && avail && !stop) {
		size_t n = 0;
		while (n < sizeof(chunk) && done + n < len && avail) {
			size_t pos = at(tty, 0);
			char c = tty->in[pos];
			bool eof = marked(tty, pos);
			tty->in_head = (tty->in_head + 1) % TTY_BUF;
			tty->in_len--;
			avail--;
			if (canon)
				tty->cooked--;
			if (eof) {
				mark(tty, pos, false);
				tty->eofs--;
				stop = true;
				break;
			}
			chunk[n++] = c;
			if (canon && (c == '\n' || (c && (c == (char)tty->termios.c_cc[VEOL] ||
							   c == (char)tty->termios.c_cc[VEOL2])))) {
				stop = true;
				break;
			}
		}
		if (n && copy_out(t->proc->mm, buf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	wait_wake(WAIT_KEY(tty->in)); /* a device that waits to give more (vt.c) */
	return (long)done;
}

static long tty_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	struct tty *tty = f->priv;
	if (tty->termios.c_lflag & TOSTOP) {
		long r = job_check(t, tty, SIGTTOU);
		if (r)
			return r;
	}
	if (tty->hung_up)
		return -EIO;
	char chunk[TTY_OUT_CHUNK / 2]; /* ONLCR may double it */
	uint64_t done = 0;
	while (done < len) {
		if (tty->room && tty->room(tty) < TTY_OUT_CHUNK) {
			if (done)
				return (long)done;
			if (f->flags & O_NONBLOCK)
				return -EAGAIN;
			return wait_block(t, WAIT_TTY, WAIT_KEY(&tty->room), UINT64_MAX,
					  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
		}
		size_t n = (size_t)MIN(len - done, sizeof(chunk));
		if (copy_in(t->proc->mm, chunk, buf + done, n))
			return done ? (long)done : -EFAULT;
		emit(tty, chunk, n);
		done += n;
	}
	return (long)done;
}

static unsigned tty_poll(struct file *f)
{
	struct tty *tty = f->priv;
	if (tty == &console)
		tty_poll_console();
	bool canon = tty->termios.c_lflag & ICANON;
	unsigned r = !tty->room || tty->room(tty) >= TTY_OUT_CHUNK ? POLLOUT : 0;
	if ((canon ? tty->cooked : tty->in_len) > 0)
		r |= POLLIN;
	if (tty->hung_up)
		r |= POLLHUP | POLLIN;
	return r;
}

/* Is pgrp a group of p's session? Zombies count, as on Linux (see setpgid). */
static bool same_session_group(struct proc *p, int pgrp)
{
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));)
		if (q->pgid == pgrp && q->sid == p->sid)
			return true;
	return false;
}

static long tty_ioctl(struct thread *t, struct file *f, uint64_t cmd, uint64_t arg)
{
	struct tty *tty = f->priv;
	struct proc *p = t->proc;
	struct mm *mm = p->mm;
	switch (cmd) {
	case TCGETS:
		return copy_out(mm, arg, &tty->termios, sizeof(tty->termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct linux_termios tm;
		if (copy_in(mm, &tm, arg, sizeof(tm)))
			return -EFAULT;
		long r = job_check(t, tty, SIGTTOU);
		if (r)
			return r;
		if (cmd == TCSETSF)
			flush_input(tty);
		bool was_canon = tty->termios.c_lflag & ICANON;
		tty->termios = tm;
		if (was_canon && !(tm.c_lflag & ICANON)) /* the line being edited is readable now */
			tty->cooked = tty->in_len;
		wait_wake(WAIT_KEY(tty));
		return 0;
	}
	case TIOCGWINSZ:
		return copy_out(mm, arg, &tty->winsize, sizeof(tty->winsize));
	case TIOCSWINSZ: {
		struct linux_winsize ws;
		if (copy_in(mm, &ws, arg, sizeof(ws)))
			return -EFAULT;
		tty_set_winsize(tty, &ws);
		return 0;
	}
	case TIOCGPGRP:
		if (p->tty != tty)
			return -ENOTTY;
		return copy_out(mm, arg, &tty->pgrp, sizeof(int));
	case TIOCSPGRP: {
		int pgrp;
		if (copy_in(mm, &pgrp, arg, sizeof(pgrp)))
			return -EFAULT;
		if (p->tty != tty || tty->sid != p->sid)
			return -ENOTTY;
		long r = job_check(t, tty, SIGTTOU);
		if (r)
			return r;
		if (pgrp < 0)
			return -EINVAL;
		if (!same_session_group(p, pgrp))
			return -EPERM;
		tty->pgrp = pgrp;
		wait_wake(WAIT_KEY(tty));
		return 0;
	}
	case TIOCGSID:
		if (p->tty != tty || !tty->sid)
			return -ENOTTY;
		return copy_out(mm, arg, &tty->sid, sizeof(int));
	case TIOCSCTTY:
		if (p->tty == tty)
			return 0;
		if (p->pid != p->sid || p->tty)
			return -EPERM;
		if (tty->sid && tty->sid != p->sid && arg != 1)
			return -EPERM;
		tty_set_controlling(tty, p);
		return 0;
	case TIOCNOTTY:
		if (p->tty != tty)
			return -ENOTTY;
		if (p->pid == p->sid)
			tty_proc_exit(p);
		p->tty = NULL;
		return 0;
	case FIONREAD: {
		int n = (int)((tty->termios.c_lflag & ICANON) ? tty->cooked - tty->eofs : tty->in_len);
		return copy_out(mm, arg, &n, sizeof(n));
	}
	case TIOCOUTQ: {
		int n = 0;
		return copy_out(mm, arg, &n, sizeof(n));
	}
	case TCFLSH:
		if (arg == TCIFLUSH || arg == TCIOFLUSH)
			flush_input(tty);
		return arg <= TCIOFLUSH ? 0 : -EINVAL;
	case TCSBRK: /* tcdrain: until the device took all the output */
		if (tty->drained && !tty->drained(tty))
			return wait_block(t, WAIT_TTY, WAIT_KEY(&tty->room), UINT64_MAX,
					  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
		return 0;
	case TCXONC:
		return 0;
	case TIOCSTI: {
		char c;
		if (copy_in(mm, &c, arg, 1))
			return -EFAULT;
		tty_input(tty, &c, 1);
		return 0;
	}
	default:
		return -ENOTTY;
	}
}

static void tty_release(struct file *f)
{
	(void)f;
}

static const struct file_ops tty_ops = {
	.read = tty_read, .write = tty_write, .ioctl = tty_ioctl, .poll = tty_poll,
	.release = tty_release,
};

struct tty *tty_of_file(const struct file *f)
{
	return f && f->ops == &tty_ops ? f->priv : NULL;
}

void tty_set_controlling(struct tty *tty, struct proc *leader)
{
	tty->sid = leader->sid;
	tty->pgrp = leader->pgid;
	unsigned cursor = 0;
	/* The session it belonged to (TIOCSCTTY stealing it) has no terminal any more. */
	for (struct proc *q; (q = proc_next(&cursor));)
		if (q->state == PROC_ALIVE)
			q->tty = q->sid == leader->sid ? tty : q->tty == tty ? NULL : q->tty;
}

int tty_open(struct thread *t, struct tty *tty, struct file *f)
{
	struct proc *p = t->proc;
	f->ops = &tty_ops;
	f->priv = tty;
	/* A session leader without a terminal gets the one it opens, as on Linux. */
	if (!(f->flags & O_NOCTTY) && p->pid == p->sid && !p->tty && !tty->sid)
		tty_set_controlling(tty, p);
	return 0;
}

int tty_open_controlling(struct thread *t, struct file *f)
{
	if (!t->proc->tty)
		return -ENXIO;
	return tty_open(t, t->proc->tty, f);
}

void tty_proc_exit(struct proc *p)
{
	struct tty *tty = p->tty;
	if (!tty || p->pid != p->sid || tty->sid != p->sid)
		return;
	/* The session leader is gone: its foreground group hangs up, nobody controls the tty. */
	if (tty->pgrp > 0 && tty->pgrp != p->pgid) {
		signal_send_pgrp(tty->pgrp, SIGHUP, SI_KERNEL, 0);
		signal_send_pgrp(tty->pgrp, SIGCONT, SI_KERNEL, 0);
	}
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));)
		if (q->sid == p->sid)
			q->tty = NULL;
	tty->sid = 0;
	tty->pgrp = 0;
}

/* The console as byte streams: reads take the platform's input, writes go to stream n. */
static long stream_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	if (len == 0)
		return 0;
	if (uaccess_prepare(t->proc->mm, buf, len, true))
		return -EFAULT;
	if (!stream_in.len)
		stream_fill();
	if (!stream_in.len) {
		if (stream_in.ended)
			return 0;
		stream_in.wanted = true;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		return wait_block(t, WAIT_TTY, WAIT_KEY(&stream_in), UINT64_MAX,
				  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
	}
	/* As from a pipe: what is there, up to the end of the ring (the rest on the next read). */
	size_t n = MIN((size_t)len, MIN(stream_in.len, sizeof(stream_in.buf) - stream_in.head));
	if (copy_out(t->proc->mm, buf, stream_in.buf + stream_in.head, n))
		return -EFAULT;
	stream_in.head = (stream_in.head + n) % sizeof(stream_in.buf);
	stream_in.len -= n;
	if (!stream_in.len)
		stream_in.head = 0;
	return (long)n;
}

static int stream_piece(void *piece, size_t n, void *arg)
{
	long r = plat_console_write((int)(uintptr_t)arg, piece, n);
	return r < 0 ? (int)r : 0;
}

static long stream_write(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	(void)off;
	int err = uaccess_prepare(t->proc->mm, buf, len, false);
	if (!err)
		err = uaccess_each(t->proc->mm, buf, len, stream_piece, (void *)(uintptr_t)f->priv_len);
	/* Nobody reads the other end any more (eclipse-sim PROGRAM | head): as with a pipe. */
	if (err == -EPIPE)
		signal_send_thread(t, SIGPIPE, SI_USER, t->proc->pid, 0);
	return err ? err : (long)len;
}

static unsigned stream_poll(struct file *f)
{
	if (!(f->flags & O_ACCMODE) || (f->flags & O_ACCMODE) == O_RDWR) {
		if (!stream_in.len)
			stream_fill();
		if (stream_in.len || stream_in.ended)
			return POLLIN | POLLOUT;
		stream_in.wanted = true;
	}
	return POLLOUT;
}

static const struct file_ops stream_ops = {.read = stream_read, .write = stream_write,
					   .poll = stream_poll};

int tty_open_stream(struct file *f, int stream)
{
	f->ops = &stream_ops;
	f->priv_len = (size_t)(stream ? stream : 1);
	return 0;
}

int tty_std_files(struct proc *p)
{
	if (plat_console_interactive()) {
		struct inode *ino = inode_new(&devfs_type, NULL, CONSOLE_INO, S_IFCHR | 0600);
		struct file *f = ino ? file_alloc(ino, &tty_ops, O_RDWR) : NULL;
		if (!f)
			return -ENOMEM;
		f->priv = &console;
		for (int fd = 0; fd < 3; fd++)
			fd_install_at(p->fds, fd, file_get(f), false);
		file_put(f);
		if (!console.sid && p->pid == p->sid)
			tty_set_controlling(&console, p);
		return 0;
	}
	for (int fd = 0; fd < 3; fd++) {
		struct inode *ino = inode_new(&devfs_type, NULL, DEVFS_STREAM_INO + (unsigned)fd,
					      S_IFCHR | 0620);
		struct file *f = ino ? file_alloc(ino, &stream_ops, fd ? O_WRONLY : O_RDONLY) : NULL;
		if (!f)
			return -ENOMEM;
		f->priv_len = (size_t)fd;
		fd_install_at(p->fds, fd, f, false);
	}
	return 0;
}

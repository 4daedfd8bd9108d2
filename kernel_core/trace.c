/*
 * --trace=syscall in strace's format, and --trace=sched. As strace does, a call's line starts
 * when the call does (its input arguments, read then) and ends when it returns (its outputs and
 * result). Until then the started line is held here; when another line must come first (another
 * thread's call, a signal, an exit), the held one goes out ending "<unfinished ...>", and the
 * call's end comes later as "<... name resumed>outputs) = result". Any thread whose line went
 * out that way is marked until its call ends.
 */
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/trace.h>
#include <uapi/linux.h>

static struct {
	struct trace_line held;     /* the started line of held_by's call */
	struct thread *held_by;     /* NULL: no line is held */
	int held_exit_from;         /* the argument its end starts with */
	bool held_has_exit_part;    /* it prints arguments when it ends */
	uint64_t unfinished[PROC_LIMIT_MAX / 64]; /* by tid slot: "<unfinished ...>" went out */
	struct trace_line line;     /* any other line */
} tr;

void tput(struct trace_line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof(l->buf) - l->len;
	int n = kvsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	l->len += n < 0 ? 0 : (size_t)n >= room ? room - 1 : (size_t)n;
}

void tputs(struct trace_line *l, const char *s)
{
	tput(l, "%s", s);
}

static bool syscalls_traced(void)
{
	return kernel_cfg.trace & TRACE_SYSCALL;
}

/* Writes l as one line where the trace goes. */
static void emit(struct trace_line *l)
{
	if (l->len > sizeof(l->buf) - 2)
		l->len = sizeof(l->buf) - 2;
	l->buf[l->len++] = '\n';
	if (kernel_cfg.trace_write)
		kernel_cfg.trace_write(l->buf, l->len);
	else
		kputs(2, l->buf, l->len);
}

static uint64_t *unfinished_word(const struct thread *t, uint64_t *bit)
{
	unsigned slot = (unsigned)t->tid % PROC_LIMIT_MAX;
	*bit = 1ull << (slot % 64);
	return &tr.unfinished[slot / 64];
}

static bool unfinished(const struct thread *t)
{
	uint64_t bit, *word = unfinished_word(t, &bit);
	return *word & bit;
}

static void set_unfinished(const struct thread *t, bool on)
{
	uint64_t bit, *word = unfinished_word(t, &bit);
	*word = on ? *word | bit : *word & ~bit;
}

/* The held line goes out unfinished: something else must be said first. */
static void cut_held(void)
{
	if (!tr.held_by)
		return;
	tputs(&tr.held, " <unfinished ...>");
	emit(&tr.held);
	set_unfinished(tr.held_by, true);
	tr.held_by = NULL;
}

/* A line's start: where the machine is, when the platform says (--trace=pos). */
static void put_position(struct trace_line *l)
{
	if (kernel_cfg.trace_position)
		l->len += kernel_cfg.trace_position(l->buf + l->len, sizeof(l->buf) - l->len);
}

/* Starts a line about t in tr.line, after the held line. */
static struct trace_line *begin(const struct thread *t)
{
	cut_held();
	tr.line.len = 0;
	put_position(&tr.line);
	tput(&tr.line, "[pid %d] ", t->tid);
	return &tr.line;
}

static void call_init(struct trace_call *c, struct thread *t, uint64_t nr, const uint64_t *args)
{
	*c = (struct trace_call){t, nr, syscall_lookup(nr), args, 0, false};
}

static const char *call_name(const struct trace_call *c, unsigned *nargs)
{
	*nargs = 6;
	if (c->d)
		return c->d->name;
	return trace_linux_call(c->nr, nargs);
}

/* The index of the call's first output argument that is printed; 6 when none is. */
static int exit_from(const struct trace_call *c)
{
	for (int i = 0; c->d && i < 6 && c->d->args[i]; i++)
		if (trace_arg_shown(c, i) && trace_arg_at_exit(c, i))
			return i;
	return 6;
}

/* "name(" and the arguments before the first output one: "read(0, ". */
static void put_start(struct trace_line *l, const struct trace_call *c)
{
	unsigned nargs;
	const char *name = call_name(c, &nargs);
	if (name)
		tput(l, "%s(", name);
	else
		tput(l, "syscall_%#llx(", (unsigned long long)c->nr);
	if (!c->d) { /* what strace prints for calls it does not decode */
		for (unsigned i = 0; i < nargs; i++)
			tput(l, i ? ", %#llx" : "%#llx", (unsigned long long)c->a[i]);
		return;
	}
	int end = exit_from(c);
	const char *sep = "";
	for (int i = 0; i < end && c->d->args[i]; i++) {
		if (!trace_arg_shown(c, i))
			continue;
		tputs(l, sep);
		trace_put_arg(l, c, i);
		sep = ", ";
	}
	if (end < 6)
		tputs(l, sep);
}

/* The arguments from the first output one, and ")". */
static void put_end(struct trace_line *l, const struct trace_call *c)
{
	const char *sep = "";
	for (int i = exit_from(c); c->d && i < 6 && c->d->args[i]; i++) {
		if (!trace_arg_shown(c, i))
			continue;
		tputs(l, sep);
		trace_put_arg(l, c, i);
		sep = ", ";
	}
	tputs(l, ")");
}

static void put_column(struct trace_line *l)
{
	size_t col = l->len;
	do
		tputs(l, " ");
	while (++col < TRACE_RESULT_COLUMN);
}

/* " = 3", " = -1 ENOENT (No such file or directory)", " = ? ERESTARTSYS (...)". */
static void put_result(struct trace_line *l, const struct trace_call *c)
{
	put_column(l);
	long r = c->ret;
	if (!c->failed) {
		tputs(l, "= ");
		trace_put_result(l, c);
		return;
	}
	const char *name = trace_errno_name(-r), *text = trace_errno_text(-r);
	bool restart = r == -ERESTARTSYS || r == -ERESTARTNOHAND || r == -ERESTART_RESTARTBLOCK;
	if (name && text)
		tput(l, "= %s %s (%s)", restart ? "?" : "-1", name, text);
	else
		tput(l, "= -1 ERRNO_%ld (Unknown error %ld)", -r, -r);
}

/* Where the call was made from, on lines of their own (--trace=stack). */
static void put_stack(struct thread *t)
{
	if (!kernel_cfg.trace_stack)
		return;
	size_t n = kernel_cfg.trace_stack(t, tr.line.buf, sizeof(tr.line.buf));
	if (!n)
		return;
	if (kernel_cfg.trace_write)
		kernel_cfg.trace_write(tr.line.buf, n);
	else
		kputs(2, tr.line.buf, n);
}

void trace_syscall_enter(struct thread *t, uint64_t nr, const uint64_t *args)
{
	if (!syscalls_traced() || tr.held_by == t || unfinished(t))
		return; /* it runs again after a wait: its line started when it first ran */
	struct trace_call c;
	call_init(&c, t, nr, args);
	cut_held();
	tr.held.len = 0;
	put_position(&tr.held);
	tput(&tr.held, "[pid %d] ", t->tid);
	put_start(&tr.held, &c);
	tr.held_by = t;
	tr.held_exit_from = exit_from(&c);
	tr.held_has_exit_part = tr.held_exit_from < 6;
}

/* What Linux says of a call a signal interrupted, whose result here is result: the restart
 * code strace shows (ERESTARTSYS when the call would start over with SA_RESTART). */
static long interrupted(const struct trace_call *c, long result, bool restartable)
{
	unsigned flags = c->d ? c->d->flags : 0;
	if (result != -EINTR)
		return result;
	if (restartable)
		return -ERESTARTSYS;
	if ((flags & SC_INTR_NOHAND) || (c->nr == SYS_poll && (int)c->a[2] < 0))
		return -ERESTARTNOHAND;
	if (flags & SC_INTR_BLOCK)
		return -ERESTART_RESTARTBLOCK;
	return result;
}

/* Ends t's call with ret: the held line's end, or a "resumed" line. */
static void finish(struct trace_call *c)
{
	struct thread *t = c->t;
	struct trace_line *l;
	c->failed = c->ret < 0 && c->ret >= -4095;
	if (tr.held_by == t) {
		l = &tr.held;
		tr.held_by = NULL;
	} else {
		unsigned nargs;
		const char *name = call_name(c, &nargs);
		l = begin(t);
		if (name)
			tput(l, "<... %s resumed>", name);
		else
			tput(l, "<... syscall_%#llx resumed>", (unsigned long long)c->nr);
		set_unfinished(t, false);
	}
	put_end(l, c);
	put_result(l, c);
	emit(l);
	put_stack(t);
}

void trace_syscall_exit(struct thread *t, uint64_t nr, const uint64_t *args, long ret)
{
	if (!syscalls_traced() || (tr.held_by != t && !unfinished(t)))
		return; /* its start was not traced */
	struct trace_call c;
	call_init(&c, t, nr, args);
	c.ret = ret == -EINTR && signal_interrupting(t) ? interrupted(&c, ret, false) : ret;
	finish(&c);
}

/* t, blocked in a call, dies of a signal: as in Linux, the signal interrupts the call first. */
static void end_interrupted(struct thread *t)
{
	const struct regs *r = &t->ctx.regs;
	const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	struct trace_call c;
	call_init(&c, t, r->rax, args);
	c.ret = interrupted(&c, t->wait.early, t->wait.flags & WAIT_RESTARTABLE);
	finish(&c);
}

void trace_signal(struct thread *t, const struct linux_siginfo *si, enum trace_sig how)
{
	if (!syscalls_traced())
		return;
	if (how == TRACE_SIG_KILLS && t->state == THREAD_BLOCKED && t->wait.kind != WAIT_NONE &&
	    (tr.held_by == t || unfinished(t)))
		end_interrupted(t);
	if (si->si_signo == SIGKILL)
		return; /* strace has no line for it: the exit line says it */
	struct trace_line *l = begin(t);
	tputs(l, "--- ");
	trace_put_signal(l, si->si_signo);
	tputs(l, " ");
	trace_put_siginfo(l, si);
	tputs(l, " ---");
	emit(l);
	if (how != TRACE_SIG_STOPS)
		return;
	l = begin(t);
	tputs(l, "--- stopped by ");
	trace_put_signal(l, si->si_signo);
	tputs(l, " ---");
	emit(l);
}

void trace_thread_exit(struct thread *t, int wait_status)
{
	bool held = tr.held_by == t, resumed = unfinished(t);
	if (!syscalls_traced() || (!held && !resumed)) {
		set_unfinished(t, false);
		if (held)
			tr.held_by = NULL;
	} else {
		/* Its call never returns: " = ?", after "<unfinished ...>" if it had outputs. */
		struct trace_line *l = &tr.held;
		bool has_exit_part = tr.held_has_exit_part;
		if (held) {
			tr.held_by = NULL;
		} else {
			const struct regs *r = &t->ctx.regs;
			const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
			struct trace_call c;
			unsigned nargs;
			call_init(&c, t, r->rax, args);
			const char *name = call_name(&c, &nargs);
			l = begin(t);
			if (name)
				tput(l, "<... %s resumed>", name);
			else
				tput(l, "<... syscall_%#llx resumed>", (unsigned long long)c.nr);
			has_exit_part = exit_from(&c) < 6;
			set_unfinished(t, false);
		}
		tputs(l, has_exit_part ? " <unfinished ...>)" : ")");
		put_column(l);
		tputs(l, "= ?");
		emit(l);
	}
	if (!syscalls_traced())
		return;
	struct trace_line *l = begin(t);
	if (wait_status & 0x7f) {
		tputs(l, "+++ killed by ");
		trace_put_signal(l, wait_status & 0x7f);
		tputs(l, wait_status & 0x80 ? " (core dumped) +++" : " +++");
	} else {
		tput(l, "+++ exited with %d +++", (wait_status >> 8) & 0xff);
	}
	emit(l);
}

void trace_reset(void)
{
	kmemset(&tr.unfinished, 0, sizeof(tr.unfinished));
	tr.held_by = NULL;
}

/* A line of its own: "[KIND S.US] " and the text. Not a line of strace's: it does not cut a
 * held line, which goes out whole later. */
static void note(const char *kind, const char *fmt, va_list ap)
{
	struct trace_line *l = &tr.line;
	uint64_t now = plat_clock_ns();
	l->len = 0;
	put_position(l);
	tput(l, "[%s %llu.%06llu] ", kind, (unsigned long long)(now / 1000000000ull),
	     (unsigned long long)(now / 1000 % 1000000));
	size_t room = sizeof(l->buf) - l->len;
	int n = kvsnprintf(l->buf + l->len, room, fmt, ap);
	l->len += n < 0 ? 0 : (size_t)n >= room ? room - 1 : (size_t)n;
	emit(l);
}

void trace_sched(const char *fmt, ...)
{
	if (!(kernel_cfg.trace & TRACE_SCHED))
		return;
	va_list ap;
	va_start(ap, fmt);
	note("sched", fmt, ap);
	va_end(ap);
}

void trace_device(const char *fmt, ...)
{
	if (!(kernel_cfg.trace & TRACE_DEVICE))
		return;
	va_list ap;
	va_start(ap, fmt);
	note("dev", fmt, ap);
	va_end(ap);
}

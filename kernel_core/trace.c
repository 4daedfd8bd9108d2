/*
 * strace-style syscall lines. Argument letters: d signed int, u unsigned, x hex address,
 * s user string, b user buffer whose length is the next argument, B user buffer filled by the
 * call, whose length is the result.
 */
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/syscall.h>
#include <uapi/linux.h>

#define TRACE_STR_MAX 32
#define TRACE_SITE_MAX 96

struct line {
	char buf[TRACE_LINE_MAX];
	size_t len;
	struct thread *t; /* whose syscall it is */
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof(l->buf) - l->len;
	int n = kvsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	l->len += n < 0 ? 0 : (size_t)n >= room ? room - 1 : (size_t)n;
}

static void put_bytes(struct line *l, struct thread *t, uint64_t uva, uint64_t len, bool stop_at_nul)
{
	char bytes[TRACE_STR_MAX];
	size_t n = (size_t)MIN(len, TRACE_STR_MAX);
	if (stop_at_nul) {
		long r = copy_str_in(t->proc->mm, bytes, uva, TRACE_STR_MAX);
		if (r == -EFAULT) {
			put(l, "%#llx", (unsigned long long)uva);
			return;
		}
		n = r < 0 ? TRACE_STR_MAX - 1 : (size_t)r;
		len = r < 0 ? TRACE_STR_MAX + 1 : (uint64_t)r;
	} else if (copy_in(t->proc->mm, bytes, uva, n)) {
		put(l, "%#llx", (unsigned long long)uva);
		return;
	}
	put(l, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)bytes[i];
		if (c == '\n')
			put(l, "\\n");
		else if (c == '\t')
			put(l, "\\t");
		else if (c == '"' || c == '\\')
			put(l, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			put(l, "%c", c);
		else
			put(l, "\\x%02x", c);
	}
	put(l, len > n ? "\"..." : "\"");
}

static const char *errno_name(long e)
{
	const char *name = kerrno_name(e);
	return name ? name : "E?";
}

/* Renders "[pid N] name(args)" into l; output buffers ('B') only when done. */
static void render_call(struct line *l, struct thread *t, uint64_t nr, const uint64_t *args,
			long ret, bool done)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	l->t = t;
	put(l, "[pid %d] ", t->tid);
	if (!d) {
		put(l, "syscall_%llu(%#llx, %#llx, %#llx)", (unsigned long long)nr,
		    (unsigned long long)args[0], (unsigned long long)args[1],
		    (unsigned long long)args[2]);
	} else {
		put(l, "%s(", d->name);
		for (int i = 0; d->args[i]; i++) {
			uint64_t v = args[i];
			if (i)
				put(l, ", ");
			switch (d->args[i]) {
			case 'd':
				put(l, "%d", (int)v);
				break;
			case 'u':
				put(l, "%llu", (unsigned long long)v);
				break;
			case 's':
				put_bytes(l, t, v, 0, true);
				break;
			case 'b':
				put_bytes(l, t, v, args[i + 1], false);
				break;
			case 'B':
				if (done && ret >= 0)
					put_bytes(l, t, v, (uint64_t)ret, false);
				else
					put(l, "%#llx", (unsigned long long)v);
				break;
			default:
				put(l, v ? "%#llx" : "NULL", (unsigned long long)v);
			}
		}
		put(l, ")");
	}
}

/* Appends " = result", and where the call was made from when the platform knows, to l and
 * writes it. */
static void finish(struct line *l, uint64_t nr, long ret, bool done)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	if (!done)
		put(l, " = ?");
	else if (ret < 0 && ret >= -4095)
		put(l, " = -1 %s", errno_name(-ret));
	else if (d && (d->flags & SC_RETHEX))
		put(l, " = %#llx", (unsigned long long)ret);
	else
		put(l, " = %ld", ret);
	char site[TRACE_SITE_MAX];
	if (kernel_cfg.trace_site && kernel_cfg.trace_site(l->t, site, sizeof(site)))
		put(l, "%s", site);
	put(l, "\n");
	if (l->len && l->buf[l->len - 1] != '\n')
		l->buf[l->len - 1] = '\n';
	kputs(2, l->buf, l->len);
}

void trace_syscall(struct thread *t, uint64_t nr, const uint64_t *args, long ret, bool done)
{
	struct line l = {.len = 0};
	render_call(&l, t, nr, args, ret, done);
	finish(&l, nr, ret, done);
}

void trace_syscall_begin(struct trace_call *tc, struct thread *t, uint64_t nr, const uint64_t *args)
{
	_Static_assert(sizeof(tc->buf) == sizeof(((struct line *)0)->buf) &&
			       sizeof(*tc) == sizeof(struct line),
		       "a trace_call is a line");
	struct line *l = (struct line *)tc;
	l->len = 0;
	render_call(l, t, nr, args, 0, false);
}

void trace_syscall_end(struct trace_call *tc, uint64_t nr, long ret, bool done)
{
	finish((struct line *)tc, nr, ret, done);
}

void trace_sched(const char *fmt, ...)
{
	if (!(kernel_cfg.trace & TRACE_SCHED))
		return;
	struct line l = {.len = 0};
	uint64_t now = plat_clock_ns();
	put(&l, "[sched %llu.%06llu] ", (unsigned long long)(now / 1000000000ull),
	    (unsigned long long)(now / 1000 % 1000000));
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof(l.buf) - l.len - 1;
	int n = kvsnprintf(l.buf + l.len, room, fmt, ap);
	va_end(ap);
	l.len += n < 0 ? 0 : (size_t)n >= room ? room - 1 : (size_t)n;
	l.buf[l.len++] = '\n';
	kputs(2, l.buf, l.len);
}

/*
 * What the syscall tracer prints for each kind of argument (enum trace_arg) and result (enum
 * trace_ret), in strace's format: strings escaped and cut at TRACE_STR_MAX bytes, flags by name,
 * output arguments after the call (their address when it failed), arrays and structures as
 * strace abbreviates them.
 */
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/trace.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

/* A string read from the traced program (one at a time: the tracer runs on one CPU). */
static char scratch[TRACE_PATH_MAX + 1];

static void tputc(struct trace_line *l, char ch)
{
	if (l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = ch;
}

void trace_put_quoted(struct trace_line *l, const char *bytes, size_t n, bool hex)
{
	static const char digits[] = "0123456789abcdef";
	tputc(l, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)bytes[i];
		const char *esc = ch == '\n' ? "\\n" : ch == '\t' ? "\\t" : ch == '\r' ? "\\r"
				: ch == '\f' ? "\\f" : ch == '\v' ? "\\v" : NULL;
		if (hex) {
			tputc(l, '\\');
			tputc(l, 'x');
			tputc(l, digits[ch >> 4]);
			tputc(l, digits[ch & 15]);
		} else if (esc) {
			tputs(l, esc);
		} else if (ch == '"' || ch == '\\') {
			tputc(l, '\\');
			tputc(l, (char)ch);
		} else if (ch >= ' ' && ch < 0x7f) {
			tputc(l, (char)ch);
		} else {
			/* Octal, as short as it can be unless a digit follows that would join it. */
			bool digit_next = i + 1 < n && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
			tputc(l, '\\');
			if (digit_next || ch >= 0100)
				tputc(l, (char)('0' + (ch >> 6)));
			if (digit_next || ch >= 010)
				tputc(l, (char)('0' + ((ch >> 3) & 7)));
			tputc(l, (char)('0' + (ch & 7)));
		}
	}
	tputc(l, '"');
}

/* Reads a string of at most max bytes at uva into scratch: its length without the NUL, max when
 * it has none within max bytes, -1 when it cannot be read. Reads 64-byte pieces, which stay
 * within a page, so that a string ending just before an unmapped page is read. */
static long fetch_str(const struct trace_call *c, uint64_t uva, size_t max)
{
	size_t got = 0;
	while (got < max) {
		uint64_t at = uva + got;
		size_t piece = MIN(max - got, 64 - (at & 63));
		if (!trace_peek(c, at, scratch + got, piece))
			return -1;
		for (size_t i = 0; i < piece; i++)
			if (!scratch[got + i])
				return (long)(got + i);
		got += piece;
	}
	return (long)max;
}

/* A NUL-terminated string of at most limit bytes ("..." after it when longer). */
static void put_ustr(struct trace_line *l, const struct trace_call *c, uint64_t uva, size_t limit)
{
	long n = uva ? fetch_str(c, uva, limit + 1) : -1;
	if (n < 0) {
		trace_put_addr(l, uva);
		return;
	}
	trace_put_quoted(l, scratch, MIN((size_t)n, limit), false);
	if ((size_t)n > limit)
		tputs(l, "...");
}

void trace_put_ubuf(struct trace_line *l, const struct trace_call *c, uint64_t uva, uint64_t len,
		    bool hex)
{
	size_t n = (size_t)MIN(len, TRACE_STR_MAX);
	if (!uva || !trace_peek(c, uva, scratch, n)) {
		trace_put_addr(l, uva);
		return;
	}
	trace_put_quoted(l, scratch, n, hex);
	if (len > n)
		tputs(l, "...");
}

/* A struct sockaddr of len bytes at uva as strace prints it: {sa_family=AF_UNIX,
 * sun_path="/tmp/s"} (an abstract name with its leading "\0"), {sa_family=AF_INET,
 * sin_port=htons(80), sin_addr=inet_addr("10.0.2.15")}, other families by number. */
static void put_sockaddr(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			 uint64_t len)
{
	char buf[2 + 108];
	size_t n = (size_t)MIN(len, sizeof(buf));
	uint16_t family;
	if (!uva || n < sizeof(family) || !trace_peek(c, uva, buf, n)) {
		trace_put_addr(l, uva);
		return;
	}
	kmemcpy(&family, buf, sizeof(family));
	tputs(l, "{sa_family=");
	trace_put_enum(l, trace_sock_families, family, "%llu");
	if (family == AF_UNIX && n > 2) {
		size_t path = n - 2;
		if (buf[2]) { /* a path: up to its NUL */
			size_t k = 0;
			while (k < path && buf[2 + k])
				k++;
			path = k;
		}
		tputs(l, ", sun_path=");
		trace_put_quoted(l, buf + 2, path, false);
	} else if (family == AF_INET && n >= 8) {
		const unsigned char *b = (const unsigned char *)buf;
		tput(l, ", sin_port=htons(%u), sin_addr=inet_addr(\"%u.%u.%u.%u\")",
		     (unsigned)b[2] << 8 | b[3], b[4], b[5], b[6], b[7]);
	}
	tputc(l, '}');
}

/* Prints one element of an array; false when it could not be read. */
typedef bool (*put_elem_fn)(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			    size_t i, void *arg);

/* [e0, e1, ...] of count elements of size bytes at uva, at most TRACE_ARRAY_MAX of them; the
 * array's address when any cannot be read. */
static void put_array(struct trace_line *l, const struct trace_call *c, uint64_t uva,
		      uint64_t count, size_t size, put_elem_fn put, void *arg)
{
	size_t start = l->len;
	if (!uva) {
		tputs(l, "NULL");
		return;
	}
	tputs(l, "[");
	for (uint64_t i = 0; i < count; i++) {
		if (i == TRACE_ARRAY_MAX) {
			tputs(l, ", ...");
			break;
		}
		tputs(l, i ? ", " : "");
		if (!put(l, c, uva + i * size, (size_t)i, arg)) {
			l->len = start;
			trace_put_addr(l, uva);
			return;
		}
	}
	tputs(l, "]");
}

static bool put_int_elem(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			 size_t i, void *arg)
{
	(void)i, (void)arg;
	int v;
	if (!trace_peek(c, uva, &v, sizeof(v)))
		return false;
	tput(l, "%d", v);
	return true;
}

static bool put_id_elem(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			size_t i, void *arg)
{
	(void)i, (void)arg;
	unsigned v;
	if (!trace_peek(c, uva, &v, sizeof(v)))
		return false;
	tput(l, "%u", v);
	return true;
}

/* An iovec; arg, when set, is how many bytes the call put into the buffers from this one on. */
static bool put_iov_elem(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			 size_t i, void *arg)
{
	(void)i;
	struct linux_iovec v;
	if (!trace_peek(c, uva, &v, sizeof(v)))
		return false;
	uint64_t *left = arg, shown = left ? MIN(*left, v.iov_len) : v.iov_len;
	tputs(l, "{iov_base=");
	trace_put_ubuf(l, c, v.iov_base, shown, false);
	tput(l, ", iov_len=%llu}", v.iov_len);
	if (left)
		*left -= shown;
	return true;
}

static bool put_pollfd_elem(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			    size_t i, void *arg)
{
	(void)i, (void)arg;
	struct linux_pollfd p;
	if (!trace_peek(c, uva, &p, sizeof(p)))
		return false;
	tput(l, "{fd=%d, events=", p.fd);
	trace_put_flags(l, trace_poll_events, (uint16_t)p.events, NULL, "POLL???");
	tputs(l, "}");
	return true;
}

static bool put_argv_elem(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			  size_t i, void *arg)
{
	(void)i, (void)arg;
	uint64_t s;
	if (!trace_peek(c, uva, &s, sizeof(s)))
		return false;
	put_ustr(l, c, s, TRACE_STR_MAX);
	return true;
}

/* How many pointers come before the NULL that ends the array at uva; -1 if unreadable. */
static long count_strings(const struct trace_call *c, uint64_t uva)
{
	for (long n = 0; n < (1 << 16); n++) {
		uint64_t s;
		if (!trace_peek(c, uva + (uint64_t)n * 8, &s, sizeof(s)))
			return -1;
		if (!s)
			return n;
	}
	return -1;
}

/* The descriptors in the bitmap at uva of nfds bits, [0 3]; false if unreadable. */
static bool put_fdset(struct trace_line *l, const struct trace_call *c, uint64_t uva, int nfds)
{
	uint8_t bits[FD_SETSIZE / 8];
	size_t n = nfds <= 0 ? 0 : (size_t)MIN(nfds, FD_SETSIZE);
	if (!trace_peek(c, uva, bits, (n + 7) / 8))
		return false;
	tputs(l, "[");
	bool first = true;
	for (size_t fd = 0; fd < n; fd++)
		if (bits[fd / 8] & (1u << (fd % 8))) {
			tput(l, first ? "%zu" : " %zu", fd);
			first = false;
		}
	tputs(l, "]");
	return true;
}

/* CPU numbers in a mask of size bytes: [0 1]. */
static void put_cpuset(struct trace_line *l, const struct trace_call *c, uint64_t uva,
		       uint64_t size)
{
	uint8_t bits[128];
	size_t n = (size_t)MIN(size, sizeof(bits));
	if (!uva || !trace_peek(c, uva, bits, n)) {
		trace_put_addr(l, uva);
		return;
	}
	tputs(l, "[");
	bool first = true;
	for (size_t cpu = 0; cpu < n * 8; cpu++)
		if (bits[cpu / 8] & (1u << (cpu % 8))) {
			tput(l, first ? "%zu" : " %zu", cpu);
			first = false;
		}
	tputs(l, "]");
}

/* [N] of the int, or the 64-bit number, at uva; with a signal's name for sig. */
static void put_scalar_ptr(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			   size_t size, bool sig)
{
	uint64_t v = 0;
	if (!uva || !trace_peek(c, uva, &v, size)) {
		trace_put_addr(l, uva);
		return;
	}
	tputs(l, "[");
	if (sig)
		trace_put_signal(l, (int)v);
	else if (size == 4)
		tput(l, "%d", (int)v);
	else
		tput(l, "%llu", (unsigned long long)v);
	tputs(l, "]");
}

/* [0x...] of the pointer at uva. */
static void put_addr_ptr(struct trace_line *l, const struct trace_call *c, uint64_t uva)
{
	uint64_t p;
	if (uva && trace_peek(c, uva, &p, sizeof(p)))
		tput(l, "[%#llx]", (unsigned long long)p);
	else
		trace_put_addr(l, uva);
}

static void put_wstatus(struct trace_line *l, const struct trace_call *c, uint64_t uva)
{
	int s;
	if (!uva || c->ret <= 0 || !trace_peek(c, uva, &s, sizeof(s))) {
		trace_put_addr(l, uva);
		return;
	}
	if ((s & 0xff) == 0x7f) {
		tputs(l, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		trace_put_signal(l, (s >> 8) & 0xff);
	} else if (s == 0xffff) {
		tputs(l, "[{WIFCONTINUED(s)");
	} else if (WIFSIGNALED(s)) {
		tputs(l, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		trace_put_signal(l, WTERMSIG(s));
		if (s & 0x80)
			tputs(l, " && WCOREDUMP(s)");
	} else {
		tput(l, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d", WEXITSTATUS(s));
	}
	tputs(l, "}]");
}

static void put_dirents(struct trace_line *l, const struct trace_call *c, uint64_t uva)
{
	trace_put_addr(l, uva);
	unsigned entries = 0;
	for (uint64_t off = 0; off < (uint64_t)c->ret; entries++) {
		uint16_t reclen; /* at 16 in linux_dirent and linux_dirent64 alike */
		if (!trace_peek(c, uva + off + 16, &reclen, sizeof(reclen)) || !reclen)
			return;
		off += reclen;
	}
	tput(l, " /* %u entries */", entries);
}

static void put_open_flags(struct trace_line *l, uint64_t v)
{
	static const char *const modes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	tputs(l, modes[v & O_ACCMODE]);
	if (v & ~(uint64_t)O_ACCMODE) {
		tputs(l, "|");
		trace_put_flags(l, trace_open_flags, v & ~(uint64_t)O_ACCMODE, NULL, NULL);
	}
}

static void put_flock(struct trace_line *l, const struct trace_call *c, uint64_t uva, bool pid)
{
	struct linux_flock f;
	if (!uva || !trace_peek(c, uva, &f, sizeof(f))) {
		trace_put_addr(l, uva);
		return;
	}
	tputs(l, "{l_type=");
	trace_put_enum(l, trace_lock_types, (uint16_t)f.l_type, "%llu");
	tputs(l, ", l_whence=");
	trace_put_enum(l, trace_whence, (uint16_t)f.l_whence, "%llu");
	tput(l, ", l_start=%lld, l_len=%lld", f.l_start, f.l_len);
	if (pid)
		tput(l, ", l_pid=%d", f.l_pid);
	tputs(l, "}");
}

/* The abbreviated termios strace prints: the speed and four flags. */
static void put_termios(struct trace_line *l, const struct trace_call *c, uint64_t uva)
{
	struct linux_termios tio;
	if (!uva || !trace_peek(c, uva, &tio, sizeof(tio))) {
		trace_put_addr(l, uva);
		return;
	}
	static const char *const speeds[16] = {
		"B0", "B50", "B75", "B110", "B134", "B150", "B200", "B300", "B600", "B1200",
		"B1800", "B2400", "B4800", "B9600", "B19200", "B38400",
	};
	tput(l, "{%s %sopost %sisig %sicanon %secho ...}", speeds[tio.c_cflag & 017],
	     tio.c_oflag & OPOST ? "" : "-", tio.c_lflag & ISIG ? "" : "-",
	     tio.c_lflag & ICANON ? "" : "-", tio.c_lflag & ECHO ? "" : "-");
}

static void put_winsize(struct trace_line *l, const struct trace_call *c, uint64_t uva)
{
	struct linux_winsize w;
	if (!uva || !trace_peek(c, uva, &w, sizeof(w))) {
		trace_put_addr(l, uva);
		return;
	}
	tput(l, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", w.ws_row, w.ws_col,
	     w.ws_xpixel, w.ws_ypixel);
}

/* How ioctl's argument is printed for each request the kernel knows. */
enum ioctl_arg { IOCTL_NONE, IOCTL_INT, IOCTL_INT_IN, IOCTL_INT_OUT, IOCTL_TERMIOS_IN,
		 IOCTL_TERMIOS_OUT, IOCTL_WINSIZE_IN, IOCTL_WINSIZE_OUT, IOCTL_ADDR };

static enum ioctl_arg ioctl_arg_of(uint64_t req)
{
	switch ((uint32_t)req) {
	case TCGETS:
		return IOCTL_TERMIOS_OUT;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return IOCTL_TERMIOS_IN;
	case TIOCGWINSZ:
		return IOCTL_WINSIZE_OUT;
	case TIOCSWINSZ:
		return IOCTL_WINSIZE_IN;
	case TIOCGPGRP:
	case TIOCGSID:
	case FIONREAD:
	case TIOCOUTQ:
	case TIOCGPTN:
		return IOCTL_INT_OUT;
	case TIOCSPGRP:
	case FIONBIO:
	case FIOASYNC:
		return IOCTL_INT_IN;
	case TIOCSCTTY:
	case TCSBRK:
	case TCXONC:
	case TCFLSH:
		return IOCTL_INT;
	case FIOCLEX:
	case FIONCLEX:
	case TIOCNOTTY:
	case TIOCEXCL:
	case TIOCNXCL:
		return IOCTL_NONE;
	}
	return IOCTL_ADDR;
}

static void put_ioctl_arg(struct trace_line *l, const struct trace_call *c, uint64_t v)
{
	switch (ioctl_arg_of(c->a[1])) {
	case IOCTL_INT:
		tput(l, "%d", (int)v);
		break;
	case IOCTL_INT_IN:
	case IOCTL_INT_OUT:
		put_scalar_ptr(l, c, v, 4, false);
		break;
	case IOCTL_TERMIOS_IN:
	case IOCTL_TERMIOS_OUT:
		put_termios(l, c, v);
		break;
	case IOCTL_WINSIZE_IN:
	case IOCTL_WINSIZE_OUT:
		put_winsize(l, c, v);
		break;
	default:
		trace_put_addr(l, v);
	}
}

static bool fcntl_takes_arg(uint64_t cmd)
{
	switch (cmd) {
	case F_GETFD:
	case F_GETFL:
	case F_GETOWN:
	case F_GETSIG:
	case F_GETLEASE:
	case F_GETPIPE_SZ:
	case F_GET_SEALS:
		return false;
	}
	return true;
}

static void put_fcntl_arg(struct trace_line *l, const struct trace_call *c, uint64_t v)
{
	switch (c->a[1]) {
	case F_SETFD:
		trace_put_flags(l, trace_fd_flags, v, NULL, "FD_???");
		break;
	case F_SETFL:
		put_open_flags(l, v);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		put_flock(l, c, v, c->a[1] == F_GETLK || c->a[1] == F_OFD_GETLK);
		break;
	case F_SETSIG:
		trace_put_signal(l, (int)v);
		break;
	case F_SETLEASE:
		trace_put_enum(l, trace_lock_types, v, "%#llx");
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETOWN:
	case F_SETPIPE_SZ:
		tput(l, "%d", (int)v);
		break;
	default:
		trace_put_hex(l, v);
	}
}

/* Which of futex's arguments 2 (val), 3 (timeout or val2), 4 (uaddr2), 5 (val3) an operation
 * takes, as a bit mask. */
static unsigned futex_args(uint64_t op)
{
	switch (op & 127 & ~(uint64_t)FUTEX_PRIVATE_FLAG) {
	case FUTEX_WAIT:
		return 1u << 2 | 1u << 3;
	case FUTEX_WAKE:
		return 1u << 2;
	case FUTEX_WAIT_BITSET:
		return 1u << 2 | 1u << 3 | 1u << 5;
	case FUTEX_WAKE_BITSET:
		return 1u << 2 | 1u << 5;
	case FUTEX_REQUEUE:
		return 1u << 2 | 1u << 3 | 1u << 4;
	case FUTEX_LOCK_PI:
		return 1u << 3;
	case FUTEX_UNLOCK_PI:
	case FUTEX_TRYLOCK_PI:
		return 0;
	}
	return 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5; /* CMP_REQUEUE, WAKE_OP, and unknown ones */
}

static void put_futex_arg(struct trace_line *l, const struct trace_call *c, int i, uint64_t v)
{
	uint64_t cmd = c->a[1] & 127 & ~(uint64_t)FUTEX_PRIVATE_FLAG;
	bool timeout = cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI;
	if (i == 3 && timeout)
		trace_put_struct(l, c, A_TIMESPEC, v);
	else if (i == 4)
		trace_put_addr(l, v);
	else if (i == 5 && (cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET) &&
		 (uint32_t)v == FUTEX_BITSET_MATCH_ANY)
		tputs(l, "FUTEX_BITSET_MATCH_ANY");
	else if (i == 5 && cmd != FUTEX_CMP_REQUEUE)
		trace_put_hex(l, (uint32_t)v);
	else
		tput(l, "%u", (unsigned)v);
}

static void put_futex_op(struct trace_line *l, uint64_t op)
{
	const char *name = trace_enum_name(trace_futex_ops, op & 127 & ~(uint64_t)FUTEX_PRIVATE_FLAG);
	if (!name || (op & ~(uint64_t)(127 | FUTEX_CLOCK_REALTIME))) {
		trace_put_hex(l, op);
		return;
	}
	tput(l, "%s%s%s", name, op & FUTEX_PRIVATE_FLAG ? "_PRIVATE" : "",
	     op & FUTEX_CLOCK_REALTIME ? "|FUTEX_CLOCK_REALTIME" : "");
}

/* How prctl's arguments 1-4 are printed for an option: a letter for each argument it takes.
 * s string, S output string, g signal, G output signal, d number, D output number, u
 * SUID_DUMP_*, x hex. */
static const char *prctl_args(uint64_t op)
{
	switch (op) {
	case PR_SET_NAME:
		return "s";
	case PR_GET_NAME:
		return "S";
	case PR_SET_PDEATHSIG:
		return "g";
	case PR_GET_PDEATHSIG:
		return "G";
	case PR_SET_DUMPABLE:
		return "u";
	case PR_GET_DUMPABLE:
	case PR_GET_KEEPCAPS:
	case PR_GET_SECCOMP:
	case PR_GET_TIMERSLACK:
	case PR_GET_THP_DISABLE:
		return "";
	case PR_SET_CHILD_SUBREAPER:
	case PR_SET_KEEPCAPS:
	case PR_CAPBSET_READ:
	case PR_SET_TIMERSLACK:
		return "d";
	case PR_GET_CHILD_SUBREAPER:
		return "D";
	case PR_SET_NO_NEW_PRIVS:
	case PR_GET_NO_NEW_PRIVS:
	case PR_SET_THP_DISABLE:
		return "dddd";
	}
	return "xxxx";
}

static char prctl_arg(const struct trace_call *c, int i)
{
	const char *spec = prctl_args(c->a[0]);
	return i - 1 < (int)kstrlen(spec) ? spec[i - 1] : 0;
}

static void put_prctl_arg(struct trace_line *l, const struct trace_call *c, int i, uint64_t v)
{
	static const struct trace_flag dumpable[] = {
		{SUID_DUMP_DISABLE, "SUID_DUMP_DISABLE"}, {SUID_DUMP_USER, "SUID_DUMP_USER"},
		{SUID_DUMP_ROOT, "SUID_DUMP_ROOT"}, {0, NULL},
	};
	switch (prctl_arg(c, i)) {
	case 's':
	case 'S':
		put_ustr(l, c, v, PROC_NAME_MAX - 1);
		break;
	case 'g':
		trace_put_signal(l, (int)v);
		break;
	case 'G':
		put_scalar_ptr(l, c, v, 4, true);
		break;
	case 'u':
		trace_put_enum(l, dumpable, v, "%llu");
		break;
	case 'd':
		tput(l, "%llu", (unsigned long long)v);
		break;
	case 'D':
		put_scalar_ptr(l, c, v, 4, false);
		break;
	default:
		trace_put_hex(l, v);
	}
}

/* clone's parent_tid=, tls= and child_tidptr=, as strace prints them after the call. */
static void put_clone_rest(struct trace_line *l, const struct trace_call *c)
{
	uint64_t flags = c->a[0];
	const char *sep = "";
	if (flags & CLONE_PARENT_SETTID) {
		tputs(l, "parent_tid=");
		put_scalar_ptr(l, c, c->a[2], 4, false);
		sep = ", ";
	}
	if (flags & CLONE_SETTLS) {
		tputs(l, sep);
		tputs(l, "tls=");
		trace_put_addr(l, c->a[4]);
		sep = ", ";
	}
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		tputs(l, sep);
		tputs(l, "child_tidptr=");
		trace_put_addr(l, c->a[3]);
	}
}

bool trace_arg_shown(const struct trace_call *c, int i)
{
	const uint64_t *a = c->a;
	switch (c->d->args[i]) {
	case A_HIDDEN:
		return false;
	case A_CMODE:
		return (a[i - 1] & O_CREAT) || (a[i - 1] & O_TMPFILE) == O_TMPFILE;
	case A_DEV:
		return (a[i - 1] & S_IFMT) == S_IFCHR || (a[i - 1] & S_IFMT) == S_IFBLK;
	case A_FCNTL_ARG:
		return fcntl_takes_arg(a[1]);
	case A_IOCTL_ARG:
		return ioctl_arg_of(a[1]) != IOCTL_NONE;
	case A_FUTEX_ARG:
		return futex_args(a[1]) & (1u << i);
	case A_PRCTL_ARG:
		return prctl_arg(c, i) != 0;
	case A_MREMAP_NEW:
		return a[3] & MREMAP_FIXED;
	case A_CLONE_REST:
		return a[0] & (CLONE_PARENT_SETTID | CLONE_SETTLS | CLONE_CHILD_SETTID |
			       CLONE_CHILD_CLEARTID);
	}
	return true;
}

bool trace_arg_at_exit(const struct trace_call *c, int i)
{
	const uint64_t *a = c->a;
	switch (c->d->args[i]) {
	case A_FCNTL_ARG:
		return a[1] == F_GETLK || a[1] == F_OFD_GETLK;
	case A_IOCTL_ARG: {
		enum ioctl_arg kind = ioctl_arg_of(a[1]);
		return kind == IOCTL_INT_OUT || kind == IOCTL_TERMIOS_OUT || kind == IOCTL_WINSIZE_OUT;
	}
	case A_PRCTL_ARG:
		return prctl_arg(c, i) == 'S' || prctl_arg(c, i) == 'G' || prctl_arg(c, i) == 'D';
	case A_ARCH_ADDR:
		return a[0] == ARCH_GET_FS || a[0] == ARCH_GET_GS;
	}
	return c->d->args[i] >= A_EXIT_FIRST;
}

void trace_put_arg(struct trace_line *l, const struct trace_call *c, int i)
{
	static const struct trace_flag amodes[] = {{R_OK, "R_OK"}, {W_OK, "W_OK"}, {X_OK, "X_OK"},
						   {0, NULL}};
	static const struct trace_flag timer_flags[] = {{TIMER_ABSTIME, "TIMER_ABSTIME"}, {0, NULL}};
	static const struct trace_flag grant_dirs[] = {
		{GRANT_TO_CLIENT, "GRANT_TO_CLIENT"}, {GRANT_FROM_CLIENT, "GRANT_FROM_CLIENT"},
		{0, NULL},
	};
	enum trace_arg kind = c->d->args[i];
	uint64_t v = c->a[i];
	/* An output the call did not write: its address, as strace prints it. */
	if (c->failed && trace_arg_at_exit(c, i) && kind != A_REM && kind != A_CLONE_REST) {
		trace_put_addr(l, v);
		return;
	}
	switch (kind) {
	case A_INT:
	case A_FD:
		tput(l, "%d", (int)v);
		break;
	case A_UINT:
		tput(l, "%u", (unsigned)v);
		break;
	case A_LONG:
		tput(l, "%lld", (long long)v);
		break;
	case A_SIZE:
		tput(l, "%llu", (unsigned long long)v);
		break;
	case A_HEX:
		trace_put_hex(l, v);
		break;
	case A_DIRFD:
		if ((int)v == AT_FDCWD)
			tputs(l, "AT_FDCWD");
		else
			tput(l, "%d", (int)v);
		break;
	case A_ID:
		if ((uint32_t)v == UINT32_MAX)
			tputs(l, "-1");
		else
			tput(l, "%u", (unsigned)v);
		break;
	case A_OCT:
	case A_CMODE:
		tput(l, "%#03o", (unsigned)v);
		break;
	case A_FILEMODE:
		trace_put_mode(l, (unsigned)v);
		break;
	case A_DEV:
		trace_put_dev(l, v);
		break;
	case A_PATH:
		put_ustr(l, c, v, TRACE_PATH_MAX);
		break;
	case A_STR:
		put_ustr(l, c, v, TRACE_STR_MAX);
		break;
	case A_IBUF:
		trace_put_ubuf(l, c, v, c->a[i + 1], false);
		break;
	case A_OFLAGS:
		put_open_flags(l, v);
		break;
	case A_FDFLAGS:
		trace_put_flags(l, trace_open_flags, v, NULL, "O_???");
		break;
	case A_AMODE:
		trace_put_flags(l, amodes, v, "F_OK", "?_OK");
		break;
	case A_ATFLAGS:
		trace_put_flags(l, trace_at_flags, v, NULL, "AT_???");
		break;
	case A_ACCESSAT_FLAGS:
		trace_put_flags(l, trace_accessat_flags, v, NULL, "AT_???");
		break;
	case A_STATX_FLAGS: {
		static const char *const sync[] = {"AT_STATX_SYNC_AS_STAT", "AT_STATX_FORCE_SYNC",
						   "AT_STATX_DONT_SYNC", "AT_STATX_SYNC_TYPE"};
		tputs(l, sync[(v & AT_STATX_SYNC_TYPE) >> 13]);
		if (v & ~(uint64_t)AT_STATX_SYNC_TYPE) {
			tputs(l, "|");
			trace_put_flags(l, trace_at_flags, v & ~(uint64_t)AT_STATX_SYNC_TYPE, NULL, NULL);
		}
		break;
	}
	case A_STATX_MASK:
		trace_put_flags(l, trace_statx_mask, (uint32_t)v, NULL, "STATX_???");
		break;
	case A_RENAME_FLAGS:
		trace_put_flags(l, trace_rename_flags, v, NULL, "RENAME_???");
		break;
	case A_WHENCE:
		trace_put_enum(l, trace_whence, v, "%#llx /* SEEK_??? */");
		break;
	case A_SOCKADDR:
		put_sockaddr(l, c, v, c->a[i + 1]);
		break;
	case A_SOCK_FAMILY:
		trace_put_enum(l, trace_sock_families, v, "%llu /* AF_??? */");
		break;
	case A_SOCK_TYPE: { /* strace: SOCK_STREAM|SOCK_CLOEXEC; accept4's flags alone */
		uint64_t type = v & SOCK_TYPE_MASK, flags = v & ~(uint64_t)SOCK_TYPE_MASK;
		if (type || !flags)
			trace_put_enum(l, trace_sock_types, type, "%llu");
		if (type && flags)
			tputc(l, '|');
		if (flags)
			trace_put_flags(l, trace_sock_flags, flags, NULL, NULL);
		break;
	}
	case A_MSG_FLAGS:
		trace_put_flags(l, trace_msg_flags, v, NULL, "MSG_???");
		break;
	case A_SHUT_HOW:
		trace_put_enum(l, trace_shut_hows, v, "%llu /* SHUT_??? */");
		break;
	case A_SOCK_LEVEL:
		trace_put_enum(l, trace_sock_levels, v, "%llu /* SOL_??? */");
		break;
	case A_SOCK_OPT:
		trace_put_enum(l, trace_sock_opts, v, "%llu /* SO_??? */");
		break;
	case A_FLOCK_OP:
		trace_put_flags(l, trace_flock_ops, v, NULL, "LOCK_???");
		break;
	case A_FADVICE:
		trace_put_enum(l, trace_fadvice, v, "%llu");
		break;
	case A_CLOSE_RANGE_FLAGS:
		trace_put_flags(l, trace_close_range_flags, v, NULL, "CLOSE_RANGE_???");
		break;
	case A_FCNTL_CMD:
		trace_put_enum(l, trace_fcntl_cmds, v, "%#llx /* F_??? */");
		break;
	case A_FCNTL_ARG:
		put_fcntl_arg(l, c, v);
		break;
	case A_IOCTL_REQ:
		trace_put_enum(l, trace_ioctls, (uint32_t)v, "%#llx");
		break;
	case A_IOCTL_ARG:
		put_ioctl_arg(l, c, v);
		break;
	case A_PROT:
		trace_put_flags(l, trace_prot, v, "PROT_NONE", "PROT_???");
		break;
	case A_MAP_FLAGS: {
		static const char *const types[] = {"MAP_FILE", "MAP_SHARED", "MAP_PRIVATE",
						    "MAP_SHARED_VALIDATE"};
		if ((v & MAP_TYPE) < ARRAY_SIZE(types))
			tputs(l, types[v & MAP_TYPE]);
		else
			trace_put_hex(l, v & MAP_TYPE);
		if (v & ~(uint64_t)MAP_TYPE) {
			tputs(l, "|");
			trace_put_flags(l, trace_map_flags, v & ~(uint64_t)MAP_TYPE, NULL, NULL);
		}
		break;
	}
	case A_MREMAP_FLAGS:
		trace_put_flags(l, trace_mremap_flags, v, NULL, "MREMAP_???");
		break;
	case A_MADVICE:
		trace_put_enum(l, trace_madvice, v, "%#llx /* MADV_??? */");
		break;
	case A_MSYNC_FLAGS:
		trace_put_flags(l, trace_msync_flags, v, NULL, "MS_???");
		break;
	case A_SIG:
		trace_put_signal(l, (int)v);
		break;
	case A_SIGHOW:
		trace_put_enum(l, trace_sighow, v, "%#llx /* SIG_??? */");
		break;
	case A_SIGSET:
	case A_OSIGSET: {
		uint64_t set;
		if (v && trace_peek(c, v, &set, sizeof(set)))
			trace_put_sigset(l, set);
		else
			trace_put_addr(l, v);
		break;
	}
	case A_SIGFRAME: {
		/* The handler's ret popped the frame's return address: the ucontext is at rsp. */
		uint64_t at = c->t->ctx.regs.rsp + __builtin_offsetof(struct linux_ucontext, uc_sigmask);
		uint64_t set;
		tputs(l, "{mask=");
		if (trace_peek(c, at, &set, sizeof(set)))
			trace_put_sigset(l, set);
		else
			trace_put_addr(l, at);
		tputs(l, "}");
		break;
	}
	case A_WAIT_OPTS:
		trace_put_flags(l, trace_wait_opts, (uint32_t)v, NULL, "W???");
		break;
	case A_IDTYPE:
		trace_put_enum(l, trace_idtypes, v, "%llu");
		break;
	case A_CLONE_FLAGS:
		tputs(l, "child_stack=");
		trace_put_addr(l, c->a[1]);
		tputs(l, ", flags=");
		if (v & ~(uint64_t)CSIGNAL) {
			trace_put_flags(l, trace_clone_flags, v & ~(uint64_t)CSIGNAL, NULL, NULL);
			if (v & CSIGNAL)
				tputs(l, "|");
		}
		if ((v & CSIGNAL) || !(v & ~(uint64_t)CSIGNAL))
			trace_put_signal(l, (int)(v & CSIGNAL));
		break;
	case A_ARGV: {
		long n = v ? count_strings(c, v) : 0;
		if (n < 0)
			trace_put_addr(l, v);
		else
			put_array(l, c, v, (uint64_t)n, sizeof(uint64_t), put_argv_elem, NULL);
		break;
	}
	case A_ENVP: {
		long n = v ? count_strings(c, v) : -1;
		trace_put_addr(l, v);
		if (n >= 0)
			tput(l, " /* %ld var%s */", n, n == 1 ? "" : "s");
		break;
	}
	case A_CLOCK:
		trace_put_enum(l, trace_clocks, (uint64_t)(int64_t)(int)v, "%#llx /* CLOCK_??? */");
		break;
	case A_TIMER_FLAGS:
		trace_put_flags(l, timer_flags, v, NULL, "TIMER_???");
		break;
	case A_ITIMER_WHICH:
		trace_put_enum(l, trace_itimers, v, "%#llx /* ITIMER_??? */");
		break;
	case A_RLIMIT_RES:
		trace_put_enum(l, trace_rlimits, v, "%#llx /* RLIMIT_??? */");
		break;
	case A_PRIO_WHICH:
		trace_put_enum(l, trace_prio_which, v, "%#llx /* PRIO_??? */");
		break;
	case A_SCHED_POLICY:
		trace_put_enum(l, trace_sched_policies, v & ~(uint64_t)SCHED_RESET_ON_FORK, "%#llx");
		if (v & SCHED_RESET_ON_FORK)
			tputs(l, "|SCHED_RESET_ON_FORK");
		break;
	case A_SCHED_PARAM:
	case A_OSCHED_PARAM:
		put_scalar_ptr(l, c, v, 4, false);
		break;
	case A_CPUSET:
		put_cpuset(l, c, v, c->a[1]);
		break;
	case A_OCPUSET:
		put_cpuset(l, c, v, (uint64_t)c->ret);
		break;
	case A_RUSAGE_WHO:
		trace_put_enum(l, trace_rusage_who, (uint64_t)(int64_t)(int)v, "%lld");
		break;
	case A_IOV:
		put_array(l, c, v, c->a[i + 1], sizeof(struct linux_iovec), put_iov_elem, NULL);
		break;
	case A_OIOV: {
		uint64_t left = (uint64_t)c->ret;
		put_array(l, c, v, c->a[i + 1], sizeof(struct linux_iovec), put_iov_elem, &left);
		break;
	}
	case A_POLLFDS:
		put_array(l, c, v, c->a[i + 1], sizeof(struct linux_pollfd), put_pollfd_elem, NULL);
		break;
	case A_FDSET:
		if (!v || !put_fdset(l, c, v, (int)c->a[0]))
			trace_put_addr(l, v);
		break;
	case A_PSELECT_MASK: {
		uint64_t m[2], set;
		if (!v || !trace_peek(c, v, m, sizeof(m))) {
			trace_put_addr(l, v);
			break;
		}
		tputs(l, "{sigmask=");
		if (m[0] && trace_peek(c, m[0], &set, sizeof(set)))
			trace_put_sigset(l, set);
		else
			trace_put_addr(l, m[0]);
		tput(l, ", sigsetsize=%llu}", (unsigned long long)m[1]);
		break;
	}
	case A_GIDS:
		put_array(l, c, v, c->a[0], sizeof(uint32_t), put_id_elem, NULL);
		break;
	case A_OGIDS:
		if (c->a[0])
			put_array(l, c, v, (uint64_t)c->ret, sizeof(uint32_t), put_id_elem, NULL);
		else
			trace_put_addr(l, v);
		break;
	case A_FUTEX_OP:
		put_futex_op(l, v);
		break;
	case A_FUTEX_ARG:
		put_futex_arg(l, c, i, v);
		break;
	case A_PRCTL_OP:
		trace_put_enum(l, trace_prctl_ops, v, "%#llx /* PR_??? */");
		break;
	case A_PRCTL_ARG:
		put_prctl_arg(l, c, i, v);
		break;
	case A_ARCH_CODE:
		trace_put_enum(l, trace_arch_codes, v, "%#llx /* ARCH_??? */");
		break;
	case A_ARCH_ADDR:
		if (trace_arg_at_exit(c, i))
			put_addr_ptr(l, c, v);
		else
			trace_put_addr(l, v);
		break;
	case A_GRND_FLAGS:
		trace_put_flags(l, trace_grnd_flags, v, NULL, "GRND_???");
		break;
	case A_MOUNT_FLAGS:
		trace_put_flags(l, trace_mount_flags, v, NULL, "MS_???");
		break;
	case A_UMOUNT_FLAGS:
		trace_put_flags(l, trace_umount_flags, v, NULL, "MNT_???");
		break;
	case A_SYSLOG_TYPE:
		trace_put_enum(l, trace_syslog_types, v, "%#llx /* SYSLOG_ACTION_??? */");
		break;
	case A_IPC_TIMEOUT:
		if (v == IPC_FOREVER)
			tputs(l, "IPC_FOREVER");
		else
			tput(l, "%llu", (unsigned long long)v);
		break;
	case A_GRANT_DIR:
		trace_put_enum(l, grant_dirs, v, "%llu");
		break;
	case A_OBUF:
		trace_put_ubuf(l, c, v, (uint64_t)c->ret, false);
		break;
	case A_OBUF_HEX:
		trace_put_ubuf(l, c, v, (uint64_t)c->ret, true);
		break;
	case A_OPATH:
		put_ustr(l, c, v, TRACE_PATH_MAX);
		break;
	case A_DIRENTS:
		put_dirents(l, c, v);
		break;
	case A_PIPEFDS:
		put_array(l, c, v, 2, sizeof(int), put_int_elem, NULL);
		break;
	case A_INT_PTR:
		put_scalar_ptr(l, c, v, 4, false);
		break;
	case A_U64_PTR:
	case A_LOFF:
	case A_TIME:
		put_scalar_ptr(l, c, v, 8, false);
		break;
	case A_ADDR_PTR:
		put_addr_ptr(l, c, v);
		break;
	case A_WSTATUS:
		put_wstatus(l, c, v);
		break;
	case A_REM:
		if (c->ret == -EINTR || c->ret == -ERESTART_RESTARTBLOCK || c->ret == -ERESTARTNOHAND)
			trace_put_struct(l, c, A_REM, v);
		else
			trace_put_addr(l, v);
		break;
	case A_CLONE_REST:
		put_clone_rest(l, c);
		break;
	case A_ADDR:
	case A_MREMAP_NEW:
		trace_put_addr(l, v);
		break;
	default: /* the structures */
		trace_put_struct(l, c, kind, v);
	}
}

/* select's " (in [3], out [4], left {...})" after the call changed the sets. */
static void put_select_result(struct trace_line *l, const struct trace_call *c)
{
	static const char *const names[] = {"in", "out", "except"};
	const char *sep = " (";
	for (int i = 0; i < 3; i++) {
		size_t start = l->len;
		uint64_t at = c->a[i + 1];
		tputs(l, sep);
		tput(l, "%s ", names[i]);
		size_t body = l->len;
		if (!at || !put_fdset(l, c, at, (int)c->a[0]) || l->len - body == 2) {
			l->len = start; /* not given, or empty */
			continue;
		}
		sep = ", ";
	}
	if (c->a[4]) {
		tputs(l, sep);
		tputs(l, "left ");
		trace_put_struct(l, c, c->nr == SYS_select ? A_TIMEVAL : A_TIMESPEC, c->a[4]);
		sep = ", ";
	}
	if (*sep == ',')
		tputs(l, ")");
}

static void put_poll_result(struct trace_line *l, const struct trace_call *c)
{
	tputs(l, " ([");
	bool first = true;
	for (uint64_t i = 0; i < c->a[1] && i < TRACE_ARRAY_MAX; i++) {
		struct linux_pollfd p;
		if (!trace_peek(c, c->a[0] + i * sizeof(p), &p, sizeof(p)))
			break;
		if (!p.revents)
			continue;
		tput(l, first ? "{fd=%d, revents=" : ", {fd=%d, revents=", p.fd);
		trace_put_flags(l, trace_poll_events, (uint16_t)p.revents, NULL, "POLL???");
		tputs(l, "}");
		first = false;
	}
	tputs(l, "]");
	if (c->nr == SYS_ppoll && c->a[2]) {
		tputs(l, ", left ");
		trace_put_struct(l, c, A_TIMESPEC, c->a[2]);
	}
	tputs(l, ")");
}

void trace_put_result(struct trace_line *l, const struct trace_call *c)
{
	long r = c->ret;
	enum trace_ret kind = c->d ? c->d->ret : R_DEC;
	switch (kind) {
	case R_HEX:
		tput(l, "%#lx", r);
		return;
	case R_OCT:
		tput(l, "%#03lo", r);
		return;
	case R_FCNTL:
		if (c->a[1] == F_GETFL) {
			tput(l, "%#lx (flags ", r);
			put_open_flags(l, (uint64_t)r);
			tputs(l, ")");
		} else if (c->a[1] == F_GETFD && r) {
			tput(l, "%#lx (flags ", r);
			trace_put_flags(l, trace_fd_flags, (uint64_t)r, NULL, "FD_???");
			tputs(l, ")");
		} else {
			tput(l, "%ld", r);
		}
		return;
	case R_POLL:
		tput(l, "%ld", r);
		if (r)
			put_poll_result(l, c);
		else
			tputs(l, " (Timeout)");
		return;
	case R_SELECT:
		tput(l, "%ld", r);
		if (r)
			put_select_result(l, c);
		else
			tputs(l, " (Timeout)");
		return;
	case R_SIG:
		tput(l, "%ld (", r);
		trace_put_signal(l, (int)r);
		tputs(l, ")");
		return;
	case R_TIME:
		tput(l, "%ld (", r);
		trace_put_date(l, r, 0, 0);
		tputs(l, ")");
		return;
	case R_SCHED_POLICY:
		tput(l, "%ld (", r);
		trace_put_enum(l, trace_sched_policies, (uint64_t)r, "%llu");
		tputs(l, ")");
		return;
	case R_DUMPABLE:
		tput(l, "%ld", r);
		if (c->a[0] == PR_GET_DUMPABLE)
			tputs(l, r == SUID_DUMP_USER ? " (SUID_DUMP_USER)"
				 : r == SUID_DUMP_ROOT ? " (SUID_DUMP_ROOT)" : " (SUID_DUMP_DISABLE)");
		return;
	case R_DEC:
		break;
	}
	tput(l, "%ld", r);
}

/* Freestanding string and formatting helpers. */
#include <kernel/klib.h>
#include <kernel/klog.h>
#include <kernel/plat.h>
#include <uapi/linux.h>

/* rep movsb / rep stosb: fast on every x86_64 with ERMS, and no library to call. */
void *kmemcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *kmemset(void *dst, int c, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int kmemcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

const char *kstrchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return s;
	return c ? NULL : s;
}

size_t kstrlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t kstrnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int kstrcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int kstrncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

size_t kstrlcpy(char *dst, const char *src, size_t size)
{
	size_t len = kstrlen(src);
	size_t n = len < size - 1 ? len : size - 1;
	kmemcpy(dst, src, n);
	dst[n] = 0;
	return len;
}

struct out {
	char *buf;
	size_t size, len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec;
};

static void out_number(struct out *o, uint64_t v, bool neg, unsigned base, bool upper,
		       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	if (v == 0 && sp->prec != 0)
		tmp[n++] = '0';
	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	const char *prefix = "";
	if (neg)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	if (sp->alt && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	if (sp->alt && base == 8 && (n == 0 || tmp[n - 1] != '0'))
		tmp[n++] = '0';
	int digits_n = n > sp->prec ? n : sp->prec;
	int total = digits_n + (int)kstrlen(prefix);
	if (!sp->left && !(sp->zero && sp->prec < 0))
		out_pad(o, ' ', sp->width - total);
	for (const char *p = prefix; *p; p++)
		out_char(o, *p);
	if (!sp->left && sp->zero && sp->prec < 0)
		out_pad(o, '0', sp->width - total);
	out_pad(o, '0', digits_n - n);
	while (n)
		out_char(o, tmp[--n]);
	if (sp->left)
		out_pad(o, ' ', sp->width - total);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		struct spec sp = {.prec = -1};
		for (;; fmt++) {
			char f = fmt[1];
			if (f == '-')
				sp.left = true;
			else if (f == '0')
				sp.zero = true;
			else if (f == '+')
				sp.plus = true;
			else if (f == ' ')
				sp.space = true;
			else if (f == '#')
				sp.alt = true;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			fmt++;
		} else
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
			} else
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
		}
		int lng = 0;
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			if (*fmt != 'h')
				lng = 2;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			out_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, &sp);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			out_number(&o, v, false, base, *fmt == 'X', &sp);
			break;
		}
		case 'p': {
			sp.alt = true;
			out_number(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), false, 16, false, &sp);
			break;
		}
		case 'c': {
			if (!sp.left)
				out_pad(&o, ' ', sp.width - 1);
			out_char(&o, (char)va_arg(ap, int));
			if (sp.left)
				out_pad(&o, ' ', sp.width - 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = (int)(sp.prec >= 0 ? kstrnlen(s, (size_t)sp.prec) : kstrlen(s));
			if (!sp.left)
				out_pad(&o, ' ', sp.width - n);
			for (int i = 0; i < n; i++)
				out_char(&o, s[i]);
			if (sp.left)
				out_pad(&o, ' ', sp.width - n);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default:
			out_char(&o, '%');
			if (*fmt)
				out_char(&o, *fmt);
			else
				fmt--;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void kprintf(int stream, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	kputs(stream, buf, (size_t)n);
	klog_write(stream == 2 ? KLOG_WARNING : KLOG_INFO, buf, (size_t)n);
}

void kputs(int stream, const char *s, size_t len)
{
	if (!plat_console_interactive()) {
		plat_console_write(stream, s, len);
		return;
	}
	/* A terminal in raw mode: the kernel's lines end with "\r\n" as the tty's do. */
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		plat_console_write(stream, s + start, i - start);
		plat_console_write(stream, "\r\n", 2);
		start = i + 1;
	}
	if (start < len)
		plat_console_write(stream, s + start, len - start);
}

void kpanic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	plat_panic(buf);
}

const char *kerrno_name(long e)
{
	static const char *const names[ERRNO_MAX] = {
		[EPERM] = "EPERM",
		[ENOENT] = "ENOENT",
		[ESRCH] = "ESRCH",
		[EINTR] = "EINTR",
		[EIO] = "EIO",
		[ENXIO] = "ENXIO",
		[E2BIG] = "E2BIG",
		[ENOEXEC] = "ENOEXEC",
		[EBADF] = "EBADF",
		[ECHILD] = "ECHILD",
		[EAGAIN] = "EAGAIN",
		[ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES",
		[EFAULT] = "EFAULT",
		[ENOTBLK] = "ENOTBLK",
		[EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST",
		[EXDEV] = "EXDEV",
		[ENODEV] = "ENODEV",
		[ENOTDIR] = "ENOTDIR",
		[EISDIR] = "EISDIR",
		[EINVAL] = "EINVAL",
		[ENFILE] = "ENFILE",
		[EMFILE] = "EMFILE",
		[ENOTTY] = "ENOTTY",
		[ETXTBSY] = "ETXTBSY",
		[EFBIG] = "EFBIG",
		[ENOSPC] = "ENOSPC",
		[ESPIPE] = "ESPIPE",
		[EROFS] = "EROFS",
		[EMLINK] = "EMLINK",
		[EPIPE] = "EPIPE",
		[EDOM] = "EDOM",
		[ERANGE] = "ERANGE",
		[EDEADLK] = "EDEADLK",
		[ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOLCK] = "ENOLCK",
		[ENOSYS] = "ENOSYS",
		[ENOTEMPTY] = "ENOTEMPTY",
		[ELOOP] = "ELOOP",
		[ENOMSG] = "ENOMSG",
		[ENODATA] = "ENODATA",
		[ETIME] = "ETIME",
		[EOVERFLOW] = "EOVERFLOW",
		[EBADFD] = "EBADFD",
		[EILSEQ] = "EILSEQ",
		[ENOTSOCK] = "ENOTSOCK",
		[EDESTADDRREQ] = "EDESTADDRREQ",
		[EMSGSIZE] = "EMSGSIZE",
		[EPROTOTYPE] = "EPROTOTYPE",
		[ENOPROTOOPT] = "ENOPROTOOPT",
		[EPROTONOSUPPORT] = "EPROTONOSUPPORT",
		[EOPNOTSUPP] = "EOPNOTSUPP",
		[EAFNOSUPPORT] = "EAFNOSUPPORT",
		[EADDRINUSE] = "EADDRINUSE",
		[EADDRNOTAVAIL] = "EADDRNOTAVAIL",
		[ENETDOWN] = "ENETDOWN",
		[ENETUNREACH] = "ENETUNREACH",
		[ECONNABORTED] = "ECONNABORTED",
		[ECONNRESET] = "ECONNRESET",
		[ENOBUFS] = "ENOBUFS",
		[EISCONN] = "EISCONN",
		[ENOTCONN] = "ENOTCONN",
		[ETIMEDOUT] = "ETIMEDOUT",
		[ECONNREFUSED] = "ECONNREFUSED",
		[EHOSTUNREACH] = "EHOSTUNREACH",
		[EALREADY] = "EALREADY",
		[EINPROGRESS] = "EINPROGRESS",
		[ESTALE] = "ESTALE",
		[EUCLEAN] = "EUCLEAN",
		[EDQUOT] = "EDQUOT",
		[ECANCELED] = "ECANCELED",
		[EOWNERDEAD] = "EOWNERDEAD",
		[ENOTRECOVERABLE] = "ENOTRECOVERABLE",
	};
	return e > 0 && e < ERRNO_MAX && names[e] ? names[e] : NULL;
}

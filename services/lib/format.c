/* The printf engine: parses conversion specifications and renders them into a struct fmt_out. */
#include <ecl/limits.h>
#include <ecl/string.h>
#include <ecl/unistd.h>

#include "format.h"

/* One parsed conversion specification. */
struct spec {
	int left, plus, space, alt, zero;	/* the flags - + space # 0 */
	int width;
	int prec;	/* -1 when not given */
	char conv;
};

/* Writes out o's buffered bytes to o->fd and empties the buffer; sets o->failed on error. */
void fmt_flush(struct fmt_out *o)
{
	size_t done = 0;
	while (done < o->len && !o->failed) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n <= 0)
			o->failed = 1;
		else
			done += (size_t)n;
	}
	o->len = 0;
}

static void emit(struct fmt_out *o, const char *s, size_t n)
{
	o->total += n;
	while (n) {
		if (o->len == o->cap) {
			if (o->fd < 0)
				return;
			fmt_flush(o);
		}
		size_t chunk = o->cap - o->len < n ? o->cap - o->len : n;
		memcpy(o->buf + o->len, s, chunk);
		o->len += chunk;
		s += chunk;
		n -= chunk;
	}
}

static void pad(struct fmt_out *o, char c, int n)
{
	static const char spaces[16] = "                ";
	static const char zeros[16] = "0000000000000000";
	const char *fill = c == '0' ? zeros : spaces;
	for (; n > 0; n -= 16)
		emit(o, fill, n < 16 ? (size_t)n : 16);
}

/* Emits body (n bytes) after prefix, padded to the width as the flags say. */
static void field(struct fmt_out *o, const struct spec *sp, const char *prefix, int zeros,
		  const char *body, int n)
{
	int plen = (int)strlen(prefix);
	int fill = sp->width - plen - zeros - n;
	if (!sp->left)
		pad(o, ' ', fill);
	emit(o, prefix, (size_t)plen);
	pad(o, '0', zeros);
	emit(o, body, (size_t)n);
	if (sp->left)
		pad(o, ' ', fill);
}

/* Renders an integer conversion of magnitude v (negative if neg). */
static void integer(struct fmt_out *o, const struct spec *sp, unsigned long long v, int neg)
{
	const char *xdigits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = sp->conv == 'o' ? 8 : sp->conv == 'd' || sp->conv == 'i' || sp->conv == 'u' ? 10 : 16;
	char digits[24];
	char *p = digits + sizeof digits;
	const char *prefix = "";
	int prec = sp->prec < 0 ? 1 : sp->prec;
	int n, zeros;

	for (; v; v /= base)
		*--p = xdigits[v % base];
	n = (int)(digits + sizeof digits - p);
	zeros = prec > n ? prec - n : 0;

	if (sp->conv == 'd' || sp->conv == 'i')
		prefix = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	else if (sp->conv == 'p' || (sp->alt && n && sp->conv == 'x'))
		prefix = "0x";
	else if (sp->alt && n && sp->conv == 'X')
		prefix = "0X";
	else if (sp->alt && sp->conv == 'o' && !zeros)
		zeros = 1;

	/* The 0 flag pads with zeros up to the width, unless a precision says how many digits. */
	if (sp->zero && !sp->left && sp->prec < 0) {
		int room = sp->width - (int)strlen(prefix) - n;
		if (room > zeros)
			zeros = room;
	}
	field(o, sp, prefix, zeros, p, n);
}

/* Reads the next signed argument of the size a length modifier names ('L' is ll, 'H' is hh). */
static long long signed_arg(va_list *ap, char len)
{
	switch (len) {
	case 'L':
		return va_arg(*ap, long long);
	case 'l':
	case 'z':
		return va_arg(*ap, long);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'H':
		return (signed char)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

/* Reads the next unsigned argument of the size a length modifier names. */
static unsigned long long unsigned_arg(va_list *ap, char len)
{
	switch (len) {
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'l':
	case 'z':
		return va_arg(*ap, unsigned long);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned);
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned);
	default:
		return va_arg(*ap, unsigned);
	}
}

/* Parses a decimal field width or precision at *f, advancing it; saturates at INT_MAX. */
static int number(const char **f)
{
	int n = 0;
	for (; **f >= '0' && **f <= '9'; (*f)++)
		n = n > (INT_MAX - 9) / 10 ? INT_MAX : n * 10 + (**f - '0');
	return n;
}

/* Formats fmt with ap into o; the caller flushes a descriptor-backed o at the end. */
void fmt_vformat(struct fmt_out *o, const char *fmt, va_list ap_in)
{
	/* A copy we own can be passed to the helpers by pointer (va_list may be an array type). */
	va_list ap;
	va_copy(ap, ap_in);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { .prec = -1 };
		char len = 0;

		if (*fmt != '%') {
			while (*fmt && *fmt != '%')
				fmt++;
			emit(o, start, (size_t)(fmt - start));
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				sp.left = 1;
			else if (*fmt == '+')
				sp.plus = 1;
			else if (*fmt == ' ')
				sp.space = 1;
			else if (*fmt == '#')
				sp.alt = 1;
			else if (*fmt == '0')
				sp.zero = 1;
			else
				break;
		}
		if (*fmt == '*') {
			fmt++;
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = 1;
				sp.width = sp.width == INT_MIN ? INT_MAX : -sp.width;
			}
		} else {
			sp.width = number(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				fmt++;
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
			} else {
				sp.prec = number(&fmt);
			}
		}
		if (*fmt == 'l' || *fmt == 'h' || *fmt == 'z') {
			len = *fmt++;
			if (*fmt == len && len != 'z') {
				len = len == 'l' ? 'L' : 'H';
				fmt++;
			}
		}
		sp.conv = *fmt;
		if (*fmt)
			fmt++;

		switch (sp.conv) {
		case 'd':
		case 'i': {
			long long v = signed_arg(&ap, len);
			integer(o, &sp, v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v, v < 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			integer(o, &sp, unsigned_arg(&ap, len), 0);
			break;
		case 'p':
			integer(o, &sp, (unsigned long long)(unsigned long)va_arg(ap, void *), 0);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t n = sp.prec < 0 ? strlen(s) : strnlen(s, (size_t)sp.prec);
			field(o, &sp, "", 0, s, n > INT_MAX ? INT_MAX : (int)n);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			field(o, &sp, "", 0, &c, 1);
			break;
		}
		case '%':
			emit(o, "%", 1);
			break;
		default:
			/* Not a conversion we know: show it as written rather than guess. */
			emit(o, start, (size_t)(fmt - start));
			break;
		}
	}
	va_end(ap);
}

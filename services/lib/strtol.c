/* Integer parsing: strtol, strtoul, atoi. */
#include <ecl/errno.h>
#include <ecl/limits.h>
#include <ecl/stdlib.h>

/* The value of c as a digit in bases up to 36, or 36 if it is none. */
static int digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 32;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return 36;
}

/*
 * Parses [space][sign][0x]digits as strtoul describes. Stores whether there was a '-' in *neg,
 * whether the magnitude exceeded ULONG_MAX in *over, and returns the magnitude.
 */
static unsigned long scan(const char *str, char **end, int base, int *neg, int *over)
{
	const char *s = str;
	unsigned long v = 0;
	int any = 0;

	*over = 0;
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	*neg = *s == '-';
	if (*s == '+' || *s == '-')
		s++;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		base = 0;
	} else if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 32) == 'x' && digit(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	for (int d; (d = digit(*s)) < base; s++, any = 1) {
		if (v > (ULONG_MAX - (unsigned long)d) / (unsigned long)base)
			*over = 1;
		else
			v = v * (unsigned long)base + (unsigned long)d;
	}
	if (end)
		*end = (char *)(any ? s : str);
	return v;
}

/* Parses a long in base (2..36, or 0 to follow the prefix); saturates with ERANGE. */
long strtol(const char *restrict s, char **restrict end, int base)
{
	int neg, over;
	unsigned long v = scan(s, end, base, &neg, &over);
	unsigned long limit = neg ? (unsigned long)LONG_MAX + 1 : LONG_MAX;
	if (over || v > limit) {
		errno = ERANGE;
		return neg ? LONG_MIN : LONG_MAX;
	}
	return neg ? (long)(0 - v) : (long)v;
}

/* Parses an unsigned long, negated if it has a '-'; ULONG_MAX with ERANGE on overflow. */
unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	int neg, over;
	unsigned long v = scan(s, end, base, &neg, &over);
	if (over) {
		errno = ERANGE;
		return ULONG_MAX;
	}
	return neg ? 0 - v : v;
}

/* Returns the decimal int at the start of s. */
int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

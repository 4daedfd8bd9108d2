/* The one duration parser (ecl/duration.h); it may use nothing but the compiler's headers. */
#include <ecl/duration.h>

#define FRACTION_DIGITS_MAX 9

/* Each unit is mantissa * 10^exponent nanoseconds, so that a decimal fraction of it is exact. */
static const struct {
	char name[3];
	uint64_t mantissa;
	unsigned exponent;
} units[] = {
	{"ns", 1, 0}, {"us", 1, 3}, {"ms", 1, 6}, {"s", 1, 9}, {"m", 6, 10}, {"h", 36, 11},
};

static uint64_t ten_to(unsigned n)
{
	uint64_t v = 1;
	while (n--)
		v *= 10;
	return v;
}

/* Scans digits from s[*i] on; returns how many, with their value in *v (*overflow set if it
 * does not fit). */
static size_t scan_digits(const char *s, size_t len, size_t *i, uint64_t *v, int *overflow)
{
	size_t start = *i;
	*v = 0;
	for (; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		unsigned d = (unsigned)(s[*i] - '0');
		if (*v > (UINT64_MAX - d) / 10)
			*overflow = 1;
		else
			*v = *v * 10 + d;
	}
	return *i - start;
}

int duration_parse_ns(const char *s, size_t len, uint64_t *ns)
{
	size_t i = 0, ndecimals = 0;
	uint64_t whole, decimals = 0;
	int overflow = 0;
	if (!scan_digits(s, len, &i, &whole, &overflow))
		return -1;
	if (i < len && s[i] == '.') {
		i++;
		ndecimals = scan_digits(s, len, &i, &decimals, &overflow);
		if (ndecimals == 0 || ndecimals > FRACTION_DIGITS_MAX)
			return -1;
	}
	if (overflow)
		return -1;
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		const char *name = units[u].name;
		size_t n = 0;
		while (name[n] && i + n < len && s[i + n] == name[n])
			n++;
		if (name[n] || i + n != len)
			continue;
		uint64_t unit = units[u].mantissa * ten_to(units[u].exponent);
		/* decimals / 10^ndecimals of the unit: mantissa * decimals, scaled by the exponents'
		 * difference (at most 36 * 10^9 * 10^2 or 10^9 / 10^0, so nothing overflows). */
		uint64_t fraction = units[u].mantissa * decimals;
		if (units[u].exponent >= ndecimals)
			fraction *= ten_to(units[u].exponent - (unsigned)ndecimals);
		else
			fraction /= ten_to((unsigned)ndecimals - units[u].exponent);
		if (whole > (UINT64_MAX - fraction) / unit)
			return -1;
		*ns = whole * unit + fraction;
		return 0;
	}
	return -1;
}

/* The display service's terminal emulator (term.h). */
#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cell blank(const struct term *t)
{
	/* Erased cells take the current background, as on Linux's console and xterm. */
	return (struct cell){' ', TERM_DEFAULT_FG, t->attr & TERM_REVERSE ? t->fg : t->bg, 0};
}

static void fill(struct term *t, unsigned y, unsigned x0, unsigned x1)
{
	struct cell b = blank(t);
	for (unsigned x = x0; x < x1 && x < t->cols; x++)
		*term_cell(t, y, x) = b;
}

static void clear_all(struct term *t, struct cell *cells)
{
	struct cell b = blank(t);
	for (size_t i = 0; i < (size_t)t->rows * t->cols; i++)
		cells[i] = b;
}

static void reset(struct term *t)
{
	t->x = t->y = 0;
	t->wrap_next = false;
	t->top = 0;
	t->bottom = t->rows - 1;
	t->fg = TERM_DEFAULT_FG;
	t->bg = TERM_DEFAULT_BG;
	t->attr = 0;
	t->cursor_visible = t->autowrap = true;
	t->origin = false;
	t->saved.x = t->saved.y = 0;
	t->saved.fg = TERM_DEFAULT_FG;
	t->saved.bg = TERM_DEFAULT_BG;
	t->saved.attr = 0;
	t->saved.origin = false;
	t->state = T_GROUND;
	t->utf8_left = 0;
	if (t->on_alt) {
		struct cell *c = t->cells;
		t->cells = t->alt;
		t->alt = c;
		t->on_alt = false;
	}
	clear_all(t, t->cells);
	clear_all(t, t->alt);
}

int term_init(struct term *t, unsigned rows, unsigned cols)
{
	memset(t, 0, sizeof(*t));
	t->rows = rows;
	t->cols = cols;
	t->cells = calloc((size_t)rows * cols, sizeof(*t->cells));
	t->alt = calloc((size_t)rows * cols, sizeof(*t->alt));
	if (!t->cells || !t->alt || !rows || !cols) {
		term_fini(t);
		return -1;
	}
	reset(t);
	return 0;
}

void term_fini(struct term *t)
{
	free(t->cells);
	free(t->alt);
	t->cells = t->alt = NULL;
}

/* Rows top..bottom move up by n (down for n < 0); the rows that come in are blank. */
static void scroll(struct term *t, unsigned top, unsigned bottom, int n)
{
	unsigned height = bottom - top + 1, k = (unsigned)(n < 0 ? -n : n);
	if (!n || top > bottom)
		return;
	if (k > height)
		k = height;
	size_t row = t->cols * sizeof(struct cell);
	if (n > 0) {
		memmove(term_cell(t, top, 0), term_cell(t, top + k, 0), (height - k) * row);
		for (unsigned y = bottom + 1 - k; y <= bottom; y++)
			fill(t, y, 0, t->cols);
	} else {
		memmove(term_cell(t, top + k, 0), term_cell(t, top, 0), (height - k) * row);
		for (unsigned y = top; y < top + k; y++)
			fill(t, y, 0, t->cols);
	}
	if (t->scrolled)
		t->scrolled(t->ctx, top, bottom, n > 0 ? (int)k : -(int)k);
}

static void line_feed(struct term *t)
{
	if (t->y == t->bottom)
		scroll(t, t->top, t->bottom, 1);
	else if (t->y + 1 < t->rows)
		t->y++;
}

static void reverse_line_feed(struct term *t)
{
	if (t->y == t->top)
		scroll(t, t->top, t->bottom, -1);
	else if (t->y > 0)
		t->y--;
}

static void put(struct term *t, uint32_t ch)
{
	if (t->wrap_next && t->autowrap) {
		t->x = 0;
		line_feed(t);
	}
	t->wrap_next = false;
	*term_cell(t, t->y, t->x) = (struct cell){ch, t->fg, t->bg, t->attr};
	if (t->x + 1 < t->cols)
		t->x++;
	else
		t->wrap_next = true;
}

/* Cursor moves keep it on the screen (inside the region with origin mode). */
static void move_to(struct term *t, int y, int x)
{
	int lo = t->origin ? (int)t->top : 0, hi = t->origin ? (int)t->bottom : (int)t->rows - 1;
	t->y = (unsigned)(y < lo ? lo : y > hi ? hi : y);
	t->x = (unsigned)(x < 0 ? 0 : x >= (int)t->cols ? (int)t->cols - 1 : x);
	t->wrap_next = false;
}

static unsigned param(const struct term *t, unsigned i, unsigned dflt)
{
	return i < t->nparams && t->params[i] ? t->params[i] : dflt;
}

static void erase_display(struct term *t, unsigned how)
{
	if (how == 0) {
		fill(t, t->y, t->x, t->cols);
		for (unsigned y = t->y + 1; y < t->rows; y++)
			fill(t, y, 0, t->cols);
	} else if (how == 1) {
		for (unsigned y = 0; y < t->y; y++)
			fill(t, y, 0, t->cols);
		fill(t, t->y, 0, t->x + 1);
	} else if (how == 2 || how == 3) {
		for (unsigned y = 0; y < t->rows; y++)
			fill(t, y, 0, t->cols);
	}
}

static void erase_line(struct term *t, unsigned how)
{
	if (how == 0)
		fill(t, t->y, t->x, t->cols);
	else if (how == 1)
		fill(t, t->y, 0, t->x + 1);
	else if (how == 2)
		fill(t, t->y, 0, t->cols);
}

/* Shifts the cursor's row right of it by n cells (n < 0: left, deleting). */
static void shift_chars(struct term *t, int n)
{
	unsigned x = t->x, k = (unsigned)(n < 0 ? -n : n);
	if (k > t->cols - x)
		k = t->cols - x;
	struct cell *row = term_cell(t, t->y, 0);
	if (n > 0) {
		memmove(row + x + k, row + x, (t->cols - x - k) * sizeof(*row));
		fill(t, t->y, x, x + k);
	} else {
		memmove(row + x, row + x + k, (t->cols - x - k) * sizeof(*row));
		fill(t, t->y, t->cols - k, t->cols);
	}
	t->wrap_next = false;
}

static void save_cursor(struct term *t)
{
	t->saved.x = t->x;
	t->saved.y = t->y;
	t->saved.fg = t->fg;
	t->saved.bg = t->bg;
	t->saved.attr = t->attr;
	t->saved.origin = t->origin;
}

static void restore_cursor(struct term *t)
{
	t->fg = t->saved.fg;
	t->bg = t->saved.bg;
	t->attr = t->saved.attr;
	t->origin = t->saved.origin;
	t->x = t->saved.x < t->cols ? t->saved.x : t->cols - 1;
	t->y = t->saved.y < t->rows ? t->saved.y : t->rows - 1;
	t->wrap_next = false;
}

static void alt_screen(struct term *t, bool on, bool cursor)
{
	if (on == t->on_alt)
		return;
	if (on && cursor)
		save_cursor(t);
	struct cell *c = t->cells;
	t->cells = t->alt;
	t->alt = c;
	t->on_alt = on;
	if (on)
		clear_all(t, t->cells);
	if (!on && cursor)
		restore_cursor(t);
}

static void set_mode(struct term *t, bool on)
{
	for (unsigned i = 0; i < t->nparams || i == 0; i++) {
		unsigned p = i < t->nparams ? t->params[i] : 0;
		if (t->private_mark != '?')
			continue; /* ANSI modes (insert mode, ...): not kept */
		switch (p) {
		case 6:
			t->origin = on;
			move_to(t, (int)(on ? t->top : 0), 0);
			break;
		case 7:
			t->autowrap = on;
			break;
		case 25:
			t->cursor_visible = on;
			break;
		case 47: case 1047:
			alt_screen(t, on, false);
			break;
		case 1049:
			alt_screen(t, on, true);
			break;
		default:
			break;
		}
	}
}

static void sgr(struct term *t)
{
	for (unsigned i = 0; i < t->nparams || i == 0; i++) {
		unsigned p = i < t->nparams ? t->params[i] : 0;
		if (p == 0) {
			t->fg = TERM_DEFAULT_FG;
			t->bg = TERM_DEFAULT_BG;
			t->attr = 0;
		} else if (p == 1) {
			t->attr |= TERM_BOLD;
		} else if (p == 2) {
			t->attr |= TERM_DIM;
		} else if (p == 4) {
			t->attr |= TERM_UNDERLINE;
		} else if (p == 5) {
			t->attr |= TERM_BLINK;
		} else if (p == 7) {
			t->attr |= TERM_REVERSE;
		} else if (p == 21 || p == 22) {
			t->attr &= (uint8_t)~(TERM_BOLD | TERM_DIM);
		} else if (p == 24) {
			t->attr &= (uint8_t)~TERM_UNDERLINE;
		} else if (p == 25) {
			t->attr &= (uint8_t)~TERM_BLINK;
		} else if (p == 27) {
			t->attr &= (uint8_t)~TERM_REVERSE;
		} else if (p >= 30 && p <= 37) {
			t->fg = (uint8_t)(p - 30);
		} else if (p == 39) {
			t->fg = TERM_DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			t->bg = (uint8_t)(p - 40);
		} else if (p == 49) {
			t->bg = TERM_DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			t->fg = (uint8_t)(p - 90 + 8);
		} else if (p >= 100 && p <= 107) {
			t->bg = (uint8_t)(p - 100 + 8);
		} else if ((p == 38 || p == 48) && i + 2 < t->nparams && t->params[i + 1] == 5) {
			uint8_t c = (uint8_t)(t->params[i + 2] > 255 ? 255 : t->params[i + 2]);
			if (p == 38)
				t->fg = c;
			else
				t->bg = c;
			i += 2;
		}
	}
}

static void report(struct term *t, const char *buf, size_t len)
{
	if (t->reply)
		t->reply(t->ctx, buf, len);
}

static void csi(struct term *t, char final)
{
	char answer[32];
	int y = (int)t->y, x = (int)t->x;
	if (t->private_mark && t->private_mark != '?' && final != 'c')
		return;
	switch (final) {
	case 'A': move_to(t, y - (int)param(t, 0, 1), x); break;
	case 'B': case 'e': move_to(t, y + (int)param(t, 0, 1), x); break;
	case 'C': case 'a': move_to(t, y, x + (int)param(t, 0, 1)); break;
	case 'D': move_to(t, y, x - (int)param(t, 0, 1)); break;
	case 'E': move_to(t, y + (int)param(t, 0, 1), 0); break;
	case 'F': move_to(t, y - (int)param(t, 0, 1), 0); break;
	case 'G': case '`': move_to(t, y, (int)param(t, 0, 1) - 1); break;
	case 'd':
		move_to(t, (int)(t->origin ? t->top : 0) + (int)param(t, 0, 1) - 1, x);
		break;
	case 'H': case 'f':
		move_to(t, (int)(t->origin ? t->top : 0) + (int)param(t, 0, 1) - 1,
			(int)param(t, 1, 1) - 1);
		break;
	case 'J': erase_display(t, t->nparams ? t->params[0] : 0); break;
	case 'K': erase_line(t, t->nparams ? t->params[0] : 0); break;
	case 'L': case 'M':
		if (t->y >= t->top && t->y <= t->bottom) {
			scroll(t, t->y, t->bottom, (final == 'M' ? 1 : -1) * (int)param(t, 0, 1));
			t->x = 0;
			t->wrap_next = false;
		}
		break;
	case 'S': scroll(t, t->top, t->bottom, (int)param(t, 0, 1)); break;
	case 'T': scroll(t, t->top, t->bottom, -(int)param(t, 0, 1)); break;
	case '@': shift_chars(t, (int)param(t, 0, 1)); break;
	case 'P': shift_chars(t, -(int)param(t, 0, 1)); break;
	case 'X': fill(t, t->y, t->x, t->x + param(t, 0, 1)); break;
	case 'm': sgr(t); break;
	case 'h': set_mode(t, true); break;
	case 'l': set_mode(t, false); break;
	case 'r': {
		unsigned top = param(t, 0, 1) - 1, bottom = param(t, 1, t->rows) - 1;
		if (bottom >= t->rows)
			bottom = t->rows - 1;
		if (top < bottom) {
			t->top = top;
			t->bottom = bottom;
			move_to(t, (int)(t->origin ? top : 0), 0);
		}
		break;
	}
	case 's': save_cursor(t); break;
	case 'u': restore_cursor(t); break;
	case 'n':
		if (param(t, 0, 0) == 6) {
			int n = snprintf(answer, sizeof(answer), "\033[%u;%uR",
					 t->y + 1 - (t->origin ? t->top : 0), t->x + 1);
			report(t, answer, (size_t)n);
		} else if (param(t, 0, 0) == 5) {
			report(t, "\033[0n", 4);
		}
		break;
	case 'c':
		if (!t->private_mark)
			report(t, "\033[?6c", 5); /* a VT102 */
		break;
	default:
		break;
	}
}

static void esc(struct term *t, char c)
{
	t->state = T_GROUND;
	switch (c) {
	case '[':
		t->state = T_CSI;
		t->nparams = 0;
		t->private_mark = 0;
		memset(t->params, 0, sizeof(t->params));
		break;
	case ']':
		t->state = T_OSC;
		break;
	case '(': case ')': case '*': case '+': case '#': case '%':
		t->state = T_CHARSET; /* its one byte is skipped */
		break;
	case '7': save_cursor(t); break;
	case '8': restore_cursor(t); break;
	case 'D': line_feed(t); break;
	case 'E': t->x = 0; t->wrap_next = false; line_feed(t); break;
	case 'M': reverse_line_feed(t); break;
	case 'c': reset(t); break;
	default: break;
	}
}

static void control(struct term *t, unsigned char c)
{
	switch (c) {
	case '\b':
		if (t->x > 0)
			t->x--;
		t->wrap_next = false;
		break;
	case '\t': {
		unsigned x = (t->x | 7) + 1;
		t->x = x < t->cols ? x : t->cols - 1;
		break;
	}
	case '\n': case '\v': case '\f':
		line_feed(t);
		break;
	case '\r':
		t->x = 0;
		t->wrap_next = false;
		break;
	case 0x1b:
		t->state = T_ESC;
		break;
	default:
		break; /* BEL and the rest: nothing to see */
	}
}

static void csi_byte(struct term *t, unsigned char c)
{
	if (c >= '0' && c <= '9') {
		if (!t->nparams)
			t->nparams = 1;
		unsigned *p = &t->params[t->nparams - 1];
		*p = *p > 9999 ? *p : *p * 10 + (c - '0');
	} else if (c == ';' || c == ':') {
		if (!t->nparams)
			t->nparams = 1;
		if (t->nparams < TERM_PARAMS)
			t->nparams++;
	} else if (c >= 0x3c && c <= 0x3f) {
		t->private_mark = (char)c;
	} else if (c >= 0x40 && c <= 0x7e) {
		t->state = T_GROUND;
		csi(t, (char)c);
	} else if (c < 0x20) {
		control(t, c); /* controls act inside a sequence too */
	}
	/* intermediates (0x20-0x2f): ignored */
}

static void byte(struct term *t, unsigned char c)
{
	switch (t->state) {
	case T_ESC:
		esc(t, (char)c);
		return;
	case T_CSI:
		csi_byte(t, c);
		return;
	case T_OSC: /* an operating system command (a title): up to BEL or ST */
		if (c == 7)
			t->state = T_GROUND;
		else if (c == 0x1b)
			t->state = T_OSC_ESC;
		return;
	case T_OSC_ESC:
		t->state = c == '\\' ? T_GROUND : T_OSC;
		return;
	case T_CHARSET:
		t->state = T_GROUND;
		return;
	case T_GROUND:
		break;
	}
	if (t->utf8_left) {
		if ((c & 0xc0) == 0x80) {
			t->utf8 = t->utf8 << 6 | (c & 0x3f);
			if (--t->utf8_left == 0)
				put(t, t->utf8);
			return;
		}
		t->utf8_left = 0;
		put(t, 0xfffd); /* a sequence cut short */
	}
	if (c < 0x20 || c == 0x7f) {
		control(t, c);
	} else if (c < 0x80) {
		put(t, c);
	} else if ((c & 0xe0) == 0xc0) {
		t->utf8 = c & 0x1f;
		t->utf8_left = 1;
	} else if ((c & 0xf0) == 0xe0) {
		t->utf8 = c & 0x0f;
		t->utf8_left = 2;
	} else if ((c & 0xf8) == 0xf0) {
		t->utf8 = c & 0x07;
		t->utf8_left = 3;
	} else {
		put(t, 0xfffd);
	}
}

void term_write(struct term *t, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		byte(t, (unsigned char)buf[i]);
}

/*
 * The display service's terminal: what a VT100/xterm-like terminal (Linux's console, mostly)
 * makes of the bytes programs write: a grid of cells with characters and colours, a cursor,
 * a scroll region. It knows nothing of pixels: the renderer (display.c) draws the cells, and
 * hears of scrolling as it happens so that it can move pixels rather than draw them again.
 *
 * Understood: UTF-8; BS, HT, LF, VT, FF, CR, BEL; ESC 7 8 D E M c; CSI A B C D E F G H J K L M
 * P S T X @ d f m r s u n c, DECSET/DECRST 25 (cursor), 7 (autowrap), 6 (origin), 47/1047/1049
 * (the alternate screen); SGR 0 1 2 4 5 7 21-27 30-37 38;5;N 39 40-47 48;5;N 49 90-97 100-107.
 * Other sequences are parsed and ignored.
 */
#ifndef DISPLAY_TERM_H
#define DISPLAY_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TERM_BOLD 0x1u
#define TERM_UNDERLINE 0x2u
#define TERM_REVERSE 0x4u
#define TERM_BLINK 0x8u
#define TERM_DIM 0x10u

#define TERM_DEFAULT_FG 7
#define TERM_DEFAULT_BG 0
#define TERM_PARAMS 16

struct cell {
	uint32_t ch;
	uint8_t fg, bg, attr; /* xterm's 256 colours */
};

struct term {
	unsigned rows, cols;
	struct cell *cells, *alt; /* rows * cols each; alt: the other screen */
	bool on_alt;
	unsigned x, y;
	bool wrap_next; /* the last column was written: the next character wraps first */
	unsigned top, bottom; /* the scroll region, rows top..bottom */
	uint8_t fg, bg, attr;
	bool cursor_visible, autowrap, origin;
	struct {
		unsigned x, y;
		uint8_t fg, bg, attr;
		bool origin;
	} saved;
	/* the parser */
	enum { T_GROUND, T_ESC, T_CSI, T_OSC, T_OSC_ESC, T_CHARSET } state;
	unsigned params[TERM_PARAMS], nparams;
	char private_mark;
	uint32_t utf8;
	unsigned utf8_left;
	/* Rows top..bottom moved up by n (down for n < 0), the rows that came in blank. */
	void (*scrolled)(void *ctx, unsigned top, unsigned bottom, int n);
	/* An answer for the program (a cursor position report): bytes it reads as typed. */
	void (*reply)(void *ctx, const char *buf, size_t len);
	void *ctx;
};

/* A terminal of rows x cols, blank, the cursor at the top left: 0, or -1 (ENOMEM). */
int term_init(struct term *t, unsigned rows, unsigned cols);
void term_fini(struct term *t);
/* Takes len bytes of output. */
void term_write(struct term *t, const char *buf, size_t len);
/* The cell at row y, column x of the screen shown. */
static inline struct cell *term_cell(const struct term *t, unsigned y, unsigned x)
{
	return &t->cells[(size_t)y * t->cols + x];
}

#endif

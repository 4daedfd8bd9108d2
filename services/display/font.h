/*
 * The console font: a PSF font from Debian's console fonts, turned into C at build time
 * (psf2c.py). Glyph g is glyph_bytes bytes from glyphs + g * glyph_bytes: height rows of
 * (width + 7) / 8 bytes, the leftmost pixel in the top bit. map holds nmap code points in
 * increasing order, each with its glyph.
 */
#ifndef DISPLAY_FONT_H
#define DISPLAY_FONT_H

#include <stdint.h>

struct font_map {
	uint32_t code;
	uint16_t glyph;
};

struct font {
	unsigned width, height, glyph_bytes, count;
	const unsigned char *glyphs;
	const struct font_map *map;
	unsigned nmap;
};

extern const struct font console_font;

/* The glyph of code point c: the font's own, else the one of U+FFFD or '?'. */
unsigned font_glyph(const struct font *f, uint32_t c);

#endif

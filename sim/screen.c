/*
 * Screenshots (--screenshot=FILE.png[@TIME]): the display adapter's screen (vga.c) written as
 * an 8-bit RGB PNG with libpng, at a point on the virtual clock (a device event, so the same
 * run gives the same picture) or at the end of the run.
 */
#include "screen.h"

#include "pci.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes rows of w x h pixels (0xRRGGBB) to f; false when libpng failed. */
static bool write_png(FILE *f, const uint32_t *px, unsigned w, unsigned h)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	uint8_t *row = malloc((size_t)w * 3);
	/* volatile: read after a longjmp back from libpng */
	uint8_t *volatile row_v = row;
	bool ok = png && info && row;
	if (ok && setjmp(png_jmpbuf(png))) {
		ok = false;
	} else if (ok) {
		png_init_io(png, f);
		png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
			     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		png_write_info(png, info);
		for (unsigned y = 0; y < h; y++) {
			for (unsigned x = 0; x < w; x++) {
				uint32_t p = px[(size_t)y * w + x];
				row[3 * x] = (uint8_t)(p >> 16);
				row[3 * x + 1] = (uint8_t)(p >> 8);
				row[3 * x + 2] = (uint8_t)p;
			}
			png_write_row(png, row);
		}
		png_write_end(png, NULL);
	}
	free(row_v);
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	return ok;
}

int sim_screenshot(const char *path)
{
	if (!sim_vga_present())
		return -ENODEV;
	uint32_t *px;
	unsigned w, h;
	int err = sim_vga_frame(&px, &w, &h);
	if (err)
		return err;
	FILE *f = fopen(path, "wb");
	if (!f) {
		err = -errno;
		free(px);
		return err;
	}
	bool ok = write_png(f, px, w, h);
	free(px);
	if (fclose(f) != 0 && ok)
		return -errno;
	return ok ? 0 : -EIO;
}

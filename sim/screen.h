/* The screen as a person sees it (screen.c): screenshots of the display adapter. */
#ifndef SIM_SCREEN_H
#define SIM_SCREEN_H

/* Writes the display adapter's screen to path as a PNG: 0, -ENODEV without the adapter, or
 * -errno (-EIO when libpng failed). */
int sim_screenshot(const char *path);

#endif

/* --display=sdl (window.c): the screen in a window, with the person's keyboard and mouse. */
#ifndef SIM_WINDOW_H
#define SIM_WINDOW_H

#include <stddef.h>

/* Opens the window: 0, or -1 with why (SDL's error: no window system, say) set. on_close runs
 * when the person closes it. */
int sim_window_open(void (*on_close)(void), char *why, size_t whylen);
/* Starts drawing and taking events, once the machine is up: 0, or -1 (out of host memory). */
int sim_window_start(void);
void sim_window_close(void);

#endif

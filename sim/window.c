/*
 * --display=sdl: a window (SDL2) that shows the display adapter's screen and gives it the
 * person's keyboard and mouse (the i8042's). It is a device event every WINDOW_PERIOD_NS of the
 * virtual clock, which the run paces to real time: each one draws the screen when it changed
 * and takes SDL's events, so what comes from the person enters the machine at points on the
 * virtual clock, as the console's input does. Keys are SDL's scan codes (the key's place,
 * whatever the host's layout) turned into Linux key codes; held keys repeat as SDL repeats
 * them, as a PS/2 keyboard's typematic repeat sends its make code again. The mouse is grabbed
 * by a click in the window and let go with Ctrl-Alt (as QEMU's window); closing the window
 * asks the system to shut down, as Ctrl-C at the console does. SDL's software renderer copies
 * the picture: no GL is needed, wherever the window is.
 *
 * Record and replay: each key and mouse event the window gives the machine is an input at its
 * tick (record.h), and the point after the last says there is no more; a replay shows the
 * screen but gives the machine the logged events instead of the person's.
 */
#include "window.h"

#include "devices.h"
#include "pci.h"
#include "sim.h"

#include "record.h"
#include "sdl.h"
#include <kernel/plat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_PERIOD_NS 16666667ull /* 60 frames a second */

static struct {
	SDL_Window *win;
	SDL_Renderer *ren;
	SDL_Texture *tex;
	unsigned w, h;
	uint32_t *last; /* the frame shown */
	bool grabbed;
	unsigned buttons;
	void (*on_close)(void);
} win;

/* USB HID usage (SDL_Scancode) to Linux key code, for the keys of a PC keyboard. */
static unsigned linux_key(SDL_Scancode s)
{
	static const struct {
		uint16_t sdl, key;
	} map[] = {
		{SDL_SCANCODE_ESCAPE, 1}, {SDL_SCANCODE_MINUS, 12}, {SDL_SCANCODE_EQUALS, 13},
		{SDL_SCANCODE_BACKSPACE, 14}, {SDL_SCANCODE_TAB, 15}, {SDL_SCANCODE_LEFTBRACKET, 26},
		{SDL_SCANCODE_RIGHTBRACKET, 27}, {SDL_SCANCODE_RETURN, 28}, {SDL_SCANCODE_LCTRL, 29},
		{SDL_SCANCODE_SEMICOLON, 39}, {SDL_SCANCODE_APOSTROPHE, 40}, {SDL_SCANCODE_GRAVE, 41},
		{SDL_SCANCODE_LSHIFT, 42}, {SDL_SCANCODE_BACKSLASH, 43}, {SDL_SCANCODE_COMMA, 51},
		{SDL_SCANCODE_PERIOD, 52}, {SDL_SCANCODE_SLASH, 53}, {SDL_SCANCODE_RSHIFT, 54},
		{SDL_SCANCODE_KP_MULTIPLY, 55}, {SDL_SCANCODE_LALT, 56}, {SDL_SCANCODE_SPACE, 57},
		{SDL_SCANCODE_CAPSLOCK, 58}, {SDL_SCANCODE_NUMLOCKCLEAR, 69},
		{SDL_SCANCODE_SCROLLLOCK, 70}, {SDL_SCANCODE_KP_7, 71}, {SDL_SCANCODE_KP_8, 72},
		{SDL_SCANCODE_KP_9, 73}, {SDL_SCANCODE_KP_MINUS, 74}, {SDL_SCANCODE_KP_4, 75},
		{SDL_SCANCODE_KP_5, 76}, {SDL_SCANCODE_KP_6, 77}, {SDL_SCANCODE_KP_PLUS, 78},
		{SDL_SCANCODE_KP_1, 79}, {SDL_SCANCODE_KP_2, 80}, {SDL_SCANCODE_KP_3, 81},
		{SDL_SCANCODE_KP_0, 82}, {SDL_SCANCODE_KP_PERIOD, 83},
		{SDL_SCANCODE_NONUSBACKSLASH, 86}, {SDL_SCANCODE_F11, 87}, {SDL_SCANCODE_F12, 88},
		{SDL_SCANCODE_KP_ENTER, 96}, {SDL_SCANCODE_RCTRL, 97}, {SDL_SCANCODE_KP_DIVIDE, 98},
		{SDL_SCANCODE_PRINTSCREEN, 99}, {SDL_SCANCODE_RALT, 100}, {SDL_SCANCODE_HOME, 102},
		{SDL_SCANCODE_UP, 103}, {SDL_SCANCODE_PAGEUP, 104}, {SDL_SCANCODE_LEFT, 105},
		{SDL_SCANCODE_RIGHT, 106}, {SDL_SCANCODE_END, 107}, {SDL_SCANCODE_DOWN, 108},
		{SDL_SCANCODE_PAGEDOWN, 109}, {SDL_SCANCODE_INSERT, 110}, {SDL_SCANCODE_DELETE, 111},
		{SDL_SCANCODE_LGUI, 125}, {SDL_SCANCODE_RGUI, 126}, {SDL_SCANCODE_APPLICATION, 127},
	};
	/* Letters: HID a..z are 4..29; Linux's follow the keyboard's rows. */
	static const uint8_t letters[26] = {30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38, 50,
					    49, 24, 25, 16, 19, 31, 20, 22, 47, 17, 45, 21, 44};
	if (s >= SDL_SCANCODE_A && s <= SDL_SCANCODE_Z)
		return letters[s - SDL_SCANCODE_A];
	if (s >= SDL_SCANCODE_1 && s <= SDL_SCANCODE_0)
		return 2 + (unsigned)(s - SDL_SCANCODE_1); /* 1..9, 0: codes 2..11 */
	if (s >= SDL_SCANCODE_F1 && s <= SDL_SCANCODE_F10)
		return 59 + (unsigned)(s - SDL_SCANCODE_F1);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].sdl == s)
			return map[i].key;
	return 0;
}

static void set_title(void)
{
	char title[128];
	snprintf(title, sizeof(title), "Eclipse OS (eclipse-sim)%s",
		 win.grabbed ? ": Ctrl-Alt lets the mouse go" : "");
	sdl.SetWindowTitle(win.win, title);
}

static void grab(bool on)
{
	win.grabbed = on;
	sdl.SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
	set_title();
}

/* Shows the screen when it changed (a new size: a new texture, the window resized). */
static void draw(void)
{
	uint32_t *px;
	unsigned w, h;
	if (sim_vga_frame(&px, &w, &h))
		return;
	if (w != win.w || h != win.h || !win.tex) {
		/* A new window of the new size: a window system without a window manager may never
		 * resize one (X without one keeps a fixed-size window's first size). */
		if (win.tex)
			sdl.DestroyTexture(win.tex);
		sdl.DestroyRenderer(win.ren);
		sdl.DestroyWindow(win.win);
		win.win = sdl.CreateWindow("Eclipse OS (eclipse-sim)", SDL_WINDOWPOS_UNDEFINED,
					   SDL_WINDOWPOS_UNDEFINED, (int)w, (int)h, 0);
		win.ren = win.win ? sdl.CreateRenderer(win.win, -1, SDL_RENDERER_SOFTWARE) : NULL;
		win.tex = win.ren ? sdl.CreateTexture(win.ren, SDL_PIXELFORMAT_RGB888,
						      SDL_TEXTUREACCESS_STREAMING, (int)w, (int)h)
				  : NULL;
		if (!win.tex) {
			fprintf(stderr, "eclipse-sim: --display=sdl: a %ux%u window: %s\n", w, h,
				sdl.GetError());
			sim_request_stop();
		}
		if (win.win)
			set_title();
		free(win.last);
		win.last = NULL;
		win.w = w;
		win.h = h;
	} else if (win.last && !memcmp(win.last, px, (size_t)w * h * 4)) {
		free(px);
		return;
	}
	free(win.last);
	win.last = px;
	if (win.tex) {
		sdl.UpdateTexture(win.tex, NULL, px, (int)(w * 4));
		sdl.RenderClear(win.ren);
		sdl.RenderCopy(win.ren, win.tex, NULL, NULL);
		sdl.RenderPresent(win.ren);
	}
}

enum { INPUT_KEY = 1, INPUT_MOUSE };

/* An event for the machine: {INPUT_KEY, key, down} or {INPUT_MOUSE, dx, dy, buttons}. */
static void deliver(const int32_t ev[4])
{
	if (ev[0] == INPUT_KEY && ev[1] > 0)
		sim_i8042_key((unsigned)ev[1], ev[2] != 0);
	else if (ev[0] == INPUT_MOUSE)
		sim_i8042_mouse(ev[1], ev[2], (unsigned)ev[3] & 7u);
}

/* What the person did: given to the machine, and logged when recording (a replay's come from
 * its log instead). */
static void input(int32_t kind, int32_t a, int32_t b, int32_t c)
{
	if (rec_mode == REC_REPLAY)
		return;
	int32_t ev[4] = {kind, a, b, c};
	rec_put(REC_WINDOW, 0, ev, sizeof(ev));
	deliver(ev);
}

static void events(void)
{
	SDL_Event e;
	while (sdl.PollEvent(&e)) {
		switch (e.type) {
		case SDL_QUIT:
			if (win.on_close)
				win.on_close();
			break;
		case SDL_KEYDOWN:
		case SDL_KEYUP: {
			bool down = e.type == SDL_KEYDOWN;
			SDL_Keymod mod = sdl.GetModState();
			if (down && win.grabbed && (mod & KMOD_CTRL) && (mod & KMOD_ALT) &&
			    (e.key.keysym.scancode == SDL_SCANCODE_LCTRL ||
			     e.key.keysym.scancode == SDL_SCANCODE_LALT))
				grab(false);
			unsigned key = linux_key(e.key.keysym.scancode);
			if (key)
				input(INPUT_KEY, (int32_t)key, down, 0);
			break;
		}
		case SDL_MOUSEBUTTONDOWN:
		case SDL_MOUSEBUTTONUP: {
			if (!win.grabbed) {
				if (e.type == SDL_MOUSEBUTTONDOWN)
					grab(true);
				break;
			}
			unsigned bit = e.button.button == SDL_BUTTON_LEFT ? 1
				     : e.button.button == SDL_BUTTON_RIGHT ? 2
				     : e.button.button == SDL_BUTTON_MIDDLE ? 4 : 0;
			win.buttons = e.type == SDL_MOUSEBUTTONDOWN ? win.buttons | bit : win.buttons & ~bit;
			input(INPUT_MOUSE, 0, 0, (int32_t)win.buttons);
			break;
		}
		case SDL_MOUSEMOTION:
			if (win.grabbed)
				input(INPUT_MOUSE, e.motion.xrel, e.motion.yrel, (int32_t)win.buttons);
			break;
		case SDL_WINDOWEVENT:
			if (e.window.event == SDL_WINDOWEVENT_EXPOSED) {
				free(win.last);
				win.last = NULL; /* draw it all again */
			}
			break;
		default:
			break;
		}
	}
}

static void tick(void *arg)
{
	(void)arg;
	events();
	if (rec_mode == REC_REPLAY) {
		int32_t ev[4];
		int64_t v;
		size_t len = sizeof(ev);
		while (rec_take(REC_WINDOW, &v, ev, &len)) {
			if (len == sizeof(ev))
				deliver(ev);
			len = sizeof(ev);
		}
	} else {
		rec_point();
	}
	draw();
	sim_event_at(plat_clock_ns() + WINDOW_PERIOD_NS, tick, NULL);
}

int sim_window_open(void (*on_close)(void), char *why, size_t whylen)
{
	if (sdl_load(why, whylen))
		return -1;
	if (sdl.Init(SDL_INIT_VIDEO) != 0) {
		snprintf(why, whylen, "%s", sdl.GetError());
		return -1;
	}
	win.on_close = on_close;
	win.win = sdl.CreateWindow("Eclipse OS (eclipse-sim)", SDL_WINDOWPOS_UNDEFINED,
				   SDL_WINDOWPOS_UNDEFINED, 640, 480, 0);
	win.ren = win.win ? sdl.CreateRenderer(win.win, -1, SDL_RENDERER_SOFTWARE) : NULL;
	if (!win.ren) {
		snprintf(why, whylen, "%s", sdl.GetError());
		sim_window_close();
		return -1;
	}
	return 0;
}

int sim_window_start(void)
{
	return sim_event_at(WINDOW_PERIOD_NS, tick, NULL) ? 0 : -1;
}

void sim_window_close(void)
{
	if (win.tex)
		sdl.DestroyTexture(win.tex);
	if (win.ren)
		sdl.DestroyRenderer(win.ren);
	if (win.win)
		sdl.DestroyWindow(win.win);
	free(win.last);
	memset(&win, 0, sizeof(win));
	/* No SDL_Quit: it unloads the X libraries SDL loaded itself, and what they keep for the
	 * process's life would then be reported as leaks of a module LeakSanitizer can no longer
	 * name (lsan_suppressions.c names them while they are loaded). The process is ending. */
}

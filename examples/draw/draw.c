/*
 * draw: a client of the screen. It borrows the framebuffer from the display service, paints it,
 * and moves a pointer with the mouse, whose events come from the input service; Esc, or the
 * time given, ends it, and the console is drawn again (<ecl/screen.h>, docs/display.md).
 *
 * usage: draw [--seconds=N]   (default 30)
 */
#include <ecl/dev.h>
#include <ecl/time.h>
#include <ecl/ipc.h>
#include <ecl/screen.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POINTER 16
#define KEY_ESC 1

static struct display_info screen;
static volatile uint32_t *fb;

static uint32_t background(unsigned x, unsigned y)
{
	return (x * 255 / screen.width) << 16 | (y * 255 / screen.height) << 8 | 0x40;
}

/* The pointer's square at x, y, or the background under it. */
static void square(int x, int y, bool pointer)
{
	for (int r = y; r < y + POINTER && r < (int)screen.height; r++)
		for (int c = x; c < x + POINTER && c < (int)screen.width; c++)
			fb[(size_t)r * screen.pitch / 4 + (size_t)c] =
				pointer ? 0xffffff : background((unsigned)c, (unsigned)r);
}

static int call(pid_t pid, unsigned type, struct ipc_msg *reply, uint64_t timeout)
{
	static struct ipc_msg req;
	req.type = type;
	req.len = 0;
	return ipc_call(pid, &req, reply, timeout);
}


int main(int argc, char **argv)
{
	long seconds = 30;
	if (argc > 2 || (argc == 2 && (strncmp(argv[1], "--seconds=", 10) ||
				       (seconds = strtol(argv[1] + 10, NULL, 10)) <= 0))) {
		fprintf(stderr, "usage: draw [--seconds=N]\n");
		return 2;
	}
	static struct ipc_msg reply;
	pid_t display = ipc_lookup("display"), input = ipc_lookup("input");
	if (display < 0 || input < 0) {
		fprintf(stderr, "draw: no %s service\n", display < 0 ? "display" : "input");
		return 1;
	}
	if (call(display, DISPLAY_ACQUIRE, &reply, IPC_FOREVER) < 0) {
		fprintf(stderr, "draw: display: %s\n", strerror(errno));
		return 1;
	}
	memcpy(&screen, reply.data, sizeof(screen));
	if (screen.status) {
		fprintf(stderr, "draw: the screen: %s\n", strerror(-screen.status));
		return 1;
	}
	fb = dev_map(screen.index, 0);
	if (!fb) {
		fprintf(stderr, "draw: the framebuffer: %s\n", strerror(errno));
		return 1;
	}
	call(input, INPUT_GRAB, &reply, IPC_FOREVER);
	printf("draw: %ux%u, the pointer follows the mouse; Esc ends\n", screen.width, screen.height);
	fflush(stdout);
	for (unsigned y = 0; y < screen.height; y++)
		for (unsigned x = 0; x < screen.width; x++)
			fb[(size_t)y * screen.pitch / 4 + x] = background(x, y);
	int px = (int)screen.width / 2, py = (int)screen.height / 2;
	unsigned moves = 0;
	square(px, py, true);
	bool done = false;
	for (uint64_t end = monotonic_ns() + (uint64_t)seconds * 1000000000ull; !done;) {
		uint64_t now = monotonic_ns();
		if (now >= end || call(input, INPUT_READ, &reply, end - now) < 0)
			break;
		const struct input_event *e = (const struct input_event *)reply.data;
		int x = px, y = py;
		for (unsigned i = 0; i < reply.len / sizeof(*e); i++) {
			if (e[i].type == EV_KEY && e[i].code == KEY_ESC && e[i].value == 1)
				done = true;
			if (e[i].type == EV_REL && e[i].code == REL_X)
				x += e[i].value;
			if (e[i].type == EV_REL && e[i].code == REL_Y)
				y += e[i].value;
		}
		x = x < 0 ? 0 : x > (int)screen.width - POINTER ? (int)screen.width - POINTER : x;
		y = y < 0 ? 0 : y > (int)screen.height - POINTER ? (int)screen.height - POINTER : y;
		if (x != px || y != py) {
			square(px, py, false);
			square(x, y, true);
			px = x;
			py = y;
			moves++;
		}
	}
	call(input, INPUT_UNGRAB, &reply, IPC_FOREVER);
	call(display, DISPLAY_RELEASE, &reply, IPC_FOREVER);
	printf("draw: the pointer ended at %d,%d after %u moves\n", px, py, moves);
	return 0;
}

/*
 * The screen's clients (docs/display.md): the display service, registered as "display", lends
 * its framebuffer; the input service, registered as "input", sends keyboard and mouse events.
 * Requests are ipc_call messages whose type is the operation; replies carry the same type.
 */
#ifndef ECL_SCREEN_H
#define ECL_SCREEN_H

#include <stdint.h>

/*
 * The display service. DISPLAY_INFO: the mode. DISPLAY_ACQUIRE: the framebuffer is the
 * caller's until DISPLAY_RELEASE or its end; the service stops drawing the console meanwhile
 * and the caller maps the framebuffer with dev_map(index, 0) (the service shared it, dev_share).
 * EBUSY while another process holds it. At the release or the end of the holder the console is
 * drawn again. Every reply is a struct display_info, status 0 or -errno.
 */
enum display_op { DISPLAY_INFO = 1, DISPLAY_ACQUIRE, DISPLAY_RELEASE };
struct display_info {
	int status;
	unsigned index;                     /* the adapter's function, for dev_map */
	unsigned width, height, bpp, pitch; /* pitch in bytes */
};

/*
 * The input service. INPUT_READ: the caller's next events (a struct input_event array), as
 * many as there are up to INPUT_EVENTS_MAX; the reply waits until there is one. The first
 * read subscribes the caller: from then on every event is kept for it (up to INPUT_QUEUE of
 * them; a reader that far behind holds the keyboard back, it loses nothing) until its end.
 * INPUT_GRAB: the keys go to the caller alone, not to /dev/tty1, until INPUT_UNGRAB or its
 * end. The replies to the last two: an int, 0 or -errno.
 */
enum input_op { INPUT_READ = 1, INPUT_GRAB, INPUT_UNGRAB };
#define EV_SYN 0
#define EV_KEY 1
#define EV_REL 2
#define REL_X 0
#define REL_Y 1
/* Linux's struct input_event, its time in nanoseconds of CLOCK_MONOTONIC. type EV_KEY: code a
 * KEY_* or BTN_*, value 1 pressed, 0 released, 2 repeated; EV_REL: REL_X right, REL_Y down;
 * EV_SYN ends a packet. */
struct input_event {
	uint64_t time_ns;
	uint16_t type, code;
	int32_t value;
};
#define INPUT_EVENTS_MAX 256
#define INPUT_QUEUE 4096

#endif

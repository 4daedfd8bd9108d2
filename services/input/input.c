/*
 * The input service: drives the keyboard controller (i8042.c) under interrupts, turns its scan
 * codes into key events (Linux key codes, keymap.c) and its mouse packets into moves and
 * buttons, and types the keys into the framebuffer console's terminal, /dev/tty1, through its
 * other end /dev/vt1 (kernel_core/vt.c). Nothing typed is lost: when the terminal takes no
 * more (nobody reads it), the bytes wait here, up to PENDING_MAX, and the controller is still
 * read meanwhile.
 *
 * usage: input [--log-events] [--heartbeat=DURATION]
 *   --log-events  print each key and mouse event on standard output
 */
#include "i8042.h"
#include "keymap.h"

#include <ecl/dev.h>
#include <ecl/service.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define VT_PATH "/dev/vt1"
#define PENDING_MAX 65536
#define RETRY_MS 10 /* how soon bytes the terminal did not take are offered again */

static struct {
	struct i8042 c;
	bool on, log_events;
	int vt;
	char pending[PENDING_MAX];
	size_t pending_len;
	unsigned long lost;
	struct scan_state scan;
	struct mods mods;
	bool held[128];
	uint8_t packet[3];
	unsigned npacket;
} in = {.vt = -1};

/* Offers the terminal what it has not taken yet. */
static void flush_pending(void)
{
	while (in.pending_len) {
		ssize_t n = write(in.vt, in.pending, in.pending_len);
		if (n <= 0)
			return; /* full (EAGAIN): later */
		memmove(in.pending, in.pending + n, in.pending_len - (size_t)n);
		in.pending_len -= (size_t)n;
	}
}

static void type(const char *buf, size_t len)
{
	if (in.pending_len + len > PENDING_MAX) {
		if (!in.lost++)
			printf("input: %d bytes typed and not read: dropping keys\n", PENDING_MAX);
		return;
	}
	memcpy(in.pending + in.pending_len, buf, len);
	in.pending_len += len;
	flush_pending();
}

static void key_event(unsigned key, bool down)
{
	bool repeat = down && key < 128 && in.held[key];
	if (key < 128)
		in.held[key] = down;
	if (in.log_events)
		printf("input: key %s (%u) %s\n", key_name(key), key,
		       repeat ? "repeated" : down ? "pressed" : "released");
	char bytes[8];
	size_t n = key_to_bytes(&in.mods, key, down, bytes);
	if (n)
		type(bytes, n);
}

/* A mouse packet: buttons and signs, dx, dy (up positive). */
static void mouse_packet(const uint8_t *p)
{
	int dx = p[1] - (p[0] & 0x10 ? 256 : 0), dy = -(p[2] - (p[0] & 0x20 ? 256 : 0));
	if (in.log_events)
		printf("input: mouse %+d %+d%s%s%s\n", dx, dy, p[0] & 1 ? " left" : "",
		       p[0] & 4 ? " middle" : "", p[0] & 2 ? " right" : "");
}

static void on_byte(uint8_t b, bool aux, void *arg)
{
	(void)arg;
	if (aux) {
		if (in.npacket == 0 && !(b & 0x08))
			return; /* not a packet's first byte: wait for one */
		in.packet[in.npacket++] = b;
		if (in.npacket == 3) {
			in.npacket = 0;
			mouse_packet(in.packet);
		}
		return;
	}
	bool down;
	unsigned key = scan_to_key(&in.scan, b, &down);
	if (key)
		key_event(key, down);
}

static int start(void)
{
	const char *why;
	if (i8042_open(&in.c, &why) != 0) {
		printf("input: %s (%s): no keyboard\n", why, strerror(errno));
		return 0;
	}
	in.vt = open(VT_PATH, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (in.vt < 0) {
		printf("input: cannot open " VT_PATH ": %s\n", strerror(errno));
		return 1;
	}
	if (i8042_bind(&in.c) != 0) {
		printf("input: cannot take the keyboard's interrupts: %s\n", strerror(errno));
		return 1;
	}
	in.on = true;
	printf("input: i8042: keyboard%s, typing into /dev/tty1\n",
	       in.c.mouse ? " and mouse" : in.c.mouse_index >= 0 ? " (the mouse does not answer)"
								 : "");
	i8042_drain(&in.c, on_byte, NULL);
	return 0;
}

static void wait_input(long long ms)
{
	if (!in.on) {
		poll(NULL, 0, (int)ms);
		return;
	}
	if (in.pending_len && ms > RETRY_MS)
		ms = RETRY_MS;
	if (dev_irq_wait((uint64_t)ms * 1000000ull))
		i8042_drain(&in.c, on_byte, NULL);
	flush_pending();
}

int main(int argc, char **argv)
{
	char *rest[argc + 1];
	int nrest = 0;
	for (int i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "--log-events"))
			in.log_events = true;
		else
			rest[nrest++] = argv[i];
	}
	rest[nrest] = NULL;
	static const char *const setup[] = {NULL};
	const struct service_info svc = {.name = "input", .setup = setup, .heartbeat_ms = 5000,
					 .start = start, .wait = wait_input};
	return service_main(&svc, nrest, rest);
}

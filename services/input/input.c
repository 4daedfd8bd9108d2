/*
 * The input service: drives the keyboard controller (i8042.c) under interrupts, turns its scan
 * codes into key events (Linux key codes, keymap.c) and its mouse packets into moves and
 * buttons, and types the keys into the framebuffer console's terminal, /dev/tty1, through its
 * other end /dev/vt1 (kernel_core/vt.c). Nothing typed is lost: when the terminal takes no
 * more (nobody reads it), the bytes wait here, up to PENDING_MAX, and the controller is still
 * read meanwhile.
 *
 * Clients ("input", <ecl/screen.h>) read the events as struct input_event over IPC; each has
 * its queue, and one that is INPUT_QUEUE events behind holds the controller back (it is read
 * again once that client reads): a slow client slows the keyboard, it loses nothing. A client
 * that grabs the keys takes them from /dev/tty1 until it lets go or ends.
 *
 * usage: input [--log-events] [--heartbeat=DURATION]
 *   --log-events  print each key and mouse event on standard output
 */
#include "i8042.h"
#include "keymap.h"

#include <ecl/dev.h>
#include <ecl/time.h>
#include <ecl/ipc.h>
#include <ecl/screen.h>
#include <ecl/service.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define VT_PATH "/dev/vt1"
#define PENDING_MAX 65536
#define RETRY_MS 10 /* how soon bytes the terminal did not take are offered again */
#define CLIENTS 8
#define QUEUE_SLACK 64 /* room a client's queue keeps for one more drain of the controller */

struct client {
	pid_t pid; /* 0: a free slot */
	struct input_event q[INPUT_QUEUE];
	unsigned head, len;
	bool waiting; /* its INPUT_READ waits for an event */
};

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
	struct client clients[CLIENTS];
	pid_t grabber;
	bool held_back; /* the controller waits for a client to read */
} in = {.vt = -1};

static bool alive(pid_t pid)
{
	return pid > 0 && !(kill(pid, 0) < 0 && errno == ESRCH);
}


/* An event for every client. */
static void emit(uint16_t type, uint16_t code, int32_t value)
{
	struct input_event e = {monotonic_ns(), type, code, value};
	for (unsigned i = 0; i < CLIENTS; i++) {
		struct client *c = &in.clients[i];
		if (c->pid && c->len < INPUT_QUEUE)
			c->q[(c->head + c->len++) % INPUT_QUEUE] = e;
	}
}

/* Answers a waiting client with what it has; false when it has gone (its slot is free). */
static bool answer(struct client *c)
{
	static struct ipc_msg reply;
	unsigned n = 0;
	struct input_event *out = (struct input_event *)reply.data;
	while (c->len && n < INPUT_EVENTS_MAX) {
		out[n++] = c->q[c->head];
		c->head = (c->head + 1) % INPUT_QUEUE;
		c->len--;
	}
	reply.type = INPUT_READ;
	reply.len = n * (unsigned)sizeof(*out);
	c->waiting = false;
	if (ipc_reply(c->pid, &reply) < 0 && errno == ESRCH) {
		c->pid = 0;
		return false;
	}
	return true;
}

/* Whether some live client is too far behind for another drain of the controller. */
static bool clients_full(void)
{
	for (unsigned i = 0; i < CLIENTS; i++) {
		struct client *c = &in.clients[i];
		if (c->pid && c->len + QUEUE_SLACK > INPUT_QUEUE) {
			if (alive(c->pid))
				return true;
			c->pid = 0; /* it ended without reading them */
		}
	}
	return false;
}

static bool keys_grabbed(void)
{
	if (in.grabber && !alive(in.grabber))
		in.grabber = 0;
	return in.grabber != 0;
}

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
	emit(EV_KEY, (uint16_t)key, repeat ? 2 : down);
	emit(EV_SYN, 0, 0);
	char bytes[8];
	size_t n = key_to_bytes(&in.mods, key, down, bytes);
	if (n && !keys_grabbed())
		type(bytes, n);
}

/* A mouse packet: buttons and signs, dx, dy (up positive). */
static void mouse_packet(const uint8_t *p)
{
	int dx = p[1] - (p[0] & 0x10 ? 256 : 0), dy = -(p[2] - (p[0] & 0x20 ? 256 : 0));
	static uint8_t buttons;
	static const uint16_t codes[3] = {BTN_LEFT, BTN_RIGHT, BTN_MIDDLE};
	for (unsigned b = 0; b < 3; b++)
		if ((p[0] ^ buttons) >> b & 1)
			emit(EV_KEY, codes[b], p[0] >> b & 1);
	buttons = p[0] & 7;
	if (dx)
		emit(EV_REL, REL_X, dx);
	if (dy)
		emit(EV_REL, REL_Y, dy);
	emit(EV_SYN, 0, 0);
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
	if (ipc_register("input") < 0)
		printf("input: no clients: %s\n", strerror(errno));
	in.on = true;
	printf("input: i8042: keyboard%s, typing into /dev/tty1\n",
	       in.c.mouse ? " and mouse" : in.c.mouse_index >= 0 ? " (the mouse does not answer)"
								 : "");
	i8042_drain(&in.c, on_byte, NULL);
	return 0;
}

/* Reads the controller unless a client is too far behind; then answers the waiting clients. */
static void drain(void)
{
	in.held_back = clients_full();
	if (!in.held_back)
		i8042_drain(&in.c, on_byte, NULL);
	for (unsigned i = 0; i < CLIENTS; i++)
		if (in.clients[i].pid && in.clients[i].waiting && in.clients[i].len)
			answer(&in.clients[i]);
}

static void request(pid_t from, const struct ipc_msg *msg)
{
	static struct ipc_msg reply;
	int status = 0;
	if (msg->type == INPUT_READ) {
		struct client *c = NULL, *free_slot = NULL;
		for (unsigned i = 0; i < CLIENTS; i++) {
			if (in.clients[i].pid == from)
				c = &in.clients[i];
			else if (in.clients[i].pid && !alive(in.clients[i].pid))
				in.clients[i].pid = 0;
			if (!in.clients[i].pid && !free_slot)
				free_slot = &in.clients[i];
		}
		if (!c && free_slot) {
			c = free_slot;
			*c = (struct client){.pid = from};
		}
		if (c) {
			c->waiting = true; /* answered now, or at its next event */
			if (c->len)
				answer(c);
			if (in.held_back)
				drain();
			return;
		}
		status = -EAGAIN; /* CLIENTS readers already */
	} else if (msg->type == INPUT_GRAB) {
		status = keys_grabbed() && in.grabber != from ? -EBUSY : 0;
		if (!status)
			in.grabber = from;
	} else if (msg->type == INPUT_UNGRAB) {
		status = in.grabber == from ? 0 : -EPERM;
		if (!status)
			in.grabber = 0;
	} else {
		status = -EINVAL;
	}
	reply.type = msg->type;
	reply.len = sizeof(status);
	memcpy(reply.data, &status, sizeof(status));
	ipc_reply(from, &reply);
}

static void wait_input(long long ms)
{
	static struct ipc_msg msg;
	if (!in.on) {
		poll(NULL, 0, (int)ms);
		return;
	}
	if (in.pending_len && ms > RETRY_MS)
		ms = RETRY_MS;
	/* The controller's interrupts come as notifications, the clients' requests as messages. */
	pid_t from = ipc_receive(0, &msg, (uint64_t)ms * 1000000ull);
	if (from == 0 && (msg.flags & IPC_NOTIFY))
		drain();
	else if (from > 0)
		request(from, &msg);
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

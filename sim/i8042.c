/*
 * The PC's keyboard controller, an Intel 8042, at ports 0x60 (data) and 0x64 (status and
 * commands), with a PS/2 keyboard on its first port (interrupt line 1) and a PS/2 mouse on its
 * second (line 12), as QEMU's pc machine has them (hw/input/pckbd.c, ps2.c behave so).
 *
 * The controller: the command byte (0x20 reads it, 0x60 writes it: interrupts of each port,
 * the system flag, the ports disabled, translation), self tests (0xaa: 0x55; 0xab, 0xa9: 0),
 * the ports enabled and disabled (0xad, 0xae, 0xa7, 0xa8), 0xd4 (the next data byte goes to the
 * mouse), 0xd2 and 0xd3 (a byte put in the output buffer as if from the keyboard or the mouse),
 * the output port (0xd0, 0xd1). One output buffer: the status register's bit 0 says it is
 * full, bit 5 that the byte is the mouse's; the port's line is asserted while it holds a byte
 * of that port and the command byte enables its interrupt. Responses to commands come first,
 * then the keyboard's bytes, then the mouse's.
 *
 * The keyboard answers the commands a driver sends (reset: 0xfa 0xaa; identify: 0xfa 0xab 0x41;
 * LEDs, typematic rate and scan code set with their argument; enable, disable, defaults, echo)
 * and sends what is typed as scan code set 1, which is what a PS/2 keyboard's set 2 becomes
 * through the controller's translation, the state firmware and drivers leave it in; with
 * translation off it still sends set 1 (not modelled). The mouse answers reset (0xfa 0xaa
 * 0x00), identify (0xfa 0x00), enable and disable streaming, defaults, sample rate, resolution,
 * scaling and status requests, and while streaming sends three-byte packets (buttons and
 * signs, dx, dy up), each move cut to +-127 per packet as QEMU's.
 *
 * Keys and moves come from outside (sim_i8042_key, sim_i8042_mouse: --keys, the SDL window);
 * queues of 256 bytes per device hold what the driver has not read; a full queue drops, as
 * the hardware does.
 */
#include "devices.h"
#include "pci.h"

#include <kernel/plat.h>
#include <string.h>

#define PORT_DATA 0x60
#define PORT_STATUS 0x64
#define LINE_KBD 1
#define LINE_MOUSE 12
#define QUEUE 256

#define STAT_OBF 0x01u
#define STAT_SYS 0x04u
#define STAT_CMD 0x08u
#define STAT_UNLOCKED 0x10u
#define STAT_AUX 0x20u

#define MODE_KBD_INT 0x01u
#define MODE_MOUSE_INT 0x02u
#define MODE_SYS 0x04u
#define MODE_KBD_OFF 0x10u
#define MODE_MOUSE_OFF 0x20u
#define MODE_XLATE 0x40u

#define ACK 0xfa
#define RESEND 0xfe

struct queue {
	uint8_t b[QUEUE];
	unsigned head, len;
};

static struct {
	uint8_t status, mode, out, outport;
	uint8_t pending_cmd; /* a controller command waiting for its data byte */
	struct queue ctrl, kbd, mouse;
	/* the keyboard */
	uint8_t kbd_cmd; /* waiting for its argument */
	bool kbd_scanning;
	/* the mouse */
	uint8_t mouse_cmd;
	bool mouse_streaming;
	uint8_t mouse_rate, mouse_resolution, mouse_scaling, mouse_buttons;
	int mouse_dx, mouse_dy;
} c;

static void push(struct queue *q, uint8_t b)
{
	if (q->len < QUEUE)
		q->b[(q->head + q->len++) % QUEUE] = b;
}

static bool pop(struct queue *q, uint8_t *b)
{
	if (!q->len)
		return false;
	*b = q->b[q->head];
	q->head = (q->head + 1) % QUEUE;
	q->len--;
	return true;
}

/* Fills an empty output buffer, and sets the lines as it stands. */
static void update(void)
{
	if (!(c.status & STAT_OBF)) {
		uint8_t b;
		if (pop(&c.ctrl, &b)) {
			c.status = (uint8_t)((c.status | STAT_OBF) & ~STAT_AUX);
			c.out = b;
		} else if (!(c.mode & MODE_KBD_OFF) && pop(&c.kbd, &b)) {
			c.status = (uint8_t)((c.status | STAT_OBF) & ~STAT_AUX);
			c.out = b;
		} else if (!(c.mode & MODE_MOUSE_OFF) && pop(&c.mouse, &b)) {
			c.status |= STAT_OBF | STAT_AUX;
			c.out = b;
		}
	}
	bool full = c.status & STAT_OBF, aux = c.status & STAT_AUX;
	sim_irq_set(LINE_KBD, full && !aux && (c.mode & MODE_KBD_INT));
	sim_irq_set(LINE_MOUSE, full && aux && (c.mode & MODE_MOUSE_INT));
}

/* A byte to the output buffer as the controller's answer to a command. */
static void answer(uint8_t b)
{
	push(&c.ctrl, b);
}

static void kbd_reset(void)
{
	c.kbd.len = 0;
	c.kbd_cmd = 0;
	c.kbd_scanning = true;
}

static void kbd_write(uint8_t b)
{
	uint8_t cmd = c.kbd_cmd;
	c.kbd_cmd = 0;
	if (cmd == 0xed || cmd == 0xf3) { /* LEDs, typematic rate: the argument */
		push(&c.kbd, ACK);
		return;
	}
	if (cmd == 0xf0) { /* scan code set: 0 asks which */
		push(&c.kbd, ACK);
		if (b == 0)
			push(&c.kbd, c.mode & MODE_XLATE ? 0x41 : 0x02);
		return;
	}
	switch (b) {
	case 0xed: case 0xf3: case 0xf0:
		c.kbd_cmd = b;
		push(&c.kbd, ACK);
		break;
	case 0xee:
		push(&c.kbd, 0xee);
		break;
	case 0xf2: /* identify: an MF2 keyboard, translated */
		push(&c.kbd, ACK);
		push(&c.kbd, 0xab);
		push(&c.kbd, c.mode & MODE_XLATE ? 0x41 : 0x83);
		break;
	case 0xf4:
		c.kbd_scanning = true;
		push(&c.kbd, ACK);
		break;
	case 0xf5:
		c.kbd_scanning = false;
		push(&c.kbd, ACK);
		break;
	case 0xf6:
		c.kbd_scanning = true;
		push(&c.kbd, ACK);
		break;
	case 0xff:
		kbd_reset();
		push(&c.kbd, ACK);
		push(&c.kbd, 0xaa);
		break;
	default:
		push(&c.kbd, RESEND);
		break;
	}
}

static void mouse_defaults(void)
{
	c.mouse_streaming = false;
	c.mouse_rate = 100;
	c.mouse_resolution = 2;
	c.mouse_scaling = 0;
	c.mouse_dx = c.mouse_dy = 0;
}

static void mouse_write(uint8_t b)
{
	uint8_t cmd = c.mouse_cmd;
	c.mouse_cmd = 0;
	if (cmd == 0xf3 || cmd == 0xe8) {
		if (cmd == 0xf3)
			c.mouse_rate = b;
		else
			c.mouse_resolution = b & 3;
		push(&c.mouse, ACK);
		return;
	}
	switch (b) {
	case 0xf3: case 0xe8:
		c.mouse_cmd = b;
		push(&c.mouse, ACK);
		break;
	case 0xe6: case 0xe7:
		c.mouse_scaling = b == 0xe7;
		push(&c.mouse, ACK);
		break;
	case 0xe9: /* status: mode, buttons; resolution; rate */
		push(&c.mouse, ACK);
		push(&c.mouse, (uint8_t)((c.mouse_streaming ? 0x20 : 0) | (c.mouse_scaling ? 0x10 : 0) |
					 (c.mouse_buttons & 1 ? 4 : 0) | (c.mouse_buttons & 4 ? 2 : 0) |
					 (c.mouse_buttons & 2 ? 1 : 0)));
		push(&c.mouse, c.mouse_resolution);
		push(&c.mouse, c.mouse_rate);
		break;
	case 0xea: case 0xf0: case 0xec: case 0xee: /* stream, remote, wrap modes: kept as stream */
		push(&c.mouse, ACK);
		break;
	case 0xf2:
		push(&c.mouse, ACK);
		push(&c.mouse, 0x00);
		break;
	case 0xf4:
		c.mouse_streaming = true;
		push(&c.mouse, ACK);
		break;
	case 0xf5:
		c.mouse_streaming = false;
		push(&c.mouse, ACK);
		break;
	case 0xf6:
		mouse_defaults();
		push(&c.mouse, ACK);
		break;
	case 0xff:
		c.mouse.len = 0;
		mouse_defaults();
		push(&c.mouse, ACK);
		push(&c.mouse, 0xaa);
		push(&c.mouse, 0x00);
		break;
	default:
		push(&c.mouse, RESEND);
		break;
	}
}

static void command(uint8_t cmd)
{
	switch (cmd) {
	case 0x20:
		answer(c.mode);
		break;
	case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4:
		c.pending_cmd = cmd;
		break;
	case 0xa7: c.mode |= MODE_MOUSE_OFF; break;
	case 0xa8: c.mode &= (uint8_t)~MODE_MOUSE_OFF; break;
	case 0xad: c.mode |= MODE_KBD_OFF; break;
	case 0xae: c.mode &= (uint8_t)~MODE_KBD_OFF; break;
	case 0xa9: case 0xab:
		answer(0x00);
		break;
	case 0xaa:
		c.status |= STAT_SYS;
		answer(0x55);
		break;
	case 0xc0:
		answer(0x80); /* input port: the keyboard not inhibited */
		break;
	case 0xd0:
		answer(c.outport);
		break;
	default:
		break; /* 0xfe (pulse reset) and the rest: nothing modelled */
	}
}

static uint32_t port_in(uint16_t port, unsigned size)
{
	(void)size;
	if (port == PORT_STATUS)
		return c.status;
	uint8_t b = c.out;
	c.status &= (uint8_t)~(STAT_OBF | STAT_AUX);
	update();
	return b;
}

static void port_out(uint16_t port, unsigned size, uint32_t value)
{
	(void)size;
	uint8_t b = (uint8_t)value;
	if (port == PORT_STATUS) {
		c.status |= STAT_CMD;
		c.pending_cmd = 0;
		command(b);
		update();
		return;
	}
	c.status &= (uint8_t)~STAT_CMD;
	uint8_t cmd = c.pending_cmd;
	c.pending_cmd = 0;
	switch (cmd) {
	case 0x60:
		c.mode = b;
		c.status = (uint8_t)((c.status & ~STAT_SYS) | (b & MODE_SYS ? STAT_SYS : 0));
		break;
	case 0xd1:
		c.outport = b;
		break;
	case 0xd2:
		push(&c.kbd, b);
		break;
	case 0xd3:
		push(&c.mouse, b);
		break;
	case 0xd4:
		mouse_write(b);
		break;
	default:
		c.mode &= (uint8_t)~MODE_KBD_OFF; /* writing to the keyboard enables its port */
		kbd_write(b);
		break;
	}
	update();
}

void sim_i8042_init(void)
{
	memset(&c, 0, sizeof(c));
	/* What firmware leaves: both ports on with their interrupts, translation on. */
	c.mode = MODE_KBD_INT | MODE_MOUSE_INT | MODE_SYS | MODE_XLATE;
	c.status = STAT_CMD | STAT_UNLOCKED | STAT_SYS;
	c.outport = 0x03; /* A20 on, no reset */
	kbd_reset();
	mouse_defaults();
	sim_isa_ports(PORT_DATA, 1, port_in, port_out);
	sim_isa_ports(PORT_STATUS, 1, port_in, port_out);
	update();
}

/* Scan code set 1 of Linux key codes (KEY_*): the codes below 89 are their own; these others
 * take the 0xe0 prefix. */
static const struct {
	uint16_t key;
	uint8_t code;
} extended[] = {
	{96, 0x1c}, {97, 0x1d}, {98, 0x35}, {99, 0x37}, {100, 0x38}, {102, 0x47}, {103, 0x48},
	{104, 0x49}, {105, 0x4b}, {106, 0x4d}, {107, 0x4f}, {108, 0x50}, {109, 0x51}, {110, 0x52},
	{111, 0x53}, {125, 0x5b}, {126, 0x5c}, {127, 0x5d},
};

bool sim_i8042_key(unsigned key, bool down)
{
	uint8_t code = 0, release = down ? 0 : 0x80;
	bool prefix = false;
	if (key >= 1 && key <= 88) {
		code = (uint8_t)key;
	} else {
		for (size_t i = 0; i < sizeof(extended) / sizeof(extended[0]); i++)
			if (extended[i].key == key) {
				code = extended[i].code;
				prefix = true;
			}
	}
	if (!code)
		return false;
	if (c.kbd_scanning) {
		if (prefix)
			push(&c.kbd, 0xe0);
		push(&c.kbd, code | release);
		update();
	}
	return true;
}

void sim_i8042_mouse(int dx, int dy, unsigned buttons)
{
	c.mouse_buttons = (uint8_t)(buttons & 7);
	c.mouse_dx += dx;
	c.mouse_dy -= dy; /* PS/2 counts up as positive */
	if (!c.mouse_streaming)
		return;
	do {
		int x = c.mouse_dx > 127 ? 127 : c.mouse_dx < -127 ? -127 : c.mouse_dx;
		int y = c.mouse_dy > 127 ? 127 : c.mouse_dy < -127 ? -127 : c.mouse_dy;
		if (c.mouse.len + 3 > QUEUE)
			break;
		push(&c.mouse, (uint8_t)(0x08 | c.mouse_buttons | (x < 0 ? 0x10 : 0) |
					 (y < 0 ? 0x20 : 0)));
		push(&c.mouse, (uint8_t)x);
		push(&c.mouse, (uint8_t)y);
		c.mouse_dx -= x;
		c.mouse_dy -= y;
	} while (c.mouse_dx || c.mouse_dy);
	update();
}

bool plat_has_i8042(void)
{
	return true; /* the sim's machine always has one, as QEMU's pc machine */
}

/*
 * The console: COM1, polled, a terminal with a person at it: the kernel's tty does the line
 * discipline (echo, "\n" as "\r\n", Ctrl-C to the foreground group), so bytes go out as they
 * are. Input is collected at every timer tick.
 */
#include "pc.h"

#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER 1
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define INPUT_SIZE 256

static struct {
	char input[INPUT_SIZE]; /* a ring of received bytes */
	unsigned head, count;
	unsigned stop_requests;
} con;

void pc_serial_init(void)
{
	outb(COM1 + REG_IER, 0x00); /* polled: no interrupts */
	outb(COM1 + REG_LCR, 0x80); /* divisor latch: 115200 baud */
	outb(COM1 + REG_DATA, 0x01);
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x03); /* 8N1 */
	/* The FIFOs stay as firmware left them (off, on QEMU): turning them on clears them, and a
	 * byte that comes between the last read and that write is lost, however fast the kernel
	 * is (QEMU's console hands a piped stdin over a byte at a time, as the guest reads). Off,
	 * QEMU's serial port holds one byte and its console the rest, until the guest takes them:
	 * nothing is lost. A UART on real hardware would need them on for fast input. */
	outb(COM1 + REG_MCR, 0x03); /* DTR, RTS */
}

static void put(char c)
{
	while (!(inb(COM1 + REG_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void pc_serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(s[i]);
}

void pc_serial_poll(void)
{
	while (inb(COM1 + REG_LSR) & LSR_DATA_READY) {
		char c = (char)inb(COM1 + REG_DATA);
		if (con.count == INPUT_SIZE)
			continue; /* full: drop, as a terminal with nobody reading would */
		con.input[(con.head + con.count++) % INPUT_SIZE] = c;
	}
}

long plat_console_write(int stream, const void *buf, size_t len)
{
	(void)stream;
	pc_serial_write(buf, len);
	return (long)len;
}

bool plat_console_interactive(void)
{
	return true;
}

long plat_console_poll(void *buf, size_t len)
{
	pc_serial_poll();
	char *out = buf;
	size_t n = 0;
	for (; n < len && con.count; n++, con.count--) {
		out[n] = con.input[con.head];
		con.head = (con.head + 1) % INPUT_SIZE;
	}
	return (long)n;
}

bool plat_console_size(unsigned *rows, unsigned *cols)
{
	(void)rows, (void)cols;
	return false; /* a serial line does not say: the tty's 80x25 stands */
}

bool pc_serial_pending(void)
{
	return con.count != 0;
}

unsigned plat_stop_requests(void)
{
	return con.stop_requests;
}

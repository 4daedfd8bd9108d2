/*
 * The display service: drives the display adapter (vbe.c) and draws the framebuffer console,
 * /dev/tty1, on it. It reads what programs write to tty1 from /dev/vt1 (kernel_core/vt.c),
 * passes it through a terminal emulator (term.c) and draws the cells that changed with the
 * console font (font.h), moving pixels when the terminal scrolls. A restarted service reads
 * tty1's recent output again from /dev/vt1 and so draws the screen again.
 *
 * It lends the framebuffer to a client that asks (<ecl/screen.h>, "display"): a second thread
 * answers the requests, shares the adapter's framebuffer with the client (dev_share) and stops
 * the console's drawing until the client gives it back or ends; then the console is drawn
 * again, whole.
 *
 * usage: display [--mode=WIDTHxHEIGHTxBPP] [--heartbeat=DURATION]
 */
#include "font.h"
#include "term.h"
#include "vbe.h"

#include <ecl/dev.h>
#include <ecl/ipc.h>
#include <ecl/screen.h>
#include <ecl/service.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define STATUS_PATH "/etc/status"
#define STATUS_MAX 120
#define VT_PATH "/dev/vt1"
#define MODE_DEFAULT "1024x768x32"
#define INVALID_CELL UINT32_MAX

static struct {
	unsigned width, height, bpp; /* asked for */
	struct vbe v;
	bool on;
	struct term t;
	int vt;
	struct cell *drawn; /* what the screen shows; ch INVALID_CELL: to draw */
	unsigned cursor_x, cursor_y;
	bool cursor_shown;
	struct {
		unsigned top, bottom;
		int n;
	} pending; /* scrolling not done on the pixels yet */
	uint32_t palette[256];
	uint32_t expand[256][8]; /* a row of 8 pixels of a glyph: all ones where its bit is set */
	int replay_left; /* bytes of tty1's history still to draw again after a (re)start */
	/* The client holding the framebuffer (0: none, the console is drawn), under lock; the
	 * requests' thread writes a byte to wake[1] when the console is to be drawn again. */
	pthread_mutex_t lock;
	pid_t client;
	int wake[2];
} d = {.vt = -1, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = {-1, -1}};

#define CLIENT_CHECK_NS 100000000ull /* how often the holder's life is looked at */

/* Reads the first line of STATUS_PATH into line (size bytes); returns 0, or -1 with errno. */
static int read_status(char *line, size_t size)
{
	int fd = open(STATUS_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, line, size - 1);
	int err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	line[n] = '\0';
	char *newline = strchr(line, '\n');
	if (newline)
		*newline = '\0';
	return 0;
}

/* xterm's 256 colours, the first 16 those of Linux's console. */
static void palette_init(void)
{
	static const uint32_t base[16] = {
		0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
		0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
	};
	static const uint8_t level[6] = {0, 95, 135, 175, 215, 255};
	for (unsigned i = 0; i < 16; i++)
		d.palette[i] = base[i];
	for (unsigned i = 0; i < 216; i++)
		d.palette[16 + i] = (uint32_t)level[i / 36] << 16 | (uint32_t)level[i / 6 % 6] << 8 |
				    level[i % 6];
	for (unsigned i = 0; i < 24; i++) {
		uint32_t g = 8 + 10 * i;
		d.palette[232 + i] = g << 16 | g << 8 | g;
	}
}

unsigned font_glyph(const struct font *f, uint32_t c)
{
	for (uint32_t want = c;; want = want == 0xfffd ? '?' : 0xfffd) {
		unsigned lo = 0, hi = f->nmap;
		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;
			if (f->map[mid].code < want)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < f->nmap && f->map[lo].code == want)
			return f->map[lo].glyph;
		if (want == '?')
			return 0;
	}
}

static void expand_init(void)
{
	for (unsigned b = 0; b < 256; b++)
		for (unsigned col = 0; col < 8; col++)
			d.expand[b][col] = b >> (7 - col) & 1 ? 0xffffffffu : 0;
}

static void draw_cell(unsigned y, unsigned x, const struct cell *c, bool cursor)
{
	const struct font *f = &console_font;
	uint8_t fg = c->fg, bg = c->bg;
	if ((c->attr & TERM_BOLD) && fg < 8)
		fg += 8; /* bold is bright, as on Linux's console */
	bool reverse = !(c->attr & TERM_REVERSE) != !cursor;
	uint32_t fore = d.palette[reverse ? bg : fg], back = d.palette[reverse ? fg : bg];
	const unsigned char *glyph = f->glyphs + (size_t)font_glyph(f, c->ch) * f->glyph_bytes;
	unsigned row_bytes = (f->width + 7) / 8;
	volatile uint32_t *px = d.v.fb + ((size_t)y * f->height * d.v.pitch) / 4 + x * f->width;
	if (f->width == 8 && f->height == 16 && !(c->attr & TERM_UNDERLINE)) {
		/* The console font's size: all 16 rows in straight-line code, 8 stores a row, no
		 * branch (an emulator translates it as one block). */
		size_t step = d.v.pitch / 4;
#define ROW(r)                                                                                   \
	do {                                                                                     \
		const uint32_t *m = d.expand[glyph[r]];                                          \
		volatile uint32_t *q = px + (r) * step;                                          \
		q[0] = (m[0] & fore) | (~m[0] & back);                                           \
		q[1] = (m[1] & fore) | (~m[1] & back);                                           \
		q[2] = (m[2] & fore) | (~m[2] & back);                                           \
		q[3] = (m[3] & fore) | (~m[3] & back);                                           \
		q[4] = (m[4] & fore) | (~m[4] & back);                                           \
		q[5] = (m[5] & fore) | (~m[5] & back);                                           \
		q[6] = (m[6] & fore) | (~m[6] & back);                                           \
		q[7] = (m[7] & fore) | (~m[7] & back);                                           \
	} while (0)
		ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5); ROW(6); ROW(7);
		ROW(8); ROW(9); ROW(10); ROW(11); ROW(12); ROW(13); ROW(14); ROW(15);
#undef ROW
		return;
	}
	for (unsigned r = 0; r < f->height; r++, px += d.v.pitch / 4) {
		const unsigned char *bits = glyph + r * row_bytes;
		bool underline = (c->attr & TERM_UNDERLINE) && r == f->height - 1;
		for (unsigned col = 0; col < f->width; col++) {
			bool on = underline || (bits[col / 8] >> (7 - col % 8) & 1);
			px[col] = on ? fore : back;
		}
	}
}

/* Whether a client holds the framebuffer (the console is not drawn meanwhile). */
static bool lent(void)
{
	pthread_mutex_lock(&d.lock);
	bool held = d.client != 0;
	pthread_mutex_unlock(&d.lock);
	return held;
}

/* The pixels of text rows top..bottom move up by n rows (down for n < 0), as the cells did. */
static void flush_scroll(void)
{
	if (lent())
		d.pending.n = 0; /* the pixels are the client's: all is drawn again when it is done */
	int n = d.pending.n;
	unsigned top = d.pending.top, bottom = d.pending.bottom, k = (unsigned)(n < 0 ? -n : n);
	d.pending.n = 0;
	if (!n)
		return;
	unsigned height = bottom - top + 1, cols = d.t.cols;
	if (k < height) {
		size_t line = (size_t)console_font.height * d.v.pitch;
		uint8_t *fb = (uint8_t *)d.v.fb;
		unsigned from = n > 0 ? top + k : top, to = n > 0 ? top : top + k;
		memmove(fb + to * line, fb + from * line, (height - k) * line);
		memmove(d.drawn + (size_t)to * cols, d.drawn + (size_t)from * cols,
			(size_t)(height - k) * cols * sizeof(*d.drawn));
	}
	/* The rows that came in: drawn again below. */
	unsigned first = n > 0 ? bottom + 1 - (k < height ? k : height) : top;
	for (unsigned y = first; y < first + (k < height ? k : height); y++)
		for (unsigned x = 0; x < cols; x++)
			d.drawn[(size_t)y * cols + x].ch = INVALID_CELL;
	if (d.cursor_y >= top && d.cursor_y <= bottom)
		d.cursor_shown = false; /* the cursor's pixels moved with the rows: drawn again */
}

static void on_scrolled(void *ctx, unsigned top, unsigned bottom, int n)
{
	(void)ctx;
	if (d.pending.n && (d.pending.top != top || d.pending.bottom != bottom ||
			    (d.pending.n > 0) != (n > 0)))
		flush_scroll();
	d.pending.top = top;
	d.pending.bottom = bottom;
	d.pending.n += n;
}

static void on_reply(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	/* A question in the history was answered by the service that drew it first. */
	if (d.replay_left > 0)
		return;
	if (write(d.vt, buf, len) < 0)
		return; /* the answer is lost, as a terminal's when the line is full */
}

static bool same_cell(const struct cell *a, const struct cell *b)
{
	return a->ch == b->ch && a->fg == b->fg && a->bg == b->bg && a->attr == b->attr;
}

/* Draws what changed since the last time, and the cursor; nothing while a client holds the
 * framebuffer (the terminal goes on: its cells are drawn once the console is back). */
static void render(void)
{
	if (lent())
		return;
	flush_scroll();
	unsigned cols = d.t.cols;
	if (d.cursor_shown)
		d.drawn[(size_t)d.cursor_y * cols + d.cursor_x].ch = INVALID_CELL;
	for (unsigned y = 0; y < d.t.rows; y++) {
		for (unsigned x = 0; x < cols; x++) {
			const struct cell *c = term_cell(&d.t, y, x);
			struct cell *shown = &d.drawn[(size_t)y * cols + x];
			if (!same_cell(c, shown)) {
				draw_cell(y, x, c, false);
				*shown = *c;
			}
		}
	}
	d.cursor_shown = d.t.cursor_visible;
	if (d.cursor_shown) {
		d.cursor_x = d.t.x;
		d.cursor_y = d.t.y;
		draw_cell(d.cursor_y, d.cursor_x, term_cell(&d.t, d.cursor_y, d.cursor_x), true);
	}
}

/* Everything is to be drawn again (the console is back from a client). */
static void forget_screen(void)
{
	d.pending.n = 0;
	for (size_t i = 0; i < (size_t)d.t.rows * d.t.cols; i++)
		d.drawn[i].ch = INVALID_CELL;
	d.cursor_shown = false;
}

static void info_of(struct display_info *info, int status)
{
	*info = (struct display_info){.status = status, .index = d.v.index, .width = d.v.width,
				      .height = d.v.height, .bpp = d.v.bpp, .pitch = d.v.pitch};
}

/* The console takes the framebuffer back from its client. */
static void take_back(void)
{
	dev_share(d.v.index, 0);
	pthread_mutex_lock(&d.lock);
	d.client = 0;
	pthread_mutex_unlock(&d.lock);
	if (write(d.wake[1], "", 1) < 0)
		return; /* a byte is there already */
}

/* The requests' thread: INFO, ACQUIRE, RELEASE (<ecl/screen.h>), and the holder's end. */
static void *serve(void *arg)
{
	(void)arg;
	static struct ipc_msg msg, reply;
	/* Messages go to the thread that registered the name: this one. */
	if (ipc_register("display") < 0) {
		printf("display: no clients: cannot register: %s\n", strerror(errno));
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&d.lock);
		pid_t holder = d.client;
		pthread_mutex_unlock(&d.lock);
		pid_t from = ipc_receive(0, &msg, holder ? CLIENT_CHECK_NS : IPC_FOREVER);
		if (holder && kill(holder, 0) < 0 && errno == ESRCH)
			take_back(); /* it ended holding the framebuffer */
		if (from <= 0 || (msg.flags & IPC_NOTIFY))
			continue;
		int status = 0;
		pthread_mutex_lock(&d.lock);
		holder = d.client;
		pthread_mutex_unlock(&d.lock);
		if (msg.type == DISPLAY_ACQUIRE && holder && holder != from) {
			status = -EBUSY;
		} else if (msg.type == DISPLAY_ACQUIRE && !holder) {
			if (dev_share(d.v.index, from) != 0) {
				status = -errno;
			} else {
				pthread_mutex_lock(&d.lock);
				d.client = from;
				pthread_mutex_unlock(&d.lock);
			}
		} else if (msg.type == DISPLAY_RELEASE) {
			if (holder == from)
				take_back();
			else
				status = -EPERM;
		} else if (msg.type != DISPLAY_INFO && msg.type != DISPLAY_ACQUIRE) {
			status = -EINVAL;
		}
		reply.type = msg.type;
		reply.len = sizeof(struct display_info);
		info_of((struct display_info *)reply.data, status);
		ipc_reply(from, &reply);
	}
	return NULL;
}

static int parse_mode(const char *s)
{
	char end;
	if (sscanf(s, "%ux%ux%u%c", &d.width, &d.height, &d.bpp, &end) != 3)
		return -1;
	return 0;
}

static int start(void)
{
	const char *why;
	if (vbe_open(&d.v, &why) != 0) {
		printf("display: %s (%s): /dev/tty1 is not drawn\n", why, strerror(errno));
		return 0;
	}
	if (vbe_set_mode(&d.v, d.width, d.height, d.bpp, &why) != 0) {
		printf("display: mode %ux%ux%u refused: %s (the adapter: at most %ux%ux%u, %zu KiB)\n",
		       d.width, d.height, d.bpp, why, d.v.max_width, d.v.max_height, d.v.max_bpp,
		       d.v.fb_size >> 10);
		vbe_close(&d.v);
		return 1;
	}
	unsigned rows = d.v.height / console_font.height, cols = d.v.width / console_font.width;
	d.drawn = malloc((size_t)rows * cols * sizeof(*d.drawn));
	if (!d.drawn || term_init(&d.t, rows, cols) != 0) {
		printf("display: out of memory for a %ux%u console\n", cols, rows);
		return 1;
	}
	for (size_t i = 0; i < (size_t)rows * cols; i++)
		d.drawn[i].ch = INVALID_CELL;
	d.t.scrolled = on_scrolled;
	d.t.reply = on_reply;
	palette_init();
	expand_init();
	d.vt = open(VT_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (d.vt < 0) {
		printf("display: cannot open " VT_PATH ": %s\n", strerror(errno));
		return 1;
	}
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols,
			     .ws_xpixel = (unsigned short)d.v.width,
			     .ws_ypixel = (unsigned short)d.v.height};
	ioctl(d.vt, TIOCSWINSZ, &ws);
	if (ioctl(d.vt, FIONREAD, &d.replay_left) < 0)
		d.replay_left = 0;
	/* The requests' thread takes no stop signal: they stop the main loop's wait. */
	pthread_t server;
	sigset_t stops, old;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	if (pipe2(d.wake, O_CLOEXEC | O_NONBLOCK) < 0 || pthread_create(&server, NULL, serve, NULL))
		printf("display: no clients: %s\n", strerror(errno));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	d.on = true;
	render();
	printf("display: %ux%ux%u on the display adapter; /dev/tty1 drawn as %ux%u text\n",
	       d.v.width, d.v.height, d.v.bpp, cols, rows);
	return 0;
}

/* Draws what comes to /dev/tty1 for up to ms. */
static void wait_output(long long ms)
{
	struct pollfd p[2] = {{.fd = d.vt, .events = POLLIN}, {.fd = d.wake[0], .events = POLLIN}};
	if (!d.on) {
		poll(NULL, 0, (int)ms);
		return;
	}
	if (poll(p, d.wake[0] >= 0 ? 2 : 1, (int)(ms > 60000 ? 60000 : ms)) <= 0)
		return;
	char byte;
	if ((p[1].revents & POLLIN) && read(d.wake[0], &byte, 1) == 1)
		forget_screen(); /* the console is back: all of it is drawn */
	static char buf[16384];
	ssize_t n;
	while ((n = read(d.vt, buf, sizeof(buf))) > 0) {
		/* The history first, without answering its questions again (term.c's replies). */
		size_t replay = d.replay_left > 0 ? (size_t)d.replay_left : 0;
		if (replay > (size_t)n)
			replay = (size_t)n;
		term_write(&d.t, buf, replay);
		d.replay_left -= (int)replay;
		term_write(&d.t, buf + replay, (size_t)n - replay);
	}
	render();
}

static void stop(void)
{
	if (d.on)
		vbe_close(&d.v);
	d.on = false;
}

int main(int argc, char **argv)
{
	static char line[STATUS_MAX], status[STATUS_MAX + 64];
	char *rest[argc + 1];
	int nrest = 0;
	parse_mode(MODE_DEFAULT);
	for (int i = 0; i < argc; i++) {
		if (i && !strncmp(argv[i], "--mode=", 7)) {
			if (parse_mode(argv[i] + 7)) {
				dprintf(2, "display: bad mode '%s' (expected WIDTHxHEIGHTxBPP, "
					   "like " MODE_DEFAULT ")\n", argv[i] + 7);
				return 2;
			}
		} else {
			rest[nrest++] = argv[i];
		}
	}
	rest[nrest] = NULL;
	if (read_status(line, sizeof line) == 0)
		snprintf(status, sizeof status, "status line from " STATUS_PATH ": %s", line);
	else
		snprintf(status, sizeof status, "no status line: " STATUS_PATH " unreadable: %s",
			 strerror(errno));
	const char *const setup[] = {status, NULL};
	const struct service_info svc = {.name = "display", .setup = setup, .heartbeat_ms = 5000,
					 .start = start, .wait = wait_output, .stop = stop};
	return service_main(&svc, nrest, rest);
}

/*
 * bench_console: work for the display service, written to /dev/tty1 (bench/display.sh times it
 * from the host, as a person would see it).
 *   bench_console redraw N   N full screens, each cell changed from the one before, each
 *                            drained (tcdrain: the display service read it) before the next
 *   bench_console scroll N   N lines written at the bottom, each scrolling the screen
 * A writer of /dev/tty1 waits while the display is 16 KiB behind (docs/display.md), so the
 * program ends at most that far ahead of the screen. It says what it did and how long it took
 * by its own clock.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TTY "/dev/tty1"
#define CHUNK 4096

static int fd;
static char out[CHUNK];
static size_t used;

static void flush(void)
{
	for (size_t done = 0; done < used;) {
		ssize_t n = write(fd, out + done, used - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "bench_console: write %s: %s\n", TTY, strerror(errno));
			exit(1);
		}
		done += (size_t)n;
	}
	used = 0;
}

static void put(const char *s, size_t n)
{
	if (used + n > sizeof(out))
		flush();
	memcpy(out + used, s, n);
	used += n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
	bool redraw = argc == 3 && !strcmp(argv[1], "redraw");
	if (n <= 0 || (!redraw && strcmp(argv[1], "scroll"))) {
		fprintf(stderr, "usage: bench_console redraw|scroll N\n");
		return 2;
	}
	fd = open(TTY, O_WRONLY | O_NOCTTY);
	struct winsize ws;
	if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col) {
		fprintf(stderr, "bench_console: %s: %s\n", TTY, strerror(errno));
		return 1;
	}
	char line[512], seq[32];
	unsigned cols = ws.ws_col < sizeof(line) ? ws.ws_col : sizeof(line) - 1;
	double start = now();
	if (redraw) {
		for (long k = 0; k < n; k++) {
			for (unsigned r = 0; r < ws.ws_row; r++) {
				/* row r of frame k: one letter, another in the next frame */
				memset(line, 'A' + (int)((k + r) % 26), cols);
				put(seq, (size_t)snprintf(seq, sizeof(seq), "\033[%u;1H", r + 1));
				put(line, cols);
			}
			flush();
			tcdrain(fd); /* the display reads the frame, so it draws each one */
		}
	} else {
		put(seq, (size_t)snprintf(seq, sizeof(seq), "\033[%u;1H", ws.ws_row));
		for (long k = 0; k < n; k++)
			put(line, (size_t)snprintf(line, sizeof(line), "line %ld of the scroll benchmark\n", k));
	}
	flush();
	double s = now() - start;
	printf("bench_console: %ld %s of %ux%u in %.3f s\n", n, redraw ? "redraws" : "lines scrolled",
	       ws.ws_col, ws.ws_row, s);
	return 0;
}

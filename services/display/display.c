/*
 * The display service: owns the console. At start it shows the system's status line, which it
 * reads from /etc/status through the filesystem service; then it heartbeats until stopped.
 */
#include <ecl/fs.h>
#include <ecl/ipc.h>
#include <ecl/service.h>
#include <ecl/time.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#define STATUS_PATH "/etc/status"
#define STATUS_MAX 120
#define LOOKUP_POLLS 100 /* of 10 ms each, for the filesystem to register */

/* Reads the first line of STATUS_PATH through the filesystem service into line (size bytes);
 * returns 0, or -1 with errno. */
static int read_status(char *line, size_t size)
{
	for (int polls = 0; ipc_lookup(FS_SERVICE_NAME) < 0; polls++) {
		if (errno != ENOENT || polls == LOOKUP_POLLS)
			return -1;
		sleep_ms(10);
	}
	int h = fs_open(STATUS_PATH, O_RDONLY);
	if (h < 0)
		return -1;
	ssize_t n = fs_read(h, line, size - 1);
	fs_close(h);
	if (n < 0)
		return -1;
	line[n] = '\0';
	char *newline = strchr(line, '\n');
	if (newline)
		*newline = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	static char line[STATUS_MAX], status[STATUS_MAX + 64];
	if (read_status(line, sizeof line) == 0)
		snprintf(status, sizeof status, "status line from " STATUS_PATH ": %s", line);
	else
		snprintf(status, sizeof status, "no status line: " STATUS_PATH " unreadable: %s",
			 strerror(errno));
	const char *const setup[] = {"console output on the serial line, 80x25 text", status, NULL};
	const struct service_info svc = {"display", setup, 5000};
	return service_main(&svc, argc, argv);
}

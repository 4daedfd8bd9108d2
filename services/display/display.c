/*
 * The display service: owns the console. At start it shows the system's status line, which it
 * reads from /etc/status (served by the filesystem service once it is up); then it heartbeats
 * until stopped.
 */
#include <ecl/service.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STATUS_PATH "/etc/status"
#define STATUS_MAX 120

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

int main(int argc, char **argv)
{
	static char line[STATUS_MAX], status[STATUS_MAX + 64];
	if (read_status(line, sizeof line) == 0)
		snprintf(status, sizeof status, "status line from " STATUS_PATH ": %s", line);
	else
		snprintf(status, sizeof status, "no status line: " STATUS_PATH " unreadable: %s",
			 strerror(errno));
	const char *const setup[] = {"console output on the serial line, 80x25 text", status, NULL};
	const struct service_info svc = {.name = "display", .setup = setup, .heartbeat_ms = 5000};
	return service_main(&svc, argc, argv);
}

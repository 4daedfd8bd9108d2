/*
 * A user's own service: the ticker, built on the same service_main as the system services.
 * When its boot image has /etc/ticker/greeting (boot-custom.cpio adds it), it also reports
 * that file's first line while it starts.
 */
#include <ecl/service.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define GREETING "/etc/ticker/greeting"

/* Reads the first line of GREETING into buf (size bytes); returns buf, or NULL without one. */
static const char *read_greeting(char *buf, size_t size)
{
	int fd = open(GREETING, O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	char *newline = strchr(buf, '\n');
	if (newline)
		*newline = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	static char line[128];
	const char *const setup[] = {"counting the seconds", read_greeting(line, sizeof line), NULL};
	const struct service_info svc = {.name = "ticker", .setup = setup, .heartbeat_ms = 1000};
	return service_main(&svc, argc, argv);
}

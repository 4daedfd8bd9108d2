/* The display service: will own the screen; for now it starts, heartbeats and stops. */
#include <ecl/service.h>

int main(int argc, char **argv)
{
	static const char *const setup[] = {"console output on the serial line, 80x25 text", NULL};
	static const struct service_info svc = {"display", setup, 5000};
	return service_main(&svc, argc, argv);
}

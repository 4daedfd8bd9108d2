/* The input service, to deliver keyboard and mouse events; for now: start, heartbeat, stop. */
#include <ecl/service.h>

int main(int argc, char **argv)
{
	static const char *const setup[] = {"keyboard and mouse event queues empty", NULL};
	static const struct service_info svc = {.name = "input", .setup = setup, .heartbeat_ms = 5000};
	return service_main(&svc, argc, argv);
}

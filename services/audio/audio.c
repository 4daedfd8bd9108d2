/* The audio service: will mix and play sound; for now it starts, heartbeats and stops. */
#include <ecl/service.h>

int main(int argc, char **argv)
{
	static const char *const setup[] = {"no sound device; mixer idle", NULL};
	static const struct service_info svc = {.name = "audio", .setup = setup, .heartbeat_ms = 5000};
	return service_main(&svc, argc, argv);
}

/* The network service: will own the network stack; for now it starts, heartbeats and stops. */
#include <ecl/service.h>

int main(int argc, char **argv)
{
	static const char *const setup[] = {"loopback interface lo: 127.0.0.1/8", NULL};
	static const struct service_info svc = {"network", setup, 5000};
	return service_main(&svc, argc, argv);
}

/* A user's own service: the ticker, built on the same service_main as the system services. */
#include <ecl/service.h>

int main(int argc, char **argv)
{
	static const char *const setup[] = {"counting the seconds", NULL};
	static const struct service_info svc = {"ticker", setup, 1000};
	return service_main(&svc, argc, argv);
}

/* The filesystem service: will serve files over IPC; for now it starts, heartbeats and stops. */
#include <ecl/service.h>

int main(int argc, char **argv)
{
	static const char *const setup[] = {"root is the boot image (cpio newc, read-only)", NULL};
	static const struct service_info svc = {"filesystem", setup, 5000};
	return service_main(&svc, argc, argv);
}

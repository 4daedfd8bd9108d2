/* The smallest guest: greets the world and names the system it runs on. */
#include <ecl/stdio.h>
#include <ecl/unistd.h>

int main(void)
{
	struct linux_utsname u;
	if (uname(&u) < 0)
		return 1;
	printf("hello, world from %s\n", u.sysname);
	return 0;
}

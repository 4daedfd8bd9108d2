/* The smallest guest: greets the world and names the system it runs on. */
#include <ecl/stdio.h>
#include <ecl/string.h>
#include <ecl/unistd.h>

int main(void)
{
	struct linux_utsname u;
	if (uname(&u) < 0)
		return 1;
	/* Eclipse OS gives programs Linux's ABI, and says who it is in the version. */
	printf("hello, world from %s\n", strstr(u.version, "Eclipse") ? "Eclipse" : u.sysname);
	return 0;
}

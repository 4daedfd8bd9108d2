/* The smallest guest: greets the world and names the system it runs on. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	if (uname(&u) < 0)
		return 1;
	/* Eclipse OS gives programs Linux's ABI, and says who it is in the version. */
	printf("hello, world from %s\n", strstr(u.version, "Eclipse") ? "Eclipse" : u.sysname);
	return 0;
}

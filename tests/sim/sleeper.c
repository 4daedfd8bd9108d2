/* Sleeps a second at a time, forever, saying so: a program only a signal ends. */
#include <eclipse.h>
#include <linux.h>
#include <ecl/stdio.h>
#include <ecl/syscall.h>

int main(void)
{
	for (int i = 0;; i++) {
		struct linux_timespec second = {1, 0};
		syscall2(SYS_nanosleep, (long)&second, 0);
		printf("slept %d\n", i + 1);
	}
}

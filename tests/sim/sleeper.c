/* Sleeps a second at a time, forever, saying so: a program only a signal ends. */
#include <stdio.h>
#include <time.h>

int main(void)
{
	/* A signal ends it: each line must be out by then. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0;; i++) {
		struct timespec second = {1, 0};
		nanosleep(&second, NULL);
		printf("slept %d\n", i + 1);
	}
}

/* Shared by the process tests: sleeping in milliseconds, and forking a child to run a function. */
#ifndef GUEST_PROC_H
#define GUEST_PROC_H

#include <ecl/stdlib.h>
#include <ecl/unistd.h>

/* Sleeps ms milliseconds; returns nanosleep's result. */
static inline int sleep_ms(long ms)
{
	struct linux_timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	return nanosleep(&ts, NULL);
}

/* Forks a child that exits with body(arg); returns its pid, or -1 (errno from fork). */
static inline pid_t spawn(int (*body)(int), int arg)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(body(arg));
	return pid;
}

#endif

/*
 * Shared by the process tests: forking a child to run a function, and sleeping in milliseconds
 * (<ecl/time.h>). A test whose children print makes stdout line-buffered first: a child ends
 * with _exit, which flushes nothing, and every line must come out in the order it happened.
 */
#ifndef GUEST_PROC_H
#define GUEST_PROC_H

#include <ecl/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* Forks a child that exits with body(arg); returns its pid, or -1 (errno from fork). */
static inline pid_t spawn(int (*body)(int), int arg)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(body(arg));
	return pid;
}

#endif

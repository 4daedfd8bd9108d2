/*
 * Shared by the IPC and signal tests: the guest tests' checks, forking a child to run a function,
 * sleeping, and messages that carry a few 64-bit numbers.
 */
#ifndef IPC_TEST_H
#define IPC_TEST_H

#include <ecl/ipc.h>
#include <ecl/time.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../guest/check.h"

#define MS 1000000ull /* nanoseconds, for IPC timeouts */

/* Forks a child that exits with body(arg); returns its pid, or -1 (errno from fork). */
static inline pid_t spawn(int (*body)(int), int arg)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(body(arg));
	return pid;
}

/* Sets m to a message of type carrying n numbers. */
static inline void msg_put(struct ipc_msg *m, unsigned type, const uint64_t *v, unsigned n)
{
	m->type = type;
	m->len = n * 8;
	if (n)
		memcpy(m->data, v, n * 8);
}

/* The i-th number in m. */
static inline uint64_t msg_get(const struct ipc_msg *m, unsigned i)
{
	uint64_t v;
	memcpy(&v, m->data + 8 * i, 8);
	return v;
}

/* Waits for pid; returns its wait status, or -1. */
static inline int reap(pid_t pid)
{
	int status;
	return waitpid(pid, &status, 0) == pid ? status : -1;
}

/* Reports whether pid ended with exit status code. */
static inline void check_exit(pid_t pid, int code, const char *what)
{
	int status = reap(pid);
	check(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code, what);
}

/* Reports whether pid was killed by sig. */
static inline void check_killed(pid_t pid, int sig, const char *what)
{
	int status = reap(pid);
	check(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == sig, what);
}

#endif

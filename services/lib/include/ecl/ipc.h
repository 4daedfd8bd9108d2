/*
 * Message passing, libc-style wrappers of the Eclipse calls 502-507: synchronous send, receive,
 * call and reply of a struct ipc_msg (a 16-byte header and up to IPC_PAYLOAD_MAX bytes, copied
 * by the kernel), and the registry of service names. On failure they return -1 and set errno:
 * EAGAIN (timeout 0 and no partner ready), ETIMEDOUT, EPIPE (the partner died), EINTR (a handled
 * signal), EDEADLK (oneself), ESRCH (no such process, or no call of it waiting for our reply),
 * EINVAL (len above IPC_PAYLOAD_MAX, an empty name), ENAMETOOLONG (a name of IPC_NAME_MAX
 * characters or more), EFAULT (nothing is sent or received then), ENOENT (no such name), EEXIST
 * (a name another process holds).
 * Timeouts are in nanoseconds: IPC_FOREVER, 0 for never block, or a span.
 */
#ifndef ECL_IPC_H
#define ECL_IPC_H

#include <eclipse.h>
#include <stdint.h>
#include <sys/types.h>

/* Delivers msg (its type, len and data; sender is set by the kernel) to pid; returns 0. */
int ipc_send(pid_t pid, const struct ipc_msg *msg, uint64_t timeout_ns);
/* Takes the next message from pid (0: from anyone) into *msg; returns the sender's pid. */
pid_t ipc_receive(pid_t from, struct ipc_msg *msg, uint64_t timeout_ns);
/* Sends req to pid and waits for its reply in *reply; the timeout covers both; returns 0. */
int ipc_call(pid_t pid, const struct ipc_msg *req, struct ipc_msg *reply, uint64_t timeout_ns);
/* Answers the call of pid that we received, never blocking; returns 0. */
int ipc_reply(pid_t pid, const struct ipc_msg *msg);
/* Registers the caller under name (1 to IPC_NAME_MAX - 1 characters) until it exits; 0. */
int ipc_register(const char *name);
/* Returns the pid registered under name. */
pid_t ipc_lookup(const char *name);

#endif

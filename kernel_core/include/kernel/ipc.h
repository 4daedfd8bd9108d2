/* Synchronous message passing between threads, and the service registry. */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <kernel/proc.h>

/* A blocked IPC call of t ends with result (timeout, signal): t leaves every queue. */
void ipc_cancel(struct thread *t, long result);
/* t is ending: everyone blocked on it wakes with -EPIPE (or, waiting for a file-server
 * answer, EIO); its names are unregistered. */
void ipc_exit(struct thread *t);

/* File-server requests (srvfs.c): client sends its request to server as a call. */
void ipc_kernel_send(struct thread *client, struct thread *server);
/* client's request in flight is given up: it leaves the server's queue. */
void ipc_kernel_abandon(struct thread *client);
/* The server has client's request (it may use the grant). */
bool ipc_kernel_delivered(const struct thread *client);
/* A message was posted for server: a receive waiting for one takes it now. */
void ipc_kernel_post_ready(struct thread *server);

/* t has notifications (t->notify): a receive waiting for them takes them now. */
void ipc_notify_ready(struct thread *t);

/* Empties the registry (boot). */
void ipc_reset(void);

long sys_ipc_send(struct thread *t, const uint64_t *a);
long sys_ipc_receive(struct thread *t, const uint64_t *a);
long sys_ipc_call(struct thread *t, const uint64_t *a);
long sys_ipc_reply(struct thread *t, const uint64_t *a);
long sys_ipc_register(struct thread *t, const uint64_t *a);
long sys_ipc_lookup(struct thread *t, const uint64_t *a);

#endif

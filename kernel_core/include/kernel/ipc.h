/* Synchronous message passing between processes, and the service registry. */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <kernel/proc.h>

/* p, blocked in IPC, was woken before its partner or deadline: it waits on. */
void ipc_wait_again(struct proc *p);
/* A blocked IPC call of p ends with result (timeout, signal): p leaves every queue. */
void ipc_cancel(struct proc *p, long result);
/* p is ending: everyone blocked on it wakes with -EPIPE; its names are unregistered. */
void ipc_exit(struct proc *p);

/* Empties the registry (boot). */
void ipc_reset(void);

long sys_ipc_send(struct proc *p, const uint64_t *a);
long sys_ipc_receive(struct proc *p, const uint64_t *a);
long sys_ipc_call(struct proc *p, const uint64_t *a);
long sys_ipc_reply(struct proc *p, const uint64_t *a);
long sys_ipc_register(struct proc *p, const uint64_t *a);
long sys_ipc_lookup(struct proc *p, const uint64_t *a);

#endif

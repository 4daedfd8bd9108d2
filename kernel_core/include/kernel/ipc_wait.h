/* The state of a process blocked in an IPC call (a part of struct proc). */
#ifndef KERNEL_IPC_WAIT_H
#define KERNEL_IPC_WAIT_H

#include <kernel/types.h>

struct proc;

/* Where a process stands in an IPC call while it is blocked (proc.ipc). */
enum ipc_state {
	IPC_IDLE,
	IPC_SENDING,   /* queued on peer until it receives (send, or the first half of call) */
	IPC_REPLYWAIT, /* call delivered: waiting for peer's reply */
	IPC_RECEIVING, /* waiting for a message from peer (0: anyone) */
};

struct ipc_wait {
	enum ipc_state state;
	bool calling;     /* the send is the first half of a call */
	int peer;
	uint64_t msg_at;  /* SENDING: the message to deliver */
	uint64_t buf_at;  /* RECEIVING: where a message goes; REPLYWAIT: where the reply goes */
	struct proc *next; /* SENDING: the peer's queue of senders */
};

#endif

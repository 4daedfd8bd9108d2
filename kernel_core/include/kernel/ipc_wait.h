/* Where a thread stands in an IPC call (a part of struct thread). */
#ifndef KERNEL_IPC_WAIT_H
#define KERNEL_IPC_WAIT_H

#include <kernel/types.h>

struct thread;

enum ipc_state {
	IPC_IDLE,
	IPC_SENDING,   /* queued on peer until it receives (send, or the first half of call) */
	IPC_REPLYWAIT, /* call delivered: waiting for peer's reply */
	IPC_RECEIVING, /* waiting for a message from peer (0: anyone) */
};

struct ipc_wait {
	enum ipc_state state;
	bool calling;      /* the send is the first half of a call */
	bool kernel;       /* a file-server request the kernel sends for this thread (srvfs.c) */
	int peer;
	uint64_t msg_at;   /* SENDING: the message to deliver */
	uint64_t buf_at;   /* RECEIVING: where a message goes; REPLYWAIT: where the reply goes */
	struct thread *next; /* SENDING: the peer's queue of senders */
};

#endif

/*
 * Blocking, made one thing: a thread that cannot go on with its syscall has one wait record
 * saying what it waits for, until when, and how a signal ends it (seL4's thread state). This
 * file is the one place that puts threads to sleep, wakes them, times them out and interrupts
 * them.
 *
 * Two shapes of wait:
 *  - rerun (WAIT_RERUN): the syscall looks at the world again when woken. It is run again by
 *    the kernel, with the same registers, before the thread returns to user mode; it finds its
 *    deadline and any progress in the record (wait_deadline, wait.done). Pipes, ttys, poll,
 *    wait4, sleeps, signal waits and file-server calls block this way.
 *  - result: whoever ends the wait writes the syscall's result (wait_complete): IPC, futex,
 *    vfork, where what happened cannot be seen again afterwards.
 */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include <kernel/types.h>

struct thread;

enum wait_kind {
	WAIT_NONE,
	WAIT_SLEEP,  /* nanosleep, clock_nanosleep: the deadline alone */
	WAIT_CHILD,  /* wait4, waitid: key is the waiting process */
	WAIT_IPC,    /* an IPC send, receive or call: thread.ipc says which half */
	WAIT_PIPE,   /* key is the pipe */
	WAIT_FIFO_OPEN, /* a FIFO's open waits for the other end: key is the pipe */
	WAIT_TTY,    /* key is the tty */
	WAIT_FUTEX,  /* key is the futex's key */
	WAIT_POLL,   /* poll, select: woken by any change of any object */
	WAIT_SIGNAL, /* sigsuspend, sigtimedwait, pause: wait.sigset ends it too */
	WAIT_VFORK,  /* key is the child that borrows our memory */
	WAIT_SERVER, /* a file server's reply: key is the thread itself */
	WAIT_MOUNT,  /* a path waits for the root filesystem's server to come up */
	WAIT_SOCKET, /* an Internet socket's readiness: key is its slot (inet.c) */
};

/* Flags of a wait. */
#define WAIT_RERUN 0x1u       /* the syscall runs again when woken (else the waker sets rax) */
#define WAIT_INTR 0x2u        /* a handled signal ends the wait */
#define WAIT_RESTARTABLE 0x4u /* ... and with SA_RESTART the call starts over after the handler */

struct wait {
	enum wait_kind kind;
	unsigned flags;
	uint64_t key;
	uint64_t deadline;  /* monotonic ns; UINT64_MAX: none */
	uint64_t done;      /* progress a rerun call keeps (bytes already written, ...) */
	uint64_t sigset;    /* WAIT_SIGNAL: the signals that end it (bit sig-1) */
	uint32_t bitset;    /* WAIT_FUTEX: FUTEX_WAIT_BITSET's mask */
	long early;         /* the result when a handled signal ends a wait: -EINTR, or a count */
	struct thread *hnext, **hprev; /* on the key's hash chain */
};

/* The syscall handler's word that the thread blocked (never seen by the guest). */
#define EBLOCKED 513

/* Blocks t (the thread running the syscall) on key until deadline (UINT64_MAX: none); flags
 * as above. Returns -EBLOCKED for the handler to return. */
long wait_block(struct thread *t, enum wait_kind kind, uint64_t key, uint64_t deadline,
		unsigned flags);
/* Wakes every thread waiting on key, and every thread in poll. */
void wait_wake(uint64_t key);
/* Ends t's result-shaped wait: rax = result, t runnable (or stopped with its process). */
void wait_complete(struct thread *t, long result);
/* Wakes t to look again (its deadline passed, a signal came): it leaves its key's chain. */
void wait_wake_thread(struct thread *t);
/* Ends the result-shaped waits of up to n threads waiting on key for which match (if set)
 * says so, with result; moves up to n2 more to key2 (when key2 is not 0). How many woke. */
unsigned wait_complete_n(uint64_t key, unsigned n, bool (*match)(const struct thread *, void *),
			 void *arg, long result, uint64_t key2, unsigned n2, unsigned *moved);
/* Forgets t's wait entirely (its syscall ended, or the thread goes away). */
void wait_clear(struct thread *t);
/* The deadline for a call that may wait rel_ns from now: the one recorded when the call runs
 * again after a wait, else now + rel_ns (UINT64_MAX for rel_ns UINT64_MAX). */
uint64_t wait_deadline(struct thread *t, uint64_t rel_ns);
/* True while t's syscall runs again after a wait (its record holds deadline and progress). */
bool wait_rerunning(const struct thread *t);
/* A key for an object pointer. */
#define WAIT_KEY(obj) ((uint64_t)(uintptr_t)(obj))

/*
 * The scheduler picked t: finish whatever wait it was woken from (rerun its syscall, time it
 * out, or let a signal end it). True when t may go on to user mode; false when it waits again
 * or went away.
 */
bool wait_resume(struct thread *t);
/* A handled signal is about to run on t while it waits: the call fails with its early result,
 * or (restart set and the wait allows it) starts over after the handler. */
void wait_interrupt(struct thread *t, bool restart);

/* Threads with a deadline, in deadline order (scheduler's timer list). */
void wait_timers_fire(uint64_t now);
/* The earliest deadline of a waiting thread, or UINT64_MAX. */
uint64_t wait_next_deadline(void);
/* Forgets every wait (boot). */
void wait_reset(void);

#endif

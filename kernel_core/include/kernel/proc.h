/* Processes: the table, their states, and the life of one from spawn to death. */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <kernel/fd.h>
#include <kernel/ipc_wait.h>
#include <kernel/mm.h>
#include <kernel/plat.h>
#include <kernel/types.h>

#define PROC_NAME_MAX 32
#define PROC_LIMIT_DEFAULT 1024
#define PROC_LIMIT_MAX 4096
#define PROC_NSIG 64 /* signals 1..64 */

struct linux_sigaction;

enum proc_state {
	PROC_RUNNABLE,
	PROC_SLEEPING, /* until wake_at */
	PROC_BLOCKED,  /* in a syscall that runs again when something it waits for happens */
	PROC_STOPPED,  /* by SIGSTOP and friends, until SIGCONT */
	PROC_ZOMBIE,
};

struct proc {
	int pid;
	int pgid;
	enum proc_state state;
	struct proc *parent;
	struct proc *children, *sibling; /* the parent's list of its children */
	char name[PROC_NAME_MAX];
	struct uctx ctx;
	struct mm mm;
	struct fdtable fds;
	uint64_t wake_at;   /* monotonic ns, while sleeping */
	int wait_status;    /* Linux wait status, once a zombie */
	uint64_t sig_pending, sig_blocked;  /* bit sig-1 */
	uint64_t sig_info[PROC_NSIG];       /* per pending signal: see signal.c */
	uint64_t sig_addr;                  /* fault address of a pending SIGSEGV, SIGBUS ... */
	struct linux_sigaction *sig_action; /* PROC_NSIG entries */
	uint64_t fault_addr, fault_rip;
	unsigned fault_repeats; /* the same fault resolved again and again means no progress */
	struct proc *run_next;  /* run queue link */
	/* Where a blocked syscall stands: RESTART_WAIT runs again on wake-up (its instruction
	 * pointer was rewound); RESTART_SLEEP has its result in rax already; RESTART_IPC gets its
	 * result in rax when the partner completes it (ipc.c). A handled signal turns any into
	 * -EINTR. */
	enum { RESTART_NONE, RESTART_WAIT, RESTART_SLEEP, RESTART_IPC } restart;
	uint64_t sleep_until, sleep_rem_at; /* RESTART_SLEEP: deadline, where to store the rest */
	struct ipc_wait ipc;                /* RESTART_IPC: the call it is blocked in */
	uint64_t ipc_deadline;              /* RESTART_IPC: when it times out (UINT64_MAX: never) */
	int stop_report;                    /* stopped by this signal, not yet told to wait4 */
	bool cont_report;                   /* continued, not yet told to wait4 (WCONTINUED) */
	struct proc *ipc_senders;          /* processes blocked sending to this one, in order */
};

/* The process the CPU runs now (NULL between processes). */
extern struct proc *proc_current;

/* Sets the process limit (1..PROC_LIMIT_MAX) and empties the table. */
void proc_init(unsigned limit);
/* A new process with a fresh, empty memory; not yet runnable. NULL with *err set on failure. */
struct proc *proc_alloc(struct proc *parent, int *err);
/* The process with pid, or NULL. */
struct proc *proc_find(int pid);
/* Ends p with Linux wait status: frees its memory, makes it a zombie, gives its children to
 * PID 1 and wakes whoever waits for it. */
void proc_exit(struct proc *p, int wait_status);
/* Wakes q if it is blocked in wait4 (a child of it changed state). */
void proc_wake_waiter(struct proc *q);
/* Kills p with signal sig after a user-mode fault or exception, printing one line on stderr. */
void proc_kill_fault(struct proc *p, int sig, uint64_t fault_addr);
/* Frees a zombie's last resources and its pid. */
void proc_reap(struct proc *p);
/* Iterates over the table: start with *cursor 0; NULL at the end. */
struct proc *proc_next(unsigned *cursor);
/* Ends and frees every process (shutdown, tests). */
void proc_reap_all(void);
/* Number of live and zombie processes. */
unsigned proc_count(void);
/* Name of signal sig, such as "SIGSEGV". */
const char *signal_name(int sig);

/* Run queue: round robin over runnable processes, sleeping ones woken by the clock. */
void sched_make_runnable(struct proc *p);
void sched_sleep_until(struct proc *p, uint64_t deadline_ns);
/* The process to run (the queue's head). When none is runnable, waits for the first sleeper,
 * but not past horizon (monotonic ns); NULL if still none is runnable. */
struct proc *sched_pick(uint64_t horizon);
/* True when some process sleeps until a deadline. */
bool sched_has_sleepers(void);
/* The running process's slice ended: the next runnable one goes first. */
void sched_rotate(void);
/* p waits in a syscall (PROC_BLOCKED) until sched_make_runnable. */
void sched_block(struct proc *p);
/* Removes p from the run queue (it died or blocks). */
void sched_remove(struct proc *p);

#endif

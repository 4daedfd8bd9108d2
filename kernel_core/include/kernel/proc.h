/*
 * Processes and threads. A process owns what its threads share: memory, descriptors, the
 * filesystem context, signal actions, its place among processes (parent, children, group,
 * session) and its exit status. A thread is what the CPU runs: registers, its wait, its signal
 * mask. Ids come from one space, as on Linux: a process's pid is its first thread's tid.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <kernel/fd.h>
#include <kernel/ipc_wait.h>
#include <kernel/mm.h>
#include <kernel/plat.h>
#include <kernel/types.h>
#include <kernel/wait.h>

#define PROC_NAME_MAX 16 /* like Linux's TASK_COMM_LEN */
#define PROC_LIMIT_DEFAULT 1024
#define PROC_LIMIT_MAX 4096
#define PROC_NSIG 64 /* signals 1..64 */

struct linux_sigaction;
struct fs_ctx;
struct tty;

enum thread_state {
	THREAD_RUNNABLE,
	THREAD_BLOCKED, /* in a syscall: thread.wait says on what */
	THREAD_STOPPED, /* its process is stopped (SIGSTOP and friends) until SIGCONT */
	THREAD_DEAD,    /* exited; freed once its process no longer needs it */
};

struct thread {
	int tid;
	struct proc *proc;
	enum thread_state state;
	struct uctx ctx;
	struct wait wait;
	struct ipc_wait ipc;            /* an IPC call in progress */
	struct thread *ipc_senders;     /* threads blocked sending to this one, in order */
	uint64_t notify;                /* notifications not yet received: bit i, PCI function i */
	uint64_t sig_blocked;
	uint64_t sig_pending;           /* directed at this thread (tgkill, faults); bit sig-1 */
	uint64_t sig_info[PROC_NSIG];   /* per pending signal: see signal.c */
	uint64_t sig_addr;              /* fault address of a pending SIGSEGV, SIGBUS ... */
	uint64_t saved_mask;            /* the mask before sigsuspend, restored after its handler */
	bool mask_saved;
	uint64_t altstack_sp, altstack_size; /* sigaltstack; size 0: none */
	bool altstack_disabled;
	uint64_t fault_addr, fault_rip;
	unsigned fault_repeats; /* the same fault resolved again and again means no progress */
	uint64_t clear_child_tid; /* CLONE_CHILD_CLEARTID, set_tid_address */
	uint64_t robust_list, robust_len;
	struct thread *run_next;  /* run queue link */
	struct thread *sibling;   /* the next thread of the same process */
	struct thread *timer_next, **timer_prev; /* waits with a deadline, in deadline order */
	struct server_call *srv;  /* file-server calls of the syscall in progress (vfs.c) */
	unsigned msg_flags;       /* MSG_* of the send or receive call in progress, else 0 */
	uint64_t msg_peeked;      /* bytes a MSG_PEEK receive has copied so far */
	uint64_t net_done;        /* an Internet socket call's progress across its waits (inet.c) */
	uint64_t net_deadline;    /* ... and when its waiting ends (0: not set yet) */
	char name[PROC_NAME_MAX]; /* prctl(PR_SET_NAME); the program's name at first */
};

struct rlimit_pair {
	uint64_t cur, max;
};
#define RLIM_NLIMITS 16

enum proc_state {
	PROC_ALIVE,
	PROC_ZOMBIE, /* every thread ended: waits for its parent's wait4 */
};

struct proc {
	int pid;
	int pgid, sid;
	enum proc_state state;
	struct proc *parent;
	struct proc *children, *sibling; /* the parent's list of its children */
	struct thread *threads;          /* its live threads, newest first */
	unsigned nthreads;
	char name[PROC_NAME_MAX];        /* the program's file name */
	char *exe;                       /* the path it was started from (kmalloc'd) */
	struct inode *exe_ino;           /* the program's file (/proc/PID/exe leads to it) */
	uint64_t arg_start, arg_end, env_start, env_end; /* its argv and envp strings */
	struct mm *mm;
	struct fdtable *fds;
	struct fs_ctx *fs;
	struct linux_sigaction *sig_action; /* PROC_NSIG entries */
	uint64_t sig_pending;               /* directed at the process */
	uint64_t sig_info[PROC_NSIG];
	int wait_status;     /* Linux wait status, once a zombie */
	bool started;        /* it ran, or could: a fork that failed half-way ends silently */
	int exit_signal;     /* sent to the parent when it ends (SIGCHLD, or clone's choice) */
	bool exiting;        /* exit_group or a fatal signal: its threads end */
	int exit_status;     /* ... with this wait status */
	bool stopped;        /* stopped by a signal, until SIGCONT */
	int stop_report;     /* stopped by this signal, not yet told to wait4 */
	bool cont_report;    /* continued, not yet told to wait4 (WCONTINUED) */
	struct thread *vfork_parent; /* waits until we exec or exit (CLONE_VFORK) */
	struct tty *tty;     /* controlling terminal */
	struct rlimit_pair rlim[RLIM_NLIMITS];
	uint64_t alarm_at, alarm_interval; /* ITIMER_REAL: next SIGALRM (0: none), period */
	struct proc *alarm_next;
	uint64_t start_ns;   /* monotonic time it was created */
	uint64_t cpu_ns;     /* time its threads ran */
	uint64_t children_cpu_ns; /* of its reaped children */
	struct plat_io_perm io;   /* the ports of the devices it claimed (pci.c) */
};

/* The thread the CPU runs now (NULL between threads). */
extern struct thread *thread_current;

/* Sets the process limit (1..PROC_LIMIT_MAX; threads count too) and empties the tables. */
void proc_init(unsigned limit);
/* A new process with one thread (*t), a fresh empty memory and descriptor table, not yet
 * runnable, child of parent (may be NULL). NULL with *err set on failure. */
struct proc *proc_alloc(struct proc *parent, struct thread **t, int *err);
/* A new thread of p, not yet runnable; NULL with *err set. */
struct thread *thread_alloc(struct proc *p, int *err);
/* The live or zombie process with pid, or NULL. */
struct proc *proc_find(int pid);
/* The thread with tid, or NULL. */
struct thread *thread_find(int tid);
/* Ends thread t: the process ends with wait_status when it was its last thread. */
void thread_exit(struct thread *t, int wait_status);
/* Ends every thread of p (exit_group, a fatal signal): p becomes a zombie with wait_status. */
void proc_exit(struct proc *p, int wait_status);
/* Wakes whoever waits in wait4 for a child of q. */
void proc_wake_waiter(struct proc *q);
/* Kills t's process with signal sig after a user-mode fault of t, printing one line (code and
 * fault_addr as in signal_fault). */
void proc_kill_fault(struct thread *t, int sig, int code, uint64_t fault_addr);
/* Frees a zombie's last resources and its pid. */
void proc_reap(struct proc *p);
/* Iterates over processes: start with *cursor 0; NULL at the end. */
struct proc *proc_next(unsigned *cursor);
/* Iterates over threads the same way. */
struct thread *thread_next(unsigned *cursor);
/* Ends and frees every process (shutdown, tests). */
void proc_reap_all(void);
/* Ids in use (processes, threads, zombies). */
unsigned proc_count(void);
/* Gives t the id tid (its process's pid, free since its main thread ended: exec). */
void thread_take_id(struct thread *t, int tid);
/* Frees the threads that ended (a safe point: nobody holds them). */
void proc_collect(void);
/* Whether proc_collect has anything to do. */
bool proc_collect_pending(void);
/* The process's main thread (its first live one), or NULL for a zombie. */
struct thread *proc_main_thread(const struct proc *p);
/* Name of signal sig, such as "SIGSEGV". */
const char *signal_name(int sig);

/* Run queue: round robin over runnable threads. */
void sched_make_runnable(struct thread *t);
/* The thread to run (the queue's head, after the waits whose deadline passed ended), or NULL. */
struct thread *sched_pick(void);
/* The queue's head as it is, or NULL. */
struct thread *sched_head(void);
/* True when some thread waits with a deadline. */
bool sched_has_timers(void);
/* The running thread's slice ended: the next runnable one goes first. */
void sched_rotate(void);
/* Removes t from the run queue (it blocks, stops or dies). */
void sched_remove(struct thread *t);
/* True when the running thread should give the CPU up now (it yielded). */
bool sched_switch_wanted(const struct thread *running);
void sched_reset(void);

#endif

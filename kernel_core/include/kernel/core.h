/*
 * The kernel as its platforms see it: the one kernel header sim/ includes (the build gives it
 * no other), with plat.h, the contract a platform implements, and types.h. Boot and run, the
 * fast-syscall entry, threads as handles, a process's memory, the observers a debugger and a
 * tracer hang on the kernel, and the pages the platform needs for its own CPU. The structures
 * behind the handles (struct thread, struct mm) stay the kernel's.
 */
#ifndef KERNEL_CORE_H
#define KERNEL_CORE_H

#include <kernel/plat.h>

#define ECLIPSE_VERSION "0.1.0"

#define TRACE_SYSCALL 0x1u
#define TRACE_SCHED 0x2u
#define TRACE_DEVICE 0x4u /* the platform's devices: trace_device lines */

struct thread;
struct mm;

/* A program image as an exec observer sees it: its bytes in kernel memory (mem NULL when they
 * were in the old memory of the process, gone by then), and a stable identity when it has one
 * (0 when not): the same unchanged file has the same id. */
struct core_image {
	const void *mem;
	size_t len;
	uint64_t id;
};

/* What an event observer (kernel_config.on_event) hears: one thing that happened to thread t
 * just now (at plat_clock_ns), with the fields of its kind. The kernel reports each where it
 * happens, so that events come in the order of the clock; the same run reports the same events
 * whether or not the platform switches threads directly (core_switch_direct). */
enum core_event_kind {
	CORE_EVENT_SYSCALL,     /* t starts a syscall: .syscall's nr and name */
	CORE_EVENT_SYSCALL_END, /* t's syscall, started before, returns .syscall.result; one whose
				 * thread dies first ends with the thread's CORE_EVENT_EXIT */
	CORE_EVENT_FAULT,       /* t trapped on a CPU exception: .fault */
	CORE_EVENT_SIGNAL,      /* a signal reaches t: .signal */
	CORE_EVENT_IPC,         /* t's message reached another thread: .ipc */
	CORE_EVENT_RUN,         /* the CPU runs t from now on; t NULL: the CPU idles */
	CORE_EVENT_EXEC,        /* t runs the program at .exec.path from its entry point */
	CORE_EVENT_FORK,        /* .fork.child (a thread, or a new process's first) was cloned from t */
	CORE_EVENT_EXIT,        /* t ended: .exit */
};

/* What a signal that reaches a thread does there. */
enum core_signal_fate {
	CORE_SIGNAL_HANDLED, /* its handler runs */
	CORE_SIGNAL_IGNORED,
	CORE_SIGNAL_STOPS,   /* the process stops */
	CORE_SIGNAL_KILLS,   /* the process ends */
};

/* What a message is. */
enum core_ipc_kind {
	CORE_IPC_SEND,  /* one way */
	CORE_IPC_CALL,  /* its sender waits for the reply */
	CORE_IPC_REPLY, /* the answer to a call */
};

struct core_event {
	enum core_event_kind kind;
	struct thread *t;
	union {
		struct {
			uint64_t nr;
			const char *name; /* Linux's name for a call only Linux has; NULL: none */
			long result;      /* at the end: the result, or -errno */
		} syscall;
		struct {
			unsigned vector; /* 14: a page fault (resolved, or a signal follows) */
			uint64_t addr;   /* a page fault's address, else 0 */
			uint64_t rip;
		} fault;
		struct {
			int sig;
			const char *name; /* SIGCHLD */
			enum core_signal_fate fate;
		} signal;
		struct {
			struct thread *to;
			enum core_ipc_kind kind;
			bool kernel; /* a request the kernel sent to a server for t's file call (or
				      * socket, device call), or the server's answer to one */
		} ipc;
		struct {
			const char *path;
			int old_tid; /* t's id before: a thread other than its process's first
				      * that execs takes the process's id (Linux's de_thread) */
		} exec;
		struct {
			struct thread *child;
		} fork;
		struct {
			int wait_status;   /* as wait4 reports it */
			bool process_ends; /* t was its process's last thread */
		} exit;
	};
};

struct kernel_config {
	unsigned trace;       /* TRACE_* */
	unsigned max_procs;   /* processes and threads at once, 1..CORE_THREADS_MAX; 0: the default */
	uint64_t max_time_ns; /* 0: none; else PID 1 gets SIGTERM at this monotonic time */
	bool quiet;           /* no messages about a stop that was asked for (time limit, Ctrl-C) */
	bool no_direct_switch; /* core_switch_direct always declines (to compare with the loop) */
	/* Optional observers for the platform's debugger and tracer; NULL when unused. */
	/* t now runs the program at path from its entry point. */
	void (*on_exec)(struct thread *t, const char *path, const struct core_image *img);
	/* child (a new thread, or the first of a new process) was just cloned from parent. */
	void (*on_fork)(struct thread *parent, struct thread *child);
	/* t, its process's last thread, ended with wait4's status for the process. */
	void (*on_exit)(struct thread *t, int wait_status);
	/* t faulted and is about to get sig (addr is siginfo's si_addr): the signal to act on
	 * instead, or 0 for none (t then runs the faulting instruction again). */
	int (*on_fault)(struct thread *t, int sig, uint64_t addr);
	/* Writes the lines that say where t made the syscall just traced, each " > ...\n", into
	 * buf (size bytes): their length, 0 for none (--trace=stack). */
	size_t (*trace_stack)(struct thread *t, char *buf, size_t size);
	/* Takes the trace's lines, whole, instead of the console's stream 2 (--trace-file). */
	void (*trace_write)(const char *buf, size_t len);
	/* Writes where the machine is into buf (size bytes), to start each trace line with
	 * (--trace=pos): its length. */
	size_t (*trace_position)(char *buf, size_t size);
	/* The kernel wrote len bytes of a process's memory at physical pa (a syscall's copy out:
	 * a debugger's watchpoints see it). */
	void (*on_user_write)(uint64_t pa, size_t len);
	/* Hears of each event of the run as it happens (a timeline); the kernel builds none
	 * when it is NULL. */
	void (*on_event)(const struct core_event *e);
	/* When set, a file server the kernel starts from this boot-image path right after the
	 * first process, serving "/" (a standalone program's writable root); the first
	 * process's file calls wait until it serves (or gives up). */
	const char *root_server;
	const char *const *root_server_argv;
};

/* A line of the trace from the platform's devices, "[dev S.US] " and the formatted text, when
 * TRACE_DEVICE is on (the sim's device models: requests, resets, refused DMA, lines). */
void trace_device(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How long PID 1 has to shut down after SIGTERM before the machine stops anyway. */
#define SHUTDOWN_GRACE_NS (30ull * 1000000000ull)

extern struct kernel_config kernel_cfg;

/* Brings up frames, the kernel address space and the platform's CPU. 0 or -errno. */
int kernel_init(const struct kernel_config *cfg);
/* Starts program image as a new process with no parent. Its pid, or -errno (*elf_err set:
 * 0 when the image was not at fault, else why it was refused, see core_elf_strerror). */
int kernel_spawn(const char *path, const void *image, size_t len, const char *const *argv,
		 const char *const *envp, int *elf_err);
/* Starts the program at path (boot image, or platform files) as a new process with no parent:
 * its pid, or -errno (*elf_err set for a rejected ELF). */
int kernel_spawn_file(const char *path, const char *const *argv, const char *const *envp,
		      int *elf_err);
/* Runs processes until the first one spawned ends: its Linux wait status, or -EDEADLK when
 * every process blocked, -EINTR when the user stopped the machine at once, -ETIMEDOUT when PID 1
 * outlived its shutdown grace period. */
int kernel_run(void);
/* Asks the first process to shut down, as the platform's stop requests do (Ctrl-C at a
 * console where no job is in the foreground). */
void kernel_request_stop(void);
/* Frees every process and kernel structure (after kernel_run, or to abandon a boot). */
void kernel_fini(void);

/* What is still allocated: frames in use and kernel objects (the leak check after
 * kernel_fini; the platform subtracts frames of its own). */
size_t core_frames_used(void);
size_t core_objects_live(void);

/* Why an ELF image was refused (kernel_spawn's *elf_err): a sentence, and a short name. */
const char *core_elf_strerror(int elf_err);
const char *core_elf_error_name(int elf_err);
/* Whether the boot image (a cpio archive of len bytes) holds a file at path. */
bool core_image_has(const void *archive, size_t len, const char *path);

/* The fast-syscall entry: what the platform's syscall hook does after core_syscall_fast. */
enum fast_result {
	FAST_DONE,      /* rax = result; the thread goes on in user mode */
	FAST_DONE_STOP, /* rax = result; then stop: the kernel has work (a signal, a switch) */
	FAST_BLOCKED,   /* rax untouched; stop: the thread waits */
	FAST_SLOW,      /* nothing done; stop and deliver a TRAP_SYSCALL */
};
/* From the platform's syscall hook, with the current thread's arguments read from the CPU
 * (syscall_nargs(nr) of them). */
enum fast_result syscall_fast(struct thread *t, uint64_t nr, const uint64_t *args, long *result);
/* How many argument registers syscall nr reads. */
unsigned syscall_nargs(uint64_t nr);
/* After a fast syscall of t that did not return FAST_DONE, from the platform's syscall hook,
 * with no interrupt pending and no device event due: the context of the thread to run next,
 * which is current from now on, when the trap loop would have nothing else to do before
 * running it; else NULL (stop, and the loop takes over). See kernel.c. */
struct uctx *core_switch_direct(struct thread *t);

/* Threads. Each is named by its id (a process's first thread has the process's id). */
#define CORE_THREADS_MAX 4096 /* the most threads at once: a table of slots, one per id % it */
#define CORE_THREADS_DEFAULT 1024 /* kernel_config.max_procs 0 */
#define CORE_ID_LIMIT (CORE_THREADS_MAX * 8) /* every id is below it: ids wrap there */
#define CORE_NAME_MAX 16      /* a name's bytes, its NUL included (Linux's TASK_COMM_LEN) */
#define CORE_NSIG 64          /* signals 1..64 */
/* The thread the CPU runs (or last ran), or NULL. */
struct thread *core_current(void);
/* The live thread tid, or NULL. */
struct thread *core_thread(int tid);
/* Every thread in turn: start with *cursor 0; NULL at the end. */
struct thread *core_thread_next(unsigned *cursor);
int core_tid(const struct thread *t);
/* Its process's id. */
int core_pid(const struct thread *t);
/* Its name: the program's, or what prctl(PR_SET_NAME) set. */
const char *core_name(const struct thread *t);
/* Its saved CPU state: registers current while it does not run; the x87/SSE part after
 * plat_uctx_save (and plat_uctx_discard after changing it). */
struct uctx *core_uctx(struct thread *t);
/* Its process's memory. */
struct mm *core_mm(const struct thread *t);
/* When it next wants the CPU: 0 now (runnable), a monotonic time it wakes at by itself (a
 * timed wait), UINT64_MAX not by itself (a wait without deadline, or stopped). */
uint64_t core_wake_time(const struct thread *t);

/* Memory of a process, through its page tables, never faulting anything in. */
#define CORE_PAGE_WRITE 0x1u /* what core_translate's *flags say of a page */
#define CORE_PAGE_EXEC 0x2u
#define CORE_PAGE_USER 0x4u
/* The frame behind user page va of mm: 0 with *pa and *flags, or -EFAULT when none is mapped. */
int core_translate(const struct mm *mm, uint64_t va, uint64_t *pa, unsigned *flags);
/* The same in the address space rooted at root (the one the CPU has loaded). */
int core_translate_root(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags);
/* Whether va is in one of mm's regions (mapped or not yet touched). */
bool core_in_region(const struct mm *mm, uint64_t va);
/* A debugger's write: len bytes at va, through copy-on-write as a store would, whatever the
 * protection of the pages. 0 or -errno. */
int core_poke(struct mm *mm, uint64_t va, const void *src, size_t len);

/* What the platform maps for its own CPU (the sim's GDT and trampoline). */
uint64_t core_frame_alloc(void); /* a zeroed frame, or 0 */
/* Whether the frame holding physical address pa was mapped executable since it was allocated:
 * false for anything the frame allocator does not manage (non-RAM, its own counts), so a
 * device's DMA may ask about any address it wrote. */
bool core_frame_held_code(uint64_t pa);
void core_frame_put(uint64_t pa);
/* Maps frame pa at kernel address va (CORE_PAGE_WRITE, CORE_PAGE_EXEC). 0 or -errno. */
int core_kernel_map(uint64_t va, uint64_t pa, unsigned flags);
/* The root of the kernel's own address space. */
uint64_t core_kernel_root(void);
/* A throwaway user address space holding len bytes of code at va (the sim's first entry to
 * user mode): its root, or 0. core_probe_free frees it; one exists at a time. */
uint64_t core_probe_new(uint64_t va, const void *code, size_t len);
void core_probe_free(void);

#endif

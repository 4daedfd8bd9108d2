/* Boot and the trap loop: pick a thread, run it until it traps, handle the trap. */
#include <kernel/exec.h>
#include <kernel/files.h>
#include <kernel/frame.h>
#include <kernel/imgcache.h>
#include <kernel/pci.h>
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/pipe_ring.h>
#include <kernel/klib.h>
#include <kernel/klog.h>
#include <kernel/vt.h>
#include <kernel/kmalloc.h>
#include <kernel/random.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <uapi/linux.h>

#define ROOT_WAIT_NS (10ull * 1000000000ull)

struct kernel_config kernel_cfg;
static int first_pid;
static bool vfs_up;
static unsigned own_stop_requests; /* Ctrl-C at a console no job has in the foreground */

void kernel_request_stop(void)
{
	own_stop_requests++;
}

static const char *power_off; /* reboot(2) was called: how, else NULL */

void kernel_power_off(const char *how)
{
	power_off = how;
}

static unsigned stop_requests(void)
{
	return plat_stop_requests() + own_stop_requests;
}

void misc_reset(void);

int kernel_init(const struct kernel_config *cfg)
{
	kernel_cfg = *cfg;
	first_pid = 0;
	own_stop_requests = 0;
	power_off = NULL;
	int err = frame_init();
	if (!err)
		err = vm_init();
	if (err)
		return err;
	random_init(plat_random_seed());
	proc_init(cfg->max_procs);
	ipc_reset();
	signal_reset();
	srv_reset();
	inet_reset();
	chrsrv_reset();
	misc_reset();
	klog_reset();
	tty_init();
	vt_init();
	if ((err = vfs_init()))
		return err;
	vfs_up = true;
	err = plat_cpu_init();
	return err ? err : pci_scan();
}

/* A new parentless process with the console and the root directory, ready for exec. */
static struct thread *spawn_proc(int *err)
{
	struct thread *t;
	struct proc *p = proc_alloc(NULL, &t, err);
	if (!p)
		return NULL;
	p->mm = mm_new();
	p->fds = fd_table_new();
	p->fs = vfs_fs_new(vfs_root());
	if (!p->mm || !p->fds || !p->fs || (*err = tty_std_files(p))) {
		if (!*err)
			*err = -ENOMEM;
		proc_exit(p, 0);
		proc_reap(p);
		proc_collect();
		return NULL;
	}
	t->ctx.root = p->mm->as.root;
	return t;
}

/* The process of t runs from now on. */
static int spawned(struct thread *t)
{
	t->proc->started = true;
	if (!first_pid)
		first_pid = t->proc->pid;
	sched_make_runnable(t);
	return t->proc->pid;
}

static void spawn_failed(struct thread *t)
{
	struct proc *p = t->proc;
	proc_exit(p, 0);
	proc_reap(p);
	proc_collect();
}

int kernel_spawn(const char *path, const void *image, size_t len, const char *const *argv,
		 const char *const *envp, int *elf_err)
{
	int err;
	struct thread *t = spawn_proc(&err);
	if (!t)
		return err;
	if ((err = exec_image(t, path, image, len, argv, envp, elf_err))) {
		spawn_failed(t);
		return err;
	}
	return spawned(t);
}

int kernel_spawn_file(const char *path, const char *const *argv, const char *const *envp,
		      int *elf_err)
{
	struct file_ref f;
	int err = file_open(path, &f);
	if (err)
		return err;
	int pid = kernel_spawn(path, f.data, f.len, argv, envp, elf_err);
	file_close(&f);
	return pid;
}

/* The standalone root server (kernel_config.root_server): started after the first process. */
static struct thread *root_server;

static void start_root_server(void)
{
	static const char *const no_env[] = {NULL};
	const char *const argv_default[] = {kernel_cfg.root_server, NULL};
	int elf_err, pid = kernel_spawn_file(kernel_cfg.root_server,
					     kernel_cfg.root_server_argv ? kernel_cfg.root_server_argv
									 : argv_default,
					     no_env, &elf_err);
	root_server = pid > 0 ? proc_main_thread(proc_find(pid)) : NULL;
	if (root_server)
		vfs_root_pending(root_server, plat_clock_ns() + ROOT_WAIT_NS);
}

/* Asks the first process to shut down, once; the machine stops if it takes too long. */
static void request_shutdown(struct proc *first, uint64_t *deadline, const char *why)
{
	if (*deadline != UINT64_MAX)
		return;
	if (!kernel_cfg.quiet)
		kprintf(2, "%s: %s: asking pid %d (%s) to shut down\n", plat_name, why, first->pid,
			first->name);
	signal_send_proc(first, SIGTERM, SI_KERNEL, 0, 0);
	*deadline = plat_clock_ns() + SHUTDOWN_GRACE_NS;
}

/* What the trap loop keeps from one turn to the next (core_switch_direct reads it too). */
static struct {
	struct proc *first;   /* the first process: the machine runs until it ends */
	int last_tid;         /* the thread that ran last */
	unsigned stops_seen;  /* stop requests acted on */
	uint64_t grace_end;   /* when a shutdown asked for must be over, or UINT64_MAX */
	uint64_t run_start;   /* when the current thread's run began */
	bool idle;            /* the CPU idled since the last turn */
} loop;

/* Runs t until it traps and handles the trap. False when the machine must stop at once. The
 * platform may have switched straight to other threads on the way (core_switch_direct): the
 * trap is the current thread's. */
static bool run(struct thread *t)
{
	struct trap trap;
	thread_current = t;
	loop.run_start = plat_clock_ns();
	plat_run_user(&t->ctx, &trap);
	if (thread_current)
		t = thread_current;
	t->proc->cpu_ns += plat_clock_ns() - loop.run_start;
	if (trap.kind == TRAP_STOP)
		return false;
	trap_handle(t, &trap);
	if (trap.kind == TRAP_TICK)
		tty_poll_console();
	thread_current = NULL;
	return true;
}

uint64_t kernel_direct_switches; /* how many: a debugger can print it (docs/sim-internals.md) */

/* The trace line and the event of a turn that runs t, when another thread ran last or the CPU
 * idled since. */
static void note_turn(struct thread *t)
{
	if (t->tid == loop.last_tid && !loop.idle)
		return;
	if (loop.last_tid && t->tid != loop.last_tid)
		trace_sched("switch pid %d -> pid %d", loop.last_tid, t->tid);
	loop.last_tid = t->tid;
	loop.idle = false;
	EVENT(.kind = CORE_EVENT_RUN, .t = t);
}

/*
 * The fast path of a switch (seL4's shape): t's syscall just blocked it or gave the CPU away,
 * and the platform, with no interrupt pending and no device event due, asks for the next
 * thread without leaving its syscall hook. This is the trap loop's turn with every step that
 * has nothing to do left out: it answers only when no step would do anything (no exit to
 * collect, stop request, time limit, alarm, timer, signal to deliver, wait to finish), so the
 * machine goes exactly as through the loop: the same threads, clock, traces.
 */
struct uctx *core_switch_direct(struct thread *t)
{
	if (kernel_cfg.no_direct_switch || thread_current != t)
		return NULL;
	uint64_t now = plat_clock_ns();
	if (power_off || !loop.first || loop.first->state == PROC_ZOMBIE || proc_collect_pending() ||
	    stop_requests() != loop.stops_seen ||
	    (kernel_cfg.max_time_ns && now >= kernel_cfg.max_time_ns) || now >= loop.grace_end ||
	    signal_next_alarm() <= now || wait_next_deadline() <= now)
		return NULL;
	struct thread *next = sched_head();
	if (!next || next == t || next->state != THREAD_RUNNABLE || next->wait.kind != WAIT_NONE ||
	    signal_deliver_pending(next))
		return NULL;
	/* run()'s end for t, then the loop's turn for next. */
	t->proc->cpu_ns += now - loop.run_start;
	trap_handle(t, &(struct trap){.kind = TRAP_NONE});
	note_turn(next);
	thread_current = next;
	loop.run_start = now;
	kernel_direct_switches++;
	return &next->ctx;
}

int kernel_run(void)
{
	struct proc *first = proc_find(first_pid);
	loop.first = first;
	loop.last_tid = 0;
	loop.stops_seen = 0;
	loop.grace_end = UINT64_MAX;
	loop.idle = false;
	if (kernel_cfg.root_server && first)
		start_root_server();
	while (first && first->state != PROC_ZOMBIE) {
		proc_collect();
		if (power_off) {
			if (!kernel_cfg.quiet)
				kprintf(2, "%s: %s\n", plat_name, power_off);
			return 0;
		}
		unsigned stops = stop_requests();
		if (stops > loop.stops_seen) {
			if (loop.stops_seen || stops > 1) {
				if (!kernel_cfg.quiet)
					kprintf(2, "%s: stopped\n", plat_name);
				return -EINTR;
			}
			loop.stops_seen = stops;
			request_shutdown(first, &loop.grace_end, "interrupted");
		}
		uint64_t now = plat_clock_ns();
		if (kernel_cfg.max_time_ns && now >= kernel_cfg.max_time_ns)
			request_shutdown(first, &loop.grace_end, "time limit reached");
		if (now >= loop.grace_end) {
			kprintf(2, "%s: pid %d did not shut down in time: stopping\n", plat_name,
				first->pid);
			return -ETIMEDOUT;
		}
		signal_fire_alarms(now);
		pci_irq_dispatch();
		struct thread *t = sched_pick();
		if (t) {
			thread_current = t;
			if (t->wait.kind != WAIT_NONE) {
				wait_resume(t); /* it finished its wait, or waits on: pick again */
				thread_current = NULL;
				continue;
			}
			signal_deliver(t);
			thread_current = NULL;
			if (t->state != THREAD_RUNNABLE)
				continue;
			note_turn(t);
			if (!run(t))
				return -EINTR;
			continue;
		}
		/* Nothing can run: wait for the next deadline, or for the person at the console. */
		uint64_t wake = MIN(wait_next_deadline(), signal_next_alarm());
		if (loop.grace_end != UINT64_MAX)
			wake = MIN(wake, loop.grace_end);
		else if (kernel_cfg.max_time_ns)
			wake = MIN(wake, kernel_cfg.max_time_ns);
		tty_poll_console();
		if (sched_pick())
			continue;
		bool input = tty_console_wanted();
		if (wake == UINT64_MAX && !input && stop_requests() == loop.stops_seen &&
		    !plat_devices_pending()) {
			kprintf(2, "%s: every process is blocked: stopping\n", plat_name);
			return -EDEADLK;
		}
		if (!loop.idle)
			EVENT(.kind = CORE_EVENT_RUN, .t = NULL);
		loop.idle = true;
		plat_idle_until(wake, input);
		tty_poll_console();
	}
	thread_current = NULL;
	return first ? first->wait_status : -ESRCH;
}

void kernel_fini(void)
{
	proc_reap_all();
	pipe_reset();
	srv_reset();
	inet_reset();
	chrsrv_reset();
	if (vfs_up)
		vfs_fini();
	vfs_up = false;
	imgcache_clear();
	pci_reset();
	vm_fini();
}

/* Boot and the trap loop: pick a process, run it until it traps, handle the trap. */
#include <kernel/exec.h>
#include <kernel/files.h>
#include <kernel/frame.h>
#include <kernel/imgcache.h>
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/random.h>
#include <kernel/signal.h>
#include <kernel/vm.h>
#include <uapi/eclipse.h>

struct kernel_config kernel_cfg;
static int first_pid;

int kernel_init(const struct kernel_config *cfg)
{
	kernel_cfg = *cfg;
	first_pid = 0;
	int err = frame_init();
	if (!err)
		err = vm_init();
	if (err)
		return err;
	random_init(plat_random_seed());
	proc_init(cfg->max_procs);
	ipc_reset();
	return plat_cpu_init();
}

int kernel_spawn(const char *path, const void *image, size_t len, const char *const *argv,
		 const char *const *envp, int *elf_err)
{
	int err;
	struct proc *p = proc_alloc(NULL, &err);
	if (!p)
		return err;
	if ((err = fd_init_console(&p->fds)) || (err = exec_image(p, path, image, len, argv, envp, elf_err))) {
		proc_exit(p, 0);
		proc_reap(p);
		return err;
	}
	if (!first_pid)
		first_pid = p->pid;
	sched_make_runnable(p);
	return p->pid;
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

/*
 * A process blocked in nanosleep or IPC can be made runnable by something that does not end its
 * wait (SIGCONT after a stop, a signal that turned out to be ignored): it goes back to waiting.
 */
static bool woken_too_early(struct proc *p)
{
	uint64_t now = plat_clock_ns();
	if (p->restart == RESTART_SLEEP && now < p->sleep_until) {
		sched_sleep_until(p, p->sleep_until);
		return true;
	}
	if (p->restart == RESTART_IPC && now < p->ipc_deadline) {
		ipc_wait_again(p);
		return true;
	}
	return false;
}

/* Asks the first process to shut down, once; the machine stops if it takes too long. */
static void request_shutdown(struct proc *first, uint64_t *deadline, const char *why)
{
	if (*deadline != UINT64_MAX)
		return;
	if (!kernel_cfg.quiet)
		kprintf(2, "%s: %s: asking pid %d (%s) to shut down\n", plat_name, why, first->pid,
			first->name);
	signal_send(first, SIGTERM, SI_KERNEL, 0, 0);
	*deadline = plat_clock_ns() + SHUTDOWN_GRACE_NS;
}

int kernel_run(void)
{
	struct proc *first = proc_find(first_pid);
	int last_pid = 0;
	unsigned stops_seen = 0;
	uint64_t grace_end = UINT64_MAX;
	while (first && first->state != PROC_ZOMBIE) {
		unsigned stops = plat_stop_requests();
		if (stops > stops_seen) {
			if (stops_seen || stops > 1) {
				if (!kernel_cfg.quiet)
					kprintf(2, "%s: stopped\n", plat_name);
				return -EINTR;
			}
			stops_seen = stops;
			request_shutdown(first, &grace_end, "interrupted");
		}
		uint64_t now = plat_clock_ns();
		if (kernel_cfg.max_time_ns && now >= kernel_cfg.max_time_ns)
			request_shutdown(first, &grace_end, "time limit reached");
		if (now >= grace_end) {
			kprintf(2, "%s: pid %d did not shut down in time: stopping\n", plat_name, first->pid);
			return -ETIMEDOUT;
		}
		uint64_t horizon = MIN(grace_end, kernel_cfg.max_time_ns && grace_end == UINT64_MAX
							  ? kernel_cfg.max_time_ns : UINT64_MAX);
		struct proc *p = sched_pick(horizon);
		if (p) {
			signal_deliver(p);
			if (p->state != PROC_RUNNABLE)
				continue;
			if (woken_too_early(p))
				continue;
			if (p->restart == RESTART_IPC) /* its deadline passed: no partner came */
				ipc_cancel(p, -ETIMEDOUT);
			p->restart = RESTART_NONE; /* it runs: a rewound syscall starts over */
		}
		if (!p && (sched_has_sleepers() || plat_stop_requests() > stops_seen))
			continue;
		if (!p) {
			kprintf(2, "%s: every process is blocked: stopping\n", plat_name);
			return -EDEADLK;
		}
		if (p->pid != last_pid) {
			if (last_pid)
				trace_sched("switch pid %d -> pid %d", last_pid, p->pid);
			last_pid = p->pid;
		}
		struct trap t;
		proc_current = p;
		plat_run_user(&p->ctx, &t);
		if (t.kind == TRAP_STOP)
			return -EINTR;
		trap_handle(p, &t);
		proc_current = NULL;
	}
	proc_current = NULL;
	return first ? first->wait_status : -ESRCH;
}

void kernel_fini(void)
{
	proc_reap_all();
	imgcache_clear();
	vm_fini();
}

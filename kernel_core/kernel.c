/* Boot and the trap loop: pick a process, run it until it traps, handle the trap. */
#include <kernel/exec.h>
#include <kernel/frame.h>
#include <kernel/imgcache.h>
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

int kernel_run(void)
{
	struct proc *first = proc_find(first_pid);
	int last_pid = 0;
	while (first && first->state != PROC_ZOMBIE) {
		struct proc *p = sched_pick();
		if (p) {
			signal_deliver(p);
			if (p->state != PROC_RUNNABLE)
				continue;
			p->restart = RESTART_NONE; /* it runs: a rewound syscall starts over */
		}
		if (!p) {
			kprintf(2, "eclipse: every process is blocked: stopping\n");
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

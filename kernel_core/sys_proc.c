/* Process syscalls: identity, groups, fork, execve, wait4, exit, yielding, thread pointer. */
#include <kernel/exec.h>
#include <kernel/files.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

#define WAIT_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS)
#define WALL_FLAGS 0xe0000000u /* __WNOTHREAD, __WALL, __WCLONE: no threads here */
#define RUSAGE_SIZE 144

long sys_getpid(struct proc *p, const uint64_t *a)
{
	(void)a;
	return p->pid;
}

long sys_getppid(struct proc *p, const uint64_t *a)
{
	(void)a;
	return p->parent ? p->parent->pid : 0;
}

long sys_getpgid(struct proc *p, const uint64_t *a)
{
	int pid = (int)a[0];
	struct proc *q = pid ? proc_find(pid) : p;
	return q && q->state != PROC_ZOMBIE ? q->pgid : -ESRCH;
}

/* True when some live process is in group pgid. */
static bool group_exists(int pgid)
{
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));)
		if (q->pgid == pgid && q->state != PROC_ZOMBIE)
			return true;
	return false;
}

long sys_setpgid(struct proc *p, const uint64_t *a)
{
	int pid = (int)a[0], pgid = (int)a[1];
	if (pgid < 0)
		return -EINVAL;
	struct proc *q = pid ? proc_find(pid) : p;
	if (!q || q->state == PROC_ZOMBIE || (q != p && q->parent != p))
		return -ESRCH;
	if (!pgid)
		pgid = q->pid;
	if (pgid != q->pid && !group_exists(pgid))
		return -EPERM;
	q->pgid = pgid;
	return 0;
}

long sys_fork(struct proc *p, const uint64_t *a)
{
	(void)a;
	int err;
	struct proc *c = proc_alloc(p, &err);
	if (!c)
		return err;
	mm_destroy(&c->mm);
	if ((err = mm_clone(&c->mm, &p->mm))) {
		proc_exit(c, 0);
		proc_reap(c);
		return err;
	}
	plat_uctx_save(&p->ctx);
	c->ctx = p->ctx;
	c->ctx.root = c->mm.as.root;
	c->ctx.regs.rax = 0;
	fd_clone(&c->fds, &p->fds);
	signal_fork(c, p);
	kmemcpy(c->name, p->name, sizeof(c->name));
	if (kernel_cfg.on_fork)
		kernel_cfg.on_fork(p, c);
	sched_make_runnable(c);
	trace_sched("fork pid %d -> pid %d", p->pid, c->pid);
	return c->pid;
}

long sys_execve(struct proc *p, const uint64_t *a)
{
	char path[EXEC_PATH_MAX];
	long n = copy_str_in(&p->mm, path, a[0], sizeof(path));
	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	struct file_ref f;
	int err = file_open(path, &f);
	if (err)
		return err;
	if (!f.executable) {
		file_close(&f);
		return -EACCES;
	}
	const struct elf_source src = {.mem = f.data, .len = f.len, .cache_id = f.id};
	const struct exec_args args = {.mm = &p->mm, .uargv = a[1], .uenvp = a[2]};
	err = exec_source(p, path, &src, &args, NULL);
	file_close(&f);
	if (!err)
		trace_sched("exec pid %d %s", p->pid, path);
	return err;
}

long sys_exec_image(struct proc *p, const uint64_t *a)
{
	const struct elf_source src = {.mm = &p->mm, .uva = a[0], .len = a[1]};
	const struct exec_args args = {.mm = &p->mm, .uargv = a[2], .uenvp = a[3]};
	if (a[1] > EXEC_IMAGE_MAX)
		return -E2BIG;
	int err = exec_source(p, "(image)", &src, &args, NULL);
	if (!err)
		trace_sched("exec pid %d from an image in memory", p->pid);
	return err;
}

/* Does child c match wait4's pid argument for caller p? */
static bool wait_matches(const struct proc *p, const struct proc *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == -1)
		return true;
	return c->pgid == (pid == 0 ? p->pgid : -pid);
}

long sys_wait4(struct proc *p, const uint64_t *a)
{
	int pid = (int)a[0];
	uint64_t status_at = a[1], options = a[2], rusage_at = a[3];
	if (options & ~(uint64_t)WAIT_OPTIONS)
		return -EINVAL;
	if (pid == INT32_MIN) /* -pid is no process group */
		return -ESRCH;
	bool any = false;
	for (struct proc *c = p->children; c; c = c->sibling) {
		if (!wait_matches(p, c, pid))
			continue;
		any = true;
		int report = (options & WUNTRACED) && c->state == PROC_STOPPED && c->stop_report
				     ? (c->stop_report << 8) | 0x7f
			     : (options & WCONTINUED) && c->cont_report ? 0xffff
									 : 0;
		if (report) { /* a stopped or continued child: told once, not reaped */
			if (status_at && copy_out(&p->mm, status_at, &report, sizeof(report)))
				return -EFAULT;
			c->stop_report = 0;
			c->cont_report = false;
			return c->pid;
		}
		if (c->state != PROC_ZOMBIE)
			continue;
		static const uint8_t no_usage[RUSAGE_SIZE];
		int status = c->wait_status;
		if ((status_at && copy_out(&p->mm, status_at, &status, sizeof(status))) ||
		    (rusage_at && copy_out(&p->mm, rusage_at, no_usage, sizeof(no_usage))))
			return -EFAULT;
		int child = c->pid;
		trace_sched("reap pid %d by pid %d", child, p->pid);
		proc_reap(c);
		return child;
	}
	if (!any)
		return -ECHILD;
	if (options & WNOHANG)
		return 0;
	sched_block(p);
	p->restart = RESTART_WAIT;
	return -ERESTARTSYS;
}

long sys_exit(struct proc *p, const uint64_t *a)
{
	proc_exit(p, (int)(a[0] & 0xff) << 8);
	return 0;
}

long sys_sched_yield(struct proc *p, const uint64_t *a)
{
	(void)p;
	(void)a;
	sched_rotate();
	return 0;
}

long sys_arch_prctl(struct proc *p, const uint64_t *a)
{
	uint64_t code = a[0], addr = a[1];
	struct regs *r = &p->ctx.regs;
	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= USER_END)
			return -EPERM;
		*(code == ARCH_SET_FS ? &r->fs_base : &r->gs_base) = addr;
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS: {
		uint64_t v = code == ARCH_GET_FS ? r->fs_base : r->gs_base;
		return copy_out(&p->mm, addr, &v, sizeof(v));
	}
	default:
		return -EINVAL;
	}
}

long sys_get_service_binary(struct proc *p, const uint64_t *a)
{
	uint64_t id = a[0], size_at = a[1];
	static const char *const paths[] = ECLIPSE_SERVICE_PATHS;
	if (id >= ARRAY_SIZE(paths))
		return -EINVAL;
	if (size_at && uaccess_prepare(&p->mm, size_at, sizeof(uint64_t), true))
		return -EFAULT;
	struct file_ref f;
	int err = file_open(paths[id], &f);
	if (err)
		return err;
	uint64_t at = f.len ? mm_find_free(&p->mm, f.len) : 0;
	err = !f.len ? -ENOEXEC : !at ? -ENOMEM : mm_map(&p->mm, at, f.len, PROT_READ);
	if (!err && (err = mm_poke(&p->mm, at, f.data, f.len)))
		mm_unmap(&p->mm, at, f.len);
	uint64_t size = f.len;
	file_close(&f);
	if (err)
		return err;
	if (size_at)
		copy_out(&p->mm, size_at, &size, sizeof(size));
	return (long)at;
}

/* Process syscalls of one process: identity, exit, yielding, thread pointer. */
#include <kernel/kernel.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

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

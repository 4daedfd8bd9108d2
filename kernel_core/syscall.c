/* The syscall table: find any syscall's implementation from its number here. */
#include <kernel/kernel.h>
#include <kernel/ipc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <uapi/eclipse.h>

/* The argument count is the length of the trace letters. */
#define SC(name, fn, args, flags) {name, fn, args, sizeof(args) - 1, flags}

static const struct syscall_desc table[SYS_NR_LINUX] = {
	[SYS_read] = SC("read", sys_read, "dBu", SC_FAST),
	[SYS_write] = SC("write", sys_write, "dbu", SC_FAST),
	[SYS_open] = SC("open", sys_open, "sxx", SC_FAST),
	[SYS_close] = SC("close", sys_close, "d", SC_FAST),
	[SYS_fstat] = SC("fstat", sys_fstat, "dx", SC_FAST),
	[SYS_lseek] = SC("lseek", sys_lseek, "ddd", SC_FAST),
	[SYS_mmap] = SC("mmap", sys_mmap, "xuxxdx", SC_FAST | SC_RETHEX),
	[SYS_mprotect] = SC("mprotect", sys_mprotect, "xux", SC_FAST),
	[SYS_munmap] = SC("munmap", sys_munmap, "xu", SC_FAST),
	[SYS_brk] = SC("brk", sys_brk, "x", SC_FAST | SC_RETHEX),
	[SYS_rt_sigaction] = SC("rt_sigaction", sys_rt_sigaction, "dxxu", SC_FAST),
	[SYS_rt_sigprocmask] = SC("rt_sigprocmask", sys_rt_sigprocmask, "dxxu", 0),
	[SYS_rt_sigreturn] = SC("rt_sigreturn", sys_rt_sigreturn, "", SC_SETREGS),
	[SYS_writev] = SC("writev", sys_writev, "dxd", SC_FAST),
	[SYS_sched_yield] = SC("sched_yield", sys_sched_yield, "", 0),
	[SYS_dup] = SC("dup", sys_dup, "d", SC_FAST),
	[SYS_dup2] = SC("dup2", sys_dup2, "dd", SC_FAST),
	[SYS_nanosleep] = SC("nanosleep", sys_nanosleep, "xx", 0),
	[SYS_getpid] = SC("getpid", sys_getpid, "", SC_FAST),
	[SYS_fork] = SC("fork", sys_fork, "", 0),
	[SYS_execve] = SC("execve", sys_execve, "sxx", SC_EXEC),
	[SYS_wait4] = SC("wait4", sys_wait4, "dxdx", 0),
	[SYS_exit] = SC("exit", sys_exit, "d", SC_NORETURN),
	[SYS_kill] = SC("kill", sys_kill, "dd", 0),
	[SYS_uname] = SC("uname", sys_uname, "x", SC_FAST),
	[SYS_setpgid] = SC("setpgid", sys_setpgid, "dd", SC_FAST),
	[SYS_getppid] = SC("getppid", sys_getppid, "", SC_FAST),
	[SYS_getpgid] = SC("getpgid", sys_getpgid, "d", SC_FAST),
	[SYS_arch_prctl] = SC("arch_prctl", sys_arch_prctl, "xx", 0),
	[SYS_clock_gettime] = SC("clock_gettime", sys_clock_gettime, "dx", SC_FAST),
	[SYS_openat] = SC("openat", sys_openat, "dsxx", SC_FAST),
	[SYS_exit_group] = SC("exit_group", sys_exit, "d", SC_NORETURN),
	[SYS_get_service_binary] = SC("get_service_binary", sys_get_service_binary, "ux", SC_RETHEX),
	[SYS_exec_image] = SC("exec_image", sys_exec_image, "xuxx", SC_EXEC),
	[SYS_ipc_send] = SC("ipc_send", sys_ipc_send, "dxu", 0),
	[SYS_ipc_receive] = SC("ipc_receive", sys_ipc_receive, "dxu", 0),
	[SYS_ipc_call] = SC("ipc_call", sys_ipc_call, "dxxu", 0),
	[SYS_ipc_reply] = SC("ipc_reply", sys_ipc_reply, "dx", 0),
	[SYS_ipc_register] = SC("ipc_register", sys_ipc_register, "s", SC_FAST),
	[SYS_ipc_lookup] = SC("ipc_lookup", sys_ipc_lookup, "s", SC_FAST),
};

const struct syscall_desc *syscall_lookup(uint64_t nr)
{
	return nr < SYS_NR_LINUX && table[nr].fn ? &table[nr] : NULL;
}

bool syscall_is_fast(uint64_t nr, unsigned *nargs)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	*nargs = d ? d->nargs : 6;
	return !d || (d->flags & SC_FAST);
}

long syscall_invoke(struct proc *p, uint64_t nr, const uint64_t *args)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	bool trace = kernel_cfg.trace & TRACE_SYSCALL;
	if (!d) {
		if (trace)
			trace_syscall(p, nr, args, -ENOSYS, true);
		return -ENOSYS;
	}
	if (trace && (d->flags & SC_NORETURN))
		trace_syscall(p, nr, args, 0, false);
	struct trace_call before;
	if (trace && (d->flags & SC_EXEC))
		trace_syscall_begin(&before, p, nr, args);
	long ret = d->fn(p, args);
	if (trace && (d->flags & SC_EXEC))
		trace_syscall_end(&before, nr, ret, true);
	else if (trace && !(d->flags & SC_NORETURN) && ret != -ERESTARTSYS)
		trace_syscall(p, nr, args, ret, ret != -EBLOCKED);
	return ret;
}

void syscall_from_regs(struct proc *p)
{
	struct regs *r = &p->ctx.regs;
	const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	uint64_t nr = r->rax;
	long ret = syscall_invoke(p, nr, args);
	const struct syscall_desc *d = syscall_lookup(nr);
	if (d && (d->flags & SC_SETREGS))
		return;
	if (ret == -ERESTARTSYS)
		r->rip -= 2; /* back onto the syscall instruction, rax still the number */
	else if (ret != -EBLOCKED)
		r->rax = (uint64_t)ret;
}

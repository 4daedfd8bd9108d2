/* The syscall table: find any syscall's implementation from its number here. */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/vfs.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

/* The argument count is the length of the trace letters (trace.c says what each means). */
#define SC(name, fn, args, flags) {name, sys_##fn, args, sizeof(args) - 1, flags}
#define S(name, args) [SYS_##name] = SC(#name, name, args, 0)
#define SF(name, args, flags) [SYS_##name] = SC(#name, name, args, flags)
#define SA(name, fn, args, flags) [SYS_##name] = SC(#name, fn, args, flags)

static const struct syscall_desc table[SYS_NR_LINUX] = {
	/* sys_file.c: descriptors and I/O */
	S(read, "dBu"), S(write, "dbu"), S(readv, "dxd"), S(writev, "dxd"),
	S(pread64, "dBud"), S(pwrite64, "dbud"), S(preadv, "dxdd"), S(pwritev, "dxdd"),
	S(open, "sxo"), S(openat, "dsxo"), S(creat, "so"), S(close, "d"),
	S(close_range, "uux"), S(lseek, "ddd"), S(dup, "d"), S(dup2, "dd"), S(dup3, "ddx"),
	S(fcntl, "ddx"), S(ioctl, "dxx"), S(pipe, "x"), S(pipe2, "xx"), S(sendfile, "ddxu"),
	S(flock, "dd"), S(fadvise64, "dddd"),
	/* sys_fs.c: paths, directories, attributes */
	S(stat, "sx"), S(lstat, "sx"), S(fstat, "dx"), S(newfstatat, "dsxx"),
	S(statx, "dsxxx"), S(getdents, "dxu"), S(getdents64, "dxu"), S(getcwd, "xu"),
	S(chdir, "s"), S(fchdir, "d"), S(access, "so"), S(faccessat, "dso"),
	S(faccessat2, "dsox"), S(readlink, "sxu"), S(readlinkat, "dsxu"), S(mkdir, "so"),
	S(mkdirat, "dso"), S(mknod, "sox"), S(mknodat, "dsox"), S(rmdir, "s"), S(unlink, "s"),
	S(unlinkat, "dsx"), S(rename, "ss"), S(renameat, "dsds"), S(renameat2, "dsdsx"),
	S(link, "ss"), S(linkat, "dsdsx"), S(symlink, "ss"), S(symlinkat, "sds"),
	S(chmod, "so"), S(fchmod, "do"), S(fchmodat, "dsox"), S(chown, "sdd"),
	S(fchown, "ddd"), S(lchown, "sdd"), S(fchownat, "dsddx"), S(utimensat, "dsxx"),
	S(utime, "sx"), S(utimes, "sx"), S(futimesat, "dsx"), S(truncate, "sd"),
	S(ftruncate, "dd"), S(fsync, "d"), S(fdatasync, "d"), S(sync, ""), S(syncfs, "d"),
	S(statfs, "sx"), S(fstatfs, "dx"), S(umask, "o"), S(chroot, "s"), S(mount, "ssxxx"),
	S(umount2, "sx"),
	/* sys_poll.c */
	S(poll, "xud"), S(ppoll, "xuxxu"), S(select, "dxxxx"), S(pselect6, "dxxxxx"),
	/* sys_proc.c: processes, identity, limits */
	S(getpid, ""), S(getppid, ""), S(gettid, ""), S(getpgid, "d"), S(setpgid, "dd"),
	S(getpgrp, ""), S(setsid, ""), S(getsid, "d"), SF(fork, "", SC_REGS),
	SF(vfork, "", SC_REGS), SF(clone, "xxxxx", SC_REGS), SF(clone3, "xu", SC_REGS),
	SF(execve, "sxx", SC_REGS | SC_EXEC), SF(execveat, "dsxxx", SC_REGS | SC_EXEC),
	SF(exit, "d", SC_NORETURN), SF(exit_group, "d", SC_NORETURN), S(wait4, "dxxx"),
	S(waitid, "ddxxx"), S(sched_yield, ""), SF(arch_prctl, "xx", SC_REGS),
	S(prctl, "dxxxx"), SA(getuid, getuid, "", 0), SA(geteuid, getuid, "", 0),
	SA(getgid, getuid, "", 0), SA(getegid, getuid, "", 0), S(setuid, "d"),
	SA(setgid, setuid, "d", 0), SA(setfsuid, setuid, "d", 0), SA(setfsgid, setuid, "d", 0),
	S(setreuid, "dd"), SA(setregid, setreuid, "dd", 0), S(setresuid, "ddd"),
	SA(setresgid, setresuid, "ddd", 0), S(getresuid, "xxx"), SA(getresgid, getresuid, "xxx", 0),
	S(getgroups, "dx"), S(setgroups, "dx"), S(getrlimit, "dx"), S(setrlimit, "dx"),
	S(prlimit64, "ddxx"), S(getpriority, "dd"), S(setpriority, "ddd"),
	S(sched_getparam, "dx"), S(sched_setparam, "dx"), S(sched_getscheduler, "d"),
	S(sched_setscheduler, "ddx"), SA(sched_get_priority_max, sched_get_priority, "d", 0),
	SA(sched_get_priority_min, sched_get_priority, "d", 0), S(sched_getaffinity, "dux"),
	S(sched_setaffinity, "dux"), S(getcpu, "xxx"),
	/* sys_thread.c: thread ids and futexes */
	S(set_tid_address, "x"), S(set_robust_list, "xu"), S(get_robust_list, "dxx"),
	S(futex, "xdudxd"),
	/* sys_signal.c */
	S(kill, "dd"), S(tkill, "dd"), S(tgkill, "ddd"), S(rt_sigaction, "dxxu"),
	S(rt_sigprocmask, "dxxu"), SF(rt_sigreturn, "", SC_SETREGS | SC_REGS),
	S(rt_sigpending, "xu"), S(rt_sigsuspend, "xu"), S(rt_sigtimedwait, "xxxu"),
	SF(sigaltstack, "xx", SC_REGS), S(pause, ""), S(alarm, "u"), S(setitimer, "dxx"),
	S(getitimer, "dx"),
	/* sys_mem.c */
	SF(brk, "x", SC_RETHEX), SF(mmap, "xuxxdx", SC_RETHEX), S(munmap, "xu"),
	S(mprotect, "xux"), SF(mremap, "xuuxx", SC_RETHEX), S(madvise, "xud"), S(msync, "xud"),
	S(mincore, "xux"), S(mlock, "xu"), SA(munlock, mlock, "xu", 0),
	/* sys_time.c */
	S(clock_gettime, "dx"), S(clock_getres, "dx"), S(clock_nanosleep, "ddxx"),
	S(nanosleep, "xx"), S(gettimeofday, "xx"), S(time, "x"), S(times, "x"),
	S(getrusage, "dx"), S(clock_settime, "dx"),
	/* sys_misc.c */
	S(uname, "x"), S(sethostname, "su"), S(sysinfo, "x"), S(getrandom, "xux"),
	S(reboot, "xxxx"),
	/* klog.c */
	S(syslog, "dxd"),
	/* Eclipse calls */
	SF(get_service_binary, "ux", SC_RETHEX), SF(exec_image, "xuxx", SC_REGS | SC_EXEC),
	S(ipc_send, "dxu"), S(ipc_receive, "dxu"), S(ipc_call, "dxxu"), S(ipc_reply, "dx"),
	S(ipc_register, "s"), S(ipc_lookup, "s"), S(fs_serve, "s"), S(grant_copy, "dxxud"),
};

const struct syscall_desc *syscall_lookup(uint64_t nr)
{
	return nr < SYS_NR_LINUX && table[nr].fn ? &table[nr] : NULL;
}

unsigned syscall_nargs(uint64_t nr)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	return d ? d->nargs : 6;
}

/* The end of a syscall: whatever it kept while it waited goes. */
static void syscall_done(struct thread *t)
{
	wait_clear(t);
	if (t->srv)
		srv_syscall_done(t);
	if (t->mask_saved && t->state != THREAD_DEAD && !signal_interrupting(t)) {
		t->sig_blocked = t->saved_mask; /* sigsuspend ended without a handler */
		t->mask_saved = false;
	}
}

long syscall_invoke(struct thread *t, uint64_t nr, const uint64_t *args)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	bool trace = kernel_cfg.trace & TRACE_SYSCALL;
	if (!d) {
		if (trace)
			trace_syscall(t, nr, args, -ENOSYS, true);
		return -ENOSYS;
	}
	if (trace && (d->flags & SC_NORETURN))
		trace_syscall(t, nr, args, 0, false);
	struct trace_call before;
	if (trace && (d->flags & SC_EXEC))
		trace_syscall_begin(&before, t, nr, args);
	srv_syscall_begin(t);
	long ret = d->fn(t, args);
	if (ret == -EBLOCKED)
		return ret;
	if (t->state != THREAD_DEAD)
		syscall_done(t);
	if (trace && (d->flags & SC_EXEC))
		trace_syscall_end(&before, nr, ret, true);
	else if (trace && !(d->flags & SC_NORETURN) && ret != -ERESTARTSYS)
		trace_syscall(t, nr, args, ret, true);
	return ret;
}

void syscall_from_regs(struct thread *t)
{
	struct regs *r = &t->ctx.regs;
	const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	uint64_t nr = r->rax;
	long ret = syscall_invoke(t, nr, args);
	const struct syscall_desc *d = syscall_lookup(nr);
	if ((d && (d->flags & SC_SETREGS)) || ret == -EBLOCKED || t->state == THREAD_DEAD)
		return;
	if (ret == -ERESTARTSYS)
		r->rip -= 2; /* back onto the syscall instruction, rax still the number */
	else
		r->rax = (uint64_t)ret;
}

void syscall_trace_end(struct thread *t, long result)
{
	if (!(kernel_cfg.trace & TRACE_SYSCALL))
		return;
	struct regs *r = &t->ctx.regs;
	const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	trace_syscall(t, r->rax, args, result, true);
}

enum fast_result syscall_fast(struct thread *t, uint64_t nr, const uint64_t *args, long *result)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	if (d && (d->flags & (SC_REGS | SC_NORETURN)))
		return FAST_SLOW;
	*result = syscall_invoke(t, nr, args);
	if (*result == -EBLOCKED)
		return FAST_BLOCKED;
	if (*result == -ERESTARTSYS)
		return FAST_SLOW; /* nothing happened: the trap path runs it again */
	if (t->state != THREAD_RUNNABLE || signal_pending_set(t) & ~t->sig_blocked ||
	    sched_switch_wanted(t))
		return FAST_DONE_STOP;
	return FAST_DONE;
}

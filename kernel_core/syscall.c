/* The syscall table: find any syscall's implementation from its number here. */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/pci.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/trace.h>
#include <kernel/vfs.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

/* Each row: the name, the handler, how the trace prints each argument (trace.h); its argument
 * count is the number of kinds. */
#define ROW(name, fn, flags, ret, ...) {#name, sys_##fn, {__VA_ARGS__}, ret, flags}
#define S(name, ...) [SYS_##name] = ROW(name, name, 0, R_DEC, __VA_ARGS__)
#define SF(name, flags, ...) [SYS_##name] = ROW(name, name, flags, R_DEC, __VA_ARGS__)
#define SR(name, ret, ...) [SYS_##name] = ROW(name, name, 0, ret, __VA_ARGS__)
#define SA(name, fn, ...) [SYS_##name] = ROW(name, fn, 0, R_DEC, __VA_ARGS__)

static const struct syscall_desc table[SYS_NR_LINUX] = {
	/* sys_file.c: descriptors and I/O */
	S(read, A_FD, A_OBUF, A_SIZE),
	S(write, A_FD, A_IBUF, A_SIZE),
	S(readv, A_FD, A_OIOV, A_INT),
	S(writev, A_FD, A_IOV, A_INT),
	S(pread64, A_FD, A_OBUF, A_SIZE, A_LONG),
	S(pwrite64, A_FD, A_IBUF, A_SIZE, A_LONG),
	S(preadv, A_FD, A_OIOV, A_INT, A_LONG),
	S(pwritev, A_FD, A_IOV, A_INT, A_LONG),
	S(open, A_PATH, A_OFLAGS, A_CMODE),
	S(openat, A_DIRFD, A_PATH, A_OFLAGS, A_CMODE),
	S(creat, A_PATH, A_OCT),
	S(close, A_FD),
	S(close_range, A_UINT, A_UINT, A_CLOSE_RANGE_FLAGS),
	S(lseek, A_FD, A_LONG, A_WHENCE),
	S(dup, A_FD),
	S(dup2, A_FD, A_FD),
	S(dup3, A_FD, A_FD, A_FDFLAGS),
	SR(fcntl, R_FCNTL, A_FD, A_FCNTL_CMD, A_FCNTL_ARG),
	S(ioctl, A_FD, A_IOCTL_REQ, A_IOCTL_ARG),
	S(pipe, A_PIPEFDS),
	S(pipe2, A_PIPEFDS, A_FDFLAGS),
	S(socket, A_SOCK_FAMILY, A_SOCK_TYPE, A_INT),
	S(socketpair, A_SOCK_FAMILY, A_SOCK_TYPE, A_INT, A_PIPEFDS),
	S(bind, A_FD, A_SOCKADDR, A_INT),
	S(listen, A_FD, A_INT),
	S(connect, A_FD, A_SOCKADDR, A_INT),
	S(accept, A_FD, A_ADDR, A_ADDR),
	S(accept4, A_FD, A_ADDR, A_ADDR, A_SOCK_TYPE),
	S(sendto, A_FD, A_IBUF, A_SIZE, A_MSG_FLAGS, A_SOCKADDR, A_INT),
	S(recvfrom, A_FD, A_OBUF, A_SIZE, A_MSG_FLAGS, A_ADDR, A_ADDR),
	S(sendmsg, A_FD, A_ADDR, A_MSG_FLAGS),
	S(recvmsg, A_FD, A_ADDR, A_MSG_FLAGS),
	S(shutdown, A_FD, A_SHUT_HOW),
	S(getsockname, A_FD, A_ADDR, A_ADDR),
	S(getpeername, A_FD, A_ADDR, A_ADDR),
	S(getsockopt, A_FD, A_SOCK_LEVEL, A_SOCK_OPT, A_ADDR, A_ADDR),
	S(setsockopt, A_FD, A_SOCK_LEVEL, A_SOCK_OPT, A_ADDR, A_INT),
	S(sendfile, A_FD, A_FD, A_LOFF, A_SIZE),
	S(flock, A_FD, A_FLOCK_OP),
	S(fadvise64, A_FD, A_LONG, A_LONG, A_FADVICE),
	/* sys_fs.c: paths, directories, attributes */
	S(stat, A_PATH, A_STAT),
	S(lstat, A_PATH, A_STAT),
	S(fstat, A_FD, A_STAT),
	S(newfstatat, A_DIRFD, A_PATH, A_STAT, A_ATFLAGS),
	S(statx, A_DIRFD, A_PATH, A_STATX_FLAGS, A_STATX_MASK, A_STATX),
	S(getdents, A_FD, A_DIRENTS, A_SIZE),
	S(getdents64, A_FD, A_DIRENTS, A_SIZE),
	S(getcwd, A_OPATH, A_SIZE),
	S(chdir, A_PATH),
	S(fchdir, A_FD),
	S(access, A_PATH, A_AMODE),
	S(faccessat, A_DIRFD, A_PATH, A_AMODE),
	S(faccessat2, A_DIRFD, A_PATH, A_AMODE, A_ACCESSAT_FLAGS),
	S(readlink, A_PATH, A_OBUF, A_SIZE),
	S(readlinkat, A_DIRFD, A_PATH, A_OBUF, A_SIZE),
	S(mkdir, A_PATH, A_OCT),
	S(mkdirat, A_DIRFD, A_PATH, A_OCT),
	S(mknod, A_PATH, A_FILEMODE, A_DEV),
	S(mknodat, A_DIRFD, A_PATH, A_FILEMODE, A_DEV),
	S(rmdir, A_PATH),
	S(unlink, A_PATH),
	S(unlinkat, A_DIRFD, A_PATH, A_ATFLAGS),
	S(rename, A_PATH, A_PATH),
	S(renameat, A_DIRFD, A_PATH, A_DIRFD, A_PATH),
	S(renameat2, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_RENAME_FLAGS),
	S(link, A_PATH, A_PATH),
	S(linkat, A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_ATFLAGS),
	S(symlink, A_PATH, A_PATH),
	S(symlinkat, A_PATH, A_DIRFD, A_PATH),
	S(chmod, A_PATH, A_OCT),
	S(fchmod, A_FD, A_OCT),
	S(fchmodat, A_DIRFD, A_PATH, A_OCT, A_HIDDEN),
	S(chown, A_PATH, A_ID, A_ID),
	S(fchown, A_FD, A_ID, A_ID),
	S(lchown, A_PATH, A_ID, A_ID),
	S(fchownat, A_DIRFD, A_PATH, A_ID, A_ID, A_ATFLAGS),
	S(utimensat, A_DIRFD, A_PATH, A_TIMESPEC_PAIR, A_ATFLAGS),
	S(utime, A_PATH, A_UTIMBUF),
	S(utimes, A_PATH, A_TIMEVAL_PAIR),
	S(futimesat, A_DIRFD, A_PATH, A_TIMEVAL_PAIR),
	S(truncate, A_PATH, A_LONG),
	S(ftruncate, A_FD, A_LONG),
	S(fsync, A_FD),
	S(fdatasync, A_FD),
	S(sync, A_END),
	S(syncfs, A_FD),
	S(statfs, A_PATH, A_STATFS),
	S(fstatfs, A_FD, A_STATFS),
	SR(umask, R_OCT, A_OCT),
	S(chroot, A_PATH),
	S(mount, A_PATH, A_PATH, A_STR, A_MOUNT_FLAGS, A_ADDR),
	S(umount2, A_PATH, A_UMOUNT_FLAGS),
	/* sys_poll.c */
	[SYS_poll] = ROW(poll, poll, SC_INTR_BLOCK, R_POLL, A_POLLFDS, A_UINT, A_INT),
	[SYS_ppoll] = ROW(ppoll, ppoll, SC_INTR_NOHAND, R_POLL, A_POLLFDS, A_UINT, A_TIMESPEC,
			  A_SIGSET, A_SIZE),
	[SYS_select] = ROW(select, select, SC_INTR_NOHAND, R_SELECT, A_INT, A_FDSET, A_FDSET,
			   A_FDSET, A_TIMEVAL),
	[SYS_pselect6] = ROW(pselect6, pselect6, SC_INTR_NOHAND, R_SELECT, A_INT, A_FDSET,
			     A_FDSET, A_FDSET, A_TIMESPEC, A_PSELECT_MASK),
	/* sys_proc.c: processes, identity, limits */
	S(getpid, A_END),
	S(getppid, A_END),
	S(gettid, A_END),
	S(getpgid, A_INT),
	S(setpgid, A_INT, A_INT),
	S(getpgrp, A_END),
	S(setsid, A_END),
	S(getsid, A_INT),
	SF(fork, SC_REGS, A_END),
	SF(vfork, SC_REGS, A_END),
	SF(clone, SC_REGS, A_CLONE_FLAGS, A_HIDDEN, A_CLONE_REST, A_HIDDEN, A_HIDDEN),
	SF(clone3, SC_REGS, A_CLONE_ARGS, A_SIZE),
	SF(execve, SC_REGS, A_PATH, A_ARGV, A_ENVP),
	SF(execveat, SC_REGS, A_DIRFD, A_PATH, A_ARGV, A_ENVP, A_ATFLAGS),
	SF(exit, SC_NORETURN, A_INT),
	SF(exit_group, SC_NORETURN, A_INT),
	S(wait4, A_INT, A_WSTATUS, A_WAIT_OPTS, A_RUSAGE),
	S(waitid, A_IDTYPE, A_INT, A_SIGINFO, A_WAIT_OPTS, A_RUSAGE),
	S(sched_yield, A_END),
	SF(arch_prctl, SC_REGS, A_ARCH_CODE, A_ARCH_ADDR),
	SR(prctl, R_DUMPABLE, A_PRCTL_OP, A_PRCTL_ARG, A_PRCTL_ARG, A_PRCTL_ARG, A_PRCTL_ARG),
	S(getuid, A_END),
	SA(geteuid, getuid, A_END),
	SA(getgid, getuid, A_END),
	SA(getegid, getuid, A_END),
	S(setuid, A_ID),
	SA(setgid, setuid, A_ID),
	SA(setfsuid, setuid, A_ID),
	SA(setfsgid, setuid, A_ID),
	S(setreuid, A_ID, A_ID),
	SA(setregid, setreuid, A_ID, A_ID),
	S(setresuid, A_ID, A_ID, A_ID),
	SA(setresgid, setresuid, A_ID, A_ID, A_ID),
	S(getresuid, A_INT_PTR, A_INT_PTR, A_INT_PTR),
	SA(getresgid, getresuid, A_INT_PTR, A_INT_PTR, A_INT_PTR),
	S(getgroups, A_INT, A_OGIDS),
	S(setgroups, A_INT, A_GIDS),
	S(getrlimit, A_RLIMIT_RES, A_ORLIMIT),
	S(setrlimit, A_RLIMIT_RES, A_RLIMIT),
	S(prlimit64, A_INT, A_RLIMIT_RES, A_RLIMIT, A_ORLIMIT),
	S(getpriority, A_PRIO_WHICH, A_INT),
	S(setpriority, A_PRIO_WHICH, A_INT, A_INT),
	S(sched_getparam, A_INT, A_OSCHED_PARAM),
	S(sched_setparam, A_INT, A_SCHED_PARAM),
	SR(sched_getscheduler, R_SCHED_POLICY, A_INT),
	S(sched_setscheduler, A_INT, A_SCHED_POLICY, A_SCHED_PARAM),
	SA(sched_get_priority_max, sched_get_priority, A_SCHED_POLICY),
	SA(sched_get_priority_min, sched_get_priority, A_SCHED_POLICY),
	S(sched_getaffinity, A_INT, A_SIZE, A_OCPUSET),
	S(sched_setaffinity, A_INT, A_SIZE, A_CPUSET),
	S(getcpu, A_INT_PTR, A_INT_PTR, A_ADDR),
	/* sys_thread.c: thread ids and futexes */
	S(set_tid_address, A_ADDR),
	S(set_robust_list, A_ADDR, A_SIZE),
	S(get_robust_list, A_INT, A_ADDR_PTR, A_U64_PTR),
	S(futex, A_ADDR, A_FUTEX_OP, A_FUTEX_ARG, A_FUTEX_ARG, A_FUTEX_ARG, A_FUTEX_ARG),
	/* sys_signal.c: sending, actions, masks, waiting for signals, timers */
	S(kill, A_INT, A_SIG),
	S(tkill, A_INT, A_SIG),
	S(tgkill, A_INT, A_INT, A_SIG),
	S(rt_sigaction, A_SIG, A_SIGACTION, A_OSIGACTION, A_SIZE),
	S(rt_sigprocmask, A_SIGHOW, A_SIGSET, A_OSIGSET, A_SIZE),
	SF(rt_sigreturn, SC_SETREGS | SC_REGS, A_SIGFRAME),
	S(rt_sigpending, A_OSIGSET, A_SIZE),
	SF(rt_sigsuspend, SC_INTR_NOHAND, A_SIGSET, A_SIZE),
	SR(rt_sigtimedwait, R_SIG, A_SIGSET, A_SIGINFO, A_TIMESPEC, A_SIZE),
	SF(sigaltstack, SC_REGS, A_STACK, A_OSTACK),
	SF(pause, SC_INTR_NOHAND, A_END),
	S(alarm, A_UINT),
	S(setitimer, A_ITIMER_WHICH, A_ITIMERVAL, A_OITIMERVAL),
	S(getitimer, A_ITIMER_WHICH, A_OITIMERVAL),
	/* sys_mem.c */
	SR(brk, R_HEX, A_ADDR),
	SR(mmap, R_HEX, A_ADDR, A_SIZE, A_PROT, A_MAP_FLAGS, A_FD, A_HEX),
	S(munmap, A_ADDR, A_SIZE),
	S(mprotect, A_ADDR, A_SIZE, A_PROT),
	SR(mremap, R_HEX, A_ADDR, A_SIZE, A_SIZE, A_MREMAP_FLAGS, A_MREMAP_NEW),
	S(madvise, A_ADDR, A_SIZE, A_MADVICE),
	S(msync, A_ADDR, A_SIZE, A_MSYNC_FLAGS),
	S(mincore, A_ADDR, A_SIZE, A_ADDR),
	S(mlock, A_ADDR, A_SIZE),
	SA(munlock, mlock, A_ADDR, A_SIZE),
	/* sys_time.c */
	S(clock_gettime, A_CLOCK, A_OTIMESPEC),
	S(clock_getres, A_CLOCK, A_OTIMESPEC),
	SF(clock_nanosleep, SC_INTR_BLOCK, A_CLOCK, A_TIMER_FLAGS, A_TIMESPEC, A_REM),
	SF(nanosleep, SC_INTR_BLOCK, A_TIMESPEC, A_REM),
	S(gettimeofday, A_OTIMEVAL, A_TIMEZONE),
	SR(time, R_TIME, A_TIME),
	S(times, A_TMS),
	S(getrusage, A_RUSAGE_WHO, A_RUSAGE),
	S(clock_settime, A_CLOCK, A_TIMESPEC),
	/* sys_misc.c */
	S(uname, A_UTSNAME),
	S(sethostname, A_IBUF, A_SIZE),
	S(sysinfo, A_SYSINFO),
	S(getrandom, A_OBUF_HEX, A_SIZE, A_GRND_FLAGS),
	S(reboot, A_HEX, A_HEX, A_HEX, A_ADDR),
	/* klog.c */
	S(syslog, A_SYSLOG_TYPE, A_ADDR, A_INT),
	/* Eclipse calls. sys_proc.c: boot-image programs */
	SR(get_service_binary, R_HEX, A_UINT, A_U64_PTR),
	SF(exec_image, SC_REGS, A_ADDR, A_SIZE, A_ARGV, A_ENVP),
	/* sys_ipc.c: messages and the name registry */
	S(ipc_send, A_INT, A_IPC_MSG, A_IPC_TIMEOUT),
	S(ipc_receive, A_INT, A_OIPC_MSG, A_IPC_TIMEOUT),
	S(ipc_call, A_INT, A_IPC_MSG, A_OIPC_MSG, A_IPC_TIMEOUT),
	S(ipc_reply, A_INT, A_IPC_MSG),
	S(ipc_register, A_STR),
	S(ipc_lookup, A_STR),
	/* srvfs.c: file servers */
	S(fs_serve, A_PATH),
	S(grant_copy, A_INT, A_HEX, A_ADDR, A_SIZE, A_GRANT_DIR),
	/* inet.c: Internet sockets */
	S(net_serve),
	S(net_ready, A_ADDR, A_UINT),
	/* pci.c: devices */
	S(pci_device, A_UINT, A_ADDR),
	S(dev_grant, A_INT, A_UINT),
	S(dev_claim, A_UINT),
	S(dev_release, A_UINT),
	SR(dev_map, R_HEX, A_UINT, A_UINT),
	S(dev_config, A_UINT, A_HEX, A_ADDR, A_SIZE, A_INT),
	S(dev_irq, A_UINT, A_UINT),
	SR(dma_alloc, R_HEX, A_SIZE, A_ADDR),
	S(dev_share, A_UINT, A_INT),
	/* chrsrv.c: character devices served by processes */
	S(chr_serve, A_HEX),
};

const struct syscall_desc *syscall_lookup(uint64_t nr)
{
	return nr < SYS_NR_LINUX && table[nr].fn ? &table[nr] : NULL;
}

unsigned syscall_nargs(uint64_t nr)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	if (!d)
		return 6;
	unsigned n = 0;
	while (n < 6 && d->args[n] != A_END)
		n++;
	return n;
}

/* The name of call nr: the kernel's, or Linux's for a call the kernel does not have (NULL when
 * Linux has none either). */
static const char *call_name(uint64_t nr)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	unsigned nargs;
	return d ? d->name : trace_linux_call(nr, &nargs);
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
	if (trace)
		trace_syscall_enter(t, nr, args);
	if (kernel_cfg.on_event && !wait_rerunning(t)) /* one that runs again started before */
		EVENT(.kind = CORE_EVENT_SYSCALL, .t = t, .syscall = {nr, call_name(nr), 0});
	if (!d) {
		if (trace)
			trace_syscall_exit(t, nr, args, -ENOSYS);
		EVENT(.kind = CORE_EVENT_SYSCALL_END, .t = t, .syscall = {nr, call_name(nr), -ENOSYS});
		return -ENOSYS;
	}
	srv_syscall_begin(t);
	/* A syscall is progress: a fault at the same place after it is a new one (the platform may
	 * run syscalls without a trap to trap_handle, which resets the count otherwise). */
	t->fault_repeats = 0;
	if (!wait_rerunning(t))
		t->net_done = t->net_deadline = 0;
	long ret = d->fn(t, args);
	if (ret == -EBLOCKED)
		return ret;
	if (t->state == THREAD_DEAD)
		return ret; /* its call ended with it, in thread_exit */
	syscall_done(t);
	long result = d->flags & SC_SETREGS ? (long)t->ctx.regs.rax : ret;
	/* One that starts over (ERESTARTSYS before it did anything) goes on with the same trace
	 * line; to the observer it ends, and starts again when the thread makes it again. */
	if (trace && ret != -ERESTARTSYS)
		trace_syscall_exit(t, nr, args, result);
	EVENT(.kind = CORE_EVENT_SYSCALL_END, .t = t, .syscall = {nr, d->name, result});
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
	struct regs *r = &t->ctx.regs;
	EVENT(.kind = CORE_EVENT_SYSCALL_END, .t = t, .syscall = {r->rax, call_name(r->rax), result});
	if (!(kernel_cfg.trace & TRACE_SYSCALL))
		return;
	const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	trace_syscall_exit(t, r->rax, args, result);
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

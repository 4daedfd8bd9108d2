/* System call dispatch: a bounds-checked table indexed by number; handlers decode, then act. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <kernel/core.h>
#include <kernel/proc.h>
#include <kernel/wait.h>

/* A handler's request to run the syscall instruction again after a signal handler (never seen
 * by the guest); Linux's internal name and number, which the C library's <errno.h> does not
 * take. */
#define ERESTARTSYS 512

typedef long (*syscall_fn)(struct thread *t, const uint64_t *args);

#define SC_REGS 0x1u     /* reads or sets the thread's saved registers: never from the fast path */
#define SC_NORETURN 0x2u /* the caller does not come back (exit) */
#define SC_SETREGS 0x4u  /* sets every register itself, rax included (rt_sigreturn) */
/* What Linux reports when a signal handler interrupts the call (the trace shows it): by
 * default EINTR, or ERESTARTSYS for a wait that SA_RESTART starts over (wait.h). */
#define SC_INTR_NOHAND 0x8u /* ERESTARTNOHAND: pause, sigsuspend, select */
#define SC_INTR_BLOCK 0x10u /* ERESTART_RESTARTBLOCK: the sleeps, poll with a timeout */

struct syscall_desc {
	const char *name;
	syscall_fn fn;
	uint8_t args[6]; /* how the trace prints each argument (enum trace_arg), A_END after the last */
	uint8_t ret;     /* and the result (enum trace_ret) */
	unsigned flags;
};

/* The descriptor of syscall nr, or NULL when there is none. */
const struct syscall_desc *syscall_lookup(uint64_t nr);
/* Runs syscall nr for t with args; returns the value for rax, or -EBLOCKED. Traces. */
long syscall_invoke(struct thread *t, uint64_t nr, const uint64_t *args);
/* Runs the syscall in t's saved registers and stores its result in rax (unless it blocked). */
void syscall_from_regs(struct thread *t);
/* The end of t's syscall (in its saved registers) with result: its trace line, when tracing,
 * and its event, when observed. */
void syscall_trace_end(struct thread *t, long result);

/* syscall_fast and syscall_nargs, the platform's entry: core.h. */

#define SYSCALL(name) long sys_##name(struct thread *t, const uint64_t *a)

/* A user range the kernel may touch at all (Linux's access_ok). */
static inline bool user_range_ok(uint64_t buf, uint64_t len)
{
	return buf < USER_END && len <= USER_END - buf;
}

/* Handlers, one file per area: sys_file.c (descriptors and I/O), sys_fs.c (paths), sys_poll.c,
 * sys_proc.c (processes and identity), sys_thread.c (clone, futex), sys_signal.c, sys_ipc.c,
 * sys_mem.c, sys_time.c, sys_misc.c. */
SYSCALL(read); SYSCALL(write); SYSCALL(readv); SYSCALL(writev); SYSCALL(pread64);
SYSCALL(pwrite64); SYSCALL(preadv); SYSCALL(pwritev); SYSCALL(open); SYSCALL(openat);
SYSCALL(creat); SYSCALL(close); SYSCALL(close_range); SYSCALL(lseek); SYSCALL(dup);
SYSCALL(dup2); SYSCALL(dup3); SYSCALL(fcntl); SYSCALL(ioctl); SYSCALL(pipe); SYSCALL(pipe2);
SYSCALL(socketpair); SYSCALL(sendto); SYSCALL(recvfrom); SYSCALL(sendmsg); SYSCALL(recvmsg);
SYSCALL(shutdown); SYSCALL(getsockname); SYSCALL(getpeername); SYSCALL(getsockopt);
SYSCALL(setsockopt); SYSCALL(socket); SYSCALL(bind); SYSCALL(listen); SYSCALL(connect);
SYSCALL(accept); SYSCALL(accept4);
SYSCALL(sendfile); SYSCALL(flock); SYSCALL(fadvise64);
SYSCALL(stat); SYSCALL(lstat); SYSCALL(fstat); SYSCALL(newfstatat); SYSCALL(statx);
SYSCALL(getdents); SYSCALL(getdents64); SYSCALL(getcwd); SYSCALL(chdir); SYSCALL(fchdir);
SYSCALL(access); SYSCALL(faccessat); SYSCALL(faccessat2); SYSCALL(readlink);
SYSCALL(readlinkat); SYSCALL(mkdir); SYSCALL(mkdirat); SYSCALL(mknod); SYSCALL(mknodat);
SYSCALL(rmdir); SYSCALL(unlink); SYSCALL(unlinkat); SYSCALL(rename); SYSCALL(renameat);
SYSCALL(renameat2); SYSCALL(link); SYSCALL(linkat); SYSCALL(symlink); SYSCALL(symlinkat);
SYSCALL(chmod); SYSCALL(fchmod); SYSCALL(fchmodat); SYSCALL(chown); SYSCALL(fchown);
SYSCALL(lchown); SYSCALL(fchownat); SYSCALL(utimensat); SYSCALL(utime); SYSCALL(utimes);
SYSCALL(futimesat); SYSCALL(truncate); SYSCALL(ftruncate); SYSCALL(fsync); SYSCALL(fdatasync);
SYSCALL(sync); SYSCALL(syncfs); SYSCALL(statfs); SYSCALL(fstatfs); SYSCALL(umask);
SYSCALL(chroot); SYSCALL(mount); SYSCALL(umount2);
SYSCALL(poll); SYSCALL(ppoll); SYSCALL(select); SYSCALL(pselect6);
SYSCALL(getpid); SYSCALL(getppid); SYSCALL(gettid); SYSCALL(getpgid); SYSCALL(setpgid);
SYSCALL(getpgrp); SYSCALL(setsid); SYSCALL(getsid); SYSCALL(fork); SYSCALL(vfork);
SYSCALL(clone); SYSCALL(clone3); SYSCALL(execve); SYSCALL(execveat); SYSCALL(exec_image);
SYSCALL(exit); SYSCALL(exit_group); SYSCALL(wait4); SYSCALL(waitid); SYSCALL(sched_yield);
SYSCALL(arch_prctl); SYSCALL(prctl); SYSCALL(getuid); SYSCALL(setuid); SYSCALL(setresuid);
SYSCALL(getresuid); SYSCALL(setreuid); SYSCALL(getgroups); SYSCALL(setgroups);
SYSCALL(getrlimit); SYSCALL(setrlimit); SYSCALL(prlimit64); SYSCALL(getpriority);
SYSCALL(setpriority); SYSCALL(sched_getparam); SYSCALL(sched_getscheduler);
SYSCALL(sched_setscheduler); SYSCALL(sched_setparam); SYSCALL(sched_get_priority);
SYSCALL(sched_getaffinity); SYSCALL(sched_setaffinity); SYSCALL(getcpu);
SYSCALL(get_service_binary);
SYSCALL(set_tid_address); SYSCALL(set_robust_list); SYSCALL(get_robust_list); SYSCALL(futex);
SYSCALL(brk); SYSCALL(mmap); SYSCALL(munmap); SYSCALL(mprotect); SYSCALL(mremap);
SYSCALL(madvise); SYSCALL(msync); SYSCALL(mincore); SYSCALL(mlock);
SYSCALL(clock_gettime); SYSCALL(clock_getres); SYSCALL(clock_nanosleep); SYSCALL(nanosleep);
SYSCALL(gettimeofday); SYSCALL(time); SYSCALL(times); SYSCALL(getrusage); SYSCALL(clock_settime);
SYSCALL(uname); SYSCALL(sethostname); SYSCALL(sysinfo); SYSCALL(getrandom); SYSCALL(syslog);
SYSCALL(reboot);

/* A thread ends: its CLONE_CHILD_CLEARTID word is cleared and woken, robust futexes released. */
void thread_exit_hooks(struct thread *t);

#endif

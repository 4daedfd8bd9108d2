/* Process wrappers: identity, groups, creation, waiting, signals, scheduling, thread registers. */
#include <ecl/syscall.h>
#include <ecl/unistd.h>

/* Returns the caller's process id; cannot fail. */
pid_t getpid(void)
{
	return (pid_t)syscall0(SYS_getpid);
}

/* Returns the parent's process id; cannot fail. */
pid_t getppid(void)
{
	return (pid_t)syscall0(SYS_getppid);
}

/* Puts process pid (0: the caller) into group pgid (0: a new group led by pid); returns 0 or -1. */
int setpgid(pid_t pid, pid_t pgid)
{
	return (int)syscall_ret(syscall2(SYS_setpgid, pid, pgid));
}

/* Returns the process group of pid (0: the caller), or -1. */
pid_t getpgid(pid_t pid)
{
	return (pid_t)syscall_ret(syscall1(SYS_getpgid, pid));
}

/* Copies the caller; returns the child's pid in the parent, 0 in the child, or -1. */
pid_t fork(void)
{
	return (pid_t)syscall_ret(syscall0(SYS_fork));
}

/* Replaces the program with path run on argv and envp; returns only on failure, -1. */
int execve(const char *path, char *const argv[], char *const envp[])
{
	return (int)syscall_ret(syscall3(SYS_execve, (long)path, (long)argv, (long)envp));
}

/* Waits for a child as options say; returns its pid (0 for WNOHANG and none ready) or -1. */
pid_t wait4(pid_t pid, int *status, int options, void *rusage)
{
	return (pid_t)syscall_ret(syscall4(SYS_wait4, pid, (long)status, options, (long)rusage));
}

/* wait4 without resource usage. */
pid_t waitpid(pid_t pid, int *status, int options)
{
	return wait4(pid, status, options, NULL);
}

/* Sends sig to pid; returns 0 or -1. */
int kill(pid_t pid, int sig)
{
	return (int)syscall_ret(syscall2(SYS_kill, pid, sig));
}

/* Lets other runnable processes go first; returns 0 or -1. */
int sched_yield(void)
{
	return (int)syscall_ret(syscall0(SYS_sched_yield));
}

/* Sets or gets the FS/GS base per code (ARCH_*); returns 0 or -1. */
int arch_prctl(int code, unsigned long addr)
{
	return (int)syscall_ret(syscall2(SYS_arch_prctl, code, (long)addr));
}

/*
 * System call wrappers, libc-style: on failure they return -1 (MAP_FAILED for mmap, (void *)-1
 * for sbrk) and set errno. Structures and flags are the Linux ones from eclipse.h.
 */
#ifndef ECL_UNISTD_H
#define ECL_UNISTD_H

#include <eclipse.h>
#include <linux.h>
#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;
typedef int pid_t;
typedef long off_t;

/* The environment the program started with; crt0 sets it before main. */
extern char **environ;
/* The stack pointer the kernel handed to _start (it points at argc); crt0 records it. */
extern void *ecl_initial_sp;

/* Files. */
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
ssize_t writev(int fd, const struct linux_iovec *iov, int iovcnt);
int close(int fd);

/* Processes. */
_Noreturn void _exit(int status);
pid_t getpid(void);
pid_t getppid(void);
int setpgid(pid_t pid, pid_t pgid);
pid_t getpgid(pid_t pid);
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
pid_t wait4(pid_t pid, int *status, int options, void *rusage);
pid_t waitpid(pid_t pid, int *status, int options);
int kill(pid_t pid, int sig);
int sched_yield(void);
int arch_prctl(int code, unsigned long addr);

/* Memory. */
int brk(void *addr);
void *sbrk(intptr_t increment);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

/* Time and system identity. */
int clock_gettime(int clock, struct linux_timespec *ts);
int nanosleep(const struct linux_timespec *req, struct linux_timespec *rem);
int uname(struct linux_utsname *buf);

#endif

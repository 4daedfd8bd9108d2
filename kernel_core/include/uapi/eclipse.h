/*
 * The Eclipse OS guest ABI: syscall numbers, error numbers, flags and structures shared by the
 * kernel and guest programs. Linux x86_64 numbers and layouts for the POSIX-like calls, so a
 * static program using only those runs the same natively; Eclipse-specific calls from 500.
 * Freestanding: no includes, fixed-width types spelled out.
 */
#ifndef ECLIPSE_UAPI_H
#define ECLIPSE_UAPI_H

/* Syscall numbers (Linux x86_64). */
#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_fstat 5
#define SYS_lseek 8
#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_brk 12
#define SYS_rt_sigaction 13
#define SYS_rt_sigprocmask 14
#define SYS_rt_sigreturn 15
#define SYS_writev 20
#define SYS_sched_yield 24
#define SYS_dup 32
#define SYS_dup2 33
#define SYS_nanosleep 35
#define SYS_getpid 39
#define SYS_fork 57
#define SYS_execve 59
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_kill 62
#define SYS_uname 63
#define SYS_setpgid 109
#define SYS_getppid 110
#define SYS_getpgid 121
#define SYS_arch_prctl 158
#define SYS_clock_gettime 228
#define SYS_openat 257
#define SYS_exit_group 231
#define SYS_NR_LINUX 512 /* size of the dispatch table; Eclipse calls sit in its top part */

/* Eclipse-specific syscalls. */
#define SYS_ECLIPSE_BASE 500
/* get_service_binary(id, uint64_t *size): maps the boot image's binary of service id read-only
 * into the caller; returns its address and stores its size. */
#define SYS_get_service_binary 500
/* exec_image(const void *elf, size_t len, char *const argv[], char *const envp[]): execve from an
 * ELF image in the caller's memory. */
#define SYS_exec_image 501

/*
 * Message passing: synchronous and copied by the kernel. A sender blocks until a receiver takes
 * its message (or fails with -EAGAIN when timeout_ns is 0); call sends and waits for the reply
 * atomically. timeout_ns: IPC_FOREVER, 0 (never block), or a span after which the call fails
 * with -ETIMEDOUT. A partner that dies wakes its waiters with -EPIPE; a call to oneself is
 * -EDEADLK; a handled signal interrupts a wait with -EINTR.
 */
#define SYS_ipc_send 502     /* (pid, const struct ipc_msg *, timeout_ns) -> 0 */
#define SYS_ipc_receive 503  /* (from pid or 0 for any, struct ipc_msg *, timeout_ns) -> sender */
#define SYS_ipc_call 504     /* (pid, const struct ipc_msg *req, struct ipc_msg *reply, timeout_ns) */
#define SYS_ipc_reply 505    /* (pid of a caller waiting for us, const struct ipc_msg *) -> 0 */
#define SYS_ipc_register 506 /* (const char *name) -> 0: clients find us by name */
#define SYS_ipc_lookup 507   /* (const char *name) -> pid */
#define IPC_PAYLOAD_MAX 4096
#define IPC_NAME_MAX 32 /* with the NUL */
#define IPC_FOREVER 0xffffffffffffffffull
#define EPIPE 32

struct ipc_msg {
	int sender;        /* set by the kernel on delivery */
	unsigned int type; /* the application's */
	unsigned int len;  /* bytes of data, at most IPC_PAYLOAD_MAX */
	unsigned int reserved;
	unsigned char data[IPC_PAYLOAD_MAX];
};
#define IPC_HEADER_SIZE 16

/* Service ids of get_service_binary, and the boot-image paths behind them. */
#define ECLIPSE_SERVICE_FILESYSTEM 0
#define ECLIPSE_SERVICE_NETWORK 1
#define ECLIPSE_SERVICE_DISPLAY 2
#define ECLIPSE_SERVICE_AUDIO 3
#define ECLIPSE_SERVICE_INPUT 4
#define ECLIPSE_SERVICE_PATHS                                                                    \
	{"/sbin/filesystem", "/sbin/network", "/sbin/display", "/sbin/audio", "/sbin/input"}

/* Error numbers (Linux values); syscalls return -errno. */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define ENODEV 19
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOSPC 28
#define EROFS 30
#define ESPIPE 29
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ETIMEDOUT 110

/* Signals (Linux x86_64). */
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28
#define NSIG 64

/* rt_sigaction and rt_sigprocmask (struct linux_sigaction is the kernel's layout). */
#define SIG_DFL 0
#define SIG_IGN 1
#define SA_NOCLDSTOP 0x00000001
#define SA_SIGINFO 0x00000004
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SI_USER 0
#define SI_KERNEL 0x80
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_STOPPED 5
#define CLD_CONTINUED 6
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2

/* mmap and mprotect. */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_FAILED ((void *)-1)

/* open flags, lseek whence, file types. */
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_ACCMODE 03
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define AT_FDCWD (-100)
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000

/* clock_gettime clocks. */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7

/* arch_prctl codes. */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* wait4 options and status encoding. */
#define WNOHANG 1
#define WUNTRACED 2
#define WCONTINUED 8

/* Auxiliary vector types. */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_RANDOM 25
#define AT_EXECFN 31

struct linux_timespec {
	long long tv_sec;
	long long tv_nsec;
};

struct linux_sigaction {
	unsigned long long handler;
	unsigned long long flags;
	unsigned long long restorer;
	unsigned long long mask;
};

/* What a handler finds on its stack (Linux x86_64 rt_sigframe); rt_sigreturn reads it back. */
struct linux_sigcontext {
	unsigned long long r8, r9, r10, r11, r12, r13, r14, r15;
	unsigned long long rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	unsigned short cs, gs, fs, ss;
	unsigned long long err, trapno, oldmask, cr2;
	unsigned long long fpstate; /* address of a 512-byte FXSAVE area */
	unsigned long long reserved1[8];
};

struct linux_ucontext {
	unsigned long long uc_flags, uc_link;
	unsigned long long ss_sp;
	int ss_flags, ss_pad;
	unsigned long long ss_size;
	struct linux_sigcontext uc_mcontext;
	unsigned long long uc_sigmask;
};

struct linux_siginfo {
	int si_signo, si_errno, si_code, si_pad;
	union {
		struct {
			int pid;
			unsigned int uid;
			int status;
		} proc;
		unsigned long long addr;
		char bytes[112];
	} u;
};

struct linux_stat {
	unsigned long long st_dev, st_ino, st_nlink;
	unsigned int st_mode, st_uid, st_gid, pad0;
	unsigned long long st_rdev;
	long long st_size, st_blksize, st_blocks;
	unsigned long long st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
	long long unused[3];
};

struct linux_iovec {
	unsigned long long iov_base;
	unsigned long long iov_len;
};

#define LINUX_UTSNAME_LEN 65
struct linux_utsname {
	char sysname[LINUX_UTSNAME_LEN];
	char nodename[LINUX_UTSNAME_LEN];
	char release[LINUX_UTSNAME_LEN];
	char version[LINUX_UTSNAME_LEN];
	char machine[LINUX_UTSNAME_LEN];
	char domainname[LINUX_UTSNAME_LEN];
};

/* wait4 status decoding (Linux encoding: exit code << 8, or the killing signal in the low 7 bits). */
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFEXITED(s) (WTERMSIG(s) == 0)
#define WIFSIGNALED(s) (WTERMSIG(s) != 0 && WTERMSIG(s) != 0x7f)

#endif

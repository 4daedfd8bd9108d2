/*
 * The syscall tracer's parts, in strace's format: trace.c orders the lines (a call's line, its
 * "<unfinished ...>" and "<... resumed>" halves, signal and exit lines); trace_args.c prints each
 * kind of argument and result; trace_names.c holds the names of calls, errors, signals and
 * flags. The syscall table (syscall.c) gives each argument a kind. The kernel at large calls
 * the functions kernel.h declares, not these.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <kernel/kernel.h>
#include <kernel/syscall.h>

/* What a signal handler's interruption of a call is in Linux, which strace shows as the call's
 * result; the guest sees EINTR (or, with SA_RESTART, the call again). ERESTARTSYS is in
 * syscall.h, which handlers use. */
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* strace prints at most this many bytes of a string or buffer, and of an array's elements. */
#define TRACE_STR_MAX 32
#define TRACE_ARRAY_MAX 32
/* Paths are printed whole, as strace does, up to Linux's PATH_MAX. */
#define TRACE_PATH_MAX 4096
/* A line longer than this is cut (a path of 4096 bytes, each escaped, could make one). */
#define TRACE_LINE_MAX 8192
/* strace's column for " = result" (its -a 40). */
#define TRACE_RESULT_COLUMN 40

/*
 * Argument kinds: how trace_args.c prints each argument of a call. Kinds before A_EXIT_FIRST
 * are read when the call starts; the others (output arguments) when it ends, and, as in strace,
 * every argument after the first output one too. A few kinds decide that, or whether they are
 * printed at all, from another argument (trace_arg_at_exit, trace_arg_shown).
 */
enum trace_arg {
	A_END,    /* no more arguments */
	A_HIDDEN, /* the handler reads it, Linux's call has no such argument: not printed */
	A_INT, A_UINT, A_LONG, A_SIZE, A_HEX,
	A_ADDR,   /* NULL or 0x... */
	A_FD,
	A_DIRFD,  /* AT_FDCWD or a descriptor */
	A_ID,     /* a uid or gid: -1 or unsigned */
	A_OCT,    /* permission bits: 0644 */
	A_FILEMODE, /* type and permission bits: S_IFIFO|0644 */
	A_DEV,    /* mknod's device: makedev(0x1, 0x3), only for S_IFCHR and S_IFBLK */
	A_PATH,   /* a string printed whole */
	A_STR,    /* a string printed up to TRACE_STR_MAX bytes */
	A_IBUF,   /* bytes the call reads; their count is the next argument */
	A_OFLAGS, /* O_RDONLY|O_CLOEXEC... */
	A_CMODE,  /* the mode of open with O_CREAT or O_TMPFILE in the argument before, else not printed */
	A_FDFLAGS, /* O_* flags without an access mode (dup3, pipe2) */
	A_AMODE,  /* F_OK, R_OK|W_OK... */
	A_ATFLAGS, A_ACCESSAT_FLAGS, A_STATX_FLAGS, A_STATX_MASK, A_RENAME_FLAGS,
	A_WHENCE, A_FLOCK_OP, A_FADVICE, A_CLOSE_RANGE_FLAGS,
	A_SOCKADDR, /* a struct sockaddr whose length is the next argument */
	A_SOCK_FAMILY, A_SOCK_TYPE, A_MSG_FLAGS, A_SHUT_HOW, A_SOCK_LEVEL, A_SOCK_OPT,
	A_FCNTL_CMD, A_FCNTL_ARG, /* the argument as the command wants it (or none) */
	A_IOCTL_REQ, A_IOCTL_ARG, /* likewise for ioctl's request */
	A_PROT, A_MAP_FLAGS, A_MREMAP_FLAGS,
	A_MREMAP_NEW, /* mremap's new address, printed with MREMAP_FIXED */
	A_MADVICE, A_MSYNC_FLAGS,
	A_SIG, A_SIGHOW,
	A_SIGSET,     /* a sigset_t: [INT TERM], ~[KILL STOP] */
	A_SIGACTION,
	A_STACK,      /* sigaltstack's stack_t */
	A_SIGFRAME,   /* rt_sigreturn: {mask=[...]} from the frame at the stack pointer */
	A_WAIT_OPTS, A_IDTYPE,
	A_CLONE_FLAGS, /* clone's "child_stack=..., flags=..." (the stack is argument 1) */
	A_CLONE_ARGS,  /* clone3's struct clone_args */
	A_ARGV,        /* ["ls", "-l"] */
	A_ENVP,        /* the address, and a comment with the count of strings */
	A_TIMESPEC, A_TIMEVAL,
	A_TIMESPEC_PAIR, /* utimensat's times, with UTIME_NOW and UTIME_OMIT */
	A_TIMEVAL_PAIR, A_UTIMBUF, A_ITIMERVAL,
	A_CLOCK, A_TIMER_FLAGS, A_ITIMER_WHICH,
	A_RLIMIT_RES, A_RLIMIT, A_PRIO_WHICH, A_SCHED_POLICY, A_SCHED_PARAM,
	A_CPUSET,     /* its size in bytes is argument 1 */
	A_RUSAGE_WHO,
	A_IOV,        /* an iovec array the call reads; its count is the next argument */
	A_POLLFDS,    /* a pollfd array; its count is the next argument */
	A_FDSET,      /* an fd_set of argument 0 descriptors */
	A_PSELECT_MASK, /* pselect6's {sigset, size} */
	A_GIDS,       /* argument 0 gids */
	A_FUTEX_OP, A_FUTEX_ARG, /* the arguments the operation takes */
	A_PRCTL_OP, A_PRCTL_ARG,
	A_ARCH_CODE, A_ARCH_ADDR,
	A_GRND_FLAGS, A_MOUNT_FLAGS, A_UMOUNT_FLAGS, A_SYSLOG_TYPE,
	A_IPC_MSG, A_IPC_TIMEOUT, A_GRANT_DIR,

	A_EXIT_FIRST,
	A_OBUF = A_EXIT_FIRST, /* bytes the call wrote; their count is its result */
	A_OBUF_HEX,   /* the same, every byte in hex (getrandom) */
	A_OPATH,      /* a string the call wrote (getcwd) */
	A_OIOV,       /* an iovec array the call filled with its result's count of bytes */
	A_STAT, A_STATX, A_STATFS,
	A_DIRENTS,    /* the address, and a comment with the count of entries */
	A_PIPEFDS,    /* [3, 4] */
	A_INT_PTR,    /* [N] */
	A_U64_PTR,    /* [N] of 64 bits */
	A_ADDR_PTR,   /* [0x...] */
	A_LOFF,       /* sendfile's offset, [N] after the call */
	A_WSTATUS,    /* [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] */
	A_SIGINFO, A_RUSAGE, A_OSIGACTION, A_OSIGSET, A_OSTACK, A_OTIMESPEC, A_OTIMEVAL,
	A_OITIMERVAL, A_ORLIMIT, A_OSCHED_PARAM, A_OCPUSET,
	A_OGIDS,      /* the result's count of gids */
	A_UTSNAME, A_SYSINFO, A_TMS, A_TIMEZONE,
	A_TIME,       /* time()'s [N] */
	A_REM,        /* a sleep's remaining time: printed when a signal ended it */
	A_CLONE_REST, /* clone's parent_tid=, tls= and child_tidptr=, as its flags ask */
	A_OIPC_MSG,
	A_KIND_COUNT
};

/* How a call's result is printed (after " = "), when it is not an error. */
enum trace_ret {
	R_DEC,          /* 3 */
	R_HEX,          /* 0x7f0000 */
	R_OCT,          /* umask: 022 */
	R_FCNTL,        /* 0x1 (flags FD_CLOEXEC) */
	R_POLL,         /* 1 ([{fd=3, revents=POLLIN}]) */
	R_SELECT,       /* 1 (in [3], left {...}) */
	R_SIG,          /* 10 (SIGUSR1) */
	R_TIME,         /* 1700000000 (2023-11-14T22:13:20+0000) */
	R_SCHED_POLICY, /* 0 (SCHED_OTHER) */
	R_DUMPABLE,     /* prctl: 1 (SUID_DUMP_USER) */
};

/* A line being put together. */
struct trace_line {
	char buf[TRACE_LINE_MAX];
	size_t len;
};

/* What a printer knows of the call. */
struct trace_call {
	struct thread *t;
	uint64_t nr;
	const struct syscall_desc *d; /* NULL: a call the kernel does not have */
	const uint64_t *a;
	long ret;                     /* at exit */
	bool failed;                  /* at exit: the call returned an error (or did not return) */
};

void tput(struct trace_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tputs(struct trace_line *l, const char *s);

/* trace_args.c */
/* "bytes" escaped as strace does (each byte in hex with hex). */
void trace_put_quoted(struct trace_line *l, const char *bytes, size_t n, bool hex);
/* len bytes of the caller's memory at uva, as a string of at most TRACE_STR_MAX bytes. */
void trace_put_ubuf(struct trace_line *l, const struct trace_call *c, uint64_t uva, uint64_t len,
		    bool hex);
/* Whether argument i of the call is printed at all, and whether it is one the call writes
 * (printed at its end, as is every argument after it). */
bool trace_arg_shown(const struct trace_call *c, int i);
bool trace_arg_at_exit(const struct trace_call *c, int i);
/* Prints argument i. */
void trace_put_arg(struct trace_line *l, const struct trace_call *c, int i);
/* Prints a successful result after " = ". */
void trace_put_result(struct trace_line *l, const struct trace_call *c);
/* {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} */
void trace_put_siginfo(struct trace_line *l, const struct linux_siginfo *si);

/* trace_structs.c */
bool trace_peek(const struct trace_call *c, uint64_t uva, void *dst, size_t n);
void trace_put_addr(struct trace_line *l, uint64_t v); /* NULL or 0x... */
void trace_put_hex(struct trace_line *l, uint64_t v);  /* 0 or 0x... */
void trace_put_mode(struct trace_line *l, unsigned mode);
void trace_put_dev(struct trace_line *l, uint64_t dev);
void trace_put_date(struct trace_line *l, long long secs, unsigned long frac, int frac_digits);
void trace_put_sigset(struct trace_line *l, uint64_t set);
/* The structure of kind at uva: NULL, its fields, or its address when it cannot be read. */
void trace_put_struct(struct trace_line *l, const struct trace_call *c, enum trace_arg kind,
		      uint64_t uva);

/* trace_names.c */
struct trace_flag {
	uint64_t value;
	const char *name;
};
/* The name of Linux's call nr and its argument count; NULL when Linux has none. */
const char *trace_linux_call(uint64_t nr, unsigned *nargs);
/* ENOENT and "No such file or directory" for e (the restart codes too); NULL if unknown. */
const char *trace_errno_name(long e);
const char *trace_errno_text(long e);
/* SIGUSR1, SIGRTMIN, SIGRT_3, or the number. */
void trace_put_signal(struct trace_line *l, int sig);
/* Flags as strace prints them: the names in table order, what is left in hex (with unknown as
 * a comment when no name fits); zero (or "0") for none. */
void trace_put_flags(struct trace_line *l, const struct trace_flag *table, uint64_t v,
		     const char *zero, const char *unknown);
/* A value's name, or the number (fallback, a printf format for it). */
void trace_put_enum(struct trace_line *l, const struct trace_flag *table, uint64_t v,
		    const char *fallback);
const char *trace_enum_name(const struct trace_flag *table, uint64_t v);

extern const struct trace_flag trace_sock_families[], trace_sock_types[], trace_sock_flags[],
	trace_msg_flags[], trace_shut_hows[], trace_sock_levels[], trace_sock_opts[];
extern const struct trace_flag trace_open_flags[], trace_at_flags[], trace_accessat_flags[],
	trace_statx_mask[], trace_rename_flags[], trace_whence[], trace_flock_ops[],
	trace_fadvice[], trace_close_range_flags[], trace_fcntl_cmds[], trace_fd_flags[],
	trace_ioctls[], trace_prot[], trace_map_flags[], trace_mremap_flags[], trace_madvice[],
	trace_msync_flags[], trace_sighow[], trace_sa_flags[], trace_ss_flags[],
	trace_wait_opts[], trace_idtypes[], trace_clone_flags[], trace_clocks[],
	trace_itimers[], trace_rlimits[], trace_prio_which[], trace_sched_policies[],
	trace_rusage_who[], trace_poll_events[], trace_futex_ops[], trace_prctl_ops[],
	trace_arch_codes[], trace_grnd_flags[], trace_mount_flags[], trace_umount_flags[],
	trace_syslog_types[], trace_lock_types[], trace_si_codes[], trace_cld_codes[],
	trace_segv_codes[], trace_ill_codes[], trace_fpe_codes[], trace_trap_codes[],
	trace_bus_codes[], trace_vfs_ops[], trace_statfs_magic[], trace_statfs_flags[];

#endif

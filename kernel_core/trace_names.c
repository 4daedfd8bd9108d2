/*
 * Names for the syscall tracer: every Linux x86_64 call with its argument count, error numbers
 * with their text, signals, and the flag and value tables strace prints (in its order: a flag
 * set prints its names in table order, so the order is strace's).
 */
#include <kernel/klib.h>
#include <kernel/trace.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define C(nr, name, nargs) [nr] = {#name, nargs}
static const struct {
	const char *name;
	unsigned char nargs;
} linux_calls[] = {
	C(0, read, 3), C(1, write, 3), C(2, open, 3), C(3, close, 1), C(4, stat, 2), C(5, fstat, 2),
	C(6, lstat, 2), C(7, poll, 3), C(8, lseek, 3), C(9, mmap, 6), C(10, mprotect, 3),
	C(11, munmap, 2), C(12, brk, 1), C(13, rt_sigaction, 4), C(14, rt_sigprocmask, 4),
	C(15, rt_sigreturn, 0), C(16, ioctl, 3), C(17, pread64, 4), C(18, pwrite64, 4),
	C(19, readv, 3), C(20, writev, 3), C(21, access, 2), C(22, pipe, 1), C(23, select, 5),
	C(24, sched_yield, 0), C(25, mremap, 5), C(26, msync, 3), C(27, mincore, 3),
	C(28, madvise, 3), C(29, shmget, 3), C(30, shmat, 3), C(31, shmctl, 3), C(32, dup, 1),
	C(33, dup2, 2), C(34, pause, 0), C(35, nanosleep, 2), C(36, getitimer, 2), C(37, alarm, 1),
	C(38, setitimer, 3), C(39, getpid, 0), C(40, sendfile, 4), C(41, socket, 3),
	C(42, connect, 3), C(43, accept, 3), C(44, sendto, 6), C(45, recvfrom, 6), C(46, sendmsg, 3),
	C(47, recvmsg, 3), C(48, shutdown, 2), C(49, bind, 3), C(50, listen, 2),
	C(51, getsockname, 3), C(52, getpeername, 3), C(53, socketpair, 4), C(54, setsockopt, 5),
	C(55, getsockopt, 5), C(56, clone, 5), C(57, fork, 0), C(58, vfork, 0), C(59, execve, 3),
	C(60, exit, 1), C(61, wait4, 4), C(62, kill, 2), C(63, uname, 1), C(64, semget, 3),
	C(65, semop, 3), C(66, semctl, 4), C(67, shmdt, 1), C(68, msgget, 2), C(69, msgsnd, 4),
	C(70, msgrcv, 5), C(71, msgctl, 3), C(72, fcntl, 3), C(73, flock, 2), C(74, fsync, 1),
	C(75, fdatasync, 1), C(76, truncate, 2), C(77, ftruncate, 2), C(78, getdents, 3),
	C(79, getcwd, 2), C(80, chdir, 1), C(81, fchdir, 1), C(82, rename, 2), C(83, mkdir, 2),
	C(84, rmdir, 1), C(85, creat, 2), C(86, link, 2), C(87, unlink, 1), C(88, symlink, 2),
	C(89, readlink, 3), C(90, chmod, 2), C(91, fchmod, 2), C(92, chown, 3), C(93, fchown, 3),
	C(94, lchown, 3), C(95, umask, 1), C(96, gettimeofday, 2), C(97, getrlimit, 2),
	C(98, getrusage, 2), C(99, sysinfo, 1), C(100, times, 1), C(101, ptrace, 4),
	C(102, getuid, 0), C(103, syslog, 3), C(104, getgid, 0), C(105, setuid, 1), C(106, setgid, 1),
	C(107, geteuid, 0), C(108, getegid, 0), C(109, setpgid, 2), C(110, getppid, 0),
	C(111, getpgrp, 0), C(112, setsid, 0), C(113, setreuid, 2), C(114, setregid, 2),
	C(115, getgroups, 2), C(116, setgroups, 2), C(117, setresuid, 3), C(118, getresuid, 3),
	C(119, setresgid, 3), C(120, getresgid, 3), C(121, getpgid, 1), C(122, setfsuid, 1),
	C(123, setfsgid, 1), C(124, getsid, 1), C(125, capget, 2), C(126, capset, 2),
	C(127, rt_sigpending, 2), C(128, rt_sigtimedwait, 4), C(129, rt_sigqueueinfo, 3),
	C(130, rt_sigsuspend, 2), C(131, sigaltstack, 2), C(132, utime, 2), C(133, mknod, 3),
	C(134, uselib, 1), C(135, personality, 1), C(136, ustat, 2), C(137, statfs, 2),
	C(138, fstatfs, 2), C(139, sysfs, 3), C(140, getpriority, 2), C(141, setpriority, 3),
	C(142, sched_setparam, 2), C(143, sched_getparam, 2), C(144, sched_setscheduler, 3),
	C(145, sched_getscheduler, 1), C(146, sched_get_priority_max, 1),
	C(147, sched_get_priority_min, 1), C(148, sched_rr_get_interval, 2), C(149, mlock, 2),
	C(150, munlock, 2), C(151, mlockall, 1), C(152, munlockall, 0), C(153, vhangup, 0),
	C(154, modify_ldt, 3), C(155, pivot_root, 2), C(156, _sysctl, 1), C(157, prctl, 5),
	C(158, arch_prctl, 2), C(159, adjtimex, 1), C(160, setrlimit, 2), C(161, chroot, 1),
	C(162, sync, 0), C(163, acct, 1), C(164, settimeofday, 2), C(165, mount, 5),
	C(166, umount2, 2), C(167, swapon, 2), C(168, swapoff, 1), C(169, reboot, 4),
	C(170, sethostname, 2), C(171, setdomainname, 2), C(172, iopl, 1), C(173, ioperm, 3),
	C(174, create_module, 2), C(175, init_module, 3), C(176, delete_module, 2),
	C(177, get_kernel_syms, 1), C(178, query_module, 5), C(179, quotactl, 4),
	C(180, nfsservctl, 3), C(181, getpmsg, 5), C(182, putpmsg, 5), C(183, afs_syscall, 5),
	C(184, tuxcall, 3), C(185, security, 3), C(186, gettid, 0), C(187, readahead, 3),
	C(188, setxattr, 5), C(189, lsetxattr, 5), C(190, fsetxattr, 5), C(191, getxattr, 4),
	C(192, lgetxattr, 4), C(193, fgetxattr, 4), C(194, listxattr, 3), C(195, llistxattr, 3),
	C(196, flistxattr, 3), C(197, removexattr, 2), C(198, lremovexattr, 2),
	C(199, fremovexattr, 2), C(200, tkill, 2), C(201, time, 1), C(202, futex, 6),
	C(203, sched_setaffinity, 3), C(204, sched_getaffinity, 3), C(205, set_thread_area, 1),
	C(206, io_setup, 2), C(207, io_destroy, 1), C(208, io_getevents, 5), C(209, io_submit, 3),
	C(210, io_cancel, 3), C(211, get_thread_area, 1), C(212, lookup_dcookie, 3),
	C(213, epoll_create, 1), C(214, epoll_ctl_old, 4), C(215, epoll_wait_old, 4),
	C(216, remap_file_pages, 5), C(217, getdents64, 3), C(218, set_tid_address, 1),
	C(219, restart_syscall, 0), C(220, semtimedop, 4), C(221, fadvise64, 4),
	C(222, timer_create, 3), C(223, timer_settime, 4), C(224, timer_gettime, 2),
	C(225, timer_getoverrun, 1), C(226, timer_delete, 1), C(227, clock_settime, 2),
	C(228, clock_gettime, 2), C(229, clock_getres, 2), C(230, clock_nanosleep, 4),
	C(231, exit_group, 1), C(232, epoll_wait, 4), C(233, epoll_ctl, 4), C(234, tgkill, 3),
	C(235, utimes, 2), C(236, vserver, 5), C(237, mbind, 6), C(238, set_mempolicy, 3),
	C(239, get_mempolicy, 5), C(240, mq_open, 4), C(241, mq_unlink, 1), C(242, mq_timedsend, 5),
	C(243, mq_timedreceive, 5), C(244, mq_notify, 2), C(245, mq_getsetattr, 3),
	C(246, kexec_load, 4), C(247, waitid, 5), C(248, add_key, 5), C(249, request_key, 4),
	C(250, keyctl, 5), C(251, ioprio_set, 3), C(252, ioprio_get, 2), C(253, inotify_init, 0),
	C(254, inotify_add_watch, 3), C(255, inotify_rm_watch, 2), C(256, migrate_pages, 4),
	C(257, openat, 4), C(258, mkdirat, 3), C(259, mknodat, 4), C(260, fchownat, 5),
	C(261, futimesat, 3), C(262, newfstatat, 4), C(263, unlinkat, 3), C(264, renameat, 4),
	C(265, linkat, 5), C(266, symlinkat, 3), C(267, readlinkat, 4), C(268, fchmodat, 3),
	C(269, faccessat, 3), C(270, pselect6, 6), C(271, ppoll, 5), C(272, unshare, 1),
	C(273, set_robust_list, 2), C(274, get_robust_list, 3), C(275, splice, 6), C(276, tee, 4),
	C(277, sync_file_range, 4), C(278, vmsplice, 4), C(279, move_pages, 6), C(280, utimensat, 4),
	C(281, epoll_pwait, 6), C(282, signalfd, 3), C(283, timerfd_create, 2), C(284, eventfd, 1),
	C(285, fallocate, 4), C(286, timerfd_settime, 4), C(287, timerfd_gettime, 2),
	C(288, accept4, 4), C(289, signalfd4, 4), C(290, eventfd2, 2), C(291, epoll_create1, 1),
	C(292, dup3, 3), C(293, pipe2, 2), C(294, inotify_init1, 1), C(295, preadv, 4),
	C(296, pwritev, 4), C(297, rt_tgsigqueueinfo, 4), C(298, perf_event_open, 5),
	C(299, recvmmsg, 5), C(300, fanotify_init, 2), C(301, fanotify_mark, 5), C(302, prlimit64, 4),
	C(303, name_to_handle_at, 5), C(304, open_by_handle_at, 3), C(305, clock_adjtime, 2),
	C(306, syncfs, 1), C(307, sendmmsg, 4), C(308, setns, 2), C(309, getcpu, 3),
	C(310, process_vm_readv, 6), C(311, process_vm_writev, 6), C(312, kcmp, 5),
	C(313, finit_module, 3), C(314, sched_setattr, 3), C(315, sched_getattr, 4),
	C(316, renameat2, 5), C(317, seccomp, 3), C(318, getrandom, 3), C(319, memfd_create, 2),
	C(320, kexec_file_load, 5), C(321, bpf, 3), C(322, execveat, 5), C(323, userfaultfd, 1),
	C(324, membarrier, 3), C(325, mlock2, 3), C(326, copy_file_range, 6), C(327, preadv2, 6),
	C(328, pwritev2, 6), C(329, pkey_mprotect, 4), C(330, pkey_alloc, 2), C(331, pkey_free, 1),
	C(332, statx, 5), C(333, io_pgetevents, 6), C(334, rseq, 4), C(335, uretprobe, 0),
	C(424, pidfd_send_signal, 4), C(425, io_uring_setup, 2), C(426, io_uring_enter, 6),
	C(427, io_uring_register, 4), C(428, open_tree, 3), C(429, move_mount, 5), C(430, fsopen, 2),
	C(431, fsconfig, 5), C(432, fsmount, 3), C(433, fspick, 3), C(434, pidfd_open, 2),
	C(435, clone3, 2), C(436, close_range, 3), C(437, openat2, 4), C(438, pidfd_getfd, 3),
	C(439, faccessat2, 4), C(440, process_madvise, 5), C(441, epoll_pwait2, 6),
	C(442, mount_setattr, 5), C(443, quotactl_fd, 4), C(444, landlock_create_ruleset, 3),
	C(445, landlock_add_rule, 4), C(446, landlock_restrict_self, 2), C(447, memfd_secret, 1),
	C(448, process_mrelease, 2), C(449, futex_waitv, 5), C(450, set_mempolicy_home_node, 4),
	C(451, cachestat, 4), C(452, fchmodat2, 4), C(453, map_shadow_stack, 3),
	C(454, futex_wake, 4), C(455, futex_wait, 6), C(456, futex_requeue, 4), C(457, statmount, 4),
	C(458, listmount, 4), C(459, lsm_get_self_attr, 4), C(460, lsm_set_self_attr, 4),
	C(461, lsm_list_modules, 3), C(462, mseal, 3), C(463, setxattrat, 6), C(464, getxattrat, 6),
	C(465, listxattrat, 5), C(466, removexattrat, 4), C(467, open_tree_attr, 5),
	C(468, file_getattr, 5), C(469, file_setattr, 5), C(470, listns, 4),
	C(471, rseq_slice_yield, 0),
};

const char *trace_linux_call(uint64_t nr, unsigned *nargs)
{
	if (nr >= ARRAY_SIZE(linux_calls) || !linux_calls[nr].name)
		return NULL;
	*nargs = linux_calls[nr].nargs;
	return linux_calls[nr].name;
}

/* glibc's strerror texts, which strace prints after the name. */
static const char *const errno_texts[ERRNO_MAX] = {
	[EPERM] = "Operation not permitted",
	[ENOENT] = "No such file or directory",
	[ESRCH] = "No such process",
	[EINTR] = "Interrupted system call",
	[EIO] = "Input/output error",
	[ENXIO] = "No such device or address",
	[E2BIG] = "Argument list too long",
	[ENOEXEC] = "Exec format error",
	[EBADF] = "Bad file descriptor",
	[ECHILD] = "No child processes",
	[EAGAIN] = "Resource temporarily unavailable",
	[ENOMEM] = "Cannot allocate memory",
	[EACCES] = "Permission denied",
	[EFAULT] = "Bad address",
	[ENOTBLK] = "Block device required",
	[EBUSY] = "Device or resource busy",
	[EEXIST] = "File exists",
	[EXDEV] = "Invalid cross-device link",
	[ENODEV] = "No such device",
	[ENOTDIR] = "Not a directory",
	[EISDIR] = "Is a directory",
	[EINVAL] = "Invalid argument",
	[ENFILE] = "Too many open files in system",
	[EMFILE] = "Too many open files",
	[ENOTTY] = "Inappropriate ioctl for device",
	[ETXTBSY] = "Text file busy",
	[EFBIG] = "File too large",
	[ENOSPC] = "No space left on device",
	[ESPIPE] = "Illegal seek",
	[EROFS] = "Read-only file system",
	[EMLINK] = "Too many links",
	[EPIPE] = "Broken pipe",
	[EDOM] = "Numerical argument out of domain",
	[ERANGE] = "Numerical result out of range",
	[EDEADLK] = "Resource deadlock avoided",
	[ENAMETOOLONG] = "File name too long",
	[ENOLCK] = "No locks available",
	[ENOSYS] = "Function not implemented",
	[ENOTEMPTY] = "Directory not empty",
	[ELOOP] = "Too many levels of symbolic links",
	[ENOMSG] = "No message of desired type",
	[ENODATA] = "No data available",
	[ETIME] = "Timer expired",
	[EOVERFLOW] = "Value too large for defined data type",
	[EBADFD] = "File descriptor in bad state",
	[EILSEQ] = "Invalid or incomplete multibyte or wide character",
	[ENOTSOCK] = "Socket operation on non-socket",
	[EDESTADDRREQ] = "Destination address required",
	[EMSGSIZE] = "Message too long",
	[EPROTOTYPE] = "Protocol wrong type for socket",
	[ENOPROTOOPT] = "Protocol not available",
	[EPROTONOSUPPORT] = "Protocol not supported",
	[ESOCKTNOSUPPORT] = "Socket type not supported",
	[EOPNOTSUPP] = "Operation not supported",
	[EAFNOSUPPORT] = "Address family not supported by protocol",
	[EADDRINUSE] = "Address already in use",
	[EADDRNOTAVAIL] = "Cannot assign requested address",
	[ENETDOWN] = "Network is down",
	[ENETUNREACH] = "Network is unreachable",
	[ECONNABORTED] = "Software caused connection abort",
	[ECONNRESET] = "Connection reset by peer",
	[ENOBUFS] = "No buffer space available",
	[EISCONN] = "Transport endpoint is already connected",
	[ENOTCONN] = "Transport endpoint is not connected",
	[ETIMEDOUT] = "Connection timed out",
	[ECONNREFUSED] = "Connection refused",
	[EHOSTUNREACH] = "No route to host",
	[EALREADY] = "Operation already in progress",
	[EINPROGRESS] = "Operation now in progress",
	[ESTALE] = "Stale file handle",
	[EUCLEAN] = "Structure needs cleaning",
	[EDQUOT] = "Disk quota exceeded",
	[ECANCELED] = "Operation canceled",
	[EOWNERDEAD] = "Owner died",
	[ENOTRECOVERABLE] = "State not recoverable",
};

const char *trace_errno_name(long e)
{
	switch (e) {
	case ERESTARTSYS:
		return "ERESTARTSYS";
	case ERESTARTNOHAND:
		return "ERESTARTNOHAND";
	case ERESTART_RESTARTBLOCK:
		return "ERESTART_RESTARTBLOCK";
	}
	return kerrno_name(e);
}

const char *trace_errno_text(long e)
{
	switch (e) {
	case ERESTARTSYS:
		return "To be restarted if SA_RESTART is set";
	case ERESTARTNOHAND:
		return "To be restarted if no handler";
	case ERESTART_RESTARTBLOCK:
		return "Interrupted by signal";
	}
	return e > 0 && e < ERRNO_MAX ? errno_texts[e] : NULL;
}

void trace_put_signal(struct trace_line *l, int sig)
{
	if (sig > 0 && sig < SIGRTMIN)
		tputs(l, signal_name(sig));
	else if (sig == SIGRTMIN)
		tputs(l, "SIGRTMIN");
	else if (sig > SIGRTMIN && sig <= NSIG)
		tput(l, "SIGRT_%d", sig - SIGRTMIN);
	else
		tput(l, "%d", sig);
}

const char *trace_enum_name(const struct trace_flag *table, uint64_t v)
{
	for (; table->name; table++)
		if (table->value == v)
			return table->name;
	return NULL;
}

void trace_put_enum(struct trace_line *l, const struct trace_flag *table, uint64_t v,
		    const char *fallback)
{
	const char *name = trace_enum_name(table, v);
	if (name)
		tputs(l, name);
	else
		tput(l, fallback, (unsigned long long)v);
}

void trace_put_flags(struct trace_line *l, const struct trace_flag *table, uint64_t v,
		     const char *zero, const char *unknown)
{
	if (!v) {
		tputs(l, zero ? zero : "0");
		return;
	}
	bool any = false;
	for (; table->name; table++) {
		if (!table->value || (v & table->value) != table->value)
			continue;
		tput(l, any ? "|%s" : "%s", table->name);
		any = true;
		v &= ~table->value;
	}
	if (any && v)
		tput(l, "|%#llx", (unsigned long long)v);
	else if (v)
		tput(l, unknown ? "%#llx /* %s */" : "%#llx", (unsigned long long)v, unknown);
}

#define F(name) {name, #name}
#define END {0, NULL}

/* Without the access mode, which is printed first (O_RDONLY is 0). O_SYNC and O_TMPFILE hold
 * O_DSYNC and O_DIRECTORY: they come before them. */
const struct trace_flag trace_open_flags[] = {
	F(O_CREAT), F(O_EXCL), F(O_NOCTTY), F(O_TRUNC), F(O_APPEND), F(O_NONBLOCK), F(O_SYNC),
	F(O_DSYNC), F(O_DIRECT), F(O_LARGEFILE), F(O_NOFOLLOW), F(O_NOATIME), F(O_CLOEXEC),
	F(O_PATH), F(O_TMPFILE), F(O_DIRECTORY), {O_ASYNC, "FASYNC"}, END,
};
const struct trace_flag trace_at_flags[] = {
	F(AT_SYMLINK_NOFOLLOW), F(AT_REMOVEDIR), F(AT_SYMLINK_FOLLOW), F(AT_NO_AUTOMOUNT),
	F(AT_EMPTY_PATH), F(AT_RECURSIVE), END,
};
const struct trace_flag trace_accessat_flags[] = {
	F(AT_SYMLINK_NOFOLLOW), F(AT_EACCESS), F(AT_EMPTY_PATH), END,
};
/* STATX_ALL and STATX_BASIC_STATS first: they name their bits together. */
const struct trace_flag trace_statx_mask[] = {
	F(STATX_ALL), F(STATX_BASIC_STATS), F(STATX_TYPE), F(STATX_MODE), F(STATX_NLINK),
	F(STATX_UID), F(STATX_GID), F(STATX_ATIME), F(STATX_MTIME), F(STATX_CTIME), F(STATX_INO),
	F(STATX_SIZE), F(STATX_BLOCKS), F(STATX_BTIME), F(STATX_MNT_ID), F(STATX_DIOALIGN), END,
};
const struct trace_flag trace_rename_flags[] = {
	F(RENAME_NOREPLACE), F(RENAME_EXCHANGE), F(RENAME_WHITEOUT), END,
};
const struct trace_flag trace_sock_families[] = {
	F(AF_UNIX), F(AF_INET), F(AF_INET6), END,
};
const struct trace_flag trace_sock_types[] = {
	F(SOCK_STREAM), F(SOCK_DGRAM), F(SOCK_RAW), F(SOCK_SEQPACKET), END,
};
const struct trace_flag trace_sock_flags[] = {
	F(SOCK_NONBLOCK), F(SOCK_CLOEXEC), END,
};
const struct trace_flag trace_msg_flags[] = {
	F(MSG_PEEK), F(MSG_TRUNC), F(MSG_DONTWAIT), F(MSG_WAITALL), F(MSG_NOSIGNAL),
	F(MSG_CMSG_CLOEXEC), END,
};
const struct trace_flag trace_shut_hows[] = {
	F(SHUT_RD), F(SHUT_WR), F(SHUT_RDWR), END,
};
const struct trace_flag trace_sock_levels[] = {
	F(SOL_SOCKET), END,
};
const struct trace_flag trace_sock_opts[] = {
	F(SO_REUSEADDR), F(SO_TYPE), F(SO_ERROR), F(SO_SNDBUF), F(SO_RCVBUF), F(SO_PEERCRED),
	F(SO_ACCEPTCONN),
	F(SO_DOMAIN), END,
};
const struct trace_flag trace_whence[] = {
	F(SEEK_SET), F(SEEK_CUR), F(SEEK_END), F(SEEK_DATA), F(SEEK_HOLE), END,
};
const struct trace_flag trace_flock_ops[] = {
	F(LOCK_SH), F(LOCK_EX), F(LOCK_NB), F(LOCK_UN), END,
};
const struct trace_flag trace_fadvice[] = {
	F(POSIX_FADV_NORMAL), F(POSIX_FADV_RANDOM), F(POSIX_FADV_SEQUENTIAL),
	F(POSIX_FADV_WILLNEED), F(POSIX_FADV_DONTNEED), F(POSIX_FADV_NOREUSE), END,
};
const struct trace_flag trace_close_range_flags[] = {
	F(CLOSE_RANGE_UNSHARE), F(CLOSE_RANGE_CLOEXEC), END,
};
const struct trace_flag trace_fcntl_cmds[] = {
	F(F_DUPFD), F(F_GETFD), F(F_SETFD), F(F_GETFL), F(F_SETFL), F(F_GETLK), F(F_SETLK),
	F(F_SETLKW), F(F_SETOWN), F(F_GETOWN), F(F_SETSIG), F(F_GETSIG), F(F_SETOWN_EX),
	F(F_GETOWN_EX), F(F_OFD_GETLK), F(F_OFD_SETLK), F(F_OFD_SETLKW), F(F_SETLEASE),
	F(F_GETLEASE), F(F_NOTIFY), F(F_CANCELLK), F(F_DUPFD_CLOEXEC), F(F_SETPIPE_SZ),
	F(F_GETPIPE_SZ), F(F_ADD_SEALS), F(F_GET_SEALS), END,
};
const struct trace_flag trace_fd_flags[] = {F(FD_CLOEXEC), END};
const struct trace_flag trace_lock_types[] = {F(F_RDLCK), F(F_WRLCK), F(F_UNLCK), END};
const struct trace_flag trace_ioctls[] = {
	F(TCGETS), F(TCSETS), F(TCSETSW), F(TCSETSF), F(TCGETA), F(TCSBRK), F(TCXONC), F(TCFLSH),
	F(TIOCEXCL), F(TIOCNXCL), F(TIOCSCTTY), F(TIOCGPGRP), F(TIOCSPGRP), F(TIOCOUTQ),
	F(TIOCSTI), F(TIOCGWINSZ), F(TIOCSWINSZ), F(FIONREAD), F(TIOCNOTTY), F(TIOCGSID),
	F(TIOCGPTN), F(FIONBIO), F(FIOCLEX), F(FIONCLEX), F(FIOASYNC), F(TIOCGSERIAL), END,
};
const struct trace_flag trace_prot[] = {
	F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC), F(PROT_SEM), F(PROT_GROWSDOWN),
	F(PROT_GROWSUP), END,
};
/* Without the mapping type (MAP_SHARED, MAP_PRIVATE), which is printed first. */
const struct trace_flag trace_map_flags[] = {
	F(MAP_FIXED), F(MAP_ANONYMOUS), F(MAP_32BIT), F(MAP_NORESERVE), F(MAP_POPULATE),
	F(MAP_NONBLOCK), F(MAP_GROWSDOWN), F(MAP_DENYWRITE), F(MAP_EXECUTABLE), F(MAP_LOCKED),
	F(MAP_STACK), F(MAP_HUGETLB), F(MAP_SYNC), F(MAP_UNINITIALIZED), F(MAP_FIXED_NOREPLACE),
	END,
};
const struct trace_flag trace_mremap_flags[] = {
	F(MREMAP_MAYMOVE), F(MREMAP_FIXED), F(MREMAP_DONTUNMAP), END,
};
const struct trace_flag trace_madvice[] = {
	F(MADV_NORMAL), F(MADV_RANDOM), F(MADV_SEQUENTIAL), F(MADV_WILLNEED), F(MADV_DONTNEED),
	F(MADV_FREE), F(MADV_REMOVE), F(MADV_DONTFORK), F(MADV_DOFORK), F(MADV_MERGEABLE),
	F(MADV_UNMERGEABLE), F(MADV_HUGEPAGE), F(MADV_NOHUGEPAGE), F(MADV_DONTDUMP),
	F(MADV_DODUMP), F(MADV_WIPEONFORK), F(MADV_KEEPONFORK), F(MADV_COLD), F(MADV_PAGEOUT),
	F(MADV_POPULATE_READ), F(MADV_POPULATE_WRITE), END,
};
const struct trace_flag trace_msync_flags[] = {F(MS_ASYNC), F(MS_INVALIDATE), F(MS_SYNC), END};
const struct trace_flag trace_sighow[] = {F(SIG_BLOCK), F(SIG_UNBLOCK), F(SIG_SETMASK), END};
const struct trace_flag trace_sa_flags[] = {
	F(SA_RESTORER), F(SA_ONSTACK), F(SA_RESTART), F(SA_NODEFER), F(SA_RESETHAND),
	F(SA_SIGINFO), F(SA_NOCLDSTOP), F(SA_NOCLDWAIT), END,
};
const struct trace_flag trace_ss_flags[] = {F(SS_ONSTACK), F(SS_DISABLE), F(SS_AUTODISARM), END};
/* WUNTRACED is WSTOPPED, which strace prints. */
const struct trace_flag trace_wait_opts[] = {
	F(WNOHANG), F(WSTOPPED), F(WEXITED), F(WCONTINUED), F(WNOWAIT), F(__WNOTHREAD), F(__WALL),
	F(__WCLONE), END,
};
const struct trace_flag trace_idtypes[] = {F(P_ALL), F(P_PID), F(P_PGID), F(P_PIDFD), END};
const struct trace_flag trace_clone_flags[] = {
	F(CLONE_VM), F(CLONE_FS), F(CLONE_FILES), F(CLONE_SIGHAND), F(CLONE_PIDFD),
	F(CLONE_PTRACE), F(CLONE_VFORK), F(CLONE_PARENT), F(CLONE_THREAD), F(CLONE_NEWNS),
	F(CLONE_SYSVSEM), F(CLONE_SETTLS), F(CLONE_PARENT_SETTID), F(CLONE_CHILD_CLEARTID),
	F(CLONE_UNTRACED), F(CLONE_CHILD_SETTID), F(CLONE_NEWCGROUP), F(CLONE_NEWUTS),
	F(CLONE_NEWIPC), F(CLONE_NEWUSER), F(CLONE_NEWPID), F(CLONE_NEWNET), F(CLONE_IO), END,
};
const struct trace_flag trace_clocks[] = {
	F(CLOCK_REALTIME), F(CLOCK_MONOTONIC), F(CLOCK_PROCESS_CPUTIME_ID),
	F(CLOCK_THREAD_CPUTIME_ID), F(CLOCK_MONOTONIC_RAW), F(CLOCK_REALTIME_COARSE),
	F(CLOCK_MONOTONIC_COARSE), F(CLOCK_BOOTTIME), F(CLOCK_REALTIME_ALARM),
	F(CLOCK_BOOTTIME_ALARM), F(CLOCK_TAI), END,
};
/* The values of these, and of the mount, umount and statfs flags below, are spelled out: the C
 * library's headers, which host tests include next to linux.h, declare their names as
 * enumerators. */
const struct trace_flag trace_itimers[] = {
	{0, "ITIMER_REAL"}, {1, "ITIMER_VIRTUAL"}, {2, "ITIMER_PROF"}, END,
};
const struct trace_flag trace_rlimits[] = {
	F(RLIMIT_CPU), F(RLIMIT_FSIZE), F(RLIMIT_DATA), F(RLIMIT_STACK), F(RLIMIT_CORE),
	F(RLIMIT_RSS), F(RLIMIT_NPROC), F(RLIMIT_NOFILE), F(RLIMIT_MEMLOCK), F(RLIMIT_AS),
	F(RLIMIT_LOCKS), F(RLIMIT_SIGPENDING), F(RLIMIT_MSGQUEUE), F(RLIMIT_NICE),
	F(RLIMIT_RTPRIO), F(RLIMIT_RTTIME), END,
};
const struct trace_flag trace_prio_which[] = {
	{0, "PRIO_PROCESS"}, {1, "PRIO_PGRP"}, {2, "PRIO_USER"}, END,
};
const struct trace_flag trace_sched_policies[] = {
	F(SCHED_OTHER), F(SCHED_FIFO), F(SCHED_RR), F(SCHED_BATCH), F(SCHED_IDLE),
	F(SCHED_DEADLINE), END,
};
const struct trace_flag trace_rusage_who[] = {
	F(RUSAGE_SELF), {(uint64_t)(int64_t)RUSAGE_CHILDREN, "RUSAGE_CHILDREN"}, F(RUSAGE_THREAD),
	END,
};
const struct trace_flag trace_poll_events[] = {
	F(POLLIN), F(POLLPRI), F(POLLOUT), F(POLLERR), F(POLLHUP), F(POLLNVAL), F(POLLRDNORM),
	F(POLLRDBAND), F(POLLWRNORM), F(POLLWRBAND), F(POLLRDHUP), END,
};
const struct trace_flag trace_futex_ops[] = {
	F(FUTEX_WAIT), F(FUTEX_WAKE), F(FUTEX_FD), F(FUTEX_REQUEUE), F(FUTEX_CMP_REQUEUE),
	F(FUTEX_WAKE_OP), F(FUTEX_LOCK_PI), F(FUTEX_UNLOCK_PI), F(FUTEX_TRYLOCK_PI),
	F(FUTEX_WAIT_BITSET), F(FUTEX_WAKE_BITSET), END,
};
const struct trace_flag trace_prctl_ops[] = {
	F(PR_SET_PDEATHSIG), F(PR_GET_PDEATHSIG), F(PR_GET_DUMPABLE), F(PR_SET_DUMPABLE),
	F(PR_GET_KEEPCAPS), F(PR_SET_KEEPCAPS), F(PR_SET_NAME), F(PR_GET_NAME), F(PR_GET_SECCOMP),
	F(PR_SET_SECCOMP), F(PR_CAPBSET_READ), F(PR_SET_TIMERSLACK), F(PR_GET_TIMERSLACK),
	F(PR_SET_CHILD_SUBREAPER), F(PR_GET_CHILD_SUBREAPER), F(PR_SET_NO_NEW_PRIVS),
	F(PR_GET_NO_NEW_PRIVS), F(PR_GET_TID_ADDRESS), F(PR_SET_THP_DISABLE),
	F(PR_GET_THP_DISABLE), END,
};
const struct trace_flag trace_arch_codes[] = {
	F(ARCH_SET_GS), F(ARCH_SET_FS), F(ARCH_GET_FS), F(ARCH_GET_GS), END,
};
const struct trace_flag trace_grnd_flags[] = {
	F(GRND_NONBLOCK), F(GRND_RANDOM), F(GRND_INSECURE), END,
};
const struct trace_flag trace_mount_flags[] = {
	{1u << 0, "MS_RDONLY"}, {1u << 1, "MS_NOSUID"}, {1u << 2, "MS_NODEV"},
	{1u << 3, "MS_NOEXEC"}, {1u << 4, "MS_SYNCHRONOUS"}, {1u << 5, "MS_REMOUNT"},
	{1u << 6, "MS_MANDLOCK"}, {1u << 7, "MS_DIRSYNC"}, {1u << 8, "MS_NOSYMFOLLOW"},
	{1u << 10, "MS_NOATIME"}, {1u << 11, "MS_NODIRATIME"}, {1u << 12, "MS_BIND"},
	{1u << 13, "MS_MOVE"}, {1u << 14, "MS_REC"}, {1u << 15, "MS_SILENT"},
	{1u << 16, "MS_POSIXACL"}, {1u << 17, "MS_UNBINDABLE"}, {1u << 18, "MS_PRIVATE"},
	{1u << 19, "MS_SLAVE"}, {1u << 20, "MS_SHARED"}, {1u << 21, "MS_RELATIME"},
	{1u << 22, "MS_KERNMOUNT"}, {1u << 23, "MS_I_VERSION"}, {1u << 24, "MS_STRICTATIME"},
	{1u << 25, "MS_LAZYTIME"}, END,
};
const struct trace_flag trace_umount_flags[] = {
	{1, "MNT_FORCE"}, {2, "MNT_DETACH"}, {4, "MNT_EXPIRE"}, {8, "UMOUNT_NOFOLLOW"}, END,
};
const struct trace_flag trace_syslog_types[] = {
	F(SYSLOG_ACTION_CLOSE), F(SYSLOG_ACTION_OPEN), F(SYSLOG_ACTION_READ),
	F(SYSLOG_ACTION_READ_ALL), F(SYSLOG_ACTION_READ_CLEAR), F(SYSLOG_ACTION_CLEAR),
	F(SYSLOG_ACTION_CONSOLE_OFF), F(SYSLOG_ACTION_CONSOLE_ON), F(SYSLOG_ACTION_CONSOLE_LEVEL),
	F(SYSLOG_ACTION_SIZE_UNREAD), F(SYSLOG_ACTION_SIZE_BUFFER), END,
};
/* si_code values that mean the same for every signal, and those of some signals. */
const struct trace_flag trace_si_codes[] = {
	F(SI_USER), F(SI_KERNEL), {(uint64_t)(int64_t)SI_QUEUE, "SI_QUEUE"},
	{(uint64_t)(int64_t)SI_TIMER, "SI_TIMER"}, {(uint64_t)(int64_t)SI_MESGQ, "SI_MESGQ"},
	{(uint64_t)(int64_t)SI_ASYNCIO, "SI_ASYNCIO"}, {(uint64_t)(int64_t)SI_SIGIO, "SI_SIGIO"},
	{(uint64_t)(int64_t)SI_TKILL, "SI_TKILL"}, {(uint64_t)(int64_t)SI_DETHREAD, "SI_DETHREAD"},
	END,
};
const struct trace_flag trace_cld_codes[] = {
	F(CLD_EXITED), F(CLD_KILLED), F(CLD_DUMPED), F(CLD_STOPPED), F(CLD_CONTINUED), END,
};
const struct trace_flag trace_segv_codes[] = {F(SEGV_MAPERR), F(SEGV_ACCERR), END};
const struct trace_flag trace_ill_codes[] = {
	F(ILL_ILLOPC), F(ILL_ILLOPN), F(ILL_ILLADR), F(ILL_ILLTRP), F(ILL_PRVOPC), F(ILL_PRVREG),
	F(ILL_COPROC), F(ILL_BADSTK), END,
};
const struct trace_flag trace_fpe_codes[] = {
	F(FPE_INTDIV), F(FPE_INTOVF), F(FPE_FLTDIV), F(FPE_FLTOVF), F(FPE_FLTUND), F(FPE_FLTRES),
	F(FPE_FLTINV), F(FPE_FLTSUB), END,
};
const struct trace_flag trace_trap_codes[] = {
	F(TRAP_BRKPT), F(TRAP_TRACE), F(TRAP_BRANCH), F(TRAP_HWBKPT), END,
};
const struct trace_flag trace_bus_codes[] = {F(BUS_ADRALN), F(BUS_ADRERR), F(BUS_OBJERR), END};
const struct trace_flag trace_vfs_ops[] = {
	F(VFS_LOOKUP), F(VFS_GETATTR), F(VFS_SETATTR), F(VFS_READ), F(VFS_WRITE), F(VFS_CREATE),
	F(VFS_MKDIR), F(VFS_SYMLINK), F(VFS_LINK), F(VFS_UNLINK), F(VFS_RMDIR), F(VFS_RENAME),
	F(VFS_READDIR), F(VFS_READLINK), F(VFS_STATFS), F(VFS_SYNC), F(VFS_OPEN), F(VFS_CLOSE),
	END,
};
const struct trace_flag trace_statfs_magic[] = {
	{DEVFS_MAGIC, "DEVFS_SUPER_MAGIC"}, F(DEVPTS_SUPER_MAGIC), F(PROC_SUPER_MAGIC),
	F(EXT2_SUPER_MAGIC), F(TMPFS_MAGIC), F(PIPEFS_MAGIC), F(XFS_SUPER_MAGIC), F(SYSFS_MAGIC),
	F(OVERLAYFS_SUPER_MAGIC), F(RAMFS_MAGIC), F(BTRFS_SUPER_MAGIC), END,
};
const struct trace_flag trace_statfs_flags[] = {
	{0x0020, "ST_VALID"}, {0x0001, "ST_RDONLY"}, {0x0002, "ST_NOSUID"}, {0x0004, "ST_NODEV"},
	{0x0008, "ST_NOEXEC"}, {0x0010, "ST_SYNCHRONOUS"}, {0x0040, "ST_MANDLOCK"},
	{0x0400, "ST_NOATIME"}, {0x0800, "ST_NODIRATIME"}, {0x1000, "ST_RELATIME"}, END,
};

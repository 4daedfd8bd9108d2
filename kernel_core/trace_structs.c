/*
 * The structures the syscall tracer prints, as strace abbreviates them (without -v): stat as
 * {st_mode=S_IFREG|0644, st_size=3, ...}, times as {tv_sec=1, tv_nsec=0}, and so on.
 */
#include <kernel/klib.h>
#include <kernel/mm.h>
#include <kernel/trace.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

bool trace_peek(const struct trace_call *c, uint64_t uva, void *dst, size_t n)
{
	return c->t->proc->mm && copy_in(c->t->proc->mm, dst, uva, n) == 0;
}

void trace_put_addr(struct trace_line *l, uint64_t v)
{
	if (v)
		tput(l, "%#llx", (unsigned long long)v);
	else
		tputs(l, "NULL");
}

void trace_put_hex(struct trace_line *l, uint64_t v)
{
	tput(l, "%#llx", (unsigned long long)v); /* klib's %#x prints 0 as 0, as strace does */
}

/* The file type's name and the permission bits: S_IFREG|0644. */
void trace_put_mode(struct trace_line *l, unsigned mode)
{
	static const struct trace_flag types[] = {
		{S_IFSOCK, "S_IFSOCK"}, {S_IFLNK, "S_IFLNK"}, {S_IFREG, "S_IFREG"},
		{S_IFBLK, "S_IFBLK"}, {S_IFDIR, "S_IFDIR"}, {S_IFCHR, "S_IFCHR"},
		{S_IFIFO, "S_IFIFO"}, {0, NULL},
	};
	const char *type = trace_enum_name(types, mode & S_IFMT);
	if (type)
		tput(l, "%s|", type);
	else if (mode & S_IFMT)
		tput(l, "%#o|", mode & S_IFMT);
	tput(l, "%#03o", mode & ~S_IFMT);
}

/* Linux's device number encoding, as strace prints it. */
void trace_put_dev(struct trace_line *l, uint64_t dev)
{
	uint64_t major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull);
	uint64_t minor = (dev & 0xff) | ((dev >> 12) & ~0xffull);
	tput(l, "makedev(%#llx, %#llx)", (unsigned long long)major, (unsigned long long)minor);
}

/* A date in UTC for seconds since the epoch, with frac_digits of frac: 2023-11-14T22:13:20+0000. */
void trace_put_date(struct trace_line *l, long long secs, unsigned long frac, int frac_digits)
{
	long long days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	/* Days to a civil date (proleptic Gregorian), by 400-year eras. */
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	long long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
	long long year = yoe + era * 400 + (month <= 2);
	tput(l, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", year, month, day, rem / 3600,
	     rem / 60 % 60, rem % 60);
	if (frac)
		tput(l, ".%0*lu", frac_digits, frac);
	tputs(l, "+0000");
}

static void put_timespec(struct trace_line *l, const struct linux_timespec *ts)
{
	tput(l, "{tv_sec=%lld, tv_nsec=%llu}", ts->tv_sec, (unsigned long long)ts->tv_nsec);
}

static void put_timeval(struct trace_line *l, const struct linux_timeval *tv)
{
	tput(l, "{tv_sec=%lld, tv_usec=%llu}", tv->tv_sec, (unsigned long long)tv->tv_usec);
}

/* rlimit values: RLIM64_INFINITY, and multiples of 1024 as N*1024. */
static void put_rlim(struct trace_line *l, uint64_t v)
{
	if (v == RLIM_INFINITY)
		tputs(l, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0)
		tput(l, "%llu*1024", (unsigned long long)(v / 1024));
	else
		tput(l, "%llu", (unsigned long long)v);
}

/* [INT TERM], or ~[KILL STOP] when more than half the signals are in it. */
void trace_put_sigset(struct trace_line *l, uint64_t set)
{
	int members = 0; /* counted by hand: the pc kernel has no libgcc for popcount */
	for (uint64_t rest = set; rest; rest &= rest - 1)
		members++;
	if (members > NSIG / 2) {
		tputs(l, "~");
		set = ~set;
	}
	tputs(l, "[");
	bool first = true;
	for (int sig = 1; sig <= NSIG; sig++) {
		if (!(set & (1ull << (sig - 1))))
			continue;
		tputs(l, first ? "" : " ");
		first = false;
		if (sig < SIGRTMIN)
			tputs(l, signal_name(sig) + 3);
		else if (sig == SIGRTMIN)
			tputs(l, "RTMIN");
		else
			tput(l, "RT_%d", sig - SIGRTMIN);
	}
	tputs(l, "]");
}

static const struct trace_flag *si_codes_of(int sig)
{
	switch (sig) {
	case SIGCHLD:
		return trace_cld_codes;
	case SIGSEGV:
		return trace_segv_codes;
	case SIGILL:
		return trace_ill_codes;
	case SIGFPE:
		return trace_fpe_codes;
	case SIGTRAP:
		return trace_trap_codes;
	case SIGBUS:
		return trace_bus_codes;
	}
	return NULL;
}

void trace_put_siginfo(struct trace_line *l, const struct linux_siginfo *si)
{
	if (!si->si_signo) {
		tputs(l, "{}"); /* waitid with WNOHANG and nothing to report */
		return;
	}
	tputs(l, "{si_signo=");
	trace_put_signal(l, si->si_signo);
	tputs(l, ", si_code=");
	const struct trace_flag *own = si->si_code > 0 ? si_codes_of(si->si_signo) : NULL;
	const char *code = own ? trace_enum_name(own, (uint64_t)(int64_t)si->si_code) : NULL;
	if (!code)
		code = trace_enum_name(trace_si_codes, (uint64_t)(int64_t)si->si_code);
	if (code)
		tputs(l, code);
	else
		tput(l, "%d", si->si_code);
	if (si->si_code <= 0) { /* sent by a process */
		tput(l, ", si_pid=%d, si_uid=%u", si->u.proc.pid, si->u.proc.uid);
	} else if (si->si_signo == SIGCHLD) {
		tput(l, ", si_pid=%d, si_uid=%u, si_status=", si->u.proc.pid, si->u.proc.uid);
		if (si->si_code == CLD_EXITED)
			tput(l, "%d", si->u.proc.status);
		else
			trace_put_signal(l, si->u.proc.status);
		tputs(l, ", si_utime=0, si_stime=0");
	} else if (si_codes_of(si->si_signo)) {
		tputs(l, ", si_addr=");
		trace_put_addr(l, si->u.addr);
	}
	tputs(l, "}");
}

static void put_sigaction(struct trace_line *l, const struct linux_sigaction *sa)
{
	tputs(l, "{sa_handler=");
	if (sa->handler == SIG_DFL)
		tputs(l, "SIG_DFL");
	else if (sa->handler == SIG_IGN)
		tputs(l, "SIG_IGN");
	else
		trace_put_hex(l, sa->handler);
	tputs(l, ", sa_mask=");
	trace_put_sigset(l, sa->mask);
	tputs(l, ", sa_flags=");
	trace_put_flags(l, trace_sa_flags, sa->flags, NULL, "SA_???");
	if (sa->flags & SA_RESTORER) {
		tputs(l, ", sa_restorer=");
		trace_put_addr(l, sa->restorer);
	}
	tputs(l, "}");
}

static void put_stat(struct trace_line *l, const struct linux_stat *st)
{
	tputs(l, "{st_mode=");
	trace_put_mode(l, st->st_mode);
	if (S_ISCHR(st->st_mode) || (st->st_mode & S_IFMT) == S_IFBLK) {
		tputs(l, ", st_rdev=");
		trace_put_dev(l, st->st_rdev);
	} else {
		tput(l, ", st_size=%lld", st->st_size);
	}
	tputs(l, ", ...}");
}

static void put_statx(struct trace_line *l, const struct linux_statx *st)
{
	tputs(l, "{stx_mask=");
	trace_put_flags(l, trace_statx_mask, st->stx_mask, NULL, "STATX_???");
	tput(l, ", stx_attributes=%#llx, stx_mode=", st->stx_attributes);
	trace_put_mode(l, st->stx_mode);
	tput(l, ", stx_size=%llu, ...}", st->stx_size);
}

static void put_statfs(struct trace_line *l, const struct linux_statfs *s)
{
	tputs(l, "{f_type=");
	trace_put_enum(l, trace_statfs_magic, (uint64_t)s->f_type, "%#llx");
	tput(l, ", f_bsize=%lld, f_blocks=%llu, f_bfree=%llu, f_bavail=%llu, f_files=%llu, "
		"f_ffree=%llu, f_fsid={val=[%#x, %#x]}, f_namelen=%lld, f_frsize=%lld, f_flags=",
	     s->f_bsize, s->f_blocks, s->f_bfree, s->f_bavail, s->f_files, s->f_ffree,
	     (unsigned)s->f_fsid[0], (unsigned)s->f_fsid[1], s->f_namelen, s->f_frsize);
	trace_put_flags(l, trace_statfs_flags, (uint64_t)s->f_flags, NULL, "ST_???");
	tputs(l, "}");
}

static void put_utsname(struct trace_line *l, const struct trace_call *c, uint64_t uva)
{
	struct linux_utsname u;
	if (!trace_peek(c, uva, &u, sizeof(u))) {
		trace_put_addr(l, uva);
		return;
	}
	u.sysname[LINUX_UTSNAME_LEN - 1] = u.nodename[LINUX_UTSNAME_LEN - 1] = 0;
	tputs(l, "{sysname=");
	trace_put_quoted(l, u.sysname, kstrlen(u.sysname), false);
	tputs(l, ", nodename=");
	trace_put_quoted(l, u.nodename, kstrlen(u.nodename), false);
	tputs(l, ", ...}");
}

static void put_sysinfo(struct trace_line *l, const struct linux_sysinfo *s)
{
	tput(l, "{uptime=%lld, loads=[%llu, %llu, %llu], totalram=%llu, freeram=%llu, "
		"sharedram=%llu, bufferram=%llu, totalswap=%llu, freeswap=%llu, procs=%u, "
		"totalhigh=%llu, freehigh=%llu, mem_unit=%u}",
	     s->uptime, s->loads[0], s->loads[1], s->loads[2], s->totalram, s->freeram,
	     s->sharedram, s->bufferram, s->totalswap, s->freeswap, s->procs, s->totalhigh,
	     s->freehigh, s->mem_unit);
}

/* utimensat's pair, each with its date, or UTIME_NOW and UTIME_OMIT. */
static void put_timespec_pair(struct trace_line *l, const struct linux_timespec ts[2])
{
	tputs(l, "[");
	for (int i = 0; i < 2; i++) {
		tputs(l, i ? ", " : "");
		if (ts[i].tv_nsec == UTIME_NOW || ts[i].tv_nsec == UTIME_OMIT) {
			tputs(l, ts[i].tv_nsec == UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT");
			continue;
		}
		put_timespec(l, &ts[i]);
		tputs(l, " /* ");
		trace_put_date(l, ts[i].tv_sec, (unsigned long)ts[i].tv_nsec, 9);
		tputs(l, " */");
	}
	tputs(l, "]");
}

static void put_timeval_pair(struct trace_line *l, const struct linux_timeval tv[2])
{
	tputs(l, "[");
	for (int i = 0; i < 2; i++) {
		tputs(l, i ? ", " : "");
		put_timeval(l, &tv[i]);
		tputs(l, " /* ");
		trace_put_date(l, tv[i].tv_sec, (unsigned long)tv[i].tv_usec, 6);
		tputs(l, " */");
	}
	tputs(l, "]");
}

static void put_clone_args(struct trace_line *l, const struct linux_clone_args *ca)
{
	tputs(l, "{flags=");
	trace_put_flags(l, trace_clone_flags, ca->flags, NULL, "CLONE_???");
	if (ca->flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
		tput(l, ", child_tid=%#llx", ca->child_tid);
	if (ca->flags & CLONE_PARENT_SETTID)
		tput(l, ", parent_tid=%#llx", ca->parent_tid);
	tputs(l, ", exit_signal=");
	trace_put_signal(l, (int)ca->exit_signal);
	tputs(l, ", stack=");
	trace_put_addr(l, ca->stack);
	tput(l, ", stack_size=%#llx", ca->stack_size);
	if (ca->flags & CLONE_SETTLS)
		tput(l, ", tls=%#llx", ca->tls);
	tputs(l, "}");
}

static void put_ipc_msg(struct trace_line *l, const struct trace_call *c, uint64_t uva,
			bool delivered)
{
	struct ipc_msg m;
	if (!trace_peek(c, uva, &m, IPC_HEADER_SIZE)) {
		trace_put_addr(l, uva);
		return;
	}
	tputs(l, "{");
	if (delivered)
		tput(l, "sender=%d, ", m.sender);
	tputs(l, "type=");
	trace_put_enum(l, trace_vfs_ops, m.type, "%llu");
	tput(l, ", len=%u", m.len);
	if (delivered && m.flags)
		tputs(l, m.flags == IPC_KERNEL ? ", flags=IPC_KERNEL" : ", flags=?");
	tputs(l, ", data=");
	trace_put_ubuf(l, c, uva + IPC_HEADER_SIZE, MIN(m.len, IPC_PAYLOAD_MAX), false);
	tputs(l, "}");
}

void trace_put_struct(struct trace_line *l, const struct trace_call *c, enum trace_arg kind,
		      uint64_t uva)
{
	union {
		struct linux_timespec ts[2];
		struct linux_timeval tv[2];
		struct linux_itimerval it;
		struct linux_stat st;
		struct linux_statx stx;
		struct linux_statfs sfs;
		struct linux_sigaction sa;
		struct linux_siginfo si;
		struct linux_stack ss;
		struct linux_rlimit rl;
		struct linux_rusage ru;
		struct linux_sysinfo sys;
		struct linux_tms tms;
		struct linux_timezone tz;
		struct linux_clone_args ca;
		long long utimbuf[2];
	} u;
	static const uint16_t sizes[A_KIND_COUNT] = {
		[A_TIMESPEC] = sizeof(struct linux_timespec),
		[A_OTIMESPEC] = sizeof(struct linux_timespec),
		[A_REM] = sizeof(struct linux_timespec),
		[A_TIMEVAL] = sizeof(struct linux_timeval),
		[A_OTIMEVAL] = sizeof(struct linux_timeval),
		[A_TIMESPEC_PAIR] = 2 * sizeof(struct linux_timespec),
		[A_TIMEVAL_PAIR] = 2 * sizeof(struct linux_timeval),
		[A_UTIMBUF] = 2 * sizeof(long long),
		[A_ITIMERVAL] = sizeof(struct linux_itimerval),
		[A_OITIMERVAL] = sizeof(struct linux_itimerval),
		[A_STAT] = sizeof(struct linux_stat),
		[A_STATX] = sizeof(struct linux_statx),
		[A_STATFS] = sizeof(struct linux_statfs),
		[A_SIGACTION] = sizeof(struct linux_sigaction),
		[A_OSIGACTION] = sizeof(struct linux_sigaction),
		[A_SIGINFO] = sizeof(struct linux_siginfo),
		[A_STACK] = sizeof(struct linux_stack),
		[A_OSTACK] = sizeof(struct linux_stack),
		[A_RLIMIT] = sizeof(struct linux_rlimit),
		[A_ORLIMIT] = sizeof(struct linux_rlimit),
		[A_RUSAGE] = sizeof(struct linux_rusage),
		[A_SYSINFO] = sizeof(struct linux_sysinfo),
		[A_TMS] = sizeof(struct linux_tms),
		[A_TIMEZONE] = sizeof(struct linux_timezone),
		[A_CLONE_ARGS] = 8 * sizeof(uint64_t), /* up to tls: clone3's smallest size */
	};
	if (!uva) {
		tputs(l, "NULL");
		return;
	}
	if (kind == A_UTSNAME || kind == A_IPC_MSG || kind == A_OIPC_MSG) {
		if (kind == A_UTSNAME)
			put_utsname(l, c, uva);
		else
			put_ipc_msg(l, c, uva, kind == A_OIPC_MSG);
		return;
	}
	size_t size = sizes[kind];
	kmemset(&u, 0, sizeof(u));
	if (!size || !trace_peek(c, uva, &u, size)) {
		trace_put_addr(l, uva);
		return;
	}
	switch (kind) {
	case A_TIMESPEC:
	case A_OTIMESPEC:
	case A_REM:
		put_timespec(l, &u.ts[0]);
		break;
	case A_TIMEVAL:
	case A_OTIMEVAL:
		put_timeval(l, &u.tv[0]);
		break;
	case A_TIMESPEC_PAIR:
		put_timespec_pair(l, u.ts);
		break;
	case A_TIMEVAL_PAIR:
		put_timeval_pair(l, u.tv);
		break;
	case A_UTIMBUF:
		tput(l, "{actime=%lld /* ", u.utimbuf[0]);
		trace_put_date(l, u.utimbuf[0], 0, 0);
		tput(l, " */, modtime=%lld /* ", u.utimbuf[1]);
		trace_put_date(l, u.utimbuf[1], 0, 0);
		tputs(l, " */}");
		break;
	case A_ITIMERVAL:
	case A_OITIMERVAL:
		tputs(l, "{it_interval=");
		put_timeval(l, &u.it.it_interval);
		tputs(l, ", it_value=");
		put_timeval(l, &u.it.it_value);
		tputs(l, "}");
		break;
	case A_STAT:
		put_stat(l, &u.st);
		break;
	case A_STATX:
		put_statx(l, &u.stx);
		break;
	case A_STATFS:
		put_statfs(l, &u.sfs);
		break;
	case A_SIGACTION:
	case A_OSIGACTION:
		put_sigaction(l, &u.sa);
		break;
	case A_SIGINFO:
		trace_put_siginfo(l, &u.si);
		break;
	case A_STACK:
	case A_OSTACK:
		tputs(l, "{ss_sp=");
		trace_put_addr(l, u.ss.ss_sp);
		tputs(l, ", ss_flags=");
		trace_put_flags(l, trace_ss_flags, (uint32_t)u.ss.ss_flags, NULL, "SS_???");
		tput(l, ", ss_size=%llu}", u.ss.ss_size);
		break;
	case A_RLIMIT:
	case A_ORLIMIT:
		tputs(l, "{rlim_cur=");
		put_rlim(l, u.rl.rlim_cur);
		tputs(l, ", rlim_max=");
		put_rlim(l, u.rl.rlim_max);
		tputs(l, "}");
		break;
	case A_RUSAGE:
		tputs(l, "{ru_utime=");
		put_timeval(l, &u.ru.ru_utime);
		tputs(l, ", ru_stime=");
		put_timeval(l, &u.ru.ru_stime);
		tputs(l, ", ...}");
		break;
	case A_SYSINFO:
		put_sysinfo(l, &u.sys);
		break;
	case A_TMS:
		tput(l, "{tms_utime=%lld, tms_stime=%lld, tms_cutime=%lld, tms_cstime=%lld}",
		     u.tms.tms_utime, u.tms.tms_stime, u.tms.tms_cutime, u.tms.tms_cstime);
		break;
	case A_TIMEZONE:
		tput(l, "{tz_minuteswest=%d, tz_dsttime=%d}", u.tz.tz_minuteswest, u.tz.tz_dsttime);
		break;
	case A_CLONE_ARGS:
		put_clone_args(l, &u.ca);
		break;
	default:
		trace_put_addr(l, uva);
	}
}

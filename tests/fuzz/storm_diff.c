/*
 * The differential syscall storm: one random sequence of system calls, from a seed, whose
 * results are the same on every Linux and must be the same on Eclipse OS. It runs natively and
 * under eclipse-sim (run_storm_diff.sh), and the two transcripts are compared line by line.
 *
 *   storm_diff SEED COUNT
 *
 * Prints one line per call: its number, the call with its arguments in a normalised form
 * (pointers by what they point at: buf, NULL, kernel, unmapped, ro, R+offset in the reserved
 * region; descriptors as numbers, which are deterministic) and the result: a number, -ENAME,
 * or a normalised value (addresses relative to the reserved region or the first brk, pids as
 * "pid", contents read back as a checksum). Then a summary line.
 *
 * What it calls, and the rules that keep every result deterministic and the run inside the
 * process (it must be safe natively):
 *  - descriptors: the calls only use descriptors below FD_SPAN (the program's own output and
 *    probe pipe sit at 97-99, out of reach) and bad ones (-1, 500, INT_MAX); RLIMIT_NOFILE is
 *    set to 256 first so that limits are the same; 0, 1 and 2 are closed at the start;
 *  - files: pipes made with O_NONBLOCK (and F_SETFL keeps it), so no read ever waits; /dev/null;
 *    regular files and a directory in a private temporary directory, removed at the end; files
 *    are kept below 64 KiB (a hidden ftruncate), so a read never fills more than the buffer;
 *    writes to pipes and files are at most 4 KiB (pipes' capacity accounting differs, by design,
 *    between Linux's page buffers and other rings, once they are nearly full);
 *  - memory: mmap (MAP_FIXED and MAP_FIXED_NOREPLACE, or a hint) only inside a reserved region
 *    REGION, munmap/mprotect/madvise/msync there too; the region is never touched directly, only
 *    by the kernel (read into it, write from it: the peek and poke lines); brk relative to the
 *    first break;
 *  - signals: SIGPIPE stays ignored; only default-ignored signals (SIGURG, SIGWINCH, SIGCHLD,
 *    SIGCONT) may get SIG_DFL or SA_RESETHAND, the others the handler or SIG_IGN, so kill(self)
 *    never ends the process; kill only to ourselves (never -1, 0 or a group) or to a pid that
 *    does not exist; never SIGSTOP;
 *  - identity calls print "pid", "ok" or the error: a pid, a uid or a group differs between
 *    runs, and so does whether we lead a group (setpgid/setsid are left out for that reason);
 *  - fork only as "fork, the child exits with a code, wait4 for it".
 * Left out, each because Linux's own answer is not the same from one machine to the next:
 * MADV_FREE (may or may not drop the pages), mincore (residency), getdents (order), SEEK_DATA
 * and SEEK_HOLE (the host filesystem's), access with W_OK/X_OK (root or not), huge lseek
 * offsets (the host filesystem's maximum file size), O_DIRECTORY|O_CREAT (EINVAL since Linux
 * 6.4 only), unknown syscall numbers (a seccomp filter may answer them: this machine's sandbox
 * kills the process with SIGILL for 335). And MAP_SHARED, which Eclipse refuses by design.
 */

#include "xorshift.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT 99     /* the transcript */
#define PROBE_R 97 /* the pipe peek and poke use */
#define PROBE_W 98
#define FD_SPAN 24
#define FD_LIMIT 256
#define PAGE 4096UL
#define REGION 0x200000000000UL
#define REGION_PAGES 64
#define REGION_END (REGION + REGION_PAGES * PAGE)
#define KERNEL_PTR 0xffff800000000000UL
#define UNMAPPED_PTR 0x100000000000UL
#define NONCANON_PTR 0x0000800000000000UL
#define FILE_MAX (64 * 1024)
#define POOL_SIZE (1 << 20)
#define NSYSCALLS 512

static unsigned char pool[POOL_SIZE] __attribute__((aligned(4096)));
static const char ro[PAGE] __attribute__((aligned(4096))) = "read-only";
static long first_brk, self;
static volatile unsigned long caught;
static unsigned char used[NSYSCALLS];
static unsigned long ncalls;
static uint64_t restorer;


#define PICK(array) (array)[below(sizeof(array) / sizeof((array)[0]))]

/* The line being built. */
static char line[1024];
static size_t len;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + len, sizeof line - len - 1, fmt, ap);
	va_end(ap);
	if (n > 0)
		len += (size_t)n < sizeof line - len - 1 ? (size_t)n : sizeof line - len - 2;
}

static void end_line(void)
{
	line[len++] = '\n';
	for (size_t done = 0; done < len;) {
		ssize_t n = write(OUT, line + done, len - done);
		if (n <= 0)
			_exit(3);
		done += (size_t)n;
	}
	len = 0;
}

static const char *const errnames[] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR",
	[EIO] = "EIO", [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [EBADF] = "EBADF",
	[ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EACCES] = "EACCES",
	[EFAULT] = "EFAULT", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST", [EXDEV] = "EXDEV",
	[ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR", [EINVAL] = "EINVAL",
	[ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY", [EFBIG] = "EFBIG",
	[ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS", [EPIPE] = "EPIPE",
	[ERANGE] = "ERANGE", [ENAMETOOLONG] = "ENAMETOOLONG", [ENOSYS] = "ENOSYS",
	[ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [EOVERFLOW] = "EOVERFLOW",
	[EOPNOTSUPP] = "EOPNOTSUPP",
};

/* Prints " = " and r: -ENAME for an error, else as given. */
static int error_result(long r)
{
	if (r >= 0 || r < -4095)
		return 0;
	long e = -r;
	if (e < (long)(sizeof errnames / sizeof errnames[0]) && errnames[e])
		out(" = -%s", errnames[e]);
	else
		out(" = -E%ld", e);
	return 1;
}

static void result(long r)
{
	if (!error_result(r))
		out(" = %ld", r);
}

/* A syscall, counted; -errno on failure. */
static long sc(long nr, long a, long b, long c, long d, long e, long f)
{
	if (nr >= 0 && nr < NSYSCALLS)
		used[nr] = 1;
	long r = syscall(nr, a, b, c, d, e, f);
	return r == -1 ? -errno : r;
}

/* A call the program makes for itself: not counted, not printed. */
static long hidden(long nr, long a, long b, long c, long d)
{
	long r = syscall(nr, a, b, c, d, 0, 0);
	return r == -1 ? -errno : r;
}

static uint32_t checksum(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* Arguments, each printed as it is chosen. */

static long fd_arg(void)
{
	static const long bad[] = {-1, 500, INT_MAX, FD_LIMIT};
	long fd = below(8) ? (long)below(FD_SPAN / 2 + below(FD_SPAN / 2)) : PICK(bad);
	out("%ld", fd);
	return fd;
}

/* A descriptor number a call may make: below FD_SPAN, or at or past the limit. */
static long newfd_arg(void)
{
	long fd = below(10) ? (long)below(FD_SPAN) : below(2) ? FD_LIMIT : -1;
	out("%ld", fd);
	return fd;
}

/* The region: a page of it, now and then off by a few bytes. */
static uint64_t region_addr(int aligned)
{
	uint64_t page = below(REGION_PAGES);
	uint64_t off = !aligned && below(6) == 0 ? 1 + below(64) : 0;
	out("R+%#lx", (unsigned long)(page * PAGE + off));
	return REGION + page * PAGE + off;
}

/* A pointer: mostly `valid` (printed as name), else one of the hostile kinds; with
 * structure_only, never memory that is readable but not what the caller prepared (a handler
 * or an iovec read from there would send the program anywhere). */
static long any_ptr_arg(void *valid, const char *name, int structure_only)
{
	unsigned kind = (unsigned)below(16);
	if (structure_only && kind >= 4 && kind <= 6)
		kind = 7;
	switch (kind) {
	case 0:
		out("NULL");
		return 0;
	case 1:
		out("kernel");
		return (long)KERNEL_PTR;
	case 2:
		out("unmapped");
		return (long)UNMAPPED_PTR;
	case 3:
		out("noncanon");
		return (long)NONCANON_PTR;
	case 4:
		out("ro");
		return (long)ro;
	case 5:
	case 6:
		return (long)region_addr(0);
	default:
		out("%s", name);
		return (long)valid;
	}
}

static long ptr_arg(void *valid, const char *name)
{
	return any_ptr_arg(valid, name, 0);
}

static long size_arg(int capped)
{
	static const uint64_t huge[] = {1ULL << 40, UINT64_MAX, 1ULL << 63, 0x7ffff000};
	static const uint64_t sizes[] = {0, 1, 7, 100, 300, 4096, 4097};
	uint64_t n = below(3) ? below(200) : PICK(sizes);
	if (!capped && below(6) == 0)
		n = PICK(huge);
	out("%#lx", (unsigned long)n);
	return (long)n;
}

/* Paths, relative to the private directory unless absolute. */
static char longname[PATH_MAX + 16];
static const char *const paths[] = {
	"f0", "f1", "f2", "d0", "d0/f3", "d0/d1", "missing/x", "", "f0/x", "d0/", ".", "/dev/null",
};
#define RELATIVE_PATHS 11 /* those before: the only ones a call that changes names gets */

/* A path; changing says the call may create, remove or rename (never outside our directory:
 * natively, unlink("/dev/null") as root would remove the host's). /dev/zero is left out: a
 * huge read from it would fill more than any buffer. */
static long path_arg_for(int changing)
{
	if (below(12) == 0) {
		out("longname");
		return (long)longname;
	}
	if (below(12) == 0)
		return ptr_arg(NULL, "");
	const char *p = changing ? paths[below(RELATIVE_PATHS)] : PICK(paths);
	out("\"%s\"", p);
	return (long)p;
}

static long path_arg(void)
{
	return path_arg_for(0);
}

/* What a descriptor is, for the rules above; 0 if none. */
static unsigned fd_type(long fd)
{
	struct stat st;
	if (fd < 0 || fd >= FD_LIMIT || hidden(SYS_fstat, fd, (long)&st, 0, 0) != 0)
		return 0;
	return st.st_mode & S_IFMT;
}

/* Keeps a regular file small: our reads into buffers must not outgrow them. */
static void keep_small(long fd)
{
	struct stat st;
	if (fd_type(fd) == S_IFREG && hidden(SYS_fstat, fd, (long)&st, 0, 0) == 0 &&
	    st.st_size > FILE_MAX / 2)
		hidden(SYS_ftruncate, fd, 0, 0, 0);
}

/* The signals the storm may change, and what each may get. */
static const int catchable[] = {SIGUSR1, SIGUSR2, SIGHUP, SIGTERM};
static const int ignorable[] = {SIGURG, SIGWINCH, SIGCHLD, SIGCONT};

static void on_signal(int sig)
{
	(void)sig;
	caught++;
}

struct kact {
	uint64_t handler, flags, restorer, mask;
};

static void print_handler(uint64_t h)
{
	if (h == 0)
		out("DFL");
	else if (h == 1)
		out("IGN");
	else if (h == (uint64_t)(uintptr_t)on_signal)
		out("handler");
	else
		out("%#lx", (unsigned long)h);
}

/* The calls. Each prints its line but for the number, which the loop prints. */

static void c_read(void)
{
	out("read(");
	long fd = fd_arg();
	out(", ");
	long p = ptr_arg(pool, "buf");
	out(", ");
	long n = size_arg(0);
	out(")");
	long r = sc(SYS_read, fd, p, n, 0, 0, 0);
	result(r);
	if (r > 0 && p == (long)pool)
		out(" [%08x]", checksum(pool, (size_t)r));
}

static void c_pread(void)
{
	static const long offs[] = {0, 1, 100, 4096, -1, 70000};
	out("pread64(");
	long fd = fd_arg();
	out(", ");
	long p = ptr_arg(pool, "buf");
	out(", ");
	long n = size_arg(0);
	long off = PICK(offs);
	out(", %ld)", off);
	long r = sc(SYS_pread64, fd, p, n, off, 0, 0);
	result(r);
	if (r > 0 && p == (long)pool)
		out(" [%08x]", checksum(pool, (size_t)r));
}

static void c_write(int positional)
{
	static const long offs[] = {0, 1, 100, 4096, -1, 30000};
	out(positional ? "pwrite64(" : "write(");
	long fd = fd_arg();
	unsigned type = fd_type(fd);
	int capped = type == S_IFIFO || type == S_IFREG;
	out(", ");
	long p = ptr_arg(pool + below(PAGE), "buf");
	out(", ");
	long n = size_arg(capped);
	long off = 0;
	if (positional) {
		off = PICK(offs);
		out(", %ld", off);
	}
	out(")");
	result(sc(positional ? SYS_pwrite64 : SYS_write, fd, p, n, off, 0, 0));
	keep_small(fd);
}

static struct iovec iovs[4];

static void c_vector(int writing)
{
	static const long counts[] = {0, 1, 2, 3, 4, 1025, -1, 1L << 40};
	out(writing ? "writev(" : "readv(");
	long fd = fd_arg();
	int capped = fd_type(fd) == S_IFIFO || fd_type(fd) == S_IFREG;
	out(", {");
	for (int i = 0; i < 4; i++) {
		out(i ? ", " : "");
		iovs[i].iov_base = (void *)ptr_arg(pool + i * 0x10000, "buf");
		out(":");
		iovs[i].iov_len = (size_t)size_arg(capped || !writing);
	}
	out("} at ");
	long v = any_ptr_arg(iovs, "iov", 1);
	long cnt = PICK(counts);
	out(", %ld)", cnt);
	result(sc(writing ? SYS_writev : SYS_readv, fd, v, cnt, 0, 0, 0));
	keep_small(fd);
}

static void c_open(int at)
{
	static const int modes[] = {O_RDONLY, O_WRONLY, O_RDWR};
	static const int extra[] = {O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK, O_CLOEXEC,
				    O_DIRECTORY, O_NOFOLLOW};
	long dirfd = AT_FDCWD;
	out(at ? "openat(" : "open(");
	if (at) {
		if (below(2)) {
			out("AT_FDCWD");
		} else {
			dirfd = fd_arg();
		}
		out(", ");
	}
	long path = path_arg();
	int flags = PICK(modes);
	for (int i = below(3); i > 0; i--)
		flags |= PICK(extra);
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		flags &= ~O_DIRECTORY;
	int mode = below(2) ? 0644 : 0600;
	out(", %#o, %#o)", flags, mode);
	long r = at ? sc(SYS_openat, dirfd, path, flags, mode, 0, 0)
		    : sc(SYS_open, path, flags, mode, 0, 0, 0);
	result(r);
	if (r >= FD_SPAN)
		hidden(SYS_close, r, 0, 0, 0); /* out of the storm's reach */
}

static void c_close(void)
{
	out("close(");
	long fd = fd_arg();
	out(")");
	result(sc(SYS_close, fd, 0, 0, 0, 0, 0));
}

static void c_dup(int which)
{
	static const long flags[] = {0, O_CLOEXEC, O_NONBLOCK, 1};
	long fd, nfd = 0, fl = 0, r;
	if (which == 0) {
		out("dup(");
		fd = fd_arg();
		out(")");
		r = sc(SYS_dup, fd, 0, 0, 0, 0, 0);
	} else {
		out(which == 1 ? "dup2(" : "dup3(");
		fd = fd_arg();
		out(", ");
		nfd = below(6) ? newfd_arg() : (out("%ld", fd), fd);
		if (which == 2) {
			fl = PICK(flags);
			out(", %#lx", fl);
		}
		out(")");
		r = which == 1 ? sc(SYS_dup2, fd, nfd, 0, 0, 0, 0) : sc(SYS_dup3, fd, nfd, fl, 0, 0, 0);
	}
	result(r);
	if (r >= FD_SPAN)
		hidden(SYS_close, r, 0, 0, 0);
}

static void c_fcntl(void)
{
	static const int cmds[] = {F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC,
				   9999, -1};
	out("fcntl(");
	long fd = fd_arg();
	int cmd = PICK(cmds);
	long arg = 0;
	switch (cmd) {
	case F_SETFD:
		arg = below(3);
		break;
	case F_SETFL: /* O_NONBLOCK stays: nothing may wait */
		arg = O_NONBLOCK | (below(2) ? O_APPEND : 0) | (below(4) ? 0 : O_RDWR);
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		arg = below(6) ? (long)below(FD_SPAN) : below(2) ? FD_LIMIT : -1;
		break;
	default:
		arg = below(3);
	}
	out(", %d, %#lx)", cmd, arg);
	long r = sc(SYS_fcntl, fd, cmd, arg, 0, 0, 0);
	if (cmd == F_GETFL && r >= 0)
		out(" = %#lx", r & ~(long)O_LARGEFILE); /* Linux adds it on 64-bit, Eclipse need not */
	else
		result(r);
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && r >= FD_SPAN)
		hidden(SYS_close, r, 0, 0, 0);
}

static void c_lseek(void)
{
	static const long offs[] = {0, 1, 100, 4096, -1, -100, 30000};
	out("lseek(");
	long fd = fd_arg();
	/* Not on directories (ext4 and tmpfs answer SEEK_END differently) nor devices (Linux's
	 * /dev/null seeks to 0 whatever is asked, Eclipse's is an empty file: not fixed). */
	if (fd_type(fd) == S_IFDIR || fd_type(fd) == S_IFCHR) {
		out(") skipped");
		return;
	}
	long off = PICK(offs);
	long whence = below(8) ? (long)below(3) : 7;
	out(", %ld, %ld)", off, whence);
	result(sc(SYS_lseek, fd, off, whence, 0, 0, 0));
}

static int pipefds[2];

static void c_pipe(void)
{
	static const long flags[] = {O_NONBLOCK, O_NONBLOCK | O_CLOEXEC, O_NONBLOCK | 1,
				     O_NONBLOCK | O_RDWR};
	long fl = PICK(flags);
	int plain = below(8) == 0; /* pipe(), only with a bad pointer: it would block */
	out(plain ? "pipe(" : "pipe2(");
	long p;
	if (plain) {
		static const uint64_t bad[] = {0, KERNEL_PTR, UNMAPPED_PTR, (uint64_t)(uintptr_t)ro};
		p = (long)PICK(bad);
		out("%#lx)", p == (long)ro ? 1UL : (unsigned long)p);
	} else {
		p = ptr_arg(pipefds, "fds");
		out(", %#lx)", fl);
	}
	long r = plain ? sc(SYS_pipe, p, 0, 0, 0, 0, 0) : sc(SYS_pipe2, p, fl, 0, 0, 0, 0);
	result(r);
	if (r == 0 && p == (long)pipefds) {
		out(" [%d %d]", pipefds[0], pipefds[1]);
		for (int i = 0; i < 2; i++)
			if (pipefds[i] >= FD_SPAN)
				hidden(SYS_close, pipefds[i], 0, 0, 0);
	}
}

static void print_stat(const struct stat *st)
{
	out(" [%s", S_ISREG(st->st_mode) ? "reg" : S_ISDIR(st->st_mode) ? "dir" :
		     S_ISFIFO(st->st_mode) ? "fifo" : S_ISCHR(st->st_mode) ? "chr" : "other");
	if (S_ISREG(st->st_mode))
		out(" size %ld", (long)st->st_size);
	out("]");
}

static void c_fstat(void)
{
	out("fstat(");
	long fd = fd_arg();
	out(", ");
	long p = ptr_arg(pool, "buf");
	out(")");
	long r = sc(SYS_fstat, fd, p, 0, 0, 0, 0);
	result(r);
	if (r == 0 && p == (long)pool)
		print_stat((struct stat *)pool);
}

static void c_stat(void)
{
	int l = below(2);
	out(l ? "lstat(" : "stat(");
	long path = path_arg();
	out(", ");
	long p = ptr_arg(pool, "buf");
	out(")");
	long r = sc(l ? SYS_lstat : SYS_stat, path, p, 0, 0, 0, 0);
	result(r);
	if (r == 0 && p == (long)pool)
		print_stat((struct stat *)pool);
}

static void c_ftruncate(void)
{
	static const long lens[] = {0, 1, 100, 5000, -1};
	out("ftruncate(");
	long fd = fd_arg();
	long n = PICK(lens);
	out(", %ld)", n);
	result(sc(SYS_ftruncate, fd, n, 0, 0, 0, 0));
}

static void c_fsync(void)
{
	out("fsync(");
	long fd = fd_arg();
	out(")");
	result(sc(SYS_fsync, fd, 0, 0, 0, 0, 0));
}

/* Whether path names a file one of the storm's descriptors has open (hidden calls). Removing
 * or renaming over such a name is left out: Eclipse's filesystem server forgets a removed
 * node that is still open (its fstat and lseek say ESTALE), Linux keeps it. */
static int open_elsewhere(long path)
{
	struct stat st, fst;
	if (!path || hidden(SYS_lstat, path, (long)&st, 0, 0) != 0)
		return 0;
	for (long fd = 0; fd < FD_SPAN; fd++)
		if (hidden(SYS_fstat, fd, (long)&fst, 0, 0) == 0 && fst.st_ino == st.st_ino &&
		    fst.st_dev == st.st_dev)
			return 1;
	return 0;
}

static void c_pathcall(void)
{
	long r;
	switch (below(5)) {
	case 0:
		out("unlink(");
		r = path_arg_for(1);
		out(")");
		r = open_elsewhere(r) ? (out(" skipped: open"), 0) : sc(SYS_unlink, r, 0, 0, 0, 0, 0);
		break;
	case 1:
		out("mkdir(");
		r = path_arg_for(1);
		out(", 0755)");
		r = sc(SYS_mkdir, r, 0755, 0, 0, 0, 0);
		break;
	case 2:
		out("rmdir(");
		r = path_arg_for(1);
		out(")");
		r = open_elsewhere(r) ? (out(" skipped: open"), 0) : sc(SYS_rmdir, r, 0, 0, 0, 0, 0);
		break;
	case 3: {
		out("rename(");
		long from = path_arg_for(1);
		out(", ");
		long to = path_arg_for(1);
		out(")");
		r = open_elsewhere(from) || open_elsewhere(to) ? (out(" skipped: open"), 0)
							       : sc(SYS_rename, from, to, 0, 0, 0, 0);
		break;
	}
	default: {
		long mode = below(4) ? F_OK : 8;
		out("access(");
		r = path_arg();
		out(", %ld)", mode);
		r = sc(SYS_access, r, mode, 0, 0, 0, 0);
	}
	}
	result(r);
}

static void c_ioctl(void)
{
	out("ioctl(");
	long fd = fd_arg();
	/* Only pipes and files: FIONREAD on a device or directory is ENOTTY on Linux and not yet
	 * on Eclipse (which also writes the pointer first). */
	if (fd_type(fd) != S_IFIFO && fd_type(fd) != S_IFREG) {
		out(") skipped");
		return;
	}
	long req = below(2) ? FIONREAD : 0x5401 /* TCGETS */;
	out(", %#lx, ", req);
	long p = ptr_arg(pool, "buf");
	out(")");
	long r = sc(SYS_ioctl, fd, req, p, 0, 0, 0);
	result(r);
	if (r == 0 && req == FIONREAD && p == (long)pool)
		out(" [%d]", *(int *)pool);
}

static struct pollfd pfds[3];

static void c_poll(void)
{
	out("poll({");
	long n = below(4);
	for (long i = 0; i < 3; i++) {
		pfds[i].fd = (int)(i < n ? fd_arg() : -1);
		if (i >= n)
			out("-1");
		pfds[i].events = (short)(below(2) ? POLLIN : POLLIN | POLLOUT);
		pfds[i].revents = 0;
		out(":%#x%s", pfds[i].events, i < 2 ? ", " : "");
	}
	out("} at ");
	long p = ptr_arg(pfds, "pfds");
	long cnt = below(8) ? n : 1L << 40;
	out(", %ld, 0)", cnt);
	long r = sc(SYS_poll, p, cnt, 0, 0, 0, 0);
	result(r);
	if (r >= 0 && p == (long)pfds)
		out(" [%#x %#x %#x]", pfds[0].revents, pfds[1].revents, pfds[2].revents);
}

/* Memory. */

static long maplen_arg(uint64_t addr, int for_map)
{
	static const uint64_t huge[] = {1ULL << 47, UINT64_MAX, UINT64_MAX - PAGE + 2};
	uint64_t n;
	switch (below(10)) {
	case 0:
		n = 0;
		break;
	case 1:
		n = PICK(huge);
		break;
	case 2:
		n = 1 + below(PAGE - 1);
		break;
	default:
		n = (1 + below(8)) * PAGE;
	}
	/* Stay in the region: what is past it is the system's. */
	if (n < (1ULL << 46) && addr >= REGION && addr < REGION_END && addr + n > REGION_END)
		n = REGION_END - (addr & ~(PAGE - 1));
	(void)for_map;
	out("%#lx", (unsigned long)n);
	return (long)n;
}

static long prot_arg(void)
{
	static const long prots[] = {PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_EXEC, PROT_WRITE, PROT_READ | 0x100,
				     PROT_READ | PROT_GROWSDOWN, PROT_READ | PROT_WRITE | PROT_EXEC};
	long p = PICK(prots);
	out("%#lx", p);
	return p;
}

static void c_mmap(void)
{
	/* No MAP_SHARED: Eclipse does not provide memory shared between processes (ENODEV). */
	static const long types[] = {MAP_PRIVATE, MAP_PRIVATE, MAP_PRIVATE, 0};
	static const long placing[] = {MAP_FIXED, MAP_FIXED, MAP_FIXED_NOREPLACE, 0};
	static const long extras[] = {0, 0, 0, MAP_NORESERVE, MAP_POPULATE, 0x10000000 /* unknown */};
	out("mmap(");
	uint64_t addr;
	long flags = PICK(types) | PICK(placing) | PICK(extras);
	/* No address at all only without MAP_FIXED_NOREPLACE: Linux maps page 0 for root. */
	if (below(10) == 0 && !(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		addr = 0;
		out("0");
	} else {
		addr = region_addr(0);
	}
	out(", ");
	long n = maplen_arg(addr, 1);
	out(", ");
	long prot = prot_arg();
	long fd = -1, off = below(8) ? 0 : below(2) ? (long)PAGE : 1;
	if (below(8))
		flags |= MAP_ANONYMOUS;
	out(", %#lx, ", flags);
	if (!(flags & MAP_ANONYMOUS) || below(8) == 0) {
		fd = fd_arg();
		if (!(flags & MAP_ANONYMOUS) && (prot & PROT_EXEC))
			prot &= ~PROT_EXEC;
	} else {
		out("-1");
	}
	out(", %ld) prot %#lx", off, prot);
	long r = sc(SYS_mmap, (long)addr, n, prot, flags, fd, off);
	/* (A file mapping with PROT_EXEC is made with prot without it: natively a noexec /tmp
	 * says EPERM.) */
	if (error_result(r))
		return;
	if ((uint64_t)r >= REGION && (uint64_t)r < REGION_END) {
		out(" = R+%#lx", (unsigned long)((uint64_t)r - REGION));
	} else {
		out(" = elsewhere");
		hidden(SYS_munmap, r, n, 0, 0);
	}
}

static void c_munmap(void)
{
	out("munmap(");
	uint64_t addr = region_addr(0);
	out(", ");
	long n = maplen_arg(addr, 0);
	out(")");
	result(sc(SYS_munmap, (long)addr, n, 0, 0, 0, 0));
}

static void c_mprotect(void)
{
	out("mprotect(");
	uint64_t addr = region_addr(0);
	out(", ");
	long n = maplen_arg(addr, 0);
	out(", ");
	long prot = prot_arg();
	/* PROT_GROWSDOWN over a range past the region: Linux answers from the first mapping
	 * above it, which is the host's. */
	if ((prot & PROT_GROWSDOWN) && (uint64_t)n >= 1ULL << 46)
		n = (long)PAGE;
	out(")");
	result(sc(SYS_mprotect, (long)addr, n, prot, 0, 0, 0));
}

static void c_madvise(void)
{
	static const long advice[] = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
				      MADV_DONTNEED, MADV_DONTNEED, 999};
	out("madvise(");
	uint64_t addr = region_addr(0);
	out(", ");
	/* Not past the address space: Linux's answer then depends on the advice (EINVAL for
	 * MADV_DONTNEED, ENOMEM for others). */
	long n = maplen_arg(addr, 0);
	if ((uint64_t)n >= 1ULL << 46)
		n = (long)PAGE;
	long a = PICK(advice);
	out(", %ld)", a);
	result(sc(SYS_madvise, (long)addr, n, a, 0, 0, 0));
}

static void c_msync(void)
{
	static const long flags[] = {MS_ASYNC, MS_SYNC, MS_INVALIDATE, MS_ASYNC | MS_SYNC, 8};
	out("msync(");
	uint64_t addr = region_addr(0);
	out(", ");
	long n = maplen_arg(addr, 0);
	long f = PICK(flags);
	out(", %ld)", f);
	result(sc(SYS_msync, (long)addr, n, f, 0, 0, 0));
}

static void c_brk(void)
{
	long want;
	out("brk(");
	switch (below(6)) {
	case 0:
		want = 0;
		out("0");
		break;
	case 1:
		want = first_brk - (long)PAGE;
		out("brk0-0x1000");
		break;
	case 2:
		want = 1L << 46;
		out("1<<46");
		break;
	default: {
		long off = (long)(below(64) * PAGE + (below(2) ? below(PAGE) : 0));
		want = first_brk + off;
		out("brk0+%#lx", off);
	}
	}
	out(")");
	long r = sc(SYS_brk, want, 0, 0, 0, 0, 0);
	out(" = brk0%+ld", r - first_brk);
}

/* peek: the kernel reads 16 bytes of the region (a write into the probe pipe); poke: it writes
 * some there (a read from it), and what did not go in is drained. */
static void c_peek(void)
{
	out("peek(");
	uint64_t addr = REGION + below(REGION_PAGES) * PAGE + below(PAGE / 16) * 16;
	out("R+%#lx)", (unsigned long)(addr - REGION));
	long r = sc(SYS_write, PROBE_W, (long)addr, 16, 0, 0, 0);
	result(r);
	if (r > 0) {
		unsigned char got[16];
		long n = hidden(SYS_read, PROBE_R, (long)got, sizeof got, 0);
		out(" [%08x]", n == 16 ? checksum(got, 16) : 0);
	}
}

static void c_poke(void)
{
	out("poke(");
	uint64_t page = below(REGION_PAGES), off = below(PAGE);
	uint64_t n = 1 + below(below(4) ? 64 : 2 * PAGE);
	out("R+%#lx, %#lx)", (unsigned long)(page * PAGE + off), (unsigned long)n);
	if (hidden(SYS_write, PROBE_W, (long)(pool + 0x20000 + below(PAGE)), (long)n, 0) != (long)n)
		_exit(3);
	long r = sc(SYS_read, PROBE_R, (long)(REGION + page * PAGE + off), (long)n, 0, 0, 0);
	result(r);
	long left = 0, got;
	while ((got = hidden(SYS_read, PROBE_R, (long)(pool + 0x30000), 2 * PAGE, 0)) > 0)
		left += got;
	out(" [left %ld]", left);
}

/* Signals. */

static struct kact act, oldact;

static void c_sigaction(void)
{
	static const uint64_t flag_choices[] = {0, SA_RESTART, SA_NODEFER, SA_SIGINFO, SA_RESETHAND,
						 SA_RESTART | SA_SIGINFO};
	int sig;
	int kind = below(10);
	if (kind < 4)
		sig = PICK(catchable);
	else if (kind < 8)
		sig = PICK(ignorable);
	else
		sig = below(2) ? (int)below(66) : below(2) ? SIGKILL : SIGSTOP;
	int may_set = kind < 8 || sig == SIGKILL || sig == SIGSTOP || sig == 0 || sig > 64;
	out("rt_sigaction(%d, ", sig);
	long a = 0;
	if (may_set && below(3)) {
		static const uint64_t handlers[] = {0, 1, 2};
		uint64_t h = PICK(handlers);
		if (h == 0 && kind < 4)
			h = 2; /* SIG_DFL would end the process on a kill */
		if (h == 1 && sig == SIGCHLD)
			h = 0; /* excluded: Eclipse does not reap children itself under SIG_IGN */
		act.handler = h == 2 ? (uint64_t)(uintptr_t)on_signal : h;
		act.flags = SA_RESTORER | PICK(flag_choices);
		if ((act.flags & SA_RESETHAND) && kind < 4)
			act.flags &= ~(uint64_t)SA_RESETHAND;
		act.restorer = restorer;
		act.mask = next() & (below(2) ? ~0ULL : 0xffffffffULL);
		out("{");
		print_handler(act.handler);
		out(" %#lx %#lx} at ", (unsigned long)act.flags, (unsigned long)act.mask);
		a = any_ptr_arg(&act, "act", 1);
	} else {
		out("NULL");
	}
	out(", ");
	memset(&oldact, 0x5a, sizeof oldact);
	long o = below(4) ? ptr_arg(&oldact, "old") : (out("NULL"), 0);
	long size = below(10) ? 8 : below(2) ? 4 : 16;
	out(", %ld)", size);
	long r = sc(SYS_rt_sigaction, sig, a, o, size, 0, 0);
	result(r);
	if (r == 0 && o == (long)&oldact) {
		out(" [");
		print_handler(oldact.handler);
		out(" %#lx %#lx]", (unsigned long)oldact.flags, (unsigned long)oldact.mask);
	}
}

static uint64_t set, oldset;

static void c_sigprocmask(void)
{
	long how = below(8) ? (long)below(3) : 7;
	set = below(2) ? next() : 1ULL << below(64);
	out("rt_sigprocmask(%ld, ", how);
	long s = below(5) ? ptr_arg(&set, "set") : (out("NULL"), 0);
	if (s == (long)&set)
		out("{%#lx}", (unsigned long)set);
	out(", ");
	oldset = 0x5a5a5a5a5a5a5a5aULL;
	long o = below(3) ? ptr_arg(&oldset, "old") : (out("NULL"), 0);
	long size = below(10) ? 8 : 4;
	out(", %ld)", size);
	unsigned long before = caught;
	long r = sc(SYS_rt_sigprocmask, how, s, o, size, 0, 0);
	result(r);
	if (r == 0 && o == (long)&oldset)
		out(" [%#lx]", (unsigned long)oldset);
	out(" caught %lu", caught - before);
}

static void c_sigpending(void)
{
	out("rt_sigpending(");
	oldset = 0x5a5a5a5a5a5a5a5aULL;
	long o = ptr_arg(&oldset, "set");
	long size = below(10) ? 8 : 16;
	out(", %ld)", size);
	long r = sc(SYS_rt_sigpending, o, size, 0, 0, 0, 0);
	result(r);
	if (r == 0 && o == (long)&oldset)
		out(" [%#lx]", (unsigned long)oldset);
}

static void c_kill(void)
{
	static const int sigs[] = {0, SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGURG, SIGWINCH, SIGCHLD,
				   SIGCONT, 65, -1};
	int sig = PICK(sigs);
	long pid = below(6) ? self : 0x3ffffff0;
	if (pid != self && (sig < 0 || sig > 64))
		sig = 0; /* Linux says ESRCH before EINVAL there, Eclipse not yet */
	out("kill(%s, %d)", pid == self ? "self" : "0x3ffffff0", sig);
	unsigned long before = caught;
	result(sc(below(4) ? SYS_kill : SYS_tkill, pid, sig, 0, 0, 0, 0));
	out(" caught %lu", caught - before);
}

static unsigned char altstack[65536];
static stack_t ss, oss;

static void c_sigaltstack(void)
{
	static const int flags[] = {0, 0, SS_DISABLE, SS_ONSTACK, 7};
	static const size_t sizes[] = {sizeof altstack, 8192, 1000};
	ss.ss_sp = altstack;
	ss.ss_flags = PICK(flags);
	ss.ss_size = PICK(sizes);
	out("sigaltstack({alt %d %#zx} at ", ss.ss_flags, ss.ss_size);
	long s = below(4) ? ptr_arg(&ss, "ss") : (out("NULL"), 0);
	out(", ");
	memset(&oss, 0x5a, sizeof oss);
	long o = below(3) ? ptr_arg(&oss, "old") : (out("NULL"), 0);
	out(")");
	long r = sc(SYS_sigaltstack, s, o, 0, 0, 0, 0);
	result(r);
	if (r == 0 && o == (long)&oss)
		out(" [%s %d %#zx]", oss.ss_sp == altstack ? "alt" : oss.ss_sp ? "?" : "NULL",
		    oss.ss_flags, oss.ss_size);
}

/* Identity and the rest. */

static void c_identity(void)
{
	static const struct {
		long nr;
		const char *name;
	} ids[] = {{SYS_getpid, "getpid"},   {SYS_getppid, "getppid"}, {SYS_gettid, "gettid"},
		   {SYS_getpgrp, "getpgrp"}, {SYS_getuid, "getuid"},   {SYS_geteuid, "geteuid"},
		   {SYS_getgid, "getgid"},   {SYS_getegid, "getegid"}};
	if (below(3) == 0) {
		int sid = below(2);
		long pid = below(2) ? 0 : below(2) ? self : 0x3ffffff0;
		out("%s(%s)", sid ? "getsid" : "getpgid",
		    pid == 0 ? "0" : pid == self ? "self" : "0x3ffffff0");
		long r = sc(sid ? SYS_getsid : SYS_getpgid, pid, 0, 0, 0, 0, 0);
		if (!error_result(r))
			out(" = ok");
		return;
	}
	unsigned i = (unsigned)below(sizeof ids / sizeof ids[0]);
	out("%s()", ids[i].name);
	long r = sc(ids[i].nr, 0, 0, 0, 0, 0, 0);
	if (!error_result(r))
		out(" = %s", r == self && (i == 0 || i == 2) ? "pid" : "ok");
}

static void c_misc(void)
{
	long r, p;
	switch (below(11)) {
	case 0: {
		static const long masks[] = {022, 077, 0, 027};
		long m = PICK(masks);
		out("umask(%#lo)", m);
		r = sc(SYS_umask, m, 0, 0, 0, 0, 0);
		out(" = %#lo", r);
		return;
	}
	case 1:
		out("uname(");
		p = ptr_arg(pool, "buf");
		out(")");
		r = sc(SYS_uname, p, 0, 0, 0, 0, 0);
		break;
	case 2:
	case 3: {
		static const long clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
					      CLOCK_PROCESS_CPUTIME_ID, CLOCK_MONOTONIC_RAW, 100};
		int res = below(3) == 0;
		long clk = PICK(clocks);
		out("%s(%ld, ", res ? "clock_getres" : "clock_gettime", clk);
		p = below(6) ? ptr_arg(pool, "buf") : (out("NULL"), 0);
		out(")");
		r = sc(res ? SYS_clock_getres : SYS_clock_gettime, clk, p, 0, 0, 0, 0);
		break;
	}
	case 4: {
		static const long nsecs[] = {0, 1000, 1000000, 1000000000, -1};
		struct timespec *ts = (struct timespec *)(pool + 0x40000);
		ts->tv_sec = below(8) ? 0 : -1;
		ts->tv_nsec = PICK(nsecs);
		out("nanosleep({%ld %ld} at ", (long)ts->tv_sec, (long)ts->tv_nsec);
		p = any_ptr_arg(ts, "ts", 1);
		out(", ");
		long rem = below(2) ? ptr_arg(pool + 0x40100, "rem") : (out("NULL"), 0);
		out(")");
		r = sc(SYS_nanosleep, p, rem, 0, 0, 0, 0);
		break;
	}
	case 5: {
		static const long flags[] = {0, GRND_NONBLOCK, GRND_RANDOM, 0x10};
		out("getrandom(");
		p = ptr_arg(pool, "buf");
		long n = below(257);
		long fl = PICK(flags);
		out(", %ld, %#lx)", n, fl);
		r = sc(SYS_getrandom, p, n, fl, 0, 0, 0);
		break;
	}
	case 6:
		out("sched_yield()");
		r = sc(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
		break;
	case 7: {
		long res = below(6) ? (long)below(16) : 100;
		out("getrlimit(%ld, ", res);
		p = ptr_arg(pool, "buf");
		out(")");
		r = sc(SYS_getrlimit, res, p, 0, 0, 0, 0);
		if (r == 0 && res == RLIMIT_NOFILE && p == (long)pool)
			out(" = 0 [%ld]", *(long *)pool);
		else
			result(r);
		return;
	}
	case 8: {
		static const long who[] = {RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD, 5};
		long w = PICK(who);
		out("getrusage(%ld, ", w);
		p = ptr_arg(pool, "buf");
		out(")");
		r = sc(SYS_getrusage, w, p, 0, 0, 0, 0);
		break;
	}
	case 9: {
		static const long opts[] = {WNOHANG, WNOHANG | WUNTRACED, 0x7000000, WNOHANG | __WALL};
		long o = PICK(opts);
		out("wait4(-1, ");
		p = ptr_arg(pool, "buf");
		out(", %#lx, NULL)", o);
		r = sc(SYS_wait4, -1, p, o, 0, 0, 0);
		break;
	}
	default: {
		static const long sizes[] = {0, 1, 4096, 100000};
		long n = PICK(sizes);
		out("getcwd(");
		p = ptr_arg(pool, "buf");
		out(", %ld)", n);
		r = sc(SYS_getcwd, p, n, 0, 0, 0, 0);
		if (r > 0)
			r = 1; /* the length is the host's path's */
		break;
	}
	}
	result(r);
}

static void c_fork(void)
{
	int code = (int)below(256);
	out("fork() child exits %d", code);
	long pid = sc(SYS_fork, 0, 0, 0, 0, 0, 0);
	if (pid == 0)
		_exit(code);
	if (error_result(pid))
		return;
	int status = 0;
	long r;
	do
		r = sc(SYS_wait4, pid, (long)&status, 0, 0, 0, 0);
	while (r == -EINTR);
	out(" wait4 %s status %#x", r == pid ? "child" : "?", status);
}

static const struct {
	void (*fn)(void);
	unsigned weight;
} calls[] = {
	{c_read, 6},      {c_pread, 2},    {c_close, 4},       {c_fcntl, 4},
	{c_lseek, 3},     {c_pipe, 3},     {c_fstat, 2},  {c_stat, 2},        {c_ftruncate, 2},
	{c_fsync, 1},     {c_pathcall, 4}, {c_ioctl, 2},  {c_poll, 2},        {c_mmap, 8},
	{c_munmap, 4},    {c_mprotect, 4}, {c_madvise, 3}, {c_msync, 2},      {c_brk, 3},
	{c_peek, 6},      {c_poke, 4},     {c_sigaction, 4}, {c_sigprocmask, 4}, {c_sigpending, 2},
	{c_kill, 3},      {c_sigaltstack, 2}, {c_identity, 3}, {c_misc, 6},   {c_fork, 1},
};
#define NCALLS (sizeof calls / sizeof calls[0])

/* Calls with arguments. */
static void c_write0(void) { c_write(0); }
static void c_write1(void) { c_write(1); }
static void c_readv(void) { c_vector(0); }
static void c_writev(void) { c_vector(1); }
static void c_open0(void) { c_open(0); }
static void c_open1(void) { c_open(1); }
static void c_dup0(void) { c_dup(0); }
static void c_dup1(void) { c_dup(1); }
static void c_dup2(void) { c_dup(2); }
static const struct {
	void (*fn)(void);
	unsigned weight;
} more[] = {
	{c_write0, 6}, {c_write1, 2}, {c_readv, 2}, {c_writev, 2}, {c_open0, 2}, {c_open1, 2},
	{c_dup0, 2},   {c_dup1, 2},   {c_dup2, 2},
};
#define NMORE (sizeof more / sizeof more[0])

static void one_call(void)
{
	unsigned total = 0;
	for (unsigned i = 0; i < NCALLS; i++)
		total += calls[i].weight;
	for (unsigned i = 0; i < NMORE; i++)
		total += more[i].weight;
	unsigned pick = (unsigned)below(total);
	for (unsigned i = 0; i < NCALLS; i++) {
		if (pick < calls[i].weight) {
			calls[i].fn();
			return;
		}
		pick -= calls[i].weight;
	}
	for (unsigned i = 0; i < NMORE; i++) {
		if (pick < more[i].weight) {
			more[i].fn();
			return;
		}
		pick -= more[i].weight;
	}
}

static char tmpdir[64];

/* The same start on both systems: descriptors, limits, signals, the region, a directory. */
static void setup(uint64_t seed)
{
	if (dup2(1, OUT) != OUT)
		_exit(3);
	int probe[2];
	if (pipe2(probe, O_NONBLOCK) != 0 || dup2(probe[0], PROBE_R) != PROBE_R ||
	    dup2(probe[1], PROBE_W) != PROBE_W)
		_exit(3);
	close(probe[0]);
	close(probe[1]);
	for (int fd = 0; fd < FD_LIMIT; fd++)
		if (fd != OUT && fd != PROBE_R && fd != PROBE_W)
			close(fd);
	struct rlimit lim = {FD_LIMIT, FD_LIMIT};
	if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
		_exit(3);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct sigaction sa = {.sa_handler = SIG_DFL};
	for (int sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	for (unsigned i = 0; i < sizeof catchable / sizeof catchable[0]; i++)
		sigaction(catchable[i], &sa, NULL);
	struct kact k;
	if (syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, 8) != 0)
		_exit(3);
	restorer = k.restorer;
	stack_t off = {.ss_flags = SS_DISABLE};
	sigaltstack(&off, NULL);
	umask(022);
	munmap((void *)REGION, REGION_PAGES * PAGE);
	first_brk = syscall(SYS_brk, 0);
	self = getpid();
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (size_t i = 0; i < POOL_SIZE; i += 8) {
		uint64_t v = next();
		memcpy(pool + i, &v, 8);
	}
	memset(longname, 'n', sizeof longname - 1);
	/* A private directory, where the relative paths are. */
	snprintf(tmpdir, sizeof tmpdir, "/tmp/storm_diff.%ld.%lu", self, (unsigned long)seed);
	if (mkdir(tmpdir, 0700) != 0 && errno == ENOENT) {
		mkdir("/tmp", 0777);
		mkdir(tmpdir, 0700);
	}
	if (chdir(tmpdir) != 0) {
		dprintf(OUT, "storm_diff: no directory %s: %s\n", tmpdir, strerror(errno));
		_exit(3);
	}
	rng = seed * 0x2545f4914f6cdd1dULL + 7;
}

/* Removes what the storm made under the directory dirfd (depth: the names it uses nest
 * at most a few deep), then, at the top, the directory. */
static void remove_tree(int dirfd, int depth)
{
	char names[16][64];
	unsigned n = 0;
	long got;
	unsigned char *d = pool;
	while (n < 16 && (got = hidden(SYS_getdents64, dirfd, (long)d, 0x10000, 0)) > 0) {
		for (long at = 0; at < got && n < 16;) {
			struct {
				uint64_t ino, off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *e = (void *)(d + at);
			if (strcmp(e->name, ".") && strcmp(e->name, "..") && strlen(e->name) < 64)
				strcpy(names[n++], e->name);
			at += e->reclen;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (unlinkat(dirfd, names[i], 0) == 0 || depth > 4)
			continue;
		int sub = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY);
		if (sub >= 0) {
			remove_tree(sub, depth + 1);
			close(sub);
		}
		unlinkat(dirfd, names[i], AT_REMOVEDIR);
	}
}

static void cleanup(void)
{
	int top = open(".", O_RDONLY | O_DIRECTORY);
	if (top >= 0) {
		remove_tree(top, 0);
		close(top);
	}
	if (chdir("/") != 0 || rmdir(tmpdir) != 0)
		dprintf(2, "storm_diff: %s is left: %s\n", tmpdir, strerror(errno));
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		dprintf(2, "usage: storm_diff SEED COUNT\n");
		return 2;
	}
	uint64_t seed = strtoull(argv[1], NULL, 0);
	unsigned long count = strtoul(argv[2], NULL, 0);
	setup(seed);
	for (ncalls = 0; ncalls < count; ncalls++) {
		out("%lu ", ncalls);
		one_call();
		end_line();
	}
	unsigned distinct = 0;
	for (unsigned i = 0; i < NSYSCALLS; i++)
		distinct += used[i];
	cleanup();
	out("storm_diff: seed %lu, %lu calls, %u distinct syscalls", (unsigned long)seed, count,
	    distinct);
	end_line();
	return 0;
}

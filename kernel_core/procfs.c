/*
 * /proc: what ps, top, free, uptime and mount read, in Linux's formats. A file's text is made
 * when it is opened (a snapshot, as consistent as one read of Linux's), then read like a file.
 *
 * Node numbers: pid << 16 | what, pid 0 for the files of the whole system.
 */
#include <kernel/frame.h>
#include <kernel/klib.h>
#include <kernel/kernel.h>
#include <kernel/kmalloc.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <uapi/linux.h>
#include <stdarg.h>

#define HZ 100
#define NS_PER_TICK (1000000000ull / HZ)
#define PID_SHIFT 16
#define FD_BASE 0x1000u /* what = FD_BASE + fd: a link in /proc/PID/fd */

enum what {
	W_ROOT = 1,
	W_SELF,
	W_MEMINFO,
	W_UPTIME,
	W_LOADAVG,
	W_STAT,
	W_MOUNTS,
	W_VERSION,
	W_CPUINFO,
	W_FILESYSTEMS,
	W_NGLOBAL, /* the per-process ones follow */
	W_PID_DIR = 0x20,
	W_PID_STAT,
	W_PID_STATUS,
	W_PID_CMDLINE,
	W_PID_ENVIRON,
	W_PID_COMM,
	W_PID_EXE,
	W_PID_CWD,
	W_PID_FD,
	W_PID_MAPS,
	W_PID_STATM,
	W_PID_END,
};

static const char *const global_names[W_NGLOBAL] = {
	[W_SELF] = "self",       [W_MEMINFO] = "meminfo", [W_UPTIME] = "uptime",
	[W_LOADAVG] = "loadavg", [W_STAT] = "stat",       [W_MOUNTS] = "mounts",
	[W_VERSION] = "version", [W_CPUINFO] = "cpuinfo", [W_FILESYSTEMS] = "filesystems",
};

static const char *const pid_names[W_PID_END - W_PID_DIR] = {
	[W_PID_STAT - W_PID_DIR] = "stat",       [W_PID_STATUS - W_PID_DIR] = "status",
	[W_PID_CMDLINE - W_PID_DIR] = "cmdline", [W_PID_ENVIRON - W_PID_DIR] = "environ",
	[W_PID_COMM - W_PID_DIR] = "comm",       [W_PID_EXE - W_PID_DIR] = "exe",
	[W_PID_CWD - W_PID_DIR] = "cwd",         [W_PID_FD - W_PID_DIR] = "fd",
	[W_PID_MAPS - W_PID_DIR] = "maps",       [W_PID_STATM - W_PID_DIR] = "statm",
};

static unsigned mode_of(unsigned what)
{
	if (what == W_ROOT || what == W_PID_DIR || what == W_PID_FD)
		return S_IFDIR | 0555;
	if (what == W_SELF || what == W_PID_EXE || what == W_PID_CWD || what >= FD_BASE)
		return S_IFLNK | 0777;
	return S_IFREG | 0444;
}

static struct inode *node(struct mount *mnt, int pid, unsigned what)
{
	return inode_new(&procfs_type, mnt, (uint64_t)pid << PID_SHIFT | what, mode_of(what));
}

static int pid_of(const struct inode *ino)
{
	return (int)(ino->ino >> PID_SHIFT);
}

static unsigned what_of(const struct inode *ino)
{
	return (unsigned)(ino->ino & ((1u << PID_SHIFT) - 1));
}

int procfs_init(struct inode **root)
{
	*root = node(NULL, 0, W_ROOT);
	return *root ? 0 : -ENOMEM;
}

/* The live process a node is about, or NULL when it has gone. */
static struct proc *proc_of(const struct inode *ino)
{
	struct proc *p = proc_find(pid_of(ino));
	return p && p->state == PROC_ALIVE ? p : NULL;
}

static bool name_is(const char *a, const char *name, size_t len)
{
	return a && kstrlen(a) == len && !kmemcmp(a, name, len);
}

/* A decimal number of len bytes, or -1. */
static long number(const char *s, size_t len)
{
	long v = 0;
	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int procfs_lookup(struct thread *t, struct inode *dir, const char *name, size_t len,
			 struct inode **out)
{
	(void)t;
	unsigned what = what_of(dir);
	int pid = pid_of(dir);
	struct inode *n = NULL;
	if (what == W_ROOT) {
		for (unsigned w = W_SELF; w < W_NGLOBAL && !n; w++)
			if (name_is(global_names[w], name, len))
				n = node(dir->mnt, 0, w);
		long v = n ? -1 : number(name, len);
		if (v > 0 && proc_find((int)v) && proc_find((int)v)->state == PROC_ALIVE)
			n = node(dir->mnt, (int)v, W_PID_DIR);
		else if (!n)
			return -ENOENT;
	} else if (what == W_PID_DIR) {
		if (!proc_of(dir))
			return -ENOENT;
		for (unsigned w = W_PID_DIR + 1; w < W_PID_END && !n; w++)
			if (name_is(pid_names[w - W_PID_DIR], name, len))
				n = node(dir->mnt, pid, w);
		if (!n)
			return -ENOENT;
	} else if (what == W_PID_FD) {
		struct proc *p = proc_of(dir);
		long fd = number(name, len);
		if (!p || fd < 0 || !p->fds || !fd_get(p->fds, fd))
			return -ENOENT;
		n = node(dir->mnt, pid, FD_BASE + (unsigned)fd);
	} else {
		return -ENOTDIR;
	}
	*out = n;
	return n ? 0 : -ENOMEM;
}

static int procfs_parent(struct thread *t, struct inode *dir, struct inode **out)
{
	(void)t;
	unsigned what = what_of(dir);
	*out = what == W_PID_FD ? node(dir->mnt, pid_of(dir), W_PID_DIR) : node(dir->mnt, 0, W_ROOT);
	return *out ? 0 : -ENOMEM;
}

static int procfs_getattr(struct thread *t, struct inode *ino, struct vfs_attr *a)
{
	(void)t;
	if (pid_of(ino) && !proc_of(ino))
		return -ENOENT;
	a->ino = ino->ino;
	a->mode = ino->mode;
	a->nlink = S_ISDIR(ino->mode) ? 2 : 1;
	a->blksize = PAGE_SIZE;
	struct proc *p = proc_of(ino);
	if (p)
		a->atime_ns = a->mtime_ns = a->ctime_ns =
			(long long)(plat_boot_epoch_ns() + p->start_ns);
	return 0;
}

/* Text of a /proc file, built in a page. */
struct text {
	char *buf;
	size_t len;
};

static void put(struct text *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = PAGE_SIZE - x->len;
	int n = kvsnprintf(x->buf + x->len, room, fmt, ap);
	va_end(ap);
	x->len += n < 0 ? 0 : (size_t)n >= room ? room - 1 : (size_t)n;
}

static char state_char(const struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	if (p->stopped)
		return 'T';
	for (struct thread *t = p->threads; t; t = t->sibling)
		if (t->state == THREAD_RUNNABLE)
			return 'R';
	return 'S';
}

static const char *state_name(char c)
{
	return c == 'R' ? "running" : c == 'T' ? "stopped" : c == 'Z' ? "zombie" : "sleeping";
}

static bool count_page(uint64_t va, uint64_t pa, unsigned flags, void *arg)
{
	(void)va, (void)pa, (void)flags;
	++*(uint64_t *)arg;
	return false;
}

static void mem_sizes(const struct proc *p, uint64_t *vsize, uint64_t *rss_pages)
{
	*vsize = *rss_pages = 0;
	if (!p->mm)
		return;
	for (struct vma *v = p->mm->vmas; v; v = v->next)
		*vsize += v->end - v->start;
	vm_find_page(&p->mm->as, count_page, rss_pages);
}

static void put_pid_stat(struct text *x, struct proc *p)
{
	uint64_t vsize, rss;
	mem_sizes(p, &vsize, &rss);
	int tty_nr = p->tty ? (int)p->tty->rdev : 0;
	int tpgid = p->tty ? p->tty->pgrp : -1;
	put(x, "%d (%s) %c %d %d %d %d %d 4194304 0 0 0 0 %llu %llu %llu %llu 20 0 %u 0 %llu %llu "
	       "%llu 18446744073709551615 %llu %llu %llu 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 "
	       "0 0\n",
	    p->pid, p->name, state_char(p), p->parent ? p->parent->pid : 0, p->pgid, p->sid, tty_nr,
	    tpgid, (unsigned long long)(p->cpu_ns / NS_PER_TICK), 0ull,
	    (unsigned long long)(p->children_cpu_ns / NS_PER_TICK), 0ull, p->nthreads,
	    (unsigned long long)(p->start_ns / NS_PER_TICK), (unsigned long long)vsize,
	    (unsigned long long)rss, 0x400000ull, 0x400000ull, STACK_TOP);
}

static void put_pid_status(struct text *x, struct proc *p)
{
	uint64_t vsize, rss;
	mem_sizes(p, &vsize, &rss);
	char s = state_char(p);
	uint64_t ign = 0, cgt = 0;
	for (int sig = 1; sig <= PROC_NSIG; sig++) {
		uint64_t h = p->sig_action ? p->sig_action[sig - 1].handler : SIG_DFL;
		if (h == SIG_IGN)
			ign |= 1ull << (sig - 1);
		else if (h != SIG_DFL)
			cgt |= 1ull << (sig - 1);
	}
	struct thread *main = proc_main_thread(p);
	put(x, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
	       "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\nGroups:\t\n"
	       "VmPeak:\t%llu kB\nVmSize:\t%llu kB\nVmRSS:\t%llu kB\nThreads:\t%u\n"
	       "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
	       "SigCgt:\t%016llx\n",
	    p->name, p->fs ? p->fs->umask : 022, s, state_name(s), p->pid, p->pid,
	    p->parent ? p->parent->pid : 0, p->fds ? fd_end(p->fds) : 0,
	    (unsigned long long)(vsize >> 10), (unsigned long long)(vsize >> 10),
	    (unsigned long long)(rss * 4), p->nthreads,
	    (unsigned long long)(main ? main->sig_pending : 0), (unsigned long long)p->sig_pending,
	    (unsigned long long)(main ? main->sig_blocked : 0), (unsigned long long)ign,
	    (unsigned long long)cgt);
}

/* The bytes of [from, to) of p's memory (its argv or envp strings), a page at most. */
static void put_memory(struct text *x, struct proc *p, uint64_t from, uint64_t to)
{
	size_t n = (size_t)MIN(to - from, PAGE_SIZE - x->len);
	if (from < to && p->mm && !copy_in(p->mm, x->buf + x->len, from, n))
		x->len += n;
}

static void put_maps(struct text *x, struct proc *p)
{
	for (struct vma *v = p->mm ? p->mm->vmas : NULL; v; v = v->next) {
		bool stack = v->end == STACK_TOP;
		bool heap = v->start == PAGE_UP(p->mm->brk_start) && v->start != v->end && !stack;
		put(x, "%08llx-%08llx %c%c%cp 00000000 00:00 0 %s\n", (unsigned long long)v->start,
		    (unsigned long long)v->end, v->prot & PROT_READ ? 'r' : '-',
		    v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
		    stack ? "[stack]" : heap ? "[heap]" : "");
	}
}

static void put_meminfo(struct text *x)
{
	unsigned long long total = frame_total_count() * 4, free = frame_free_count() * 4;
	put(x, "MemTotal:       %8llu kB\nMemFree:        %8llu kB\nMemAvailable:   %8llu kB\n"
	       "Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
	       "Active:                0 kB\nInactive:              0 kB\nSwapTotal:             0 kB\n"
	       "SwapFree:              0 kB\nShmem:                 0 kB\nSlab:                  0 kB\n",
	    total, free, free);
}

static unsigned count_procs(unsigned *running)
{
	unsigned n = 0, cursor = 0;
	*running = 0;
	for (struct proc *p; (p = proc_next(&cursor));) {
		if (p->state != PROC_ALIVE)
			continue;
		n++;
		*running += state_char(p) == 'R';
	}
	return n;
}

static void put_global(struct text *x, unsigned what)
{
	uint64_t now = plat_clock_ns();
	unsigned running, procs = count_procs(&running);
	switch (what) {
	case W_MEMINFO:
		put_meminfo(x);
		break;
	case W_UPTIME:
		put(x, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(now / 1000000000ull),
		    (unsigned long long)(now / 10000000ull % 100), (unsigned long long)(now / 1000000000ull),
		    (unsigned long long)(now / 10000000ull % 100));
		break;
	case W_LOADAVG:
		put(x, "0.00 0.00 0.00 %u/%u %d\n", running, procs, procs);
		break;
	case W_STAT: {
		unsigned long long ticks = now / NS_PER_TICK;
		put(x, "cpu  %llu 0 0 0 0 0 0 0 0 0\ncpu0 %llu 0 0 0 0 0 0 0 0 0\nintr 0\nctxt 0\n"
		       "btime %llu\nprocesses %u\nprocs_running %u\nprocs_blocked 0\n",
		    ticks, ticks, (unsigned long long)(plat_boot_epoch_ns() / 1000000000ull), procs,
		    running);
		break;
	}
	case W_MOUNTS: {
		unsigned cursor = 0;
		for (struct mount *m; (m = vfs_mount_next(&cursor));)
			put(x, "%s /%s %s %s 0 0\n", m->fs->name, m->name, m->fs->name,
			    m->fs->create ? "rw" : "ro");
		break;
	}
	case W_VERSION:
		put(x, "Linux version 6.1.0-eclipse (Eclipse OS %s) #1 SMP\n", ECLIPSE_VERSION);
		break;
	case W_CPUINFO:
		put(x, "processor\t: 0\nvendor_id\t: Eclipse\ncpu family\t: 6\nmodel name\t: Eclipse "
		       "virtual CPU\ncpu MHz\t\t: 1000.000\ncpu cores\t: 1\nflags\t\t: fpu tsc cx8 "
		       "cmov mmx fxsr sse sse2 syscall nx lm\n\n");
		break;
	case W_FILESYSTEMS:
		put(x, "nodev\tinitramfs\nnodev\tdevtmpfs\nnodev\tproc\nnodev\tpipefs\n\teclipsefs\n");
		break;
	}
}

static long text_read(struct thread *t, struct file *f, uint64_t buf, uint64_t len, uint64_t off)
{
	if (off >= f->priv_len)
		return 0;
	size_t n = (size_t)MIN(len, f->priv_len - off);
	if (copy_out(t->proc->mm, buf, (char *)f->priv + off, n))
		return -EFAULT;
	return (long)n;
}

static void text_release(struct file *f)
{
	kpage_free(f->priv);
}

/* Directory records: ".", "..", the fixed names, then (the root) a directory per process or
 * (fd) a link per descriptor. Offsets: 0, 1, then 2 + index, then 0x10000 + pid or fd. */
static long procfs_readdir(struct thread *t, struct file *f, uint64_t buf, uint64_t len)
{
	unsigned what = what_of(f->ino);
	int pid = pid_of(f->ino);
	struct proc *p = pid ? proc_of(f->ino) : NULL;
	if (pid && !p)
		return -ENOENT;
	uint64_t done = 0;
	for (;;) {
		uint64_t pos = f->offset, ino = f->ino->ino;
		const char *name = NULL;
		char num[16];
		unsigned mode = S_IFDIR;
		if (pos == 0) {
			name = ".";
		} else if (pos == 1) {
			name = "..";
		} else if (pos < 0x10000) {
			unsigned idx = (unsigned)pos - 2;
			unsigned base = what == W_ROOT ? W_SELF : W_PID_DIR + 1;
			unsigned end = what == W_ROOT ? W_NGLOBAL : what == W_PID_DIR ? W_PID_END : 0;
			if (base + idx >= end) {
				f->offset = 0x10000;
				continue;
			}
			name = what == W_ROOT ? global_names[base + idx] : pid_names[base + idx - W_PID_DIR];
			mode = mode_of(base + idx);
			ino = (uint64_t)pid << PID_SHIFT | (base + idx);
		} else if (what == W_ROOT) {
			struct proc *q = NULL;
			unsigned cursor = 0;
			int want = (int)(pos - 0x10000);
			for (struct proc *r; (r = proc_next(&cursor));)
				if (r->state == PROC_ALIVE && r->pid >= want && (!q || r->pid < q->pid))
					q = r;
			if (!q)
				break;
			f->offset = pos = 0x10000 + (uint64_t)q->pid;
			ksnprintf(num, sizeof(num), "%d", q->pid);
			name = num;
			ino = (uint64_t)q->pid << PID_SHIFT | W_PID_DIR;
		} else if (what == W_PID_FD) {
			int fd = (int)(pos - 0x10000), end = fd_end(p->fds);
			while (fd < end && !fd_get(p->fds, fd))
				fd++;
			if (fd >= end)
				break;
			f->offset = pos = 0x10000 + (uint64_t)fd;
			ksnprintf(num, sizeof(num), "%d", fd);
			name = num;
			mode = S_IFLNK;
			ino = (uint64_t)pid << PID_SHIFT | (FD_BASE + (unsigned)fd);
		} else {
			break;
		}
		long r = dirent_put(t, buf + done, len - done, ino, pos + 1, mode, name, kstrlen(name));
		if (r == -EINVAL && done)
			break;
		if (r < 0)
			return r;
		done += (uint64_t)r;
		f->offset = pos + 1;
	}
	return (long)done;
}

static const struct file_ops text_ops = {.read = text_read, .release = text_release,
					 .seekable = true};
static const struct file_ops dir_ops = {.readdir = procfs_readdir, .seekable = true};

static int procfs_open(struct thread *t, struct inode *ino, struct file *f)
{
	(void)t;
	unsigned what = what_of(ino);
	struct proc *p = proc_of(ino);
	if (pid_of(ino) && !p)
		return -ENOENT;
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	if (S_ISDIR(ino->mode)) {
		f->ops = &dir_ops;
		return 0;
	}
	struct text x = {kpage_alloc(), 0};
	if (!x.buf)
		return -ENOMEM;
	switch (what) {
	case W_PID_STAT:
		put_pid_stat(&x, p);
		break;
	case W_PID_STATUS:
		put_pid_status(&x, p);
		break;
	case W_PID_CMDLINE:
		put_memory(&x, p, p->arg_start, p->arg_end);
		break;
	case W_PID_ENVIRON:
		put_memory(&x, p, p->env_start, p->env_end);
		break;
	case W_PID_COMM:
		put(&x, "%s\n", p->name);
		break;
	case W_PID_MAPS:
		put_maps(&x, p);
		break;
	case W_PID_STATM: {
		uint64_t vsize, rss;
		mem_sizes(p, &vsize, &rss);
		put(&x, "%llu %llu 0 0 0 0 0\n", (unsigned long long)(vsize / PAGE_SIZE),
		    (unsigned long long)rss);
		break;
	}
	default:
		put_global(&x, what);
	}
	f->ops = &text_ops;
	f->priv = x.buf;
	f->priv_len = x.len;
	return 0;
}

/* The path an open file was opened by, or what Linux shows for one that has none. */
static long file_link(const struct file *f, char *buf, size_t size)
{
	if (f->path)
		return ksnprintf(buf, size, "%s", f->path);
	if (file_is_pipe(f))
		return ksnprintf(buf, size, "pipe:[%llu]", (unsigned long long)f->ino->ino);
	if (tty_of_file(f) || f->ino->fs == &devfs_type)
		return ksnprintf(buf, size, "/dev/console"); /* the console, as a tty or as streams */
	return ksnprintf(buf, size, "anon_inode:[%s]", f->ino->fs->name);
}

static long procfs_readlink(struct thread *t, struct inode *ino, char *buf, size_t size)
{
	unsigned what = what_of(ino);
	struct proc *p = proc_of(ino);
	char *tmp = kpage_alloc();
	if (!tmp)
		return -ENOMEM;
	long n = -ENOENT;
	if (what == W_SELF)
		n = ksnprintf(tmp, PAGE_SIZE, "%d", t->proc->pid);
	else if (what == W_PID_EXE && p && p->exe)
		n = ksnprintf(tmp, PAGE_SIZE, "%s", p->exe);
	else if (what == W_PID_CWD && p && p->fs)
		n = ksnprintf(tmp, PAGE_SIZE, "%s", p->fs->cwd_path);
	else if (what >= FD_BASE && p && p->fds && fd_get(p->fds, what - FD_BASE))
		n = file_link(fd_get(p->fds, what - FD_BASE), tmp, PAGE_SIZE);
	if (n >= 0) {
		n = (long)MIN((size_t)n, size);
		kmemcpy(buf, tmp, (size_t)n);
	}
	kpage_free(tmp);
	return n;
}

static int procfs_statfs(struct thread *t, struct inode *ino, struct vfs_statfs *s)
{
	(void)t, (void)ino;
	*s = (struct vfs_statfs){.type = PROC_SUPER_MAGIC, .bsize = PAGE_SIZE, .namelen = NAME_MAX};
	return 0;
}

/* A descriptor's link, and cwd, lead to the node itself (Linux's magic links): opening
 * /proc/self/fd/0 opens what descriptor 0 has open, even a pipe. */
static int procfs_follow(struct thread *t, struct inode *ino, struct inode **out)
{
	(void)t;
	unsigned what = what_of(ino);
	struct proc *p = proc_of(ino);
	struct file *f = what >= FD_BASE && p && p->fds ? fd_get(p->fds, what - FD_BASE) : NULL;
	if (f) {
		*out = inode_get(f->ino);
		return 0;
	}
	if (what == W_PID_CWD && p && p->fs) {
		*out = inode_get(p->fs->cwd);
		return 0;
	}
	if (what == W_PID_EXE && p && p->exe_ino) {
		*out = inode_get(p->exe_ino);
		return 0;
	}
	return -ENOENT; /* a path, not a node: follow the link's text */
}

const struct fs_type procfs_type = {
	.name = "proc",
	.magic = PROC_SUPER_MAGIC,
	.lookup = procfs_lookup,
	.parent = procfs_parent,
	.getattr = procfs_getattr,
	.open = procfs_open,
	.readlink = procfs_readlink,
	.statfs = procfs_statfs,
	.follow = procfs_follow,
};

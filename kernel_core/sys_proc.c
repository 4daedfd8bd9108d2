/* Process syscalls: identity, groups and sessions, fork and clone, execve, wait, exit, limits. */
#include <kernel/exec.h>
#include <kernel/files.h>
#include <kernel/frame.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define WAIT_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)
#define WAITID_OPTIONS (WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | \
			__WALL | __WCLONE)
#define CLONE_UNSUPPORTED (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |        \
			   CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_PIDFD)

SYSCALL(getpid)
{
	(void)a;
	return t->proc->pid;
}

SYSCALL(gettid)
{
	(void)a;
	return t->tid;
}

SYSCALL(getppid)
{
	(void)a;
	return t->proc->parent ? t->proc->parent->pid : 0;
}

/* The live process pid (0: the caller's). */
static struct proc *live_proc(struct thread *t, int pid)
{
	struct proc *q = pid ? proc_find(pid) : t->proc;
	return q && q->state == PROC_ALIVE ? q : NULL;
}

SYSCALL(getpgid)
{
	struct proc *q = live_proc(t, (int)a[0]);
	return q ? q->pgid : -ESRCH;
}

SYSCALL(getpgrp)
{
	(void)a;
	return t->proc->pgid;
}

SYSCALL(getsid)
{
	struct proc *q = live_proc(t, (int)a[0]);
	return q ? q->sid : -ESRCH;
}

/* True when a process of session sid is in group pgid. A zombie not reaped yet counts, as on
 * Linux: a pipeline's second command may join the group of a first that has already ended. */
static bool group_in_session(int pgid, int sid)
{
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));)
		if (q->pgid == pgid && q->sid == sid)
			return true;
	return false;
}

SYSCALL(setpgid)
{
	struct proc *p = t->proc;
	int pid = (int)a[0], pgid = (int)a[1];
	if (pgid < 0)
		return -EINVAL;
	struct proc *q = pid ? proc_find(pid) : p;
	if (!q || q->state != PROC_ALIVE || (q != p && q->parent != p))
		return -ESRCH;
	if (q->sid != p->sid || q->pid == q->sid)
		return -EPERM; /* another session, or a session leader */
	if (!pgid)
		pgid = q->pid;
	if (pgid != q->pid && !group_in_session(pgid, p->sid))
		return -EPERM;
	q->pgid = pgid;
	return 0;
}

SYSCALL(setsid)
{
	(void)a;
	struct proc *p = t->proc;
	if (p->pgid == p->pid || group_in_session(p->pid, p->sid))
		return -EPERM;
	p->sid = p->pgid = p->pid;
	p->tty = NULL;
	return p->sid;
}

/* A new process for clone without CLONE_THREAD: its memory, descriptors and place copied or
 * shared as flags say. */
#define FORK_RESERVE_FRAMES 16

static long clone_process(struct thread *t, uint64_t flags, struct thread **out)
{
	struct proc *p = t->proc;
	struct proc *parent = flags & CLONE_PARENT ? p->parent : p;
	if (!parent)
		return -EINVAL;
	int err;
	struct thread *ct;
	struct proc *c = proc_alloc(parent, &ct, &err);
	if (!c)
		return err;
	c->mm = flags & CLONE_VM ? mm_get(p->mm) : mm_new_clone(p->mm);
	c->fds = flags & CLONE_FILES ? (p->fds->refs++, p->fds) : fd_table_copy(p->fds);
	c->fs = flags & CLONE_FS ? vfs_fs_get(p->fs) : vfs_fs_copy(p->fs);
	size_t exe_len = p->exe ? kstrlen(p->exe) + 1 : 0;
	c->exe = exe_len ? kmalloc(exe_len) : NULL;
	/* A fork that leaves the machine without the few frames its processes need to go on
	 * (the copy-on-write breaks of the stack they write next) fails instead: the parent gets
	 * ENOMEM rather than dying of the out-of-memory fault that would follow. */
	bool short_of_frames = !(flags & CLONE_VM) && frame_free_count() < FORK_RESERVE_FRAMES;
	if (!c->mm || !c->fds || !c->fs || (exe_len && !c->exe) || short_of_frames) {
		proc_exit(c, 0);
		proc_reap(c);
		return -ENOMEM;
	}
	if (exe_len)
		kmemcpy(c->exe, p->exe, exe_len);
	c->exe_ino = p->exe_ino ? inode_get(p->exe_ino) : NULL;
	c->arg_start = p->arg_start;
	c->arg_end = p->arg_end;
	c->env_start = p->env_start;
	c->env_end = p->env_end;
	c->exit_signal = (int)(flags & CSIGNAL);
	c->tty = p->tty;
	kmemcpy(c->name, p->name, sizeof(c->name));
	signal_fork(c, p);
	ct->ctx.root = c->mm->as.root;
	*out = ct;
	return 0;
}

/* clone, fork and vfork: a new thread or process starting where t is, rax 0. */
static long do_clone(struct thread *t, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t ctid,
		     uint64_t tls)
{
	struct proc *p = t->proc;
	if (flags & CLONE_UNSUPPORTED)
		return -EINVAL;
	if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_THREAD)))
		return -EINVAL; /* signal actions are shared by exactly the threads of a process */
	if ((flags & CLONE_THREAD) && (flags & CSIGNAL))
		return -EINVAL;
	if ((flags & CLONE_PARENT_SETTID) && uaccess_prepare(p->mm, ptid, sizeof(int), true))
		return -EFAULT;
	struct thread *c = NULL;
	int err = 0;
	if (flags & CLONE_THREAD) {
		c = thread_alloc(p, &err);
		if (!c)
			return err;
		c->ctx.root = p->mm->as.root;
	} else if ((err = (int)clone_process(t, flags, &c))) {
		return err;
	}
	plat_uctx_save(&t->ctx);
	uint64_t root = c->ctx.root;
	c->ctx = t->ctx;
	c->ctx.root = root;
	if (!(flags & CLONE_THREAD))
		c->ctx.io = NULL; /* ports are the claiming process's alone */
	c->ctx.regs.rax = 0;
	if (stack)
		c->ctx.regs.rsp = stack;
	if (flags & CLONE_SETTLS)
		c->ctx.regs.fs_base = tls;
	c->sig_blocked = t->sig_blocked;
	kmemcpy(c->name, t->name, sizeof(c->name));
	c->altstack_sp = (flags & CLONE_VM) && !(flags & CLONE_VFORK) ? 0 : t->altstack_sp;
	c->altstack_size = (flags & CLONE_VM) && !(flags & CLONE_VFORK) ? 0 : t->altstack_size;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	int id = c->tid;
	if (flags & CLONE_PARENT_SETTID)
		copy_out(p->mm, ptid, &id, sizeof(id));
	if (flags & CLONE_CHILD_SETTID)
		copy_out(c->proc->mm, ctid, &id, sizeof(id));
	c->proc->started = true;
	if (kernel_cfg.on_fork)
		kernel_cfg.on_fork(t, c);
	EVENT(.kind = CORE_EVENT_FORK, .t = t, .fork = {c});
	sched_make_runnable(c);
	trace_sched(flags & CLONE_THREAD ? "thread pid %d -> tid %d" : "fork pid %d -> pid %d",
		    p->pid, id);
	if (flags & CLONE_VFORK) {
		c->proc->vfork_parent = t;
		return wait_block(t, WAIT_VFORK, WAIT_KEY(c->proc), UINT64_MAX, 0);
	}
	return id;
}

SYSCALL(fork)
{
	(void)a;
	return do_clone(t, SIGCHLD, 0, 0, 0, 0);
}

SYSCALL(vfork)
{
	(void)a;
	return do_clone(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

SYSCALL(clone)
{
	/* x86_64 order: flags, stack, parent_tid, child_tid, tls */
	return do_clone(t, a[0], a[1], a[2], a[3], a[4]);
}

SYSCALL(clone3)
{
	struct linux_clone_args ca;
	kmemset(&ca, 0, sizeof(ca));
	if (a[1] < 64 || a[1] > PAGE_SIZE)
		return -EINVAL;
	if (copy_in(t->proc->mm, &ca, a[0], MIN(a[1], sizeof(ca))))
		return -EFAULT;
	if (ca.set_tid || ca.set_tid_size || ca.cgroup || ca.exit_signal > CSIGNAL ||
	    (ca.flags & CSIGNAL))
		return -EINVAL;
	uint64_t stack = ca.stack ? ca.stack + ca.stack_size : 0;
	return do_clone(t, ca.flags | ca.exit_signal, stack, ca.parent_tid, ca.child_tid, ca.tls);
}

SYSCALL(execve)
{
	char *path = kpage_alloc();
	if (!path)
		return -ENOMEM;
	int err = vfs_path_in(t, a[0], path, false);
	if (!err)
		err = exec_path(t, AT_FDCWD, path, a[1], a[2], true);
	kpage_free(path);
	return err;
}

SYSCALL(execveat)
{
	if (a[4] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	char *path = kpage_alloc();
	if (!path)
		return -ENOMEM;
	int err = vfs_path_in(t, a[1], path, a[4] & AT_EMPTY_PATH);
	if (!err && !path[0])
		err = -ENOSYS; /* fexecve of a descriptor: not served */
	if (!err)
		err = exec_path(t, (int)a[0], path, a[2], a[3], !(a[4] & AT_SYMLINK_NOFOLLOW));
	kpage_free(path);
	return err;
}

SYSCALL(exec_image)
{
	const struct elf_source src = {.mm = t->proc->mm, .uva = a[0], .len = a[1]};
	const struct exec_args args = {.mm = t->proc->mm, .uargv = a[2], .uenvp = a[3]};
	if (a[1] > EXEC_IMAGE_MAX)
		return -E2BIG;
	int err = exec_source(t, "(image)", &src, &args, NULL);
	if (!err)
		trace_sched("exec pid %d from an image in memory", t->proc->pid);
	return err;
}

/* Does child c match a wait for pid (wait4's encoding) of caller p? */
static bool wait_matches(const struct proc *p, const struct proc *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == -1)
		return true;
	return c->pgid == (pid == 0 ? p->pgid : -pid);
}

/* What a wait finds: a child and how it changed. */
struct found {
	struct proc *child;
	int status;   /* wait4's status word */
	int code;     /* CLD_* for waitid */
	int info;     /* waitid's si_status */
	bool reaped;  /* an exit, to reap */
};

/* The first child of p matching pid with news for options; *any when some child matched. */
static bool wait_find(struct proc *p, int pid, uint64_t options, bool waitid, struct found *f,
		      bool *any)
{
	*any = false;
	bool want_exit = !waitid || (options & WEXITED);
	for (struct proc *c = p->children; c; c = c->sibling) {
		if (!wait_matches(p, c, pid))
			continue;
		*any = true;
		if ((options & WUNTRACED) && c->state == PROC_ALIVE && c->stopped && c->stop_report) {
			*f = (struct found){c, (c->stop_report << 8) | 0x7f, CLD_STOPPED, c->stop_report, false};
			return true;
		}
		if ((options & WCONTINUED) && c->cont_report) {
			*f = (struct found){c, 0xffff, CLD_CONTINUED, SIGCONT, false};
			return true;
		}
		if (c->state == PROC_ZOMBIE && want_exit) {
			int st = c->wait_status, sig = st & 0x7f;
			*f = (struct found){c, st, sig ? CLD_KILLED : CLD_EXITED,
					    sig ? sig : (st >> 8) & 0xff, true};
			return true;
		}
	}
	return false;
}

/* Takes the news of f off its child (reaping an exit unless nowait). */
static void wait_take(struct thread *t, struct found *f, bool nowait)
{
	struct proc *c = f->child;
	if (nowait)
		return;
	if (!f->reaped) {
		if (f->code == CLD_STOPPED)
			c->stop_report = 0;
		else
			c->cont_report = false;
		return;
	}
	t->proc->children_cpu_ns += c->cpu_ns + c->children_cpu_ns;
	trace_sched("reap pid %d by pid %d", c->pid, t->proc->pid);
	proc_reap(c);
}

static void rusage_of(const struct proc *c, struct linux_rusage *ru)
{
	kmemset(ru, 0, sizeof(*ru));
	uint64_t ns = c ? c->cpu_ns + c->children_cpu_ns : 0;
	ru->ru_utime = (struct linux_timeval){(long long)(ns / 1000000000ull),
					      (long long)(ns % 1000000000ull / 1000)};
}

SYSCALL(wait4)
{
	int pid = (int)a[0];
	uint64_t status_at = a[1], options = a[2], rusage_at = a[3];
	if (options & ~(uint64_t)WAIT_OPTIONS)
		return -EINVAL;
	if (pid == INT32_MIN) /* -pid is no process group */
		return -ESRCH;
	struct found f;
	bool any;
	if (wait_find(t->proc, pid, options, false, &f, &any)) {
		struct linux_rusage ru;
		rusage_of(f.reaped ? f.child : NULL, &ru);
		int id = f.child->pid;
		wait_take(t, &f, false);
		/* Linux reaps first: a bad pointer loses the status, not the child's slot. */
		if ((status_at && copy_out(t->proc->mm, status_at, &f.status, sizeof(f.status))) ||
		    (rusage_at && copy_out(t->proc->mm, rusage_at, &ru, sizeof(ru))))
			return -EFAULT;
		return id;
	}
	if (!any)
		return -ECHILD;
	if (options & WNOHANG)
		return 0;
	return wait_block(t, WAIT_CHILD, WAIT_KEY(t->proc), UINT64_MAX,
			  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
}

SYSCALL(waitid)
{
	int type = (int)a[0], id = (int)a[1];
	uint64_t info_at = a[2], options = a[3], rusage_at = a[4];
	if ((options & ~(uint64_t)WAITID_OPTIONS) || !(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	int pid = type == P_ALL ? -1 : type == P_PID ? id : type == P_PGID ? (id ? -id : 0) : 0;
	if ((type == P_PID && id <= 0) || (type != P_ALL && type != P_PID && type != P_PGID) ||
	    (type == P_PGID && id < 0))
		return -EINVAL;
	struct found f;
	bool any;
	if (wait_find(t->proc, pid, (options & WSTOPPED ? WUNTRACED : 0) | options, true, &f, &any)) {
		struct linux_siginfo si;
		kmemset(&si, 0, sizeof(si));
		si.si_signo = SIGCHLD;
		si.si_code = f.code;
		si.u.proc.pid = f.child->pid;
		si.u.proc.status = f.info;
		struct linux_rusage ru;
		rusage_of(f.reaped ? f.child : NULL, &ru);
		wait_take(t, &f, options & WNOWAIT);
		if ((info_at && copy_out(t->proc->mm, info_at, &si, sizeof(si))) ||
		    (rusage_at && copy_out(t->proc->mm, rusage_at, &ru, sizeof(ru))))
			return -EFAULT;
		return 0;
	}
	if (!any)
		return -ECHILD;
	if (options & WNOHANG) {
		struct linux_siginfo si;
		kmemset(&si, 0, sizeof(si));
		return info_at ? copy_out(t->proc->mm, info_at, &si, sizeof(si)) : 0;
	}
	return wait_block(t, WAIT_CHILD, WAIT_KEY(t->proc), UINT64_MAX,
			  WAIT_RERUN | WAIT_INTR | WAIT_RESTARTABLE);
}

SYSCALL(exit)
{
	thread_exit(t, (int)(a[0] & 0xff) << 8);
	return 0;
}

SYSCALL(exit_group)
{
	proc_exit(t->proc, (int)(a[0] & 0xff) << 8);
	return 0;
}

SYSCALL(sched_yield)
{
	(void)t, (void)a;
	sched_rotate();
	return 0;
}

SYSCALL(arch_prctl)
{
	uint64_t code = a[0], addr = a[1];
	struct regs *r = &t->ctx.regs;
	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= USER_END)
			return -EPERM;
		*(code == ARCH_SET_FS ? &r->fs_base : &r->gs_base) = addr;
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS: {
		uint64_t v = code == ARCH_GET_FS ? r->fs_base : r->gs_base;
		return copy_out(t->proc->mm, addr, &v, sizeof(v));
	}
	default:
		return -EINVAL;
	}
}

SYSCALL(prctl)
{
	switch (a[0]) {
	case PR_SET_NAME: {
		char name[PROC_NAME_MAX];
		long n = copy_str_in(t->proc->mm, name, a[1], sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		name[sizeof(name) - 1] = 0;
		kstrlcpy(t->name, name, sizeof(t->name));
		if (t->tid == t->proc->pid)
			kstrlcpy(t->proc->name, name, sizeof(t->proc->name));
		return 0;
	}
	case PR_GET_NAME:
		return copy_out(t->proc->mm, a[1], t->name, sizeof(t->name));
	case PR_SET_PDEATHSIG:
		return a[1] <= PROC_NSIG ? 0 : -EINVAL;
	case PR_GET_PDEATHSIG: {
		int zero = 0;
		return copy_out(t->proc->mm, a[1], &zero, sizeof(zero));
	}
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return a[1] <= 1 ? 0 : -EINVAL;
	case PR_SET_NO_NEW_PRIVS:
	case PR_SET_CHILD_SUBREAPER:
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return 0;
	default:
		return -EINVAL;
	}
}

/* Everything runs as root: ids are 0, and setting them changes nothing that can be seen. */
SYSCALL(getuid)
{
	(void)t, (void)a;
	return 0;
}

SYSCALL(setuid)
{
	(void)t, (void)a;
	return 0;
}

SYSCALL(setreuid)
{
	(void)t, (void)a;
	return 0;
}

SYSCALL(setresuid)
{
	(void)t, (void)a;
	return 0;
}

SYSCALL(getresuid)
{
	unsigned zero = 0;
	for (int i = 0; i < 3; i++)
		if (copy_out(t->proc->mm, a[i], &zero, sizeof(zero)))
			return -EFAULT;
	return 0;
}

SYSCALL(getgroups)
{
	(void)t;
	return (int)a[0] < 0 ? -EINVAL : 0;
}

SYSCALL(setgroups)
{
	(void)t;
	return a[0] > 65536 ? -EINVAL : 0;
}

/* prlimit64's core: old into *old, new from *new (either may be NULL). */
static long limit_change(struct thread *t, struct proc *q, unsigned res, const struct linux_rlimit *new,
			 struct linux_rlimit *old)
{
	(void)t;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (old)
		*old = (struct linux_rlimit){q->rlim[res].cur, q->rlim[res].max};
	if (!new)
		return 0;
	if (new->rlim_cur > new->rlim_max)
		return -EINVAL;
	if (res == RLIMIT_NOFILE && new->rlim_max > FD_LIMIT_MAX)
		return -EPERM;
	q->rlim[res] = (struct rlimit_pair){new->rlim_cur, new->rlim_max};
	return 0;
}

SYSCALL(getrlimit)
{
	struct linux_rlimit old;
	long err = limit_change(t, t->proc, (unsigned)a[0], NULL, &old);
	return err ? err : copy_out(t->proc->mm, a[1], &old, sizeof(old));
}

SYSCALL(setrlimit)
{
	struct linux_rlimit new;
	if (copy_in(t->proc->mm, &new, a[1], sizeof(new)))
		return -EFAULT;
	return limit_change(t, t->proc, (unsigned)a[0], &new, NULL);
}

SYSCALL(prlimit64)
{
	struct proc *q = live_proc(t, (int)a[0]);
	if (!q)
		return -ESRCH;
	struct linux_rlimit new, old;
	if (a[2] && copy_in(t->proc->mm, &new, a[2], sizeof(new)))
		return -EFAULT;
	long err = limit_change(t, q, (unsigned)a[1], a[2] ? &new : NULL, &old);
	if (!err && a[3] && copy_out(t->proc->mm, a[3], &old, sizeof(old)))
		return -EFAULT;
	return err;
}

SYSCALL(getpriority)
{
	if (a[0] > 2)
		return -EINVAL;
	(void)t;
	return 20; /* nice 0, in the kernel's 40 - nice encoding */
}

SYSCALL(setpriority)
{
	(void)t;
	return a[0] > 2 ? -EINVAL : 0;
}

SYSCALL(sched_getparam)
{
	int prio = 0;
	if (!live_proc(t, (int)a[0]))
		return -ESRCH;
	return copy_out(t->proc->mm, a[1], &prio, sizeof(prio));
}

SYSCALL(sched_setparam)
{
	return live_proc(t, (int)a[0]) ? 0 : -ESRCH;
}

SYSCALL(sched_getscheduler)
{
	return live_proc(t, (int)a[0]) ? 0 /* SCHED_OTHER */ : -ESRCH;
}

SYSCALL(sched_setscheduler)
{
	if (!live_proc(t, (int)a[0]))
		return -ESRCH;
	return a[1] == 0 ? 0 : -EPERM;
}

SYSCALL(sched_get_priority)
{
	(void)t;
	return a[0] <= 7 ? 0 : -EINVAL;
}

SYSCALL(sched_getaffinity)
{
	if (a[1] < sizeof(uint64_t) || (a[1] & 7))
		return -EINVAL;
	if (!live_proc(t, (int)a[0]))
		return -ESRCH;
	uint64_t one = 1; /* one CPU */
	if (copy_out(t->proc->mm, a[2], &one, sizeof(one)))
		return -EFAULT;
	return sizeof(one);
}

SYSCALL(sched_setaffinity)
{
	return live_proc(t, (int)a[0]) ? 0 : -ESRCH;
}

SYSCALL(getcpu)
{
	unsigned zero = 0;
	if ((a[0] && copy_out(t->proc->mm, a[0], &zero, sizeof(zero))) ||
	    (a[1] && copy_out(t->proc->mm, a[1], &zero, sizeof(zero))))
		return -EFAULT;
	return 0;
}

SYSCALL(get_service_binary)
{
	struct mm *mm = t->proc->mm;
	uint64_t id = a[0], size_at = a[1];
	static const char *const paths[] = ECLIPSE_SERVICE_PATHS;
	if (id >= ARRAY_SIZE(paths))
		return -EINVAL;
	if (size_at && uaccess_prepare(mm, size_at, sizeof(uint64_t), true))
		return -EFAULT;
	struct file_ref f;
	int err = file_open(paths[id], &f);
	if (err)
		return err;
	uint64_t at = f.len ? mm_find_free(mm, f.len) : 0;
	err = !f.len ? -ENOEXEC : !at ? -ENOMEM : mm_map(mm, at, f.len, PROT_READ);
	if (!err && (err = mm_poke(mm, at, f.data, f.len)))
		mm_unmap(mm, at, f.len);
	uint64_t size = f.len;
	file_close(&f);
	if (err)
		return err;
	if (size_at)
		copy_out(mm, size_at, &size, sizeof(size));
	return (long)at;
}

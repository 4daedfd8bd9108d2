/* The process and thread tables, and the end of a thread's and a process's life. */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/pci.h>
#include <kernel/signal.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

struct thread *thread_current;

/* Ids come from one space: a slot is used while a process keeps its pid (until it is reaped)
 * or a thread its tid. Bitmaps let walks skip empty stretches 64 slots at a time. */
static struct proc *procs[PROC_LIMIT_MAX];
static struct thread *threads[PROC_LIMIT_MAX];
static uint64_t proc_used[PROC_LIMIT_MAX / 64], thread_used[PROC_LIMIT_MAX / 64];
static unsigned limit = PROC_LIMIT_DEFAULT, live;
static int next_id = 1;
/* Threads that ended: freed at the next safe point (proc_collect), since the code that ended
 * one may still hold it. */
static struct thread *graveyard;
/* Zombies nobody will wait for (their parent ignores SIGCHLD), reaped by proc_collect. */
static struct proc *unwaited;

void sched_reset(void);

void proc_init(unsigned max)
{
	limit = max >= 1 && max <= PROC_LIMIT_MAX ? max : PROC_LIMIT_DEFAULT;
	kmemset(procs, 0, sizeof(procs));
	kmemset(threads, 0, sizeof(threads));
	kmemset(proc_used, 0, sizeof(proc_used));
	kmemset(thread_used, 0, sizeof(thread_used));
	live = 0;
	next_id = 1;
	graveyard = NULL;
	thread_current = NULL;
	sched_reset();
	wait_reset();
	trace_reset();
}

static bool slot_used(unsigned slot)
{
	return procs[slot] || threads[slot];
}

/* Ids count up and wrap below the table size, skipping those in use, as Linux's pids do. */
static int id_alloc(void)
{
	if (live >= limit)
		return -EAGAIN;
	for (unsigned tries = 0; tries < PROC_LIMIT_MAX; tries++) {
		int id = next_id;
		next_id = next_id + 1 >= CORE_ID_LIMIT ? 2 : next_id + 1;
		if (!slot_used((unsigned)id % PROC_LIMIT_MAX))
			return id;
	}
	return -EAGAIN;
}

static void set_bit(uint64_t *map, unsigned slot, bool on)
{
	if (on)
		map[slot / 64] |= 1ull << (slot % 64);
	else
		map[slot / 64] &= ~(1ull << (slot % 64));
}

/* Publishes t (and p, when it is new) under their ids. */
static void install(struct proc *p, struct thread *t)
{
	unsigned slot = (unsigned)t->tid % PROC_LIMIT_MAX;
	if (!slot_used(slot))
		live++;
	threads[slot] = t;
	set_bit(thread_used, slot, true);
	if (p && p->pid == t->tid) {
		procs[slot] = p;
		set_bit(proc_used, slot, true);
	}
}

static void release_slot(unsigned slot)
{
	if (!slot_used(slot))
		live--;
}

/* Makes c a child of parent (which may be NULL). */
static void adopt(struct proc *parent, struct proc *c)
{
	c->parent = parent;
	c->sibling = parent ? parent->children : NULL;
	if (parent)
		parent->children = c;
}

/* Takes c off its parent's list of children. */
static void disown(struct proc *c)
{
	if (!c->parent)
		return;
	struct proc **link = &c->parent->children;
	while (*link != c)
		link = &(*link)->sibling;
	*link = c->sibling;
	c->parent = NULL;
	c->sibling = NULL;
}

/* A thread object with id tid for p (not yet published). */
static struct thread *thread_new(struct proc *p, int tid)
{
	struct thread *t = kmalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->proc = p;
	t->state = THREAD_BLOCKED; /* not runnable until the caller says so */
	t->wait.deadline = UINT64_MAX;
	t->wait.early = -EINTR;
	t->ctx.root = p->mm ? p->mm->as.root : 0;
	kmemcpy(t->name, p->name, sizeof(t->name));
	t->sibling = p->threads;
	p->threads = t;
	p->nthreads++;
	return t;
}

static void default_limits(struct proc *p)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->rlim[i] = (struct rlimit_pair){RLIM_INFINITY, RLIM_INFINITY};
	p->rlim[RLIMIT_NOFILE] = (struct rlimit_pair){FD_LIMIT_DEFAULT, FD_LIMIT_MAX};
	p->rlim[RLIMIT_STACK] = (struct rlimit_pair){STACK_SIZE, RLIM_INFINITY};
	p->rlim[RLIMIT_CORE] = (struct rlimit_pair){0, RLIM_INFINITY};
	p->rlim[RLIMIT_NPROC] = (struct rlimit_pair){limit, limit};
}

struct proc *proc_alloc(struct proc *parent, struct thread **tp, int *err)
{
	int pid = id_alloc();
	if (pid < 0) {
		*err = pid;
		return NULL;
	}
	struct proc *p = kmalloc(sizeof(*p));
	struct thread *t = p ? thread_new(p, pid) : NULL;
	if (!t) {
		kfree(p);
		*err = -ENOMEM;
		return NULL;
	}
	p->pid = pid;
	if ((*err = signal_init(p))) {
		kfree(t);
		kfree(p);
		return NULL;
	}
	p->exit_signal = SIGCHLD;
	p->pgid = parent ? parent->pgid : pid;
	p->sid = parent ? parent->sid : pid;
	p->tty = parent ? parent->tty : NULL;
	p->start_ns = plat_clock_ns();
	if (parent)
		kmemcpy(p->rlim, parent->rlim, sizeof(p->rlim));
	else
		default_limits(p);
	adopt(parent, p);
	install(p, t);
	*tp = t;
	return p;
}

struct thread *thread_alloc(struct proc *p, int *err)
{
	int tid = id_alloc();
	if (tid < 0) {
		*err = tid;
		return NULL;
	}
	struct thread *t = thread_new(p, tid);
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	install(NULL, t);
	return t;
}

struct proc *proc_find(int pid)
{
	if (pid <= 0)
		return NULL;
	struct proc *p = procs[(unsigned)pid % PROC_LIMIT_MAX];
	return p && p->pid == pid ? p : NULL;
}

struct thread *thread_find(int tid)
{
	if (tid <= 0)
		return NULL;
	struct thread *t = threads[(unsigned)tid % PROC_LIMIT_MAX];
	return t && t->tid == tid ? t : NULL;
}

void thread_take_id(struct thread *t, int tid)
{
	unsigned old = (unsigned)t->tid % PROC_LIMIT_MAX, slot = (unsigned)tid % PROC_LIMIT_MAX;
	threads[old] = NULL;
	set_bit(thread_used, old, false);
	release_slot(old);
	if (!slot_used(slot))
		live++;
	t->tid = tid;
	threads[slot] = t;
	set_bit(thread_used, slot, true);
}

struct thread *proc_main_thread(const struct proc *p)
{
	struct thread *main = NULL;
	for (struct thread *t = p->threads; t; t = t->sibling)
		main = t; /* the list is newest first: the oldest is last */
	return main;
}

void proc_wake_waiter(struct proc *q)
{
	if (q)
		wait_wake(WAIT_KEY(q));
}

/* Gives the vfork parent of p its memory back. */
static void vfork_release(struct proc *p)
{
	if (!p->vfork_parent)
		return;
	wait_complete(p->vfork_parent, p->pid);
	p->vfork_parent = NULL;
}

/* The last thread of p ended: p becomes a zombie for its parent to reap. */
static void proc_finish(struct proc *p, int wait_status)
{
	vfork_release(p);
	pci_proc_gone(p);
	fd_table_put(p->fds);
	p->fds = NULL;
	vfs_fs_put(p->fs);
	p->fs = NULL;
	tty_proc_exit(p);
	signal_free(p);
	mm_put(p->mm);
	p->mm = NULL;
	kfree(p->exe);
	p->exe = NULL;
	inode_put(p->exe_ino);
	p->exe_ino = NULL;
	p->state = PROC_ZOMBIE;
	p->wait_status = wait_status;
	if (p->started)
		trace_sched("exit pid %d status %#x", p->pid, (unsigned)wait_status);
	struct proc *init = proc_find(1);
	while (p->children) {
		struct proc *c = p->children;
		disown(c);
		adopt(init != p ? init : NULL, c);
		if (c->state == PROC_ZOMBIE)
			proc_wake_waiter(c->parent);
	}
	struct proc *parent = p->parent;
	/* clone takes any exit signal up to 255; as Linux, only a valid one is sent (the parent's
	 * wait4 still sees the child end). */
	if (parent && p->started && p->exit_signal >= 1 && p->exit_signal <= PROC_NSIG) {
		bool killed = (wait_status & 0x7f) != 0;
		signal_send_proc(parent, p->exit_signal, killed ? CLD_KILLED : CLD_EXITED, p->pid,
				 killed ? wait_status & 0x7f : (wait_status >> 8) & 0xff);
	}
	/* A parent whose SIGCHLD is ignored (SIG_IGN or SA_NOCLDWAIT) leaves no zombie to wait
	 * for (Linux): its wait goes on for the other children, then fails with ECHILD. */
	const struct linux_sigaction *chld = parent && parent->sig_action ? &parent->sig_action[SIGCHLD - 1] : NULL;
	if (chld && p->exit_signal == SIGCHLD && (chld->handler == SIG_IGN || (chld->flags & SA_NOCLDWAIT))) {
		disown(p);
		p->sibling = unwaited;
		unwaited = p;
	}
	if (p->started)
		proc_wake_waiter(parent);
}

void thread_exit(struct thread *t, int wait_status)
{
	struct proc *p = t->proc;
	if (t->state == THREAD_DEAD)
		return;
	if (p->started) {
		trace_thread_exit(t, p->exiting ? p->exit_status : wait_status);
		EVENT(.kind = CORE_EVENT_EXIT, .t = t,
		      .exit = {p->exiting ? p->exit_status : wait_status, p->nthreads == 1});
		if (kernel_cfg.on_exit && p->nthreads == 1)
			kernel_cfg.on_exit(t, p->exiting ? p->exit_status : wait_status);
	}
	thread_exit_hooks(t);
	ipc_exit(t);
	for (struct proc *c = p->children; c; c = c->sibling)
		if (c->vfork_parent == t)
			c->vfork_parent = NULL; /* it waited for c's exec: nobody waits now */
	wait_clear(t);
	sched_remove(t);
	plat_uctx_discard(&t->ctx);
	for (struct thread **link = &p->threads; *link; link = &(*link)->sibling)
		if (*link == t) {
			*link = t->sibling;
			break;
		}
	p->nthreads--;
	t->state = THREAD_DEAD;
	unsigned slot = (unsigned)t->tid % PROC_LIMIT_MAX;
	threads[slot] = NULL;
	set_bit(thread_used, slot, false);
	release_slot(slot);
	t->sibling = graveyard;
	graveyard = t;
	if (thread_current == t)
		thread_current = NULL;
	if (p->nthreads == 0)
		proc_finish(p, p->exiting ? p->exit_status : wait_status);
}

void proc_exit(struct proc *p, int wait_status)
{
	if (p->state == PROC_ZOMBIE)
		return;
	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = wait_status;
	}
	while (p->threads)
		thread_exit(p->threads, wait_status);
}

/* Frees the threads that ended since the last call. */
bool proc_collect_pending(void)
{
	return unwaited || graveyard;
}

void proc_collect(void)
{
	while (unwaited) {
		struct proc *p = unwaited;
		unwaited = p->sibling;
		p->sibling = NULL;
		if (p->started)
			trace_sched("reap pid %d (its parent ignores SIGCHLD)", p->pid);
		proc_reap(p);
	}
	while (graveyard) {
		struct thread *t = graveyard;
		graveyard = t->sibling;
		kfree(t);
	}
}

struct proc *proc_next(unsigned *cursor)
{
	for (unsigned i = *cursor; i < PROC_LIMIT_MAX;) {
		uint64_t bits = proc_used[i / 64] >> (i % 64);
		if (!bits) {
			i = (i / 64 + 1) * 64;
			continue;
		}
		i += (unsigned)__builtin_ctzll(bits);
		*cursor = i + 1;
		return procs[i];
	}
	*cursor = PROC_LIMIT_MAX;
	return NULL;
}

struct thread *thread_next(unsigned *cursor)
{
	for (unsigned i = *cursor; i < PROC_LIMIT_MAX;) {
		uint64_t bits = thread_used[i / 64] >> (i % 64);
		if (!bits) {
			i = (i / 64 + 1) * 64;
			continue;
		}
		i += (unsigned)__builtin_ctzll(bits);
		*cursor = i + 1;
		return threads[i];
	}
	*cursor = PROC_LIMIT_MAX;
	return NULL;
}

void proc_reap(struct proc *p)
{
	KASSERT(p->state == PROC_ZOMBIE && !p->children && !p->threads);
	disown(p);
	unsigned slot = (unsigned)p->pid % PROC_LIMIT_MAX;
	procs[slot] = NULL;
	set_bit(proc_used, slot, false);
	release_slot(slot);
	kfree(p);
}

unsigned proc_count(void)
{
	return live;
}

const char *signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP",     [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",     [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",     [SIGFPE] = "SIGFPE",       [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1",   [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE",   [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
		[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",   [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP",   [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
		[SIGTTOU] = "SIGTTOU",   [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ",   [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
		[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO",         [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};
	return sig > 0 && sig < (int)ARRAY_SIZE(names) && names[sig] ? names[sig] : "signal";
}

void proc_kill_fault(struct thread *t, int sig, int code, uint64_t fault_addr)
{
	struct linux_siginfo si = {.si_signo = sig, .si_code = code, .u.addr = fault_addr};
	EVENT(.kind = CORE_EVENT_SIGNAL, .t = t, .signal = {sig, signal_name(sig), CORE_SIGNAL_KILLS});
	trace_signal(t, &si, TRACE_SIG_KILLS);
	kprintf(2, "%s: pid %d (%s) killed by %s at rip 0x%llx, fault address 0x%llx\n", plat_name,
		t->proc->pid, t->proc->name, signal_name(sig), (unsigned long long)t->ctx.regs.rip,
		(unsigned long long)fault_addr);
	proc_exit(t->proc, sig & 0x7f);
}

void proc_reap_all(void)
{
	unsigned cursor = 0;
	for (struct proc *p; (p = proc_next(&cursor));)
		if (p->state != PROC_ZOMBIE)
			proc_exit(p, SIGKILL);
	unwaited = NULL; /* reaped below with the rest */
	cursor = 0;
	for (struct proc *p; (p = proc_next(&cursor));) {
		while (p->children)
			disown(p->children);
		proc_reap(p);
	}
	proc_collect();
}

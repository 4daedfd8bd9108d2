/* The process table and the end of a process's life. */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/proc.h>
#include <uapi/eclipse.h>

struct proc *proc_current;
static struct proc *table[PROC_LIMIT_MAX];
/* Which slots are in use, so walks over the table skip empty stretches 64 slots at a time
 * (a process's exit walks it, and the table is mostly empty). */
static uint64_t used[PROC_LIMIT_MAX / 64];
static unsigned limit = PROC_LIMIT_DEFAULT, live;
static int next_pid = 1;

void proc_init(unsigned max)
{
	limit = max >= 1 && max <= PROC_LIMIT_MAX ? max : PROC_LIMIT_DEFAULT;
	kmemset(table, 0, sizeof(table));
	kmemset(used, 0, sizeof(used));
	live = 0;
	next_pid = 1;
	proc_current = NULL;
}

/* Pids count up and wrap below the table size, skipping those in use, as Linux does. */
static int pid_alloc(unsigned *slot)
{
	for (unsigned tries = 0; tries < PROC_LIMIT_MAX; tries++) {
		int pid = next_pid;
		next_pid = next_pid + 1 >= PROC_LIMIT_MAX * 8 ? 2 : next_pid + 1;
		*slot = (unsigned)pid % PROC_LIMIT_MAX;
		if (!table[*slot])
			return pid;
	}
	return -EAGAIN;
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

struct proc *proc_alloc(struct proc *parent, int *err)
{
	unsigned slot;
	int pid = live >= limit ? -EAGAIN : pid_alloc(&slot);
	if (pid < 0) {
		*err = pid;
		return NULL;
	}
	struct proc *p = kmalloc(sizeof(*p));
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	if ((*err = mm_create(&p->mm)) || (*err = signal_init(p))) {
		mm_destroy(&p->mm);
		kfree(p);
		return NULL;
	}
	p->pid = pid;
	p->pgid = parent ? parent->pgid : pid;
	adopt(parent, p);
	p->ctx.root = p->mm.as.root;
	table[slot] = p;
	used[slot / 64] |= 1ull << (slot % 64);
	live++;
	return p;
}

struct proc *proc_find(int pid)
{
	if (pid <= 0)
		return NULL;
	struct proc *p = table[(unsigned)pid % PROC_LIMIT_MAX];
	return p && p->pid == pid ? p : NULL;
}

/* Wakes q if it is blocked in wait4: it will look again. */
void proc_wake_waiter(struct proc *q)
{
	if (q && q->state == PROC_BLOCKED && q->restart == RESTART_WAIT)
		sched_make_runnable(q);
}

void proc_exit(struct proc *p, int wait_status)
{
	ipc_exit(p);
	sched_remove(p);
	plat_uctx_discard(&p->ctx);
	fd_close_all(&p->fds);
	signal_free(p);
	mm_destroy(&p->mm);
	p->ctx.root = 0;
	p->state = PROC_ZOMBIE;
	p->wait_status = wait_status;
	if (proc_current == p)
		proc_current = NULL;
	trace_sched("exit pid %d status %#x", p->pid, (unsigned)wait_status);
	struct proc *init = proc_find(1);
	while (p->children) {
		struct proc *c = p->children;
		disown(c);
		adopt(init != p ? init : NULL, c);
		if (c->state == PROC_ZOMBIE)
			proc_wake_waiter(c->parent);
	}
	if (p->parent) {
		bool killed = (wait_status & 0x7f) != 0;
		signal_send(p->parent, SIGCHLD, killed ? CLD_KILLED : CLD_EXITED, p->pid,
			    killed ? wait_status & 0x7f : (wait_status >> 8) & 0xff);
	}
	proc_wake_waiter(p->parent);
}

struct proc *proc_next(unsigned *cursor)
{
	for (unsigned i = *cursor; i < PROC_LIMIT_MAX;) {
		uint64_t bits = used[i / 64] >> (i % 64);
		if (!bits) {
			i = (i / 64 + 1) * 64;
			continue;
		}
		i += (unsigned)__builtin_ctzll(bits);
		*cursor = i + 1;
		return table[i];
	}
	*cursor = PROC_LIMIT_MAX;
	return NULL;
}

void proc_reap(struct proc *p)
{
	KASSERT(p->state == PROC_ZOMBIE && !p->children);
	disown(p);
	unsigned slot = (unsigned)p->pid % PROC_LIMIT_MAX;
	table[slot] = NULL;
	used[slot / 64] &= ~(1ull << (slot % 64));
	live--;
	kfree(p);
}

unsigned proc_count(void)
{
	return live;
}

const char *signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP",
	};
	return sig > 0 && sig < (int)ARRAY_SIZE(names) && names[sig] ? names[sig] : "signal";
}

void proc_kill_fault(struct proc *p, int sig, uint64_t fault_addr)
{
	kprintf(2, "%s: pid %d (%s) killed by %s at rip 0x%llx, fault address 0x%llx\n", plat_name,
		p->pid, p->name, signal_name(sig), (unsigned long long)p->ctx.regs.rip,
		(unsigned long long)fault_addr);
	proc_exit(p, sig & 0x7f);
}

void proc_reap_all(void)
{
	unsigned cursor = 0;
	for (struct proc *p; (p = proc_next(&cursor));)
		if (p->state != PROC_ZOMBIE)
			proc_exit(p, SIGKILL);
	cursor = 0;
	for (struct proc *p; (p = proc_next(&cursor));) {
		while (p->children)
			disown(p->children);
		proc_reap(p);
	}
}

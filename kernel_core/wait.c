/*
 * The one place where threads sleep, wake, time out and are interrupted. Waiting threads hang
 * on a hash chain by key (an object's address), those with a deadline also on a list sorted by
 * it; threads in poll are woken by any change.
 */
#include <kernel/ipc.h>
#include <kernel/kernel.h>
#include <kernel/pipe_ring.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/wait.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define BUCKETS 64

static struct thread *chains[BUCKETS];
static struct thread *pollers;
static struct thread *timers;

/* True while the syscall of this thread runs again after a wait. */
static struct thread *rerunning;

static struct thread **bucket(uint64_t key)
{
	key ^= key >> 29;
	key *= 0xbf58476d1ce4e5b9ull;
	return &chains[(key >> 32) % BUCKETS];
}

static struct thread **chain_of(const struct thread *t)
{
	return t->wait.kind == WAIT_POLL ? &pollers : bucket(t->wait.key);
}

static void chain_insert(struct thread *t)
{
	struct thread **head = chain_of(t);
	t->wait.hnext = *head;
	t->wait.hprev = head;
	if (*head)
		(*head)->wait.hprev = &t->wait.hnext;
	*head = t;
}

static void chain_remove(struct thread *t)
{
	if (!t->wait.hprev)
		return;
	*t->wait.hprev = t->wait.hnext;
	if (t->wait.hnext)
		t->wait.hnext->wait.hprev = t->wait.hprev;
	t->wait.hnext = NULL;
	t->wait.hprev = NULL;
}

static void timer_insert(struct thread *t)
{
	struct thread **link = &timers;
	while (*link && (*link)->wait.deadline <= t->wait.deadline)
		link = &(*link)->timer_next;
	t->timer_next = *link;
	t->timer_prev = link;
	if (*link)
		(*link)->timer_prev = &t->timer_next;
	*link = t;
}

static void timer_remove(struct thread *t)
{
	if (!t->timer_prev)
		return;
	*t->timer_prev = t->timer_next;
	if (t->timer_next)
		t->timer_next->timer_prev = t->timer_prev;
	t->timer_next = NULL;
	t->timer_prev = NULL;
}

/* Puts t to sleep on its recorded wait. */
static void sleep_on(struct thread *t)
{
	chain_insert(t);
	if (t->wait.deadline != UINT64_MAX)
		timer_insert(t);
	sched_remove(t);
	t->state = THREAD_BLOCKED;
}

static void ready(struct thread *t);

long wait_block(struct thread *t, enum wait_kind kind, uint64_t key, uint64_t deadline,
		unsigned flags)
{
	t->wait.kind = kind;
	t->wait.key = key;
	t->wait.deadline = deadline;
	t->wait.flags = flags;
	sleep_on(t);
	/* A signal the call itself unblocked (sigsuspend's, ppoll's mask) is pending already:
	 * nobody will send it again, so the thread wakes now and wait_resume lets it end the
	 * wait. (Running again, the call blocks; wait_resume then sees the signal itself.) */
	if ((flags & WAIT_INTR) && rerunning != t && signal_interrupting(t))
		ready(t);
	return -EBLOCKED;
}

/* t leaves its chains and runs again (or, its process stopped, waits for SIGCONT). */
static void ready(struct thread *t)
{
	chain_remove(t);
	timer_remove(t);
	if (t->state != THREAD_BLOCKED)
		return;
	if (t->proc->stopped) {
		t->state = THREAD_STOPPED;
		return;
	}
	sched_make_runnable(t);
}

void wait_wake_thread(struct thread *t)
{
	ready(t);
}

void wait_wake(uint64_t key)
{
	for (struct thread *t = *bucket(key); t;) {
		struct thread *next = t->wait.hnext;
		if (t->wait.key == key)
			ready(t);
		t = next;
	}
	while (pollers)
		ready(pollers);
}

unsigned wait_complete_n(uint64_t key, unsigned n, bool (*match)(const struct thread *, void *),
			 void *arg, long result, uint64_t key2, unsigned n2, unsigned *moved)
{
	unsigned woke = 0;
	if (moved)
		*moved = 0;
	for (struct thread *t = *bucket(key); t;) {
		struct thread *next = t->wait.hnext;
		if (t->wait.key == key && t->wait.kind != WAIT_POLL && (!match || match(t, arg))) {
			if (woke < n) {
				wait_complete(t, result);
				woke++;
			} else if (key2 && moved && *moved < n2) {
				chain_remove(t);
				t->wait.key = key2;
				chain_insert(t);
				++*moved;
			}
		}
		t = next;
	}
	return woke;
}

void wait_clear(struct thread *t)
{
	if (t->wait.kind == WAIT_FIFO_OPEN)
		pipe_fifo_abandon(t); /* no-op for an open that completed */
	chain_remove(t);
	timer_remove(t);
	t->wait.kind = WAIT_NONE;
	t->wait.flags = 0;
	t->wait.key = 0;
	t->wait.deadline = UINT64_MAX;
	t->wait.done = 0;
	t->wait.sigset = 0;
	t->wait.early = -EINTR;
}

void wait_complete(struct thread *t, long result)
{
	syscall_trace_end(t, result);
	t->ctx.regs.rax = (uint64_t)result;
	ready(t);
	wait_clear(t);
}

uint64_t wait_deadline(struct thread *t, uint64_t rel_ns)
{
	if (rerunning == t && t->wait.kind != WAIT_NONE)
		return t->wait.deadline;
	if (rel_ns == UINT64_MAX)
		return UINT64_MAX;
	uint64_t now = plat_clock_ns();
	return rel_ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + rel_ns;
}

bool wait_rerunning(const struct thread *t)
{
	return rerunning == t && t->wait.kind != WAIT_NONE;
}

/* Ends a result-shaped wait with result, leaving any queue of its kind. */
static void cancel(struct thread *t, long result)
{
	if (t->wait.kind == WAIT_IPC)
		ipc_cancel(t, result);
	else
		wait_complete(t, result);
}

void wait_interrupt(struct thread *t, bool restart)
{
	struct regs *r = &t->ctx.regs;
	bool again = restart && (t->wait.flags & WAIT_RESTARTABLE);
	long early = t->wait.early;
	if (t->wait.flags & WAIT_RERUN) {
		/* A wait SA_RESTART starts over is Linux's ERESTARTSYS, with or without it. */
		syscall_trace_end(t, (t->wait.flags & WAIT_RESTARTABLE) && early < 0 ? -ERESTARTSYS
										   : early);
		if (again)
			r->rip -= 2; /* back onto the syscall instruction: it runs after the handler */
		else
			r->rax = (uint64_t)early;
		ready(t);
		wait_clear(t);
		return;
	}
	cancel(t, early);
}

bool wait_resume(struct thread *t)
{
	if (t->wait.kind == WAIT_NONE)
		return true;
	if (signal_fatal_pending(t)) {
		if (t->wait.flags & WAIT_RERUN)
			wait_clear(t);
		else
			cancel(t, -EINTR);
		return true; /* signal_deliver ends it */
	}
	if (t->wait.flags & WAIT_RERUN) {
		rerunning = t;
		syscall_from_regs(t);
		rerunning = NULL;
		if (t->state != THREAD_BLOCKED)
			return t->state == THREAD_RUNNABLE;
	} else if (plat_clock_ns() >= t->wait.deadline) {
		cancel(t, -ETIMEDOUT);
		return true;
	}
	int sig = signal_interrupting(t);
	if (sig && (t->wait.flags & WAIT_INTR)) {
		wait_interrupt(t, signal_restarts(t, sig));
		return true;
	}
	if (t->state != THREAD_BLOCKED) /* a result-shaped wait woken early: it goes on */
		sleep_on(t);
	return false;
}

void wait_timers_fire(uint64_t now)
{
	while (timers && timers->wait.deadline <= now)
		ready(timers);
}

uint64_t wait_next_deadline(void)
{
	return timers ? timers->wait.deadline : UINT64_MAX;
}

void wait_reset(void)
{
	for (int i = 0; i < BUCKETS; i++)
		chains[i] = NULL;
	pollers = NULL;
	timers = NULL;
	rerunning = NULL;
}

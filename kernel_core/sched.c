/* Round-robin scheduling over a FIFO run queue of threads; waits with deadlines are wait.c's. */
#include <kernel/klib.h>
#include <kernel/plat.h>
#include <kernel/proc.h>

static struct thread *run_head, *run_tail;

void sched_remove(struct thread *t)
{
	struct thread *prev = NULL;
	for (struct thread *q = run_head; q; prev = q, q = q->run_next) {
		if (q != t)
			continue;
		if (prev)
			prev->run_next = q->run_next;
		else
			run_head = q->run_next;
		if (run_tail == q)
			run_tail = prev;
		q->run_next = NULL;
		return;
	}
}

void sched_make_runnable(struct thread *t)
{
	sched_remove(t);
	t->state = THREAD_RUNNABLE;
	t->run_next = NULL;
	if (run_tail)
		run_tail->run_next = t;
	else
		run_head = t;
	run_tail = t;
}

struct thread *sched_pick(void)
{
	wait_timers_fire(plat_clock_ns());
	return run_head;
}

struct thread *sched_head(void)
{
	return run_head;
}

bool sched_has_timers(void)
{
	return wait_next_deadline() != UINT64_MAX;
}

void sched_rotate(void)
{
	struct thread *t = run_head;
	if (!t || !t->run_next)
		return;
	run_head = t->run_next;
	t->run_next = NULL;
	run_tail->run_next = t;
	run_tail = t;
}

void sched_reset(void)
{
	run_head = run_tail = NULL;
}

bool sched_switch_wanted(const struct thread *running)
{
	return run_head != running;
}

/* Round-robin scheduling over a FIFO run queue; sleepers wait on a deadline-sorted list. */
#include <kernel/klib.h>
#include <kernel/plat.h>
#include <kernel/proc.h>

static struct proc *run_head, *run_tail, *sleepers;

static void unlink(struct proc **head, struct proc **tail, struct proc *p)
{
	struct proc *prev = NULL;
	for (struct proc *q = *head; q; prev = q, q = q->run_next) {
		if (q != p)
			continue;
		if (prev)
			prev->run_next = q->run_next;
		else
			*head = q->run_next;
		if (tail && *tail == q)
			*tail = prev;
		q->run_next = NULL;
		return;
	}
}

void sched_remove(struct proc *p)
{
	unlink(&run_head, &run_tail, p);
	unlink(&sleepers, NULL, p);
}

void sched_make_runnable(struct proc *p)
{
	sched_remove(p);
	p->state = PROC_RUNNABLE;
	p->run_next = NULL;
	if (run_tail)
		run_tail->run_next = p;
	else
		run_head = p;
	run_tail = p;
}

void sched_block(struct proc *p)
{
	sched_remove(p);
	p->state = PROC_BLOCKED;
}

void sched_sleep_until(struct proc *p, uint64_t deadline_ns)
{
	sched_remove(p);
	p->state = PROC_SLEEPING;
	p->wake_at = deadline_ns;
	struct proc **link = &sleepers;
	while (*link && (*link)->wake_at <= deadline_ns)
		link = &(*link)->run_next;
	p->run_next = *link;
	*link = p;
}

static void wake_due(uint64_t now)
{
	while (sleepers && sleepers->wake_at <= now)
		sched_make_runnable(sleepers);
}

struct proc *sched_pick(uint64_t horizon)
{
	wake_due(plat_clock_ns());
	if (!run_head && sleepers) {
		plat_idle_until(MIN(sleepers->wake_at, horizon));
		wake_due(plat_clock_ns());
	}
	return run_head;
}

bool sched_has_sleepers(void)
{
	return sleepers != NULL;
}

void sched_rotate(void)
{
	struct proc *p = run_head;
	if (!p || !p->run_next)
		return;
	run_head = p->run_next;
	p->run_next = NULL;
	run_tail->run_next = p;
	run_tail = p;
}

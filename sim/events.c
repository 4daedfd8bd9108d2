/*
 * Device events on the virtual clock: a completed disk request, a received frame. They are kept
 * in a binary heap ordered by (time, sequence number), so that events of equal time run in the
 * order they were scheduled and a run is the same every time. They run only between runs of
 * the CPU (cpu.c stops a run at the block where the clock reaches the next one; machine.c's
 * idle jumps to it), so a device model never acts in the middle of a guest instruction. And the
 * device trace's outlet.
 */
#include "devices.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct event {
	uint64_t when, seq; /* seq is also the handle */
	sim_event_fn fn;
	void *arg;
};

static struct {
	struct event *heap;
	size_t n, cap;
	uint64_t seq;
} ev;

static bool before(const struct event *a, const struct event *b)
{
	return a->when != b->when ? a->when < b->when : a->seq < b->seq;
}

static void swap(size_t i, size_t j)
{
	struct event t = ev.heap[i];
	ev.heap[i] = ev.heap[j];
	ev.heap[j] = t;
}

static void sift_up(size_t i)
{
	while (i && before(&ev.heap[i], &ev.heap[(i - 1) / 2])) {
		swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void sift_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < ev.n && before(&ev.heap[l], &ev.heap[m]))
			m = l;
		if (r < ev.n && before(&ev.heap[r], &ev.heap[m]))
			m = r;
		if (m == i)
			return;
		swap(i, m);
		i = m;
	}
}

/* Takes entry i out of the heap. */
static void remove_at(size_t i)
{
	ev.heap[i] = ev.heap[--ev.n];
	if (i < ev.n) {
		sift_down(i);
		sift_up(i);
	}
}

uint64_t sim_event_at(uint64_t when_ns, sim_event_fn fn, void *arg)
{
	if (ev.n == ev.cap) {
		size_t cap = ev.cap ? 2 * ev.cap : 16;
		struct event *grown = realloc(ev.heap, cap * sizeof(*grown));
		if (!grown)
			return 0;
		ev.heap = grown;
		ev.cap = cap;
	}
	uint64_t seq = ++ev.seq;
	ev.heap[ev.n] = (struct event){when_ns, seq, fn, arg};
	sift_up(ev.n++);
	sim_cpu_event_scheduled(when_ns);
	return seq;
}

void sim_event_cancel(uint64_t handle)
{
	for (size_t i = 0; handle && i < ev.n; i++)
		if (ev.heap[i].seq == handle) {
			remove_at(i);
			return;
		}
}

uint64_t sim_event_next(void)
{
	return ev.n ? ev.heap[0].when : UINT64_MAX;
}

unsigned sim_events_run(uint64_t now_ns)
{
	unsigned ran = 0;
	while (ev.n && ev.heap[0].when <= now_ns) {
		struct event e = ev.heap[0];
		remove_at(0);
		e.fn(e.arg);
		ran++;
	}
	return ran;
}

void sim_events_reset(void)
{
	free(ev.heap);
	ev.heap = NULL;
	ev.n = ev.cap = 0;
	ev.seq = 0;
}

void (*sim_dev_trace_line)(const char *line);

void sim_dev_trace(const char *fmt, ...)
{
	if (!sim_dev_trace_line)
		return;
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sim_dev_trace_line(line);
}

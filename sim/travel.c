/*
 * Time travel (travel.h): checkpoints as forked processes, runners that execute the past again,
 * and the debugger's connection handed from one to the next.
 *
 * Every process of a session shares one page of state (MAP_SHARED, made before the first
 * fork): the checkpoint table, the debugger's breakpoints and watchpoints, the job a runner is
 * given and its result. Only one process runs the machine at a time: the one the debugger talks
 * to, or a runner it waits for; the others sleep on futexes in that page. The connection goes
 * from process to process as descriptors over a Unix socket pair (SCM_RIGHTS).
 *
 * A checkpoint is a fork taken at a point where the machine goes on (before a run, or as a run
 * goes on after a stop): asked to, it forks a runner, which returns from that fork and goes on
 * from there, replaying the recorded inputs, with its job:
 *   hits:  run to the target and say where the last breakpoint or watchpoint hit before it was;
 *   steps: run to the target and say where the given thread's last instruction before it was;
 *   goto:  run to the target, take the connection and stop there for the debugger; then run
 *          forward as the debugger says, until the frontier, where the connection goes back.
 */
#include "travel.h"
#include "audio.h"
#include "record.h"
#include "sim.h"

#include <kernel/core.h>
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECKPOINTS 48
#define CHECKPOINT_EVERY_NS (200ull * 1000000ull) /* host time between automatic ones */
#define WAIT_SLICE_NS (500ull * 1000000ull)        /* how often a sleeper looks around */

enum cmd { CMD_IDLE, CMD_GO, CMD_EXIT };
enum job { JOB_NONE, JOB_HITS, JOB_STEPS, JOB_GOTO, JOB_FORWARD };
enum back { BACK_STOP, BACK_KILL, BACK_DETACH, BACK_RESUME };

struct slot {
	int32_t pid;   /* 0: free */
	uint32_t cmd;  /* futex */
	uint64_t id;   /* the number `monitor checkpoints` shows */
	bool pinned;   /* `monitor checkpoint`: never evicted */
	struct tt_pos pos;
};

struct shared {
	int32_t frontier_pid;     /* the process that ran furthest */
	uint32_t frontier_wake;   /* futex: it is the debugger's again */
	enum back back;           /* and what the debugger asked last */
	char resume[GDB_PACKET_MAX + 1]; /* BACK_RESUME: the packet that resumed the runner */
	size_t resume_len;
	struct tt_pos frontier;   /* where it waits */
	struct debug_points points;
	bool noack, swbreak, hwbreak;
	/* The job of the runner being started. */
	enum job job;
	struct tt_pos target;
	int tid;
	struct debug_stop arrive; /* goto: the stop to report there */
	bool arrive_monitor;      /* goto for `monitor restart`: reply OK, not a stop */
	/* The result of a search. */
	uint32_t done;            /* futex: 1 found or not, 2 the runner failed */
	int32_t runner;
	bool found;
	struct tt_pos hit;
	struct debug_stop hit_stop;
	uint64_t next_id, last_pinned;
	uint64_t forks, fork_ns;  /* checkpoints taken, and the host time their forks took */
	struct slot slots[CHECKPOINTS];
};

bool travel_enabled;

static struct {
	struct shared *sh;
	int sock[2];
	bool runner, serving;
	enum job job;
	struct tt_pos target, here;
	int tid;
	uc_hook target_hook, step_hook;
	bool have_target_hook, have_step_hook;
	bool arrived;            /* a hook of ours stopped the run */
	bool run_checkpointed;   /* the target's run got its checkpoint */
	bool soon;               /* a checkpoint when the machine goes on */
	bool pin_next;
	uint64_t last_checkpoint_ns;
	bool found;
	struct tt_pos hit;
	struct debug_stop hit_stop;
} tt;

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void futex_wait(uint32_t *word, uint32_t value, uint64_t timeout_ns)
{
	struct timespec ts = {(time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull)};
	syscall(SYS_futex, word, FUTEX_WAIT, value, &ts, NULL, 0);
}

static void futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static bool frontier_alive(void)
{
	return kill(tt.sh->frontier_pid, 0) == 0 || errno != ESRCH;
}

int travel_compare(const struct tt_pos *a, const struct tt_pos *b)
{
	if (a->runs != b->runs)
		return a->runs < b->runs ? -1 : 1;
	if (a->blocks != b->blocks)
		return a->blocks < b->blocks ? -1 : 1;
	if (a->rip != b->rip)
		return a->rip < b->rip ? -1 : 1;
	return 0;
}

void travel_format(const struct tt_pos *p, char *buf, size_t size)
{
	if (p->rip)
		snprintf(buf, size, "run %llu, block %llu, pc %#llx", (unsigned long long)p->runs,
			 (unsigned long long)p->blocks, (unsigned long long)p->rip);
	else
		snprintf(buf, size, "run %llu, block %llu, before the run", (unsigned long long)p->runs,
			 (unsigned long long)p->blocks);
}

struct tt_pos travel_position(bool in_run, uint64_t rip)
{
	return (struct tt_pos){sim_runs(), sim_blocks(), in_run ? rip : 0};
}

bool travel_quiet(void)
{
	return tt.runner;
}

bool travel_serving(void)
{
	return !travel_enabled || tt.serving;
}

int travel_open(void)
{
	tt.sh = mmap(NULL, sizeof(*tt.sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tt.sh == MAP_FAILED) {
		tt.sh = NULL;
		return -ENOMEM;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, tt.sock)) {
		int err = -errno;
		munmap(tt.sh, sizeof(*tt.sh));
		tt.sh = NULL;
		return err;
	}
	memset(tt.sh, 0, sizeof(*tt.sh));
	tt.sh->frontier_pid = getpid();
	/* Checkpoints whose parent, a runner, is gone come to this process, which reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	tt.serving = true;
	travel_enabled = true;
	return 0;
}

void travel_close(void)
{
	if (!travel_enabled || tt.runner)
		return;
	for (unsigned i = 0; i < CHECKPOINTS; i++) {
		struct slot *s = &tt.sh->slots[i];
		if (s->pid > 0)
			kill(s->pid, SIGKILL);
		s->pid = 0;
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	travel_enabled = false;
}

/* ---- the connection, from process to process ---- */

/* The connection goes to the process that takes over (the listening socket stays with the
 * frontier, which alone takes new debuggers). */
static void hand_over(void)
{
	int fd = gdbwire_conn_fd();
	char flags = fd >= 0;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {&flags, 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	tt.sh->noack = gdbwire_noack();
	gdbstub_features(&tt.sh->swbreak, &tt.sh->hwbreak);
	while (sendmsg(tt.sock[0], &msg, 0) < 0 && errno == EINTR)
		;
	gdbwire_release(tt.runner);
	tt.serving = false;
}

/* waiting: the debugger waits for a stop reply, which this process sends. */
static void take_over(bool waiting)
{
	char flags = 0;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {&flags, 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	int fd = -1;
	while (recvmsg(tt.sock[1], &msg, MSG_CMSG_CLOEXEC) < 0 && errno == EINTR)
		;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (flags && c && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	gdbwire_adopt(fd, tt.sh->noack);
	gdbstub_adopt(tt.sh->swbreak, tt.sh->hwbreak, waiting);
	tt.serving = true;
}

/* ---- checkpoints ---- */

static void install_hooks(void);

/* This process was a checkpoint and is now a runner: set it to its job. */
static void start_runner(void)
{
	struct shared *sh = tt.sh;
	tt.runner = true;
	tt.serving = false;
	tt.job = sh->job;
	tt.target = sh->target;
	tt.tid = sh->tid;
	tt.arrived = tt.found = false;
	tt.run_checkpointed = sim_runs() >= tt.target.runs; /* it starts there */
	tt.soon = false;
	sh->runner = getpid();
	sim_audio_forget();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	if (rec_follow()) {
		sh->done = 2;
		futex_wake(&sh->done);
		_exit(1);
	}
	debug_points_import(&sh->points);
	debug_travel_runner();
	install_hooks();
}

/* Waits as a checkpoint until asked for a runner; returns in the runner. */
static void checkpoint_wait(struct slot *s)
{
	gdbwire_release(true); /* the debugger's sockets: a runner gets the connection handed */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	for (;;) {
		uint32_t c = __atomic_load_n(&s->cmd, __ATOMIC_ACQUIRE);
		if (c == CMD_GO) {
			__atomic_store_n(&s->cmd, CMD_IDLE, __ATOMIC_RELEASE);
			pid_t pid = fork();
			if (pid == 0) {
				start_runner();
				return;
			}
			if (pid < 0) {
				tt.sh->done = 2;
				futex_wake(&tt.sh->done);
			}
			continue;
		}
		if (c == CMD_EXIT || !frontier_alive() || s->pid != getpid())
			_exit(0);
		futex_wait(&s->cmd, c, WAIT_SLICE_NS);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

/* A free slot: an unused one, else the oldest automatic one after the first (its process
 * goes). */
static struct slot *free_slot(void)
{
	struct slot *oldest = NULL;
	uint64_t first = UINT64_MAX;
	for (unsigned i = 0; i < CHECKPOINTS; i++)
		if (tt.sh->slots[i].pid > 0 && tt.sh->slots[i].id < first)
			first = tt.sh->slots[i].id;
	for (unsigned i = 0; i < CHECKPOINTS; i++) {
		struct slot *s = &tt.sh->slots[i];
		if (s->pid <= 0)
			return s;
		if (!s->pinned && s->id != first && (!oldest || s->id < oldest->id))
			oldest = s;
	}
	if (!oldest)
		return NULL;
	__atomic_store_n(&oldest->cmd, CMD_EXIT, __ATOMIC_RELEASE);
	futex_wake(&oldest->cmd);
	oldest->pid = 0;
	return oldest;
}

/* A checkpoint at pos, where the machine goes on. */
static void checkpoint(struct tt_pos pos)
{
	for (unsigned i = 0; i < CHECKPOINTS; i++) {
		struct slot *have = &tt.sh->slots[i];
		if (have->pid > 0 && !travel_compare(&have->pos, &pos)) { /* one is there */
			have->pinned |= tt.pin_next;
			if (tt.pin_next)
				tt.sh->last_pinned = have->id;
			tt.pin_next = false;
			tt.last_checkpoint_ns = mono_ns();
			return;
		}
	}
	struct slot *s = free_slot();
	if (!s)
		return;
	rec_flush();
	fflush(stdout);
	fflush(stderr);
	s->cmd = CMD_IDLE;
	s->pos = pos;
	s->pinned = tt.pin_next;
	s->id = ++tt.sh->next_id;
	if (tt.pin_next)
		tt.sh->last_pinned = s->id;
	s->pid = -1; /* being made */
	tt.pin_next = false;
	uint64_t start = mono_ns();
	tt.last_checkpoint_ns = start;
	pid_t pid = fork();
	if (pid > 0) {
		tt.sh->forks++;
		tt.sh->fork_ns += mono_ns() - start;
	}
	if (pid < 0) {
		s->pid = 0;
		return;
	}
	if (pid == 0) {
		s->pid = getpid();
		checkpoint_wait(s);
		return; /* a runner now */
	}
	__atomic_store_n(&s->pid, pid, __ATOMIC_RELEASE);
}

/* Whether this process, the one the debugger talks to, takes a checkpoint now. */
static void maybe_checkpoint(struct tt_pos pos)
{
	if (!tt.serving)
		return;
	if (tt.soon || !tt.sh->next_id || mono_ns() - tt.last_checkpoint_ns >= CHECKPOINT_EVERY_NS) {
		tt.soon = false;
		checkpoint(pos);
	}
}

/* ---- a runner's hooks ---- */

static void arrive_now(void)
{
	tt.arrived = true;
	sim_cpu_debug_stop();
}

/* The target's instruction: stop there when it is the target's block of the target's run. */
static void on_target(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	(void)uc, (void)size, (void)data;
	struct tt_pos here = {sim_runs(), sim_blocks(), addr};
	if (travel_compare(&here, &tt.target) >= 0)
		arrive_now();
}

/* A step search: every instruction, to know the thread's last one before the target. */
static void on_step(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	(void)uc, (void)size, (void)data;
	struct tt_pos here = {sim_runs(), sim_blocks(), addr};
	if (travel_compare(&here, &tt.target) >= 0) {
		arrive_now();
		return;
	}
	struct thread *t = core_current();
	if (t && core_tid(t) == tt.tid) {
		tt.found = true;
		tt.hit = here;
		tt.hit_stop = (struct debug_stop){DEBUG_STEP, tt.tid, 0, 0, 0, 0};
	}
}

static void remove_hooks(void)
{
	if (tt.have_target_hook)
		sim_cpu_del_code_hook(tt.target_hook);
	if (tt.have_step_hook)
		sim_cpu_del_code_hook(tt.step_hook);
	tt.have_target_hook = tt.have_step_hook = false;
}

static void install_hooks(void)
{
	remove_hooks();
	uc_engine *uc = sim_uc();
	if (tt.job == JOB_STEPS) {
		UC_CHECK(uc_hook_add(uc, &tt.step_hook, UC_HOOK_CODE, (void *)on_step, NULL, 1, 0));
		tt.have_step_hook = true;
	} else if (tt.job != JOB_NONE && tt.target.rip) {
		UC_CHECK(uc_hook_add(uc, &tt.target_hook, UC_HOOK_CODE, (void *)on_target, NULL,
				     tt.target.rip, tt.target.rip));
		tt.have_target_hook = true;
	}
	sim_cpu_forget_code();
}

/* A search is over (the target reached, or the machine ended first): say what it found. */
static void report(void)
{
	tt.sh->found = tt.found;
	tt.sh->hit = tt.hit;
	tt.sh->hit_stop = tt.hit_stop;
	__atomic_store_n(&tt.sh->done, 1, __ATOMIC_RELEASE);
	futex_wake(&tt.sh->done);
	_exit(0);
}

/* The frontier is current again (the runner that reached it, or went away, says how). */
static void back_to_frontier(enum back how)
{
	tt.sh->back = how;
	hand_over();
	__atomic_store_n(&tt.sh->frontier_wake, 1, __ATOMIC_RELEASE);
	futex_wake(&tt.sh->frontier_wake);
	_exit(0);
}

/* The runner is at its target: what happens there. True with *stop set when the debugger
 * stops the machine here. */
static bool arrive(struct debug_stop *stop)
{
	switch (tt.job) {
	case JOB_HITS:
	case JOB_STEPS:
		report();
		return false;
	case JOB_GOTO:
		take_over(!tt.sh->arrive_monitor);
		if (tt.sh->arrive_monitor)
			gdbwire_send("OK", 2);
		*stop = tt.sh->arrive;
		if (stop->reason == DEBUG_HISTORY_BEGIN || !core_thread(stop->pid))
			stop->pid = core_current() ? core_tid(core_current()) : stop->pid;
		tt.here = tt.target;
		tt.job = JOB_FORWARD;
		tt.target = tt.sh->frontier;
		tt.soon = true;
		install_hooks();
		return true;
	case JOB_FORWARD:
		/* Stopped right there already, the machine is resumed as the frontier: it does what
		 * the debugger asked. Else the frontier's stop is the next one. */
		back_to_frontier(travel_compare(&tt.here, &tt.target) ? BACK_STOP : BACK_RESUME);
		return false;
	default:
		return false;
	}
}

bool travel_before_run(struct debug_stop *stop)
{
	struct tt_pos here = travel_position(false, 0);
	if (tt.serving) {
		maybe_checkpoint(here); /* returns in a runner too, when one is made from it */
	} else if (tt.runner && tt.job != JOB_NONE && !tt.run_checkpointed &&
		   here.runs == tt.target.runs) {
		/* Close to where the debugger goes: the next search starts here. */
		tt.run_checkpointed = true;
		checkpoint(here);
	}
	return tt.runner && tt.job != JOB_NONE && travel_compare(&here, &tt.target) >= 0 &&
	       arrive(stop);
}

void travel_resumed(uint64_t rip)
{
	if (tt.serving)
		maybe_checkpoint(travel_position(true, rip));
}

int travel_stopped_run(struct debug_stop *stop)
{
	if (!tt.arrived)
		return 0;
	tt.arrived = false;
	return arrive(stop) ? 2 : 1;
}

bool travel_stop_hook(const struct debug_stop *s, const struct tt_pos *now,
		      const struct tt_pos *at)
{
	if (tt.runner && (tt.job == JOB_HITS || tt.job == JOB_STEPS || tt.job == JOB_GOTO)) {
		bool hit = s->reason == DEBUG_BREAK || s->reason == DEBUG_HWBREAK ||
			   s->reason == DEBUG_WATCH || s->reason == DEBUG_RWATCH ||
			   s->reason == DEBUG_AWATCH;
		if (tt.job == JOB_HITS && hit && travel_compare(at, &tt.target) < 0) {
			tt.found = true;
			tt.hit = *at;
			tt.hit_stop = *s;
		}
		return true; /* not a stop for the debugger: the search goes on */
	}
	tt.here = *now;
	tt.soon = true;
	return false;
}

void travel_points_changed(void)
{
	if (travel_enabled)
		debug_points_export(&tt.sh->points);
}

void travel_machine_ended(void)
{
	if (!tt.runner)
		return;
	if (tt.job == JOB_HITS || tt.job == JOB_STEPS)
		report();
	fprintf(stderr, "eclipse-sim: time travel: the machine ended before the point it was "
			"run to: back to where the debugger was\n");
	back_to_frontier(BACK_STOP);
}

void travel_session_ends(bool killed)
{
	if (tt.runner)
		back_to_frontier(killed ? BACK_KILL : BACK_DETACH);
}

/* ---- going back ---- */

/* The latest checkpoint before end (or the earliest one at all, when earliest). */
static struct slot *checkpoint_before(const struct tt_pos *end, bool earliest)
{
	struct slot *best = NULL;
	for (unsigned i = 0; i < CHECKPOINTS; i++) {
		struct slot *s = &tt.sh->slots[i];
		if (s->pid <= 0 || (!earliest && travel_compare(&s->pos, end) >= 0))
			continue;
		int c = best ? travel_compare(&s->pos, &best->pos) : 0;
		if (!best || (earliest ? c < 0 : c > 0))
			best = s;
	}
	return best;
}

static void command(struct slot *s)
{
	__atomic_store_n(&tt.sh->done, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&s->cmd, CMD_GO, __ATOMIC_RELEASE);
	futex_wake(&s->cmd);
}

/* Runs a search from checkpoint s to end: true when the runner reported. */
static bool search(struct slot *s, enum job job, const struct tt_pos *end, int tid)
{
	tt.sh->job = job;
	tt.sh->target = *end;
	tt.sh->tid = tid;
	tt.sh->runner = 0;
	tt.sh->found = false;
	command(s);
	uint64_t start = mono_ns();
	for (;;) {
		uint32_t d = __atomic_load_n(&tt.sh->done, __ATOMIC_ACQUIRE);
		if (d)
			return d == 1;
		futex_wait(&tt.sh->done, 0, WAIT_SLICE_NS);
		int32_t r = tt.sh->runner;
		/* A runner that died without a word (or a checkpoint that never made one). */
		if ((r > 0 && kill(r, 0) && errno == ESRCH && !tt.sh->done) ||
		    (r == 0 && mono_ns() - start > 10 * WAIT_SLICE_NS && kill(s->pid, 0)))
			return false;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

/* The frontier waits for the debugger to come back: how it did. A runner that died without
 * handing the connection back took it along: the frontier goes on as after a detach, and a
 * debugger may connect again. */
static enum back wait_as_frontier(void)
{
	for (;;) {
		if (__atomic_load_n(&tt.sh->frontier_wake, __ATOMIC_ACQUIRE))
			break;
		futex_wait(&tt.sh->frontier_wake, 0, WAIT_SLICE_NS);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		int32_t r = tt.sh->runner;
		/* Gone, and gone without waking it: a runner wakes the frontier before it exits, so
		 * the wake is looked at once more after the runner is found gone (it may have woken
		 * it and exited just before). */
		if (r > 0 && kill(r, 0) && errno == ESRCH &&
		    !__atomic_load_n(&tt.sh->frontier_wake, __ATOMIC_ACQUIRE)) {
			fprintf(stderr, "eclipse-sim: time travel: the process that went back (pid %d) "
					"ended without a word; the system runs on\n", (int)r);
			tt.serving = true;
			gdbstub_adopt(tt.sh->swbreak, tt.sh->hwbreak, false);
			return BACK_DETACH;
		}
	}
	tt.sh->frontier_wake = 0;
	take_over(false);
	debug_points_import(&tt.sh->points);
	tt.soon = true;
	if (tt.sh->back == BACK_RESUME)
		gdbwire_push(tt.sh->resume, tt.sh->resume_len);
	return tt.sh->back;
}

void travel_note_resume(const char *pkt, size_t len)
{
	if (travel_enabled && len < sizeof(tt.sh->resume)) {
		memcpy(tt.sh->resume, pkt, len);
		tt.sh->resume_len = len;
	}
}

/* Goes to pos from checkpoint s, to stop there for stop. Returns in the frontier only, once
 * the debugger is back there. */
static enum back go(struct slot *s, const struct tt_pos *pos, const struct debug_stop *stop,
		    bool monitor)
{
	tt.sh->job = JOB_GOTO;
	tt.sh->target = *pos;
	tt.sh->arrive = *stop;
	tt.sh->arrive_monitor = monitor;
	if (!tt.runner)
		tt.sh->frontier = tt.here;
	hand_over();
	command(s);
	if (tt.runner)
		_exit(0);
	return wait_as_frontier();
}

int travel_reverse(bool step, int tid)
{
	if (!travel_enabled)
		return -1;
	debug_points_export(&tt.sh->points);
	rec_flush();
	struct tt_pos end = tt.here;
	for (struct slot *s; (s = checkpoint_before(&end, false));) {
		struct tt_pos from = s->pos;
		if (search(s, step ? JOB_STEPS : JOB_HITS, &end, tid) && tt.sh->found)
			return (int)go(s, &tt.sh->hit, &tt.sh->hit_stop, false);
		end = from;
	}
	/* Nothing before: the start of the history the checkpoints hold. */
	struct slot *first = checkpoint_before(&end, true);
	if (!first)
		return -1;
	struct debug_stop begin = {DEBUG_HISTORY_BEGIN, tid, 0, 0, 0, 0};
	return (int)go(first, &first->pos, &begin, false);
}

bool travel_monitor(const char *cmd, char *out, size_t size, int *went)
{
	*went = -1;
	if (!strcmp(cmd, "when")) {
		char where[128], at[96];
		travel_format(&tt.here, where, sizeof(where));
		struct rec_pos rp = rec_position();
		rec_format(&rp, at, sizeof(at));
		snprintf(out, size, "%s; virtual time %.9f s; input point %llu\n", where,
			 (double)plat_clock_ns() / 1e9, (unsigned long long)rp.point);
		return true;
	}
	if (!travel_enabled) {
		snprintf(out, size, "time travel needs --record or --replay\n");
		return !strcmp(cmd, "checkpoint") || !strcmp(cmd, "checkpoints") ||
		       !strncmp(cmd, "restart", 7);
	}
	if (!strcmp(cmd, "checkpoint")) {
		tt.soon = tt.pin_next = true;
		char where[128];
		travel_format(&tt.here, where, sizeof(where));
		snprintf(out, size, "checkpoint at %s, kept: 'monitor restart' goes back to it\n", where);
		return true;
	}
	if (!strcmp(cmd, "checkpoints")) {
		size_t len = 0;
		for (uint64_t id = 1; id <= tt.sh->next_id && len < size; id++)
			for (unsigned i = 0; i < CHECKPOINTS; i++) {
				struct slot *s = &tt.sh->slots[i];
				if (s->pid <= 0 || s->id != id)
					continue;
				char where[128];
				travel_format(&s->pos, where, sizeof(where));
				len += (size_t)snprintf(out + len, size - len, "%4llu%s %s\n",
							(unsigned long long)id, s->pinned ? "*" : " ",
							where);
			}
		if (!len)
			len = (size_t)snprintf(out, size, "no checkpoints yet\n");
		if (tt.sh->forks && len < size)
			snprintf(out + len, size - len, "%llu taken, a fork %.3f ms on average\n",
				 (unsigned long long)tt.sh->forks,
				 (double)tt.sh->fork_ns / (double)tt.sh->forks / 1e6);
		return true;
	}
	if (!strcmp(cmd, "restart") || !strncmp(cmd, "restart ", 8)) {
		char *end = "";
		unsigned long long id = cmd[7] ? strtoull(cmd + 8, &end, 10) : tt.sh->last_pinned;
		struct slot *s = NULL;
		for (unsigned i = 0; *end == 0 && i < CHECKPOINTS; i++)
			if (tt.sh->slots[i].pid > 0 && tt.sh->slots[i].id == id)
				s = &tt.sh->slots[i];
		if (!s) {
			snprintf(out, size, "no checkpoint %s (monitor checkpoints lists them)\n",
				 cmd[7] ? cmd + 8 : "kept yet");
			return true;
		}
		struct thread *t = core_current();
		struct debug_stop stop = {DEBUG_STEP, t ? core_tid(t) : 0, 0, 0, 0, 0};
		rec_flush();
		debug_points_export(&tt.sh->points);
		*went = (int)go(s, &s->pos, &stop, true);
		return true;
	}
	return false;
}

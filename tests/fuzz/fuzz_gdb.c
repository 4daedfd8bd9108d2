/*
 * The gdb stub's packet framing and packet handling (sim/gdbwire.c's gdb_frame, sim/gdbstub.c's
 * gdbstub_handle, sim/gdbtarget.c's registers and memory) against live processes over the fake
 * platform. The input is what a debugger would send over the socket, after two bytes that say
 * where the system stopped; it is cut into packets as the stub cuts its input, and every good
 * packet is answered. The stopping and resuming engine (sim/debug.c) drives Unicorn, so it is
 * replaced here by a recorder that checks what the stub asks of it.
 *
 * The system: process 1 runs the build's hello, process 2 is its fork (every page shared
 * copy-on-write), process 3 is another hello with a secret page, process 4 a zombie child of 1.
 *
 * Checked: each reply fits the protocol (no unescaped '$', '#' or '*', nothing unprintable
 * outside qXfer data); a packet that cannot write (anything but G, P, M, X and the resumes,
 * which may set a pc) changes no process, and one that can changes at most one - its registers
 * and its memory, page by page, frame by frame, so a write to a copy-on-write page never reaches
 * the process that shares it (the processes are compared before and after each packet that may
 * write, and at the end). After the input: kernel_fini frees every frame, object and process.
 *
 * Input: byte 0 the stop reason (% the reasons of debug.h) and byte 1 the process that stopped
 * (% 4, + 1), then the debugger's bytes. tests/fuzz/make_seeds.py writes gdb sessions as seeds.
 */
#include "fuzz.h"
/* The guest ABI before the C library: its wait-status macros must win (see unit.h). */
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#include <kernel/elf.h>
#include <kernel/frame.h>
#include <kernel/kernel.h>
#include <kernel/syscall.h>
#include <kernel/vm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub.h"
#include "travel.h"
#include "fake_plat.h"
#include "unit.h"

#define RAM (2u << 20)
#define PG 4096ull
#define NPROCS 4
#define SECRET_VA 0x30000000ull
#define BREAKS_MAX 64
#define WATCHES_MAX 4

static unsigned char *program;
static size_t program_len;
static struct newc boot_image;
static bool verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	program = fuzz_read_file(fuzz_guest_path(), &program_len);
	newc_entry(&boot_image, "sbin/init", program, program_len, 0100755);
	newc_trailer(&boot_image);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

/* sim/debug.c's side of the stub, recorded and checked. */
static struct {
	uint64_t breaks[BREAKS_MAX];
	unsigned break_kinds[BREAKS_MAX];
	size_t nbreaks, nwatches, resumes;
	bool detached, killed;
} dbg;

unsigned sim_stop_requests(void)
{
	return 0;
}

bool debug_exec_file(int pid, char *out, size_t size)
{
	return snprintf(out, size, "/guest/%d", pid) > 0;
}

/* No time travel here: the stub's reverse packets and monitor commands answer that. */
bool travel_enabled;

int travel_reverse(bool step, int tid)
{
	(void)step, (void)tid;
	return -1;
}

bool travel_monitor(const char *cmd, char *out, size_t size, int *went)
{
	(void)cmd;
	*went = -1;
	snprintf(out, size, "time travel needs --record or --replay\n");
	return true;
}

void travel_session_ends(bool killed)
{
	(void)killed;
}

void travel_note_resume(const char *pkt, size_t len)
{
	(void)pkt, (void)len;
}

int debug_break_insert(uint64_t addr, bool hw, int pid)
{
	(void)pid;
	for (size_t i = 0; i < dbg.nbreaks; i++)
		if (dbg.breaks[i] == addr) {
			dbg.break_kinds[i] |= 1u << hw;
			return 0;
		}
	if (dbg.nbreaks == BREAKS_MAX)
		return -ENOMEM;
	dbg.breaks[dbg.nbreaks] = addr;
	dbg.break_kinds[dbg.nbreaks++] = 1u << hw;
	return 0;
}

int debug_break_remove(uint64_t addr, bool hw, int pid)
{
	(void)pid;
	for (size_t i = 0; i < dbg.nbreaks; i++)
		if (dbg.breaks[i] == addr && (dbg.break_kinds[i] & (1u << hw))) {
			dbg.break_kinds[i] &= ~(1u << hw);
			return 0;
		}
	return -ENOENT;
}

int debug_watch_insert(uint64_t addr, uint64_t len, unsigned kind)
{
	(void)addr;
	FUZZ_CHECK(kind && !(kind & ~(DEBUG_WATCH_READ | DEBUG_WATCH_WRITE)), "watch kind %#x", kind);
	if (!len || dbg.nwatches == WATCHES_MAX)
		return !len ? -EINVAL : -ENOSPC;
	dbg.nwatches++;
	return 0;
}

int debug_watch_remove(uint64_t addr, uint64_t len, unsigned kind)
{
	(void)addr;
	(void)len;
	FUZZ_CHECK(kind && !(kind & ~(DEBUG_WATCH_READ | DEBUG_WATCH_WRITE)), "watch kind %#x", kind);
	if (!dbg.nwatches)
		return -ENOENT;
	dbg.nwatches--;
	return 0;
}

void debug_resume(const struct debug_resume *resume, size_t n)
{
	FUZZ_CHECK(n >= 1 && n <= 64, "%zu resume actions", n);
	for (size_t i = 0; i < n; i++) {
		const struct debug_resume *r = &resume[i];
		FUZZ_CHECK(r->pid >= 0, "resume of pid %d", r->pid);
		FUZZ_CHECK(r->action >= DEBUG_ACT_STOP && r->action <= DEBUG_ACT_RANGE,
			   "resume action %d", (int)r->action);
		FUZZ_CHECK(r->signal >= 0 && r->signal <= PROC_NSIG, "resume with signal %d",
			   r->signal);
		FUZZ_CHECK(r->pid || r->action == DEBUG_ACT_CONTINUE || r->action == DEBUG_ACT_STOP,
			   "every thread told to step");
	}
	dbg.resumes++;
}

void debug_detach(void)
{
	dbg.detached = true;
}

void debug_detach_process(int pid)
{
	(void)pid;
}

void debug_events(bool fork, bool exec)
{
	(void)fork, (void)exec;
}

bool debug_hidden(int pid)
{
	return pid == 7; /* one process the debugger detached */
}

void debug_kill(void)
{
	dbg.killed = true;
}

static struct thread *spawn(const char *path)
{
	static const char *const envp[] = {"A=1", NULL};
	const char *const argv[] = {path, NULL};
	int elf_err;
	int pid = kernel_spawn(path, program, program_len, argv, envp, &elf_err);
	FUZZ_CHECK(pid > 0, "spawning %s failed: %d (%s)", path, pid, elf_error_name(elf_err));
	return thread_find(pid);
}

static void boot(void)
{
	FUZZ_CHECK(kernel_init(&(struct kernel_config){.max_procs = 16}) == 0, "kernel_init failed");
	struct thread *p = spawn("/bin/hello");
	FUZZ_CHECK(p->tid == 1, "process 1 is pid %d", p->tid);
	/* Some of process 1's pages are present before the fork, so that both share them. */
	uint64_t heap = p->proc->mm->brk_start;
	fuzz_setup_call(p, SYS_brk, heap + 4 * PG, 0, 0, 0);
	FUZZ_CHECK(copy_out(p->proc->mm, heap, "shared heap", 12) == 0, "heap write failed");
	long child = fuzz_setup_call(p, SYS_fork, 0, 0, 0, 0);
	FUZZ_CHECK(child == 2, "the fork is pid %ld", child);
	struct thread *q = spawn("/bin/other");
	fuzz_setup_call(q, SYS_mmap, SECRET_VA, PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	FUZZ_CHECK(copy_out(q->proc->mm, SECRET_VA, "secret", 7) == 0, "secret write failed");
	long zombie = fuzz_setup_call(p, SYS_fork, 0, 0, 0, 0);
	proc_exit(proc_find((int)zombie), 3 << 8);
}

/* What the processes are, to the debugger: registers and every mapped page (where and what).
 * Copied and compared with memcpy and memcmp, whose bytes are not instrumented. */
#define SNAP_PAGES (NPROCS * (RAM / PG))

struct page_key {
	uint64_t va, pa;
	unsigned flags;
};

struct snapshot {
	struct regs regs[NPROCS];
	uint8_t fpu[NPROCS][512];
	int state[NPROCS]; /* -1: no such process */
	size_t first[NPROCS + 1]; /* process i's pages: [first[i], first[i + 1]) */
	struct page_key keys[SNAP_PAGES];
	unsigned char data[SNAP_PAGES][PG];
};

static struct snapshot snaps[2];

static bool take_page(uint64_t va, uint64_t pa, unsigned flags, void *arg)
{
	struct snapshot *sn = arg;
	size_t n = sn->first[NPROCS];
	FUZZ_CHECK(n < SNAP_PAGES, "more pages mapped than RAM holds four times");
	sn->keys[n] = (struct page_key){va, pa, flags};
	memcpy(sn->data[n], plat_phys(pa), PG);
	sn->first[NPROCS] = n + 1;
	return false;
}

static void take(struct snapshot *sn)
{
	sn->first[NPROCS] = 0;
	for (int i = 0; i < NPROCS; i++) {
		struct proc *p = proc_find(i + 1);
		struct thread *t = thread_find(i + 1);
		sn->first[i] = sn->first[NPROCS];
		sn->state[i] = p ? (int)p->state : -1;
		if (!p || p->state == PROC_ZOMBIE || !t)
			continue;
		sn->regs[i] = t->ctx.regs;
		memcpy(sn->fpu[i], t->ctx.fpu, sizeof(sn->fpu[i]));
		vm_find_page(&p->mm->as, take_page, sn);
	}
}

static bool same(const struct snapshot *a, const struct snapshot *b, int i)
{
	size_t n = a->first[i + 1] - a->first[i];
	size_t m = b->first[i + 1] - b->first[i];
	if (a->state[i] != b->state[i] || n != m)
		return false;
	if (a->state[i] < 0 || a->state[i] == PROC_ZOMBIE)
		return true;
	return !memcmp(&a->regs[i], &b->regs[i], sizeof(a->regs[i])) &&
	       !memcmp(a->fpu[i], b->fpu[i], sizeof(a->fpu[i])) &&
	       !memcmp(&a->keys[a->first[i]], &b->keys[b->first[i]], n * sizeof(a->keys[0])) &&
	       !memcmp(a->data[a->first[i]], b->data[b->first[i]], n * PG);
}

/* May this packet change a process? Registers and memory writes, and resumes with a pc. */
static bool may_write(const char *pkt)
{
	return pkt[0] && strchr("GPMXcCsS", pkt[0]) != NULL;
}

static void check_reply(const char *pkt, const char *reply, size_t len)
{
	bool binary = !strncmp(pkt, "qXfer:", 6);
	for (size_t i = 0; i < len; i++) {
		char c = reply[i];
		if (c == '}') { /* an escape: only binary data has them */
			FUZZ_CHECK(binary && i + 1 < len, "reply to \"%.40s\" holds '}' at %zu", pkt, i);
			i++;
			continue;
		}
		FUZZ_CHECK(c != '$' && c != '#' && c != '*', "reply to \"%.40s\" holds '%c' at %zu", pkt,
			   c, i);
		FUZZ_CHECK(binary || (c >= 0x20 && c < 0x7f), "reply to \"%.40s\" holds byte %#x", pkt,
			   (unsigned char)c);
	}
}

/* How many processes differ between a and b. */
static int changes(const struct snapshot *a, const struct snapshot *b)
{
	int changed = 0;
	for (int i = 0; i < NPROCS; i++)
		changed += !same(a, b, i);
	return changed;
}

/* The packets since the last snapshot, none of which may write: the last of them, and how many. */
struct readers {
	char last[48];
	unsigned count;
};

/* Snapshots are taken around the packets that may write only (they cost more than most
 * packets): the readers before one must have changed nothing. */
static void check_readers(struct readers *r, const struct snapshot *before,
			  struct snapshot *now)
{
	if (!r->count)
		return;
	take(now);
	FUZZ_CHECK(changes(before, now) == 0, "%u packets that cannot write, the last \"%s\", "
		   "changed %d processes", r->count, r->last, changes(before, now));
	r->count = 0;
}

struct input {
	const uint8_t *data;
	size_t size;
};

static void run(void *arg)
{
	const struct input *in = arg;
	boot();
	unsigned reasons = DEBUG_EXITED + 1;
	struct debug_stop stop = {(enum debug_reason)(in->data[0] % reasons), in->data[1] % NPROCS + 1,
				  0x401000, SIGSEGV, 0, in->data[1] % NPROCS + 2};
	gdbstub_session(&stop);
	const char *s = (const char *)in->data + 2;
	size_t left = in->size - 2;
	static char pkt[GDB_PACKET_MAX + 1];
	struct snapshot *before = &snaps[0], *after = &snaps[1];
	struct readers readers = {"", 0};
	take(before);
	while (left) {
		size_t used, len;
		enum gdb_frame kind = gdb_frame(s, left, &used, &len);
		FUZZ_CHECK(kind == GDB_FRAME_MORE ? used == 0 : used >= 1 && used <= left,
			   "gdb_frame used %zu of %zu bytes", used, left);
		if (kind == GDB_FRAME_MORE)
			break;
		if (kind == GDB_FRAME_PACKET) {
			FUZZ_CHECK(len < GDB_PACKET_MAX && len + 4 == used && s[0] == '$' && s[len + 1] == '#',
				   "packet of %zu bytes framed in %zu", len, used);
			memcpy(pkt, s + 1, len);
			pkt[len] = 0;
			bool writer = may_write(pkt);
			if (writer) /* before is then still the state this packet starts from */
				check_readers(&readers, before, after);
			const char *reply;
			size_t reply_len;
			enum gdb_serve next = gdbstub_handle(pkt, len, &reply, &reply_len);
			if (verbose)
				fprintf(stderr, "> %.60s\n< %.*s\n", pkt, (int)MIN(reply_len, 60), reply);
			check_reply(pkt, reply, reply_len);
			if (writer) {
				take(after);
				FUZZ_CHECK(changes(before, after) <= 1, "\"%.40s\" changed %d processes", pkt,
					   changes(before, after));
				struct snapshot *t = before;
				before = after;
				after = t;
			} else {
				snprintf(readers.last, sizeof(readers.last), "%.40s", pkt);
				readers.count++;
			}
			if (next == GDB_SERVE_DETACH || next == GDB_SERVE_KILL)
				gdbstub_session(&stop); /* another debugger comes */
		}
		s += used;
		left -= used;
	}
	check_readers(&readers, before, after);
	fuzz_fini_and_check();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	/* An exactly sized copy, so that reading one byte too far trips AddressSanitizer. */
	uint8_t *copy = malloc(size);
	memcpy(copy, data, size);
	struct input in = {copy, size};
	memset(&dbg, 0, sizeof(dbg));
	fake_plat_reset(RAM);
	fake_boot_image_set(boot_image.buf, boot_image.len);
	fake_file_add("/bin/other", program, program_len);
	fuzz_run_kernel(run, &in);
	free(copy);
	return 0;
}

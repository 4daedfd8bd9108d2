/*
 * The syscall storm: many processes making random system calls with random arguments under
 * eclipse-sim, from a seeded generator, so a run is the same every time. Nothing a guest passes
 * may crash the kernel, and when the storm is over eclipse-sim's exit check finds every frame
 * and kernel object free again.
 *
 *   storm CALLS SEED [WORKERS]      (only as process 1 under eclipse-sim: see main)
 *
 * Process 1 makes no random calls: it keeps WORKERS processes making random calls until they
 * have reported CALLS in all (by IPC, every 256 calls), reaps every process (orphans come to
 * it), starts new workers as others die, and sends SIGCONT to everyone now and then so that no
 * worker stays stopped or blocked for ever (a worker puts SIGCONT's handler and mask back
 * whenever a random call changed them). Being process 1, it gets no signal it has no handler
 * for, so the workers cannot end the run early; a worker may fork (the child takes half of its
 * calls), exit, execve, or be killed by another. A worker silent for STALL_ROUNDS rounds is
 * stuck: process 1 kills it and the storm fails (exit 3), as it does past DEADLINE_MS.
 *
 * Now and then a worker also checks, against what it just did, what the kernel must get right
 * under the storm (a failure is reported to process 1, and the storm fails with exit 4): code
 * the kernel copies over an executable page runs at once; in/out, int $N, icebp and rdpmc
 * fault at the instruction with nothing before it run twice; the trap flag steps every
 * instruction; many single-page mappings keep their contents; the zero frame stays zero.
 *
 * The calls: every number of the dispatch table (Linux's and Eclipse's 500-507) and unknown
 * ones, with arguments drawn per kind (descriptors, pointers, sizes, signals, pids, flags,
 * timeouts) from typical and hostile values: wild, kernel and non-canonical pointers, pointers
 * into our read-only text, across a guard page, huge and negative sizes, negative descriptors,
 * random signal numbers, random pids. Left out, each because it would make the worker run
 * code at a random address rather than test an argument: rt_sigreturn, handlers pointing
 * anywhere but at a real handler or an unmapped address, and the memory calls that would
 * unmap or change our own program image or stack (mmap MAP_FIXED, munmap, mprotect there).
 */
#include "xorshift.h"

#include <ecl/ipc.h>
#include <ecl/time.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define PAGE 4096UL
#define SCRATCH ((unsigned char *)0x50000000UL) /* ours, remapped often, then a guard page */
#define SCRATCH_PAGES 4
#define REFRESH_EVERY 64 /* calls between remaking the scratch pages */
#define REPORT_EVERY 256 /* calls between progress reports */
#define REPORT_TYPE 0x53544f52u
#define BROKEN_TYPE 0x42524b4eu /* a worker's check failed: the text says which */
#define CODE_PAGE ((unsigned char *)0x58000000UL) /* the checks' code, remapped each time */
#define CHUNK 20000 /* calls a worker gets at most */
#define TRACKED 512 /* processes process 1 keeps track of */
#define CONT_EVERY_MS 20
#define STALL_ROUNDS 50000
#define DEADLINE_MS (3600L * 1000)
#define IMAGE_LOW 0x400000UL /* our program image and heap: no memory call goes there */
#define IMAGE_HIGH 0x800000UL
#define STACK_LOW 0x7fff00000000UL /* and our stack, from here up */
#define SYSCALL_TABLE_SIZE 528 /* the kernel's: Linux's numbers, then Eclipse's from 500 */

/* Offsets of the prepared structures in the first scratch page. */
enum {
	AT_HELLO = 0, AT_INIT = 16, AT_MISSING = 32, AT_EMPTY = 48, AT_CONF = 64, AT_DIR = 96,
	AT_NAME = 112, AT_NAME2 = 128, AT_LONGNAME = 144, AT_ARGV = 256, AT_TS = 320,
	AT_IOV = 400, AT_SIGACT = 448, AT_SIGSET = 576, AT_MSG = 1024, AT_COUNT = 12
};
static const unsigned prepared[AT_COUNT] = {
	AT_HELLO, AT_INIT, AT_MISSING, AT_EMPTY, AT_CONF, AT_DIR, AT_NAME, AT_LONGNAME, AT_ARGV,
	AT_TS, AT_IOV, AT_MSG,
};

struct report {
	unsigned long calls, remaining;
};

/* rt_sigaction's structure as the kernel reads it (the C library's struct sigaction is not). */
struct kernel_sigaction {
	uint64_t handler, flags, restorer, mask;
};

/* The restorer sigaction() gives our handlers, which the random rt_sigactions give them too. */
static uint64_t restorer;
static uint64_t first_brk;
static volatile unsigned long signals_caught;


/* Counts signals; a fault's own signal ends the worker instead, as returning would only run
 * the faulting instruction again (with a handler at an unmapped address, for ever). */
static void on_signal(int sig)
{
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP)
		_exit(128 + sig);
	signals_caught++;
}

/* Kinds of arguments. */
enum kind {
	K_FD, K_IN, K_OUT, K_SIZE, K_SIG, K_PID, K_FLAGS, K_ADDR, K_TIME, K_ACT, K_MAPLEN, K_BRK,
	K_ANY,
};

static uint64_t any_pointer(void)
{
	static const uint64_t hostile[] = {
		0, 1, 0xfff, 0x10000, 0xffff800000000000ULL, 0x00007ffffffff000ULL, 0x0000800000000000ULL,
		0xffffffffffffffffULL, 0x8000000000000000ULL, 0x00007fffffffffffULL,
	};
	switch (below(6)) {
	case 0:
		return hostile[below(sizeof hostile / sizeof hostile[0])];
	case 1: /* our text: readable, never writable */
		return (uint64_t)(uintptr_t)&next + below(PAGE);
	case 2: /* right before the guard page */
		return (uint64_t)(uintptr_t)SCRATCH + SCRATCH_PAGES * PAGE - below(64);
	case 3:
		return next();
	case 4:
		return next() & 0x7fffffffffffULL;
	default:
		return (uint64_t)(uintptr_t)SCRATCH + below(SCRATCH_PAGES * PAGE + PAGE);
	}
}

static uint64_t arg(enum kind k)
{
	if (k != K_ACT && k != K_MAPLEN && k != K_BRK && below(8) == 0)
		k = (enum kind)below(K_ANY + 1); /* any kind where another is expected */
	switch (k) {
	case K_FD:
		return below(4) == 0 ? (uint64_t)-(int64_t)below(200) : below(12);
	case K_IN:
		return below(2) ? (uint64_t)(uintptr_t)SCRATCH + prepared[below(AT_COUNT)] : any_pointer();
	case K_OUT:
		return below(2) ? (uint64_t)(uintptr_t)SCRATCH + PAGE + below(3 * PAGE) : any_pointer();
	case K_SIZE: {
		static const uint64_t sizes[] = {0, 1, 8, 16, 4095, 4096, 4097, 65536, 1ULL << 31,
						  1ULL << 32, 0x7ffff000, (uint64_t)-1, 1ULL << 47};
		return below(3) ? below(300) : sizes[below(sizeof sizes / sizeof sizes[0])];
	}
	case K_SIG:
		return below(8) ? below(72) : next();
	case K_PID:
		switch (below(5)) {
		case 0:
			return (uint64_t)-(int64_t)below(3);
		case 1:
			return (uint64_t)getpid();
		case 2:
			return next();
		default:
			return below(40);
		}
	case K_FLAGS:
		return below(2) ? below(64) : next() >> below(64);
	case K_ADDR:
		switch (below(5)) {
		case 0: /* somewhere low, but not in our program image */
			for (;;) {
				uint64_t a = (0x10000 + below(0x40000000)) & ~(PAGE - 1);
				if (a < IMAGE_LOW || a >= IMAGE_HIGH)
					return a;
			}
		case 1:
			return (uint64_t)(uintptr_t)SCRATCH + below(SCRATCH_PAGES + 2) * PAGE + below(2);
		case 2:
			return 0xffff800000000000ULL + below(4) * PAGE;
		case 3:
			return 0;
		default:
			return (uint64_t)(uintptr_t)SCRATCH + below(SCRATCH_PAGES + 2) * PAGE;
		}
	case K_TIME: {
		static const uint64_t times[] = {0, 1, 1000, 1000000, 50000000, IPC_FOREVER};
		return below(4) ? times[below(sizeof times / sizeof times[0])] : next();
	}
	case K_MAPLEN: { /* what mmap may give: at most 8 MiB, or too much to map at all */
		static const uint64_t lens[] = {0, 1, 4095, 4096, 65536, 8ULL << 20, 1ULL << 47,
						 (uint64_t)-1};
		return below(2) ? below(16) * PAGE : lens[below(sizeof lens / sizeof lens[0])];
	}
	case K_BRK: {
		static const uint64_t ends[] = {0, 1, 0xffff800000000000ULL, 0x0000800000000000ULL};
		return below(4) ? first_brk + below(8ULL << 20) : ends[below(4)];
	}
	case K_ACT: /* a sigaction: real handler, SIG_IGN, SIG_DFL, unmapped; or no pointer */
		switch (below(4)) {
		case 0:
			return 0;
		case 1:
			return 0xffff800000000000ULL;
		default:
			return (uint64_t)(uintptr_t)SCRATCH + AT_SIGACT + 32 * below(4);
		}
	default:
		return next();
	}
}

/* Each call the storm makes, with its argument kinds (at most 6). */
static const struct call {
	unsigned short nr, weight;
	const char *kinds; /* one K_ letter per argument: see kind_of */
} calls[] = {
	{SYS_read, 4, "dOz"}, {SYS_write, 4, "dIz"}, {SYS_open, 2, "If"}, {SYS_close, 3, "d"},
	{SYS_fstat, 2, "dO"}, {SYS_lseek, 2, "dxf"}, {SYS_mmap, 4, "amffdx"},
	{SYS_mprotect, 3, "azf"}, {SYS_munmap, 3, "az"}, {SYS_brk, 2, "b"},
	{SYS_rt_sigaction, 3, "sAOz"}, {SYS_rt_sigprocmask, 2, "fIOz"}, {SYS_writev, 3, "dIz"},
	{SYS_sched_yield, 2, ""}, {SYS_dup, 2, "d"}, {SYS_dup2, 2, "dd"}, {SYS_nanosleep, 2, "IO"},
	{SYS_getpid, 1, ""}, {SYS_fork, 1, ""}, {SYS_execve, 1, "III"}, {SYS_exit, 0, "x"},
	{SYS_wait4, 3, "pOfO"}, {SYS_kill, 4, "ps"}, {SYS_uname, 1, "O"}, {SYS_setpgid, 2, "pp"},
	{SYS_getppid, 1, ""}, {SYS_getpgid, 1, "p"}, {SYS_arch_prctl, 2, "fO"},
	{SYS_clock_gettime, 2, "fO"}, {SYS_openat, 2, "dIf"}, {SYS_exit_group, 0, "x"},
	{SYS_get_service_binary, 2, "fO"}, {SYS_exec_image, 1, "IzII"}, {SYS_ipc_send, 3, "pIt"},
	{SYS_ipc_receive, 3, "pOt"}, {SYS_ipc_call, 3, "pIOt"}, {SYS_ipc_reply, 3, "pI"},
	{SYS_ipc_register, 2, "I"}, {SYS_ipc_lookup, 2, "I"},
};
#define NCALLS (sizeof calls / sizeof calls[0])
#define UNKNOWN_WEIGHT 3 /* numbers outside the table */
#define EXIT_ODDS 5000 /* one call in this many is exit or exit_group */

static enum kind kind_of(char c)
{
	switch (c) {
	case 'd': return K_FD;
	case 'I': return K_IN;
	case 'O': return K_OUT;
	case 'z': return K_SIZE;
	case 's': return K_SIG;
	case 'p': return K_PID;
	case 'f': return K_FLAGS;
	case 'a': return K_ADDR;
	case 't': return K_TIME;
	case 'A': return K_ACT;
	case 'm': return K_MAPLEN;
	case 'b': return K_BRK;
	default: return K_ANY;
	}
}

static unsigned total_weight(void)
{
	unsigned w = UNKNOWN_WEIGHT;
	for (unsigned i = 0; i < NCALLS; i++)
		w += calls[i].weight;
	return w;
}

static void put_string(unsigned at, const char *s)
{
	memcpy(SCRATCH + at, s, strlen(s) + 1);
}

/* Maps the scratch pages afresh (whatever the storm did to them) and fills them. */
static void refresh_scratch(void)
{
	if (mmap(SCRATCH, SCRATCH_PAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != SCRATCH)
		_exit(3);
	munmap(SCRATCH + SCRATCH_PAGES * PAGE, PAGE);
	for (unsigned long i = 0; i < SCRATCH_PAGES * PAGE / 8; i++)
		((uint64_t *)SCRATCH)[i] = next();
	put_string(AT_HELLO, "/bin/hello");
	put_string(AT_INIT, "/sbin/init");
	put_string(AT_MISSING, "/nonexistent");
	put_string(AT_EMPTY, "");
	put_string(AT_CONF, "/etc/services.conf");
	put_string(AT_DIR, "/bin");
	put_string(AT_NAME, below(2) ? "storm-a" : "storm-b");
	put_string(AT_NAME2, "storm-c");
	memset(SCRATCH + AT_LONGNAME, 'n', 100);
	SCRATCH[AT_LONGNAME + 100] = 0;
	uint64_t *argv = (uint64_t *)(SCRATCH + AT_ARGV);
	argv[0] = (uint64_t)(uintptr_t)(SCRATCH + AT_HELLO);
	argv[1] = below(2) ? (uint64_t)(uintptr_t)(SCRATCH + AT_NAME) : any_pointer();
	argv[2] = 0;
	struct timespec *ts = (struct timespec *)(SCRATCH + AT_TS);
	ts->tv_sec = below(4) ? 0 : (long long)below(3) - 1;
	ts->tv_nsec = below(4) ? (long long)below(2000000) : (long long)next();
	struct iovec *iov = (struct iovec *)(SCRATCH + AT_IOV);
	iov[0] = (struct iovec){SCRATCH + AT_HELLO, 10};
	iov[1] = (struct iovec){(void *)(uintptr_t)arg(K_IN), below(64)};
	iov[2] = (struct iovec){(void *)(uintptr_t)arg(K_OUT), arg(K_SIZE)};
	/* Handlers: ours (with our restorer, as sigaction installs it), SIG_IGN, SIG_DFL, unmapped. */
	struct kernel_sigaction *act = (struct kernel_sigaction *)(SCRATCH + AT_SIGACT);
	static const unsigned long flags[] = {SA_RESTART, SA_NODEFER, SA_RESETHAND, SA_SIGINFO};
	act[0].handler = (uint64_t)(uintptr_t)on_signal;
	act[0].flags = SA_RESTORER | (below(2) ? flags[below(4)] : 0);
	act[0].restorer = restorer;
	act[0].mask = next();
	act[1] = (struct kernel_sigaction){1, 0, 0, 0}; /* SIG_IGN */
	act[2] = (struct kernel_sigaction){0, 0, 0, 0}; /* SIG_DFL */
	act[3] = act[0];
	act[3].handler = 0xffff800000001000ULL;
	*(uint64_t *)(SCRATCH + AT_SIGSET) = next();
	struct ipc_msg *msg = (struct ipc_msg *)(SCRATCH + AT_MSG);
	msg->type = (unsigned)next();
	if (msg->type == REPORT_TYPE || msg->type == BROKEN_TYPE)
		msg->type += 2;
	msg->len = below(4) ? (unsigned)below(64) : (unsigned)below(IPC_PAYLOAD_MAX + 2);
}

/* Tells process 1 how many calls were made since the last report and how many are left. */
static void report(unsigned long *pending, unsigned long remaining)
{
	struct ipc_msg msg;
	struct report r = {*pending, remaining};
	msg.type = REPORT_TYPE;
	msg.len = sizeof r;
	memcpy(msg.data, &r, sizeof r);
	if (ipc_send(1, &msg, IPC_FOREVER) == 0)
		*pending = 0;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	struct kernel_sigaction k;
	if (syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, 8) < 0)
		_exit(3);
	restorer = k.restorer;
}

/* What our random calls mapped (mmap, get_service_binary), unmapped at each refresh with the
 * heap: a read or write prepares its whole buffer, so mapped memory is memory the kernel may
 * allocate, and a few large regions would take the machine's (process 1 included). */
static int spares_us(long nr, const uint64_t *a);

#define MAPPINGS 32
static struct {
	uint64_t at, len;
} mappings[MAPPINGS];
static unsigned nmappings;

static void remember(long nr, const uint64_t *a, long r)
{
	if ((nr != SYS_mmap && nr != SYS_get_service_binary) || r <= 0 || nmappings == MAPPINGS)
		return;
	mappings[nmappings].at = (uint64_t)r;
	/* A service binary's size is not ours to know for sure: 16 MiB covers every one. */
	mappings[nmappings].len = nr == SYS_mmap ? a[1] : 1ULL << 24;
	nmappings++;
}

static void forget_mappings(void)
{
	while (nmappings) {
		nmappings--;
		uint64_t range[2] = {mappings[nmappings].at, mappings[nmappings].len};
		if (spares_us(SYS_munmap, range))
			munmap((void *)(uintptr_t)range[0], range[1]);
	}
	syscall(SYS_brk, first_brk); /* the C library's brk() moves nothing */
}

/* Does [at, at + len) miss [lo, hi)? */
static int misses(uint64_t at, uint64_t len, uint64_t lo, uint64_t hi)
{
	uint64_t end = at + len < at ? UINT64_MAX : at + len;
	return end <= lo || at >= hi;
}

/* False for a memory call that could unmap or change our program image or stack. */
static int spares_us(long nr, const uint64_t *a)
{
	int fixed_map = nr == SYS_mmap && (a[3] & MAP_FIXED);
	if (nr != SYS_munmap && nr != SYS_mprotect && !fixed_map)
		return 1;
	return misses(a[0], a[1], IMAGE_LOW, IMAGE_HIGH) && misses(a[0], a[1], STACK_LOW, UINT64_MAX);
}

/* Gives SIGCONT its handler back and unblocks it, if the call just changed either: process 1's
 * SIGCONT must wake every wait, so that a worker silent for long is stuck, not ignoring it. */
static void keep_sigcont(long nr, const uint64_t *a)
{
	if (nr == SYS_rt_sigaction && a[0] == SIGCONT) {
		struct sigaction sa = {.sa_handler = on_signal};
		sigaction(SIGCONT, &sa, NULL);
	} else if (nr == SYS_rt_sigprocmask) {
		sigset_t cont;
		sigemptyset(&cont);
		sigaddset(&cont, SIGCONT);
		sigprocmask(SIG_UNBLOCK, &cont, NULL);
	}
}

/* A number the storm has no entry for: unused in the table, above it, or anything. */
static long unknown_number(void)
{
	for (;;) {
		long nr = below(8) ? (long)below(SYSCALL_TABLE_SIZE + 600) : (long)next();
		unsigned i = 0;
		while (i < NCALLS && calls[i].nr != nr)
			i++;
		if (i == NCALLS && nr != SYS_rt_sigreturn)
			return nr;
	}
}

/* A check failed: process 1 hears what, and the worker ends. */
static _Noreturn void broken(const char *what)
{
	struct ipc_msg msg;
	msg.type = BROKEN_TYPE;
	msg.len = (unsigned)strlen(what) + 1;
	memcpy(msg.data, what, msg.len);
	ipc_send(1, &msg, IPC_FOREVER);
	_exit(4);
}

static unsigned char *map_code_page(void)
{
	unsigned char *p = mmap(CODE_PAGE, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != CODE_PAGE)
		broken("mmap of the code page failed");
	return p;
}

/* "mov $n, %eax; ret" as the little-endian word the kernel will store (n even: SIGKILL's bit
 * of a signal mask stays clear). */
static uint64_t returning(uint64_t n)
{
	return 0xc300000000b8ULL | (n & 0xfe) << 8;
}

static long call_code(const void *code)
{
	long rax = 0;
	__asm__ __volatile__("call *%1"
			     : "+a"(rax)
			     : "r"(code)
			     : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
	return rax;
}

/* Copy-outs over code that already ran: an old signal mask (the trap path), then an old
 * action (a fast syscall, while the CPU is inside its run). */
static void check_code_write(void)
{
	unsigned char *code = map_code_page();
	uint64_t n = 2 * below(100), word = returning(n), saved;
	memcpy(code, &word, 8);
	if (call_code(code) != (long)(n & 0xfe))
		broken("code written by the program did not run");
	word = returning(n + 2);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&word, (long)&saved, 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&saved, (long)code, 8);
	if (call_code(code) != (long)((n + 2) & 0xfe))
		broken("an old mask copied over code: the old code ran");
	uint64_t act[4] = {returning(n + 4), 0, 0, 0};
	syscall(SYS_rt_sigaction, SIGURG, (long)act, 0, 8);
	syscall(SYS_rt_sigaction, SIGURG, 0, (long)code, 8);
	act[0] = 1; /* back to SIG_IGN's place: SIGURG is ignored by default anyway */
	syscall(SYS_rt_sigaction, SIGURG, (long)act, 0, 8);
	if (call_code(code) != (long)((n + 4) & 0xfe))
		broken("an old action copied over code: the old code ran");
}

static volatile int trap_sig;
static volatile unsigned long trap_rip, trap_rax, steps;
static unsigned long trap_resume;

static void on_check_fault(int sig, siginfo_t *info, void *context)
{
	greg_t *r = ((ucontext_t *)context)->uc_mcontext.gregs;
	if (info->si_code == SI_USER)
		return; /* another worker's kill */
	if (sig == SIGTRAP && !trap_resume) {
		steps++;
		return;
	}
	trap_sig = sig;
	trap_rip = (unsigned long)r[REG_RIP];
	trap_rax = (unsigned long)r[REG_RAX];
	r[REG_RIP] = (greg_t)trap_resume;
}

/* Handlers for the faults a check causes, unblocked; on_signal's come back after. */
static void catch_check_faults(int on)
{
	struct sigaction sa = {.sa_handler = on_signal};
	if (on) {
		sa.sa_sigaction = on_check_fault;
		sa.sa_flags = SA_SIGINFO;
	}
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	sigset_t faults;
	sigemptyset(&faults);
	sigaddset(&faults, SIGSEGV);
	sigaddset(&faults, SIGTRAP);
	if (on)
		sigprocmask(SIG_UNBLOCK, &faults, NULL);
}

/* An instruction the CPU faults at CPL 3, after "inc %rax": SIGSEGV at it (SIGTRAP after it
 * for int3 and icebp), with the inc run once and the instruction not at all. */
static void check_fault_exact(void)
{
	static const struct {
		unsigned char bytes[3], len, sig, trap;
	} forms[] = {
		{{0xe6, 0x80}, 2, SIGSEGV, 0}, {{0xe4, 0x80}, 2, SIGSEGV, 0}, {{0xec}, 1, SIGSEGV, 0},
		{{0xef}, 1, SIGSEGV, 0}, {{0x6c}, 1, SIGSEGV, 0}, {{0xf3, 0x6e}, 2, SIGSEGV, 0},
		{{0x66, 0xe5, 0x80}, 3, SIGSEGV, 0}, {{0xcd, 0}, 2, SIGSEGV, 0},
		{{0xcd, 3}, 2, SIGTRAP, 1}, {{0xcc}, 1, SIGTRAP, 1}, {{0xf1}, 1, SIGTRAP, 1},
		{{0x0f, 0x33}, 2, SIGSEGV, 0},
	};
	unsigned f = (unsigned)below(sizeof forms / sizeof forms[0]);
	unsigned char *code = map_code_page();
	unsigned len = forms[f].len;
	static const unsigned char inc_rax[] = {0x48, 0xff, 0xc0};
	memcpy(code, inc_rax, 3);
	memcpy(code + 3, forms[f].bytes, len);
	if (forms[f].bytes[0] == 0xcd && forms[f].bytes[1] == 0)
		while ((code[4] = (unsigned char)below(256)) == 3)
			;
	code[3 + len] = 0xc3;
	trap_sig = 0;
	trap_resume = (unsigned long)(code + 3 + len);
	catch_check_faults(1);
	long rax = call_code(code);
	catch_check_faults(0);
	unsigned long want_rip = (unsigned long)code + 3 + (forms[f].trap ? len : 0);
	if (trap_sig != forms[f].sig || trap_rip != want_rip || trap_rax != 1 || rax != 1) {
		char what[96];
		snprintf(what, sizeof what, "%02x %02x: signal %d at %#lx, rax %lu then %ld",
			 code[3], code[4], trap_sig, trap_rip - (unsigned long)code, trap_rax, rax);
		broken(what);
	}
}

/* popf sets TF: a SIGTRAP after each of the 7 instructions up to the popf that clears it. */
static void check_single_step(void)
{
	steps = 0;
	trap_resume = 0;
	catch_check_faults(1);
	__asm__ __volatile__("pushf\n\torq $0x100, (%%rsp)\n\tpopf\n\t"
			     "nop\n\tnop\n\tnop\n\tnop\n\t"
			     "pushf\n\tandq $~0x100, (%%rsp)\n\tpopf\n\t"
			     : : : "memory", "cc");
	catch_check_faults(0);
	if (steps != 7)
		broken("the trap flag did not step every instruction");
}

/* Many single-page mappings, each with its own contents, then gone again. */
static void check_many_maps(void)
{
	enum { N = 200 };
	static uint64_t *pages[N];
	unsigned made = 0;
	for (; made < N; made++) {
		pages[made] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				   -1, 0);
		if (pages[made] == MAP_FAILED)
			break; /* memory may be short under the storm */
		pages[made][0] = made;
	}
	for (unsigned i = 0; i < made; i++)
		if (pages[i][0] != i)
			broken("a page of many mappings lost its contents");
	for (unsigned i = 0; i < made; i++)
		munmap(pages[i], PAGE);
}

/* The kernel reads an untouched page (the zero frame) and writes another read that way: the
 * writes land in a private copy, and untouched memory still reads zero. */
static void check_zero_frame(void)
{
	unsigned char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	syscall(SYS_rt_sigaction, SIGURG, (long)p, 0, 8);       /* reads zeros: SIG_DFL */
	syscall(SYS_rt_sigaction, SIGURG, (long)(p + PAGE), 0, 8);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (long)(p + PAGE)); /* a write over it */
	for (unsigned long i = 0; i < PAGE; i++)
		if (p[i] || p[2 * PAGE + i])
			broken("untouched memory does not read zero");
	munmap(p, 3 * PAGE);
}

static void check_something(void)
{
	switch (below(5)) {
	case 0:
		check_code_write();
		break;
	case 1:
		check_fault_exact();
		break;
	case 2:
		check_single_step();
		break;
	case 3:
		check_many_maps();
		break;
	default:
		check_zero_frame();
	}
}

/* Makes random calls until budget is spent; never returns. */
static _Noreturn void worker(uint64_t seed, unsigned long budget)
{
	rng = seed | 1;
	first_brk = (uint64_t)(uintptr_t)sbrk(0);
	catch_signals();
	unsigned long pending = 0, made = 0;
	unsigned weights = total_weight();
	refresh_scratch();
	report(&pending, budget);
	while (budget) {
		if (++made % REFRESH_EVERY == 0) {
			forget_mappings();
			check_something();
			refresh_scratch();
		}
		unsigned pick = (unsigned)below(weights);
		unsigned i = 0;
		while (i < NCALLS && pick >= calls[i].weight)
			pick -= calls[i++].weight;
		long nr = i < NCALLS ? calls[i].nr : unknown_number();
		if (i < NCALLS && below(EXIT_ODDS) == 0)
			nr = below(2) ? SYS_exit : SYS_exit_group;
		const char *kinds = i < NCALLS ? calls[i].kinds : "xxxxxx";
		uint64_t a[6] = {0};
		for (int k = 0; kinds[k] && k < 6; k++)
			a[k] = arg(kind_of(kinds[k]));
		if (!spares_us(nr, a))
			continue;
		unsigned long half = budget / 2;
		if (nr == SYS_exit || nr == SYS_exit_group || nr == SYS_execve || nr == SYS_exec_image)
			report(&pending, budget - 1); /* these may not come back */
		long r = syscall(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4],
				 (long)a[5]);
		remember(nr, a, r);
		keep_sigcont(nr, a);
		budget--;
		pending++;
		if (nr == SYS_fork && r >= 0) {
			if (r == 0) { /* the child: half of what is left, its own sequence */
				rng ^= (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
				budget = half;
				pending = 0;
			} else {
				budget -= half;
			}
			report(&pending, budget);
		} else if (pending == REPORT_EVERY) {
			report(&pending, budget);
		}
	}
	report(&pending, 0);
	_exit(0);
}

/* Process 1's table of processes and the calls each has left. */
struct tracked {
	int pid;
	unsigned long remaining;
	unsigned long quiet; /* rounds of process 1's loop since its last report */
};
static struct tracked tracked[TRACKED];
static unsigned ntracked;

/* The entry of pid, made when missing (NULL if the table is full). */
static struct tracked *track(int pid)
{
	for (unsigned i = 0; i < ntracked; i++)
		if (tracked[i].pid == pid)
			return &tracked[i];
	if (ntracked == TRACKED)
		return NULL;
	tracked[ntracked] = (struct tracked){pid, 0, 0};
	return &tracked[ntracked++];
}

static void untrack(int pid)
{
	for (unsigned i = 0; i < ntracked; i++)
		if (tracked[i].pid == pid) {
			tracked[i] = tracked[--ntracked];
			return;
		}
}

/* Forgets the processes that are gone without coming to us (a worker reaped its child). */
static void prune(void)
{
	for (unsigned i = 0; i < ntracked;) {
		if (kill(tracked[i].pid, 0) == 0)
			i++;
		else
			tracked[i] = tracked[--ntracked];
	}
}

/* Kills the processes that have not reported for STALL_ROUNDS rounds (each round takes a
 * report or 2 ms): a worker reports every 256 calls and SIGCONT wakes it from any wait, so a
 * silent one is stuck. Returns how many. */
static unsigned long kill_stalled(void)
{
	unsigned long n = 0;
	for (unsigned i = 0; i < ntracked; i++)
		if (++tracked[i].quiet > STALL_ROUNDS) {
			dprintf(2, "storm: pid %d made no progress: killing it\n", tracked[i].pid);
			kill(tracked[i].pid, SIGKILL);
			tracked[i].quiet = 0;
			n++;
		}
	return n;
}

/* The calls the processes alive have yet to make, as they last reported. */
static unsigned long outstanding(void)
{
	unsigned long n = 0;
	for (unsigned i = 0; i < ntracked; i++)
		n += tracked[i].remaining;
	return n;
}

int main(int argc, char **argv)
{
	struct utsname u;
	if (uname(&u) != 0 || !strstr(u.version, "Eclipse") || getpid() != 1) {
		/* Natively its kill(-1, ...) would reach every process of the user. */
		dprintf(2, "storm: runs only as process 1 under eclipse-sim\n");
		return 2;
	}
	if (argc < 3) {
		dprintf(2, "usage: storm CALLS SEED [WORKERS]\n");
		return 2;
	}
	unsigned long total = strtoul(argv[1], NULL, 10), seed = strtoul(argv[2], NULL, 10);
	unsigned long workers = argc > 3 ? strtoul(argv[3], NULL, 10) : 4;
	unsigned long made = 0, exited = 0, killed = 0, started = 0, stalled = 0, broke = 0;
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	long long t0 = monotonic_ms(), last_cont = t0;
	int deadline = 0;
	for (;;) {
		/* Workers until the calls made and promised reach the total: a worker's calls die
		 * with it, so the storm makes at least CALLS in all. */
		prune();
		unsigned long promised = made + outstanding();
		while (!deadline && promised < total && ntracked < workers) {
			unsigned long share = (total - promised) / (workers - ntracked) + 1;
			share = share < CHUNK ? share : CHUNK;
			uint64_t worker_seed = next();
			pid_t pid = fork();
			if (pid == 0)
				worker(worker_seed, share);
			if (pid < 0)
				break;
			struct tracked *t = track(pid);
			if (t)
				t->remaining = share;
			promised += share;
			started++;
		}
		struct ipc_msg msg;
		pid_t from = ipc_receive(0, &msg, 2000000);
		if (from > 0) {
			struct report r;
			if (msg.type == BROKEN_TYPE && msg.len && msg.len <= sizeof msg.data) {
				msg.data[msg.len - 1] = 0;
				dprintf(2, "storm: pid %d: %s\n", from, (const char *)msg.data);
				broke++;
			} else if (msg.type == REPORT_TYPE && msg.len == sizeof r) {
				memcpy(&r, msg.data, sizeof r);
				struct tracked *t = track(from);
				made += r.calls;
				if (t) {
					t->remaining = r.remaining;
					t->quiet = 0;
				}
			}
			ipc_reply(from, &msg); /* a random ipc_call to us must not wait for ever */
		}
		int status;
		pid_t pid;
		while ((pid = wait4(-1, &status, WNOHANG, NULL)) > 0) {
			untrack(pid);
			if (WIFSIGNALED(status))
				killed++;
			else
				exited++;
		}
		if (pid < 0 && (made >= total || deadline))
			break;
		stalled += kill_stalled();
		long long now = monotonic_ms();
		if (now - last_cont >= CONT_EVERY_MS) {
			kill(-1, SIGCONT);
			last_cont = now;
		}
		if (!deadline && now - t0 > DEADLINE_MS) {
			dprintf(2, "storm: still running after %ld ms: killing everyone\n", DEADLINE_MS);
			kill(-1, SIGKILL);
			deadline = 1;
		}
	}
	printf("storm: %lu random calls by %lu workers and their children (%lu exited, %lu killed "
	       "by signals) in %lld ms of virtual time\n", made, started, exited, killed,
	       monotonic_ms() - t0);
	if (stalled)
		printf("storm: %lu processes made no progress and were killed\n", stalled);
	if (broke)
		printf("storm: %lu checks failed\n", broke);
	return deadline || stalled ? 3 : broke ? 4 : 0;
}

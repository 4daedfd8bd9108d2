/*
 * The syscall dispatcher against live processes, over the fake platform. Each input boots a
 * kernel, spawns a real guest program (the build's hello) as process 1 with known memory around
 * it, and a second process, the canary, that holds a secret page and runs only if a signal
 * wakes it. The input is a script of traps for the fake CPU: system calls with fuzzer-chosen
 * numbers (any number, the process-ending ones included) and arguments (wild pointers, pointers
 * into the caller's own structures, text, stack and guard pages, into the canary's secret, huge
 * sizes, negative descriptors, signal numbers, pids), page faults, exceptions and ticks. kernel_run
 * plays them through the real trap path (syscall_from_regs -> syscall_invoke), whichever process
 * the scheduler picks; when process 1 ends or everything blocks, the kernel is shut down,
 * checked and booted again for the rest of the script.
 *
 * Checked: no panic or sanitizer report; after every run each live process's regions are
 * sorted, page-aligned user ranges; unless the canary itself ran, its page is unchanged and its
 * secret is neither on the console nor in another process's memory; kernel_fini leaves every
 * frame free and no object or process behind.
 *
 * Input: u16 L, L bytes of console input (what read(0) returns), then up to OPS_MAX operations:
 *   op < 0xd0        syscall number NRS[op % count] (the dispatch table's numbers), 6 args
 *   0xd0..0xdf       syscall with the number in the next u16, 6 args
 *   0xe0..0xef       timer tick
 *   0xf0..0xf7       page fault: address arg, access byte (bit 7: access known)
 *   0xf8..0xff       exception: vector byte % 32, rip arg
 * An arg is a kind byte (low 4 bits), then its payload (see arg()). Integers are little-endian;
 * a short input reads as zeros. tests/fuzz/make_seeds.py writes seeds in this format.
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

#include "fake_plat.h"
#include "unit.h"

#define RAM (2u << 20)
#define MAX_PROCS 8 /* few: forks are cheap to ask for, and each costs a whole process */
#define OPS_MAX 256
#define REBOOTS_MAX 8
#define PG 4096ull

#define GOOD_VA 0x10000000ull /* process 1's structures, then an unmapped guard page */
#define GOOD_PAGES 4
#define GOOD_END (GOOD_VA + GOOD_PAGES * PG)
#define IMAGE_VA 0x20000000ull /* process 1's copy of its own program file, for exec_image */
#define CANARY_VA 0x30000000ull /* mapped only in the canary */
#define CANARY_LEN 64
#define SECRET_PROBE 16 /* bytes of the secret looked for elsewhere */

/* Offsets in the good region. */
enum {
	AT_HELLO = 0, /* "/bin/hello": in the boot image */
	AT_INIT = 32, /* "/sbin/init": in the boot image */
	AT_OTHER = 64, /* "/bin/other": a platform file, the same program */
	AT_SCRIPT = 96, /* "/bin/script": a platform file that is not ELF */
	AT_NAME = 128, /* "svc": an IPC service name */
	AT_CONF = 160, /* "/etc/services.conf": a boot-image file to open and read */
	AT_DIR = 192, /* "/bin": a directory */
	AT_ARGV = 256, /* {AT_HELLO, AT_NAME, NULL} */
	AT_TS_SHORT = 320, /* {0, 1000} */
	AT_TS_LONG = 336, /* {1, 0} */
	AT_IOV = 352, /* {AT_HELLO, 10}, {AT_INIT, 10} */
	AT_SIGACT = 384, /* a handler in the program's text, SA_RESTORER | SA_RESTART */
	AT_SIGIGN = 416, /* SIG_IGN */
	AT_SIGSET = 448, /* SIGUSR1 */
	AT_OUT = 512, /* room for a struct stat, utsname, timespec... */
	AT_MSG = 1024, /* an IPC message of 16 bytes */
	AT_REPLY = 2 * 4096, /* room for a whole IPC message */
	AT_BADMSG = 3 * 4096 + 4000, /* a message whose 4096 bytes run into the guard page */
};

static const unsigned known_offsets[] = {
	AT_HELLO, AT_INIT, AT_OTHER, AT_SCRIPT, AT_NAME, AT_CONF, AT_DIR, AT_ARGV, AT_TS_SHORT,
	AT_TS_LONG, AT_IOV, AT_SIGACT, AT_SIGIGN, AT_SIGSET, AT_OUT, AT_MSG, AT_REPLY, AT_BADMSG,
};

static unsigned char *program;
static size_t program_len;
static uint64_t text_va, entry;
static struct newc boot_image;
static const char not_elf[] = "#!/bin/sh\necho not an ELF\n";
static const char services_conf[] = "[svc]\nbinary = /bin/hello\n";
static unsigned char secret[CANARY_LEN];

static uint16_t nrs[SYS_NR_LINUX];
static unsigned nnrs;

/* What the first boot found: the same on every boot, the kernel being deterministic. */
static uint64_t stack_top, brk_start;

/* FUZZ_VERBOSE=1 in the environment: each run and its traced syscalls, for writing seeds. */
static bool verbose;

static struct thread *canary;
static int canary_pid;
static size_t runs_at_boot;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	program = fuzz_read_file(fuzz_guest_path(), &program_len);
	struct elf_info info;
	FUZZ_CHECK(elf_parse(program, program_len, &info) == ELF_OK, "%s is no guest program",
		   fuzz_guest_path());
	entry = info.entry;
	for (int i = 0; i < info.nsegments && !text_va; i++)
		if (info.segments[i].prot & PROT_EXEC)
			text_va = PAGE_DOWN(info.segments[i].vaddr);
	newc_entry(&boot_image, "sbin/init", program, program_len, 0100755);
	newc_entry(&boot_image, "bin", "", 0, 040755);
	newc_entry(&boot_image, "bin/hello", program, program_len, 0100755);
	newc_entry(&boot_image, "sbin/filesystem", program, program_len, 0100755);
	newc_entry(&boot_image, "etc/services.conf", services_conf, sizeof(services_conf) - 1,
		   0100644);
	newc_trailer(&boot_image);
	for (unsigned nr = 0; nr < SYS_NR_LINUX; nr++)
		if (syscall_lookup(nr))
			nrs[nnrs++] = (uint16_t)nr;
	for (unsigned i = 0; i < CANARY_LEN; i++)
		secret[i] = (unsigned char)(0x5a ^ (i * 37 + 11));
	memcpy(secret, "CANARY", 6);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

static void put(struct thread *q, uint64_t va, const void *src, size_t len)
{
	FUZZ_CHECK(copy_out(q->proc->mm, va, src, len) == 0, "setup copy_out at %#llx failed",
		   (unsigned long long)va);
}

/* Process 1's structures at GOOD_VA, each where known_offsets says. */
static void fill_good(struct thread *p)
{
	fuzz_setup_call(p, SYS_mmap, GOOD_VA, GOOD_PAGES * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	static const struct {
		unsigned at;
		const char *s;
	} strings[] = {
		{AT_HELLO, "/bin/hello"}, {AT_INIT, "/sbin/init"}, {AT_OTHER, "/bin/other"},
		{AT_SCRIPT, "/bin/script"}, {AT_NAME, "svc"}, {AT_CONF, "/etc/services.conf"},
		{AT_DIR, "/bin"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(strings); i++)
		put(p, GOOD_VA + strings[i].at, strings[i].s, strlen(strings[i].s) + 1);
	const uint64_t argv[3] = {GOOD_VA + AT_HELLO, GOOD_VA + AT_NAME, 0};
	put(p, GOOD_VA + AT_ARGV, argv, sizeof(argv));
	const struct linux_timespec ts[2] = {{0, 1000}, {1, 0}};
	put(p, GOOD_VA + AT_TS_SHORT, ts, sizeof(ts));
	const struct linux_iovec iov[2] = {{GOOD_VA + AT_HELLO, 10}, {GOOD_VA + AT_INIT, 10}};
	put(p, GOOD_VA + AT_IOV, iov, sizeof(iov));
	const struct linux_sigaction act[2] = {
		{entry, SA_RESTORER | SA_RESTART | SA_SIGINFO, entry, 0}, {SIG_IGN, 0, 0, 0}};
	put(p, GOOD_VA + AT_SIGACT, act, sizeof(act));
	const uint64_t set = 1ull << (SIGUSR1 - 1);
	put(p, GOOD_VA + AT_SIGSET, &set, sizeof(set));
	const struct {
		int sender;
		unsigned type, len, reserved;
		char data[16];
	} msg = {0, 7, 16, 0, "0123456789abcdef"};
	put(p, GOOD_VA + AT_MSG, &msg, sizeof(msg));
	const unsigned bad[4] = {0, 7, IPC_PAYLOAD_MAX, 0};
	put(p, GOOD_VA + AT_BADMSG, bad, sizeof(bad));

	fuzz_setup_call(p, SYS_mmap, IMAGE_VA, program_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	put(p, IMAGE_VA, program, program_len);
}

static void boot(void)
{
	FUZZ_CHECK(kernel_init(&(struct kernel_config){.max_procs = MAX_PROCS,
						      .trace = verbose ? TRACE_SYSCALL : 0}) == 0,
		   "kernel_init failed");
	static const char *const argv[] = {"/bin/hello", NULL}, *const envp[] = {"A=1", NULL};
	int elf_err;
	int pid = kernel_spawn("/bin/hello", program, program_len, argv, envp, &elf_err);
	FUZZ_CHECK(pid == 1, "spawning process 1 failed: %d (%s)", pid, elf_error_name(elf_err));
	struct thread *p = thread_find(pid);
	fill_good(p);
	stack_top = p->ctx.regs.rsp;
	brk_start = p->proc->mm->brk_start;

	canary_pid = kernel_spawn("/bin/canary", program, program_len, argv, envp, &elf_err);
	FUZZ_CHECK(canary_pid > 1, "spawning the canary failed: %d", canary_pid);
	canary = thread_find(canary_pid);
	fuzz_setup_call(canary, SYS_mmap, CANARY_VA, PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	put(canary, CANARY_VA, secret, sizeof(secret));
	/* It waits for nothing: only a signal makes it run. */
	wait_block(canary, WAIT_SIGNAL, WAIT_KEY(canary), UINT64_MAX, WAIT_INTR);
	runs_at_boot = fake_run_count();
	if (verbose)
		fprintf(stderr, "booted: %zu of %zu frames free\n", frame_free_count(), frame_total_count());
}

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint64_t next(struct reader *r, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes && r->left; i++, r->left--)
		v |= (uint64_t)*r->p++ << (8 * i);
	return v;
}

/* One argument: a kind byte, then what that kind reads. */
static uint64_t arg(struct reader *r)
{
	static const uint64_t specials[] = {
		KERNEL_HALF, USER_END, USER_END - 1, USER_END - PG, UINT64_MAX, USER_MIN, USER_MIN - 1,
		0x7fffffffull, 0x80000000ull, INT64_MAX, (uint64_t)INT64_MIN, IPC_FOREVER,
		64ull << 20, 0, PG, 0x7ffff000ull,
	};
	unsigned kind = (unsigned)next(r, 1) & 15;
	switch (kind) {
	case 0:
		return 0;
	case 1: /* small numbers: descriptors, signals, pids, flags */
		return next(r, 1);
	case 2: /* small negative numbers */
		return (uint64_t)-(int64_t)(next(r, 1) + 1);
	case 3: /* anywhere in the good region and past it */
		return GOOD_VA + next(r, 2);
	case 4: /* one of the prepared structures */
		return GOOD_VA + known_offsets[next(r, 1) % ARRAY_SIZE(known_offsets)];
	case 5: /* right before the guard page */
		return GOOD_END - next(r, 1);
	case 6: /* the canary's secret: mapped only in the canary */
		return CANARY_VA + next(r, 1) * 16;
	case 7: /* the program's own text: read-only */
		return text_va + next(r, 2);
	case 8: /* process 1's copy of its program file */
		return IMAGE_VA + next(r, 2);
	case 9: /* the stack, from its top down */
		return stack_top - next(r, 1) * 8;
	case 10:
		return specials[next(r, 1) % ARRAY_SIZE(specials)];
	case 11: { /* powers of two, their neighbours and negations */
		uint64_t b = next(r, 1), v = 1ull << (b & 63);
		return (b >> 6) == 0 ? v : (b >> 6) == 1 ? v - 1 : (b >> 6) == 2 ? v + 1 : -v;
	}
	case 12:
		return next(r, 4);
	case 13:
		return next(r, 8);
	case 14: /* the heap */
		return brk_start + (next(r, 2) << 4);
	default: /* pages around the good region */
		return GOOD_VA - 8 * PG + next(r, 1) * PG;
	}
}

/* Turns the operations into steps of the fake CPU's script. */
static void script(struct reader *r)
{
	for (unsigned ops = 0; r->left && ops < OPS_MAX; ops++) {
		unsigned op = (unsigned)next(r, 1);
		if (op < 0xe0) {
			uint64_t nr = op < 0xd0 ? nrs[op % nnrs] : next(r, 2);
			uint64_t a[6];
			for (int i = 0; i < 6; i++)
				a[i] = arg(r);
			fake_script_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		} else if (op < 0xf0) {
			fake_script_tick();
		} else if (op < 0xf8) {
			uint64_t addr = arg(r);
			unsigned access = (unsigned)next(r, 1);
			fake_script_fault(text_va, addr, access & (PF_PRESENT | PF_WRITE | PF_USER | PF_FETCH),
					  access & 0x80);
		} else {
			unsigned vector = (unsigned)next(r, 1) % 32;
			fake_script_exception(arg(r), vector);
		}
	}
}

/* The regions' AVL tree (kernel_core/mm.c): ordered by start within [lo, hi), balanced, its
 * heights and largest gaps right. Returns its height, or -1 when broken; counts its nodes. */
static int tree_height(const struct vma *t, uint64_t lo, uint64_t hi, size_t *nodes)
{
	if (!t)
		return 0;
	(*nodes)++;
	int l = tree_height(t->left, lo, t->start, nodes);
	int r = tree_height(t->right, t->start + 1, hi, nodes);
	uint64_t gap = t->start - (t->prev ? t->prev->end : USER_MIN);
	uint64_t lg = t->left ? t->left->max_gap : 0, rg = t->right ? t->right->max_gap : 0;
	uint64_t max_gap = gap > lg ? (gap > rg ? gap : rg) : (lg > rg ? lg : rg);
	int h = 1 + (l > r ? l : r);
	if (l < 0 || r < 0 || t->start < lo || t->start >= hi || l - r > 1 || r - l > 1 ||
	    t->height != h || t->max_gap != max_gap)
		return -1;
	return h;
}

static void check_regions(void)
{
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));) {
		if (q->state == PROC_ZOMBIE)
			continue;
		uint64_t end = USER_MIN;
		size_t listed = 0, nodes = 0;
		for (const struct vma *v = q->mm->vmas, *prev = NULL; v; prev = v, v = v->next, listed++)
			FUZZ_CHECK(v->prev == prev, "pid %d: region list links broken at %#llx", q->pid,
				   (unsigned long long)v->start);
		FUZZ_CHECK(tree_height(q->mm->tree, 0, UINT64_MAX, &nodes) >= 0 && nodes == listed,
			   "pid %d: region tree broken (%zu nodes, %zu regions)", q->pid, nodes, listed);
		for (const struct vma *v = q->mm->vmas; v; v = v->next) {
			FUZZ_CHECK(v->start >= end && v->start < v->end && v->end <= USER_END &&
					   !(v->start & PAGE_MASK) && !(v->end & PAGE_MASK),
				   "pid %d: region [%#llx, %#llx) after %#llx", q->pid,
				   (unsigned long long)v->start, (unsigned long long)v->end,
				   (unsigned long long)end);
			end = v->end;
		}
		FUZZ_CHECK(q->mm->brk >= q->mm->brk_start, "pid %d: break below its start", q->pid);
	}
}

static bool canary_ran(void)
{
	for (size_t i = runs_at_boot; i < fake_run_count(); i++)
		if (fake_run_entry(i)->root == canary->ctx.root)
			return true;
	return false;
}

static bool contains(const void *hay, size_t n, const void *needle, size_t m)
{
	return n >= m && memmem(hay, n, needle, m) != NULL;
}

static bool page_holds_secret(uint64_t va, uint64_t pa, unsigned flags, void *arg)
{
	(void)va;
	(void)flags;
	(void)arg;
	return contains(plat_phys(pa), PG, secret, SECRET_PROBE);
}

/* Does any page q has in memory hold the start of the canary's secret? */
static bool holds_secret(const struct proc *q)
{
	return vm_find_page(&q->mm->as, page_holds_secret, NULL);
}

static void check_canary(const void *console_in, size_t in_len)
{
	if (thread_find(canary_pid) != canary || canary_ran())
		return;
	unsigned char now[CANARY_LEN];
	FUZZ_CHECK(copy_in(canary->proc->mm, now, CANARY_VA, sizeof(now)) == 0, "the canary's page is gone");
	FUZZ_CHECK(!memcmp(now, secret, sizeof(now)), "another process wrote the canary's memory");
	/* The fuzzer may learn the secret from these very checks and type it in: then it is no
	 * leak to find it elsewhere. */
	if (contains(console_in, in_len, secret, SECRET_PROBE))
		return;
	for (int stream = 1; stream <= 2; stream++) {
		size_t len;
		const char *out = fake_console_output(stream, &len);
		FUZZ_CHECK(!contains(out, len, secret, SECRET_PROBE),
			   "the canary's secret reached the console (stream %d)", stream);
	}
	unsigned cursor = 0;
	for (struct proc *q; (q = proc_next(&cursor));)
		FUZZ_CHECK(q == canary->proc || q->state == PROC_ZOMBIE || !holds_secret(q),
			   "the canary's secret is in the memory of pid %d", q->pid);
}

static const char *console_out(void)
{
	return fake_console_output(1, NULL);
}

static const char *console_err(void)
{
	return fake_console_output(2, NULL);
}

struct input {
	const uint8_t *data;
	size_t size;
};

static void run(void *arg)
{
	const struct input *in = arg;
	struct reader r = {in->data, in->size};
	size_t in_len = (size_t)next(&r, 2);
	in_len = MIN(in_len, r.left);
	const uint8_t *console_in = r.p;
	fake_console_set_input(console_in, in_len);
	r.p += in_len;
	r.left -= in_len;
	boot();
	script(&r);
	for (int reboots = 0;; reboots++) {
		int status = kernel_run();
		if (verbose)
			fprintf(stderr, "boot %d: kernel_run %d after %zu runs, %zu steps left\n%s%s", reboots,
				status, fake_run_count(), fake_script_pending(), console_out(), console_err());
		check_regions();
		check_canary(console_in, in_len);
		if (!fake_script_pending() || reboots == REBOOTS_MAX)
			break;
		fuzz_fini_and_check();
		boot();
	}
	fuzz_fini_and_check();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exactly sized copy, so that reading one byte too far trips AddressSanitizer. */
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct input in = {copy, size};
	fake_plat_reset(RAM);
	fake_boot_image_set(boot_image.buf, boot_image.len);
	fake_file_add("/bin/other", program, program_len);
	fake_file_add("/bin/script", not_elf, sizeof(not_elf) - 1);
	fuzz_run_kernel(run, &in);
	free(copy);
	return 0;
}

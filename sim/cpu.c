/*
 * The CPU: one Unicorn engine with its own MMU walking the kernel's page tables, guests truly
 * at CPL 3 (entered once through iretq), syscalls through the syscall-instruction hook (the fast
 * ones handled right there), exceptions through the interrupt and invalid-instruction hooks,
 * time slices counted in executed blocks.
 */
#include "sim.h"

#include "insn.h"
#include "pci.h"
#include "symbols.h"

#include <kernel/core.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The platform's supervisor-only pages, in the shared kernel half of every address space. */
#define GDT_VA 0xffffff8000000000ull
#define TRAMPOLINE_VA (GDT_VA + 0x1000)
#define IRET_STACK_VA (GDT_VA + 0x2000)
#define PROBE_VA 0x10000ull
/*
 * uc_emu_start's "until" address. After every run Unicorn invalidates the translation at
 * until-1, which walks the page tables at CPL 3; for an unmapped address that raises a page
 * fault that is never delivered and stays "in flight", so the next exception becomes a double
 * fault (docs/unicorn.md section 5). Address 0 is skipped by that code, and page 0 is never mapped for a
 * guest, so a guest reaching it is a fetch fault at 0.
 */
#define UNTIL_ADDR 0ull

#define KERNEL_CS 0x08
#define KERNEL_SS 0x10
#define USER_SS 0x2b
#define USER_CS 0x33

#define CR0_PE 0x1ull
#define CR0_MP 0x2ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_WP 0x10000ull
#define CR0_PG 0x80000000ull
#define CR0_TS 0x8ull
#define CR0_BASE (CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG)
#define CR4_PAE 0x20ull
#define CR4_OSFXSR 0x200ull
#define CR4_OSXMMEXCPT 0x400ull
#define MSR_EFER 0xc0000080u
#define EFER_SCE 0x1ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull

#define VEC_DEBUG 1
#define VEC_PAGE_FAULT 14
#define VEC_INVALID_OPCODE 6
#define VEC_GENERAL_PROTECTION 13
#define VEC_DEVICE_NOT_AVAILABLE 7

#define WATCH_MAX 64      /* code hooks slow every translation by their number */
#define MMIO_WINDOWS 32   /* memory BARs mapped to the bus at once */
#define WATCH_PER_BLOCK 8 /* more in one block: the whole block is one watch */
#define WATCH_CACHE 256   /* watched addresses known to hold a plain instruction */

static struct {
	uc_engine *uc;
	uc_context *clean;       /* at CPL 3, no exception in flight (docs/unicorn.md 5) */
	uc_hook hooks[7];
	uint64_t quantum, slice_left, blocks;
	uint64_t runs;           /* plat_run_user calls: where the kernel's loop is (travel.h) */
	/* A run the debugger stopped inside a block: when this context goes on at mid_rip, the
	 * block's rest is not counted as a block (nor checked for the slice's end, nor for an
	 * interrupt), so that the count, and so the clock, is that of a run never stopped. */
	struct uctx *mid_uctx;
	uint64_t mid_rip;
	uint64_t syscall_rip;    /* the syscall instruction of the syscall being handled */
	const struct sim_run_observer *observer; /* the debugger, or NULL */
	uint64_t slice_rest;     /* blocks of the slice held back while slice_left counts to an event */
	bool in_run;             /* inside uc_emu_start */
	bool event_stop;         /* the run stopped because a device event is due */
	uint64_t mmio_gen;       /* the bus's memory BARs as last mapped */
	struct sim_mmio_window windows[MMIO_WINDOWS];
	size_t nwindows;
	uint64_t loaded_root;    /* CR3 in the CPU, 0 when unknown */
	struct uctx *fpu_owner;  /* whose x87/SSE state is live in the CPU */
	bool ts;                 /* CR0.TS set: the running thread is not the owner */
	struct uctx *last_run;
	struct uctx *cur;        /* the context the CPU runs (core_switch_direct changes it) */
	bool last_was_tick;
	unsigned ticks_unflushed, tick_flush_every; /* the TLB flush at slices' ends, backing off */
	struct watch { uint64_t first, last; uc_hook hook; } watches[WATCH_MAX];
	size_t nwatches;         /* code hooks over instructions the CPU must fault */
	struct watch unwatched[WATCH_PER_BLOCK]; /* in a block translated without them */
	size_t nunwatched;
	/*
	 * A watch is a code hook over an address of every address space: another process's
	 * ordinary code at the same address calls it too, each run of each instruction. The
	 * addresses where it found a plain instruction in an address space are kept, so that it
	 * returns at once there. They hold while no code was translated (new code at an address
	 * is translated before it runs), no page table changed and no other address space was
	 * loaded since (code_gen).
	 */
	struct { uint64_t addr, root, gen; } plain[WATCH_CACHE];
	uint64_t code_gen;
	uint64_t fault_rip;      /* where a watched instruction's trap leaves rip */
	uint64_t *stale;         /* frames whose translated code must be dropped */
	size_t nstale, stale_cap;
	uint64_t window_root;    /* an address space mapping all RAM at its physical address */
	bool trap_set;
	bool rerun;              /* the run stopped only so that the next one starts afresh */
	struct trap trap;
	bool debug_stop;         /* the run stopped for the debugger (breakpoint, step, watch) */
	bool interrupt;          /* an interrupt line fired: stop at the next block */
	bool forget_after_run;   /* drop every translation once the next run is over */
	uint64_t frames[3];      /* GDT, trampoline, iretq stack */
	size_t own_frames;       /* frames the platform keeps for itself */
} cpu;

static int gpr_ids[] = {
	UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI,
	UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_RSP, UC_X86_REG_R8,  UC_X86_REG_R9,
	UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
	UC_X86_REG_R15, UC_X86_REG_RIP, UC_X86_REG_RFLAGS, UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE,
};
#define NGPR ((int)(sizeof(gpr_ids) / sizeof(gpr_ids[0])))

/* FXSAVE layout offsets used for the x87/SSE state kept in struct uctx. */
#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4
#define FX_MXCSR 24
#define FX_ST0 32
#define FX_XMM0 160
#define NFPU (4 + 8 + 16)

void sim_uc_check(uc_err err, const char *what, const char *file, int line)
{
	if (err == UC_ERR_OK)
		return;
	fprintf(stderr, "eclipse-sim: internal error: %s failed: %s (%s:%d)\n", what, uc_strerror(err),
		file, line);
	abort();
}

uc_engine *sim_uc(void)
{
	return cpu.uc;
}

uint64_t sim_blocks(void)
{
	return cpu.blocks;
}

void sim_cpu_observe(const struct sim_run_observer *o)
{
	cpu.observer = o;
}

uint64_t sim_runs(void)
{
	return cpu.runs;
}

uint64_t sim_cpu_syscall_rip(void)
{
	return cpu.syscall_rip;
}

static void write_reg(int id, uint64_t v)
{
	UC_CHECK(uc_reg_write(cpu.uc, id, &v));
}

static uint64_t read_reg(int id)
{
	uint64_t v = 0;
	UC_CHECK(uc_reg_read(cpu.uc, id, &v));
	return v;
}

static void gprs_write(const struct regs *r)
{
	uint64_t vals[NGPR];
	void *ptrs[NGPR];
	memcpy(vals, r, sizeof(vals));
	for (int i = 0; i < NGPR; i++)
		ptrs[i] = &vals[i];
	UC_CHECK(uc_reg_write_batch(cpu.uc, gpr_ids, (void *const *)ptrs, NGPR));
}

static void gprs_read(struct regs *r)
{
	uint64_t vals[NGPR];
	void *ptrs[NGPR];
	for (int i = 0; i < NGPR; i++)
		ptrs[i] = &vals[i];
	UC_CHECK(uc_reg_read_batch(cpu.uc, gpr_ids, ptrs, NGPR));
	memcpy(r, vals, sizeof(vals));
}

_Static_assert(sizeof(struct regs) == NGPR * sizeof(uint64_t), "regs layout matches gpr_ids");

/* The x87/SSE registers and where each lives in the FXSAVE-format area. */
static void fpu_layout(uint8_t *area, int *ids, void **ptrs, uint64_t *scratch)
{
	ids[0] = UC_X86_REG_FPCW, ptrs[0] = &scratch[0];
	ids[1] = UC_X86_REG_FPSW, ptrs[1] = &scratch[1];
	ids[2] = UC_X86_REG_FPTAG, ptrs[2] = &scratch[2];
	ids[3] = UC_X86_REG_MXCSR, ptrs[3] = &scratch[3];
	for (int i = 0; i < 8; i++)
		ids[4 + i] = UC_X86_REG_FP0 + i, ptrs[4 + i] = area + FX_ST0 + 16 * i;
	for (int i = 0; i < 16; i++)
		ids[12 + i] = UC_X86_REG_XMM0 + i, ptrs[12 + i] = area + FX_XMM0 + 16 * i;
}

static void fpu_read(uint8_t *area)
{
	int ids[NFPU];
	void *ptrs[NFPU];
	uint64_t s[4] = {0};
	fpu_layout(area, ids, ptrs, s);
	UC_CHECK(uc_reg_read_batch(cpu.uc, ids, ptrs, NFPU));
	uint16_t fcw = (uint16_t)s[0], fsw = (uint16_t)s[1];
	uint8_t ftw = 0; /* abridged: bit i set when register i is not empty (tag != 3) */
	for (int i = 0; i < 8; i++)
		if (((s[2] >> (2 * i)) & 3) != 3)
			ftw |= (uint8_t)(1u << i);
	uint32_t mxcsr = (uint32_t)s[3];
	memcpy(area + FX_FCW, &fcw, 2);
	memcpy(area + FX_FSW, &fsw, 2);
	area[FX_FTW] = ftw;
	memcpy(area + FX_MXCSR, &mxcsr, 4);
}

static void fpu_write(const uint8_t *src)
{
	uint8_t area[512] __attribute__((aligned(16)));
	memcpy(area, src, sizeof(area));
	int ids[NFPU];
	void *ptrs[NFPU];
	uint64_t s[4] = {0};
	fpu_layout(area, ids, ptrs, s);
	uint16_t fcw, fsw;
	uint32_t mxcsr;
	memcpy(&fcw, area + FX_FCW, 2);
	memcpy(&fsw, area + FX_FSW, 2);
	memcpy(&mxcsr, area + FX_MXCSR, 4);
	uint64_t tag = 0;
	for (int i = 0; i < 8; i++)
		if (!(area[FX_FTW] & (1u << i)))
			tag |= 3ull << (2 * i);
	s[0] = fcw, s[1] = fsw, s[2] = tag, s[3] = mxcsr;
	UC_CHECK(uc_reg_write_batch(cpu.uc, ids, (void *const *)ptrs, NFPU));
}

void plat_uctx_save(struct uctx *u)
{
	if (cpu.fpu_owner == u)
		fpu_read(u->fpu);
}

void plat_uctx_discard(struct uctx *u)
{
	if (cpu.fpu_owner == u)
		cpu.fpu_owner = NULL;
	if (cpu.last_run == u)
		cpu.last_run = NULL;
	if (cpu.cur == u)
		cpu.cur = NULL;
	if (cpu.mid_uctx == u)
		cpu.mid_uctx = NULL;
}

static void recover_from_exception(void);
static void set_ts(bool ts);
static size_t read_code(uint64_t va, uint8_t *buf, size_t n);

static void set_trap(enum trap_kind kind, unsigned vector, uint64_t addr)
{
	cpu.trap = (struct trap){.kind = kind, .vector = vector, .fault_addr = addr};
	cpu.trap_set = true;
	uc_emu_stop(cpu.uc);
}

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	(void)uc, (void)size, (void)data;
	if (cpu.mid_uctx && cpu.mid_uctx == cpu.cur) { /* NULL but after a debugger's stop */
		cpu.mid_uctx = NULL;
		if (addr == cpu.mid_rip)
			return; /* the rest of the block the debugger stopped in */
	}
	/* An interrupt stops the run before this block, which runs when the thread next does. */
	if (cpu.interrupt) {
		cpu.interrupt = false;
		write_reg(UC_X86_REG_RIP, addr);
		set_trap(TRAP_NONE, 0, 0);
		return;
	}
	/* The slice is quantum blocks: the one after them is stopped before it runs (and is
	 * counted when it does, in the next slice). A slice always gets at least one block, so
	 * that every slice makes progress. A device event due earlier cuts the count short, the
	 * rest held in slice_rest: then the run stops for the event, and the slice goes on. */
	if (cpu.slice_left-- == 0) {
		/* Stopping here skips the block. Unicorn then puts rip back at the block only when
		 * no code hook exists (the debugger's breakpoints are code hooks): say it. */
		write_reg(UC_X86_REG_RIP, addr);
		if (cpu.slice_rest) {
			cpu.slice_left = cpu.slice_rest;
			cpu.slice_rest = 0;
			cpu.event_stop = true;
			set_trap(TRAP_NONE, 0, 0);
			return;
		}
		set_trap(TRAP_TICK, 0, 0);
		return;
	}
	cpu.blocks++;
}

void sim_cpu_interrupt(void)
{
	cpu.interrupt = true;
}

/* The slice's count stops at the block where the clock reaches when_ns, if that is sooner. */
static void cut_slice_for(uint64_t when_ns)
{
	uint64_t blocks = sim_clock_blocks_until(when_ns);
	if (blocks < cpu.slice_left) {
		cpu.slice_rest += cpu.slice_left - blocks;
		cpu.slice_left = blocks;
	}
}

void sim_cpu_event_scheduled(uint64_t when_ns)
{
	if (cpu.in_run) /* from a device register in an MMIO callback: stop in time for it */
		cut_slice_for(when_ns);
}

void sim_cpu_frame_written(uint64_t pa)
{
	if (core_frame_held_code(pa))
		plat_code_frame_written(pa & ~(uint64_t)PAGE_MASK);
}

void sim_cpu_debug_stop(void)
{
	cpu.debug_stop = true;
	set_trap(TRAP_TICK, 0, 0);
}

/* Loads u's address space into the CPU, unless it is there already. */
static void load_root(const struct uctx *u)
{
	if (cpu.loaded_root == u->root)
		return;
	write_reg(UC_X86_REG_CR3, u->root);
	cpu.loaded_root = u->root;
	cpu.code_gen++; /* on_watch's plain addresses were another address space's */
	cpu.ticks_unflushed = 0, cpu.tick_flush_every = 1; /* tick_flush starts over */
}

/* A new time slice starts (another thread than the last one, or after a tick). */
static void new_slice(void)
{
	cpu.slice_left = cpu.quantum;
	cpu.slice_rest = 0;
}

/*
 * The fast path of a switch: the syscall that just ran blocked the thread or gave the CPU
 * away, and the kernel names the next thread (core_switch_direct) when its loop would have
 * nothing else to do first. The CPU then takes the other thread's registers right in the hook
 * and goes on, instead of stopping, returning to the loop and starting again: what a run's end
 * and the next one's start do is done here in their place (run_once). Not with the debugger
 * or stack traces on, with stale code or watches to add, nor with an interrupt or a device
 * event due. False: stop as usual.
 */
static bool switch_direct(struct thread *t)
{
	if (cpu.observer || kernel_cfg.trace_stack || cpu.nstale || cpu.nunwatched ||
	    cpu.forget_after_run || cpu.interrupt || sim_irq_pending() ||
	    sim_pci_mmio_generation() != cpu.mmio_gen || sim_event_next() <= plat_clock_ns())
		return false;
	/* After the hook, Unicorn moves rip past the instruction: 2 bytes for a plain syscall
	 * (one with prefixes, which no compiler emits, goes the slow way). */
	static const uint8_t syscall_insn[2] = {0x0f, 0x05};
	uint8_t insn[2];
	uint64_t rip = read_reg(UC_X86_REG_RIP), len = sizeof(insn);
	if (read_code(rip, insn, len) != len || memcmp(insn, syscall_insn, len))
		return false;
	struct uctx *from = cpu.cur, *u = core_switch_direct(t);
	if (!u)
		return false;
	gprs_read(&from->regs);
	from->regs.rip = rip + len;
	/* plat_run_user's start for u (a thread other than the last one: a new slice). */
	cpu.cur = cpu.last_run = u;
	cpu.last_was_tick = false;
	new_slice();
	uint64_t next_event = sim_event_next();
	if (next_event != UINT64_MAX)
		cut_slice_for(next_event);
	load_root(u);
	set_ts(cpu.fpu_owner != u);
	struct regs r = u->regs;
	r.rip -= len; /* where Unicorn's move past the syscall takes it to u's rip */
	gprs_write(&r);
	cpu.fault_rip = 0;
	return true;
}

/*
 * Syscalls run right here when they can (the kernel says which): no stop, no context save.
 * One that blocks the thread, raises a signal for it or gives the CPU to another stops the run
 * with TRAP_NONE once it is done, so the kernel looks; the few that need the saved registers
 * go the trap path.
 */
static void on_syscall(uc_engine *uc, void *data)
{
	(void)data;
	uint64_t nr = read_reg(UC_X86_REG_RAX);
	struct thread *t = core_current();
	if (!t) {
		set_trap(TRAP_SYSCALL, 0, 0);
		return;
	}
	/* Reading registers is most of a fast syscall's cost: read only those it uses. */
	static int arg_ids[] = {UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX,
				UC_X86_REG_R10, UC_X86_REG_R8,  UC_X86_REG_R9};
	uint64_t args[6] = {0};
	void *ptrs[6] = {&args[0], &args[1], &args[2], &args[3], &args[4], &args[5]};
	unsigned nargs = syscall_nargs(nr);
	if (nargs)
		UC_CHECK(uc_reg_read_batch(uc, arg_ids, ptrs, (int)nargs));
	if (cpu.observer)
		cpu.syscall_rip = read_reg(UC_X86_REG_RIP);
	if (kernel_cfg.trace_stack) /* rip is still on the syscall instruction */
		symbols_note_syscall(t, read_reg(UC_X86_REG_RIP), read_reg(UC_X86_REG_RSP),
				     read_reg(UC_X86_REG_RBP));
	long ret = 0;
	enum fast_result r = syscall_fast(t, nr, args, &ret);
	if (r == FAST_SLOW) {
		set_trap(TRAP_SYSCALL, 0, 0);
		return;
	}
	if (r != FAST_BLOCKED)
		write_reg(UC_X86_REG_RAX, (uint64_t)ret);
	if (cpu.observer)
		cpu.observer->mappings_changed();
	if (r != FAST_DONE) {
		if (!switch_direct(t))
			set_trap(TRAP_NONE, 0, 0);
	} else if (cpu.nstale) { /* it wrote over code: the next run drops its translations first */
		cpu.rerun = true;
		uc_emu_stop(uc);
	}
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *data)
{
	(void)data;
	if (intno == VEC_PAGE_FAULT) {
		uint64_t cr2 = 0;
		UC_CHECK(uc_reg_read(uc, UC_X86_REG_CR2, &cr2));
		set_trap(TRAP_PAGE_FAULT, VEC_PAGE_FAULT, cr2);
	} else {
		set_trap(TRAP_EXCEPTION, intno, 0);
	}
}

/* Up to n bytes of user code at va in the running address space; how many could be read. */
static size_t read_code(uint64_t va, uint8_t *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		uint64_t pa;
		unsigned flags;
		if (core_translate_root(cpu.loaded_root, va + done, &pa, &flags) < 0 ||
		    !(flags & CORE_PAGE_USER))
			break;
		size_t off = (va + done) & PAGE_MASK, chunk = PAGE_SIZE - off;
		if (chunk > n - done)
			chunk = n - done;
		const uint8_t *src = sim_ram_ptr(pa + off, chunk);
		if (!src)
			break; /* a device's memory mapped there: never read for code */
		memcpy(buf + done, src, chunk);
		done += chunk;
	}
	return done;
}

static bool watched(uint64_t first, uint64_t last)
{
	for (size_t i = 0; i < cpu.nwatches; i++)
		if (cpu.watches[i].first <= first && last <= cpu.watches[i].last)
			return true;
	return false;
}

/*
 * Unicorn runs in/out at CPL 3 as if permitted, int $N as exception N, icebp as a debugger
 * stop and rdpmc as #UD, and its port hooks fire only after the block's earlier instructions
 * ran. The CPU faults before such an instruction does anything. So each block is read when it
 * is translated; one holding such an instruction outside a watch (a code hook over it) is not
 * run: the run stops, the watch is added, the block dropped, and its next translation calls
 * the watch before the instruction, which stops there with nothing else done. A block whose
 * decoding does not add up, or with many such instructions, is watched whole: each of its
 * instructions is then judged with its true size.
 */
static void on_translated(uc_engine *uc, uc_tb *tb, uc_tb *prev, void *data)
{
	(void)prev, (void)data;
	cpu.code_gen++; /* what on_watch knew of the code may be old now */
	if (!cpu.loaded_root || tb->pc >= USER_END)
		return; /* the platform's own code (boot, the iretq trampoline) */
	static uint8_t code[2 * PAGE_SIZE + INSN_MAX];
	/* A block can end inside its last instruction: one the translator stopped at because it
	 * faults (an SSE instruction while CR0.TS is set raises #NM). That one is read whole, so
	 * the block is judged by its true instructions rather than watched whole, which would
	 * slow the code that shares its addresses for as long as the watch stays. */
	size_t want_n = (size_t)tb->size + INSN_MAX;
	size_t n = read_code(tb->pc, code, want_n < sizeof(code) ? want_n : sizeof(code));
	size_t at = 0, count = 0, found = 0;
	struct watch want[WATCH_PER_BLOCK];
	while (at < tb->size && at < n) {
		size_t len = insn_length(code + at, n - at);
		if (!len)
			break;
		if (insn_kind(code + at, len) != INSN_OTHER && found++ < WATCH_PER_BLOCK)
			want[found - 1] = (struct watch){tb->pc + at, tb->pc + at + len - 1, 0};
		at += len;
		count++;
	}
	if (at < tb->size || count != tb->icount || found > WATCH_PER_BLOCK) {
		want[0] = (struct watch){tb->pc, tb->pc + tb->size - 1, 0};
		found = 1;
	}
	for (size_t i = 0; i < found && cpu.nunwatched < WATCH_PER_BLOCK; i++)
		if (!watched(want[i].first, want[i].last))
			cpu.unwatched[cpu.nunwatched++] = want[i];
	if (cpu.nunwatched) {
		cpu.rerun = true;
		uc_emu_stop(uc);
	}
}

/* May the running thread move size bytes at port (its process claimed the device)? */
static bool port_allowed(uint16_t port, unsigned size)
{
	struct thread *t = core_current();
	const struct plat_io_perm *io = t ? core_uctx(t)->io : NULL;
	for (unsigned i = 0; io && i < io->n; i++)
		if (port >= io->range[i].first &&
		    (unsigned)port + size <= (unsigned)io->range[i].first + io->range[i].count)
			return true;
	return false;
}

/* A port instruction that was allowed to run: the machine's ports answer (pci.c). */
static uint32_t on_port_in(uc_engine *uc, uint32_t port, int size, void *data)
{
	(void)uc, (void)data;
	return sim_port_in((uint16_t)port, (unsigned)size);
}

static void on_port_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *data)
{
	(void)uc, (void)data;
	sim_port_out((uint16_t)port, (unsigned)size, value);
}

/* A watched instruction is about to run. (The size Unicorn passes is not always set for an
 * instruction that ends its block: the bytes say it.) */
static void on_watch(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	(void)uc, (void)size, (void)data;
	size_t slot = (size_t)((addr ^ cpu.loaded_root >> 12) % WATCH_CACHE);
	if (cpu.plain[slot].gen == cpu.code_gen && cpu.plain[slot].addr == addr &&
	    cpu.plain[slot].root == cpu.loaded_root)
		return; /* a plain instruction, as the last time */
	uint8_t code[16];
	size_t n = read_code(addr, code, sizeof(code)), len = insn_length(code, n);
	enum insn_kind kind = insn_kind(code, len ? len : n);
	if (kind == INSN_OTHER) {
		cpu.plain[slot].addr = addr;
		cpu.plain[slot].root = cpu.loaded_root;
		cpu.plain[slot].gen = cpu.code_gen;
		return;
	}
	if (kind == INSN_PORT) {
		int port;
		unsigned size = insn_port_size(code, len ? len : n, &port);
		if (port < 0)
			port = (int)(read_reg(UC_X86_REG_RDX) & 0xffff);
		if (port_allowed((uint16_t)port, size))
			return; /* it runs: on_port_in and on_port_out do the access */
	}
	/* #DB from icebp is a trap (after it); the others fault at the instruction. */
	cpu.fault_rip = kind == INSN_ICEBP ? addr + len : addr;
	set_trap(TRAP_EXCEPTION, kind == INSN_ICEBP ? VEC_DEBUG : VEC_GENERAL_PROTECTION, 0);
}

/* After a run that found unwatched instructions: watch them, and drop the blocks that were
 * translated without the watch (through the process's own address space, still loaded). */
static void add_watches(void)
{
	bool forgot = cpu.nwatches + cpu.nunwatched > WATCH_MAX;
	if (forgot) {
		/* Many code hooks slow every translation: start over, with all code dropped (the
		 * blocks that need the old watches find them again). */
		for (size_t i = 0; i < cpu.nwatches; i++)
			sim_cpu_del_code_hook(cpu.watches[i].hook);
		cpu.nwatches = 0;
		sim_cpu_forget_code();
	}
	for (size_t i = 0; i < cpu.nunwatched; i++) {
		struct watch *w = &cpu.watches[cpu.nwatches++];
		*w = cpu.unwatched[i];
		UC_CHECK(uc_hook_add(cpu.uc, &w->hook, UC_HOOK_CODE, (void *)on_watch, NULL, w->first,
				     w->last));
		for (uint64_t page = PAGE_DOWN(w->first); !forgot && page <= w->last; page += PAGE_SIZE)
			UC_CHECK(uc_ctl_remove_cache(cpu.uc, page, page + PAGE_SIZE));
	}
	cpu.nunwatched = 0;
}

static bool on_invalid(uc_engine *uc, void *data)
{
	(void)uc, (void)data;
	cpu.trap = (struct trap){.kind = TRAP_EXCEPTION, .vector = VEC_INVALID_OPCODE};
	cpu.trap_set = true;
	return false;
}


/* A frame the platform keeps until the end (counted, for the leak check). */
static uint64_t own_frame(void)
{
	uint64_t pa = core_frame_alloc();
	cpu.own_frames += pa != 0;
	return pa;
}

size_t sim_cpu_own_frames(void)
{
	return cpu.own_frames;
}

/* Builds the GDT, the iretq trampoline and its stack; maps them supervisor-only. */
static int build_supervisor_pages(void)
{
	for (int i = 0; i < 3; i++)
		if (!(cpu.frames[i] = own_frame()))
			return -1;
	uint64_t *gdt = plat_phys(cpu.frames[0]);
	gdt[1] = 0x00af9a000000ffffull; /* 0x08 kernel code, 64-bit */
	gdt[2] = 0x00cf92000000ffffull; /* 0x10 kernel data */
	gdt[5] = 0x00cff2000000ffffull; /* 0x2b user data, DPL 3 */
	gdt[6] = 0x00affa000000ffffull; /* 0x33 user code, 64-bit, DPL 3 */
	uint8_t *tramp = plat_phys(cpu.frames[1]);
	tramp[0] = 0x48, tramp[1] = 0xcf; /* iretq */
	if (core_kernel_map(GDT_VA, cpu.frames[0], 0) ||
	    core_kernel_map(TRAMPOLINE_VA, cpu.frames[1], CORE_PAGE_EXEC) ||
	    core_kernel_map(IRET_STACK_VA, cpu.frames[2], CORE_PAGE_WRITE))
		return -1;
	return 0;
}

void plat_code_frame_freed(uint64_t pa)
{
	if (cpu.nstale && cpu.stale[cpu.nstale - 1] == pa)
		return; /* written again: once is enough */
	if (cpu.nstale == cpu.stale_cap) {
		size_t cap = cpu.stale_cap ? 2 * cpu.stale_cap : 64;
		uint64_t *grown = realloc(cpu.stale, cap * sizeof(*grown));
		if (!grown) {
			fprintf(stderr, "eclipse-sim: out of host memory\n");
			abort();
		}
		cpu.stale = grown;
		cpu.stale_cap = cap;
	}
	cpu.stale[cpu.nstale++] = pa;
}

/* The same as a freed frame: the translations go before the next run. A fast syscall writes
 * while the CPU is inside a run, which on_syscall then ends. */
void plat_code_frame_written(uint64_t pa)
{
	plat_code_frame_freed(pa);
}

/*
 * Unicorn keys translated code by physical page but does not see host writes to guest RAM, so
 * a recycled frame could run its old code. Its targeted invalidation takes a virtual address
 * and translates it through the current page tables at the current privilege (a flush of all
 * code would wipe the whole 1 GiB translation buffer with memset): so switch to the window,
 * an address space that maps every frame at its physical address, user-executable, and
 * invalidate there. The next run reloads the process's CR3.
 */
static void drop_stale_code(void)
{
	write_reg(UC_X86_REG_CR3, cpu.window_root);
	for (size_t i = 0; i < cpu.nstale; i++)
		UC_CHECK(uc_ctl_remove_cache(cpu.uc, cpu.stale[i], cpu.stale[i] + PAGE_SIZE));
	cpu.nstale = 0;
	cpu.loaded_root = 0;
}

/* Unicorn's invalidation of a range translates only its first address: through the window,
 * address 0 is physical 0, so this drops the translations of all RAM. */
void sim_cpu_forget_code(void)
{
	write_reg(UC_X86_REG_CR3, cpu.window_root);
	UC_CHECK(uc_ctl_remove_cache(cpu.uc, 0, sim_ram_top()));
	cpu.loaded_root = 0;
}

/*
 * A memory hook, even deleted, makes the next run translate every access through the slow
 * path (Unicorn drops it only when that run ends), so the translations go once it is over.
 */
void sim_cpu_forget_code_after_run(void)
{
	cpu.forget_after_run = true;
}

/*
 * Deleting a code hook invalidates the code it was translated into, through the current page
 * tables: the window maps most of those addresses, and a miss raises a page fault that Unicorn
 * catches but leaves in flight, so the clean context comes back afterwards.
 */
void sim_cpu_del_code_hook(uc_hook hook)
{
	write_reg(UC_X86_REG_CR3, cpu.window_root);
	UC_CHECK(uc_hook_del(cpu.uc, hook));
	recover_from_exception();
}

/* Builds the window: 2 MiB pages, so one page directory per GiB of physical addresses up to
 * the end of RAM (the PCI hole is mapped too, and never used). */
static int build_window(void)
{
	uint64_t gib = (sim_ram_top() + (1ull << 30) - 1) >> 30;
	if (gib > 512 || !(cpu.window_root = own_frame()))
		return -1;
	uint64_t pdpt = own_frame();
	if (!pdpt)
		return -1;
	((uint64_t *)plat_phys(cpu.window_root))[0] = pdpt | 7;
	for (uint64_t g = 0; g < gib; g++) {
		uint64_t pd = own_frame();
		if (!pd)
			return -1;
		((uint64_t *)plat_phys(pdpt))[g] = pd | 7;
		uint64_t *e = plat_phys(pd);
		for (unsigned i = 0; i < 512; i++)
			e[i] = ((g << 30) + ((uint64_t)i << 21)) | 0x87; /* present, writable, user, 2 MiB */
	}
	return 0;
}

static void enter_long_mode(void)
{
	write_reg(UC_X86_REG_CR3, core_kernel_root());
	write_reg(UC_X86_REG_CR4, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT);
	uc_x86_msr efer = {MSR_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE};
	UC_CHECK(uc_reg_write(cpu.uc, UC_X86_REG_MSR, &efer));
	write_reg(UC_X86_REG_CR0, CR0_BASE);
	uc_x86_mmr gdtr = {0, GDT_VA, 8 * 8 - 1, 0};
	UC_CHECK(uc_reg_write(cpu.uc, UC_X86_REG_GDTR, &gdtr));
	write_reg(UC_X86_REG_CS, KERNEL_CS);
	write_reg(UC_X86_REG_SS, KERNEL_SS);
}

/*
 * Drops to CPL 3 once: a throwaway address space maps one user page at PROBE_VA holding a
 * syscall instruction; the trampoline irets to it and the syscall hook stops emulation there.
 * The context saved then is the clean one every fault is recovered with.
 */
static int drop_to_user_mode(void)
{
	static const uint8_t code[] = {0x0f, 0x05}; /* syscall */
	uint64_t root = core_probe_new(PROBE_VA, code, sizeof(code));
	if (!root)
		return -1;
	write_reg(UC_X86_REG_CR3, root);
	uint64_t frame[5] = {PROBE_VA, USER_CS, 0x202, PROBE_VA + 0x800, USER_SS};
	memcpy((uint8_t *)plat_phys(cpu.frames[2]) + 4096 - sizeof(frame), frame, sizeof(frame));
	write_reg(UC_X86_REG_RSP, IRET_STACK_VA + 4096 - sizeof(frame));
	cpu.trap_set = false;
	cpu.slice_left = UINT64_MAX;
	uc_err err = uc_emu_start(cpu.uc, TRAMPOLINE_VA, UNTIL_ADDR, 0, 0);
	uint64_t cs = read_reg(UC_X86_REG_CS), rip = read_reg(UC_X86_REG_RIP);
	bool ok = !err && cpu.trap_set && cpu.trap.kind == TRAP_SYSCALL && (cs & 3) == 3 &&
		  rip == PROBE_VA + 2;
	if (ok) {
		UC_CHECK(uc_context_alloc(cpu.uc, &cpu.clean));
		UC_CHECK(uc_context_save(cpu.uc, cpu.clean));
	} else {
		fprintf(stderr, "eclipse-sim: could not enter user mode: %s (trap %d, cs %#llx, rip %#llx)\n",
			uc_strerror(err), cpu.trap_set ? (int)cpu.trap.kind : -1,
			(unsigned long long)cs, (unsigned long long)rip);
	}
	core_probe_free();
	cpu.loaded_root = 0;
	cpu.blocks = cpu.runs = 0;
	return ok ? 0 : -1;
}

int sim_cpu_open(const struct sim_options *opt)
{
	memset(&cpu, 0, sizeof(cpu));
	cpu.code_gen = 1; /* no plain address known */
	cpu.quantum = opt->quantum;
	cpu.tick_flush_every = 1;
	uc_err err = uc_open(UC_ARCH_X86, UC_MODE_64, &cpu.uc);
	if (err) {
		fprintf(stderr, "eclipse-sim: cannot start the CPU emulator: %s\n", uc_strerror(err));
		return -1;
	}
	/* Unicorn >= 2.1 walks the guest's page tables by default (UC_TLB_CPU); setting the mode
	 * explicitly would leak an allocation inside Unicorn. */
	UC_CHECK(uc_mem_map_ptr(cpu.uc, 0, sim_ram_low(), UC_PROT_ALL, sim_ram()));
	if (sim_ram_size() > sim_ram_low())
		UC_CHECK(uc_mem_map_ptr(cpu.uc, SIM_RAM_HIGH_BASE, sim_ram_size() - sim_ram_low(),
					UC_PROT_ALL, sim_ram() + sim_ram_low()));
	UC_CHECK(uc_hook_add(cpu.uc, &cpu.hooks[0], UC_HOOK_BLOCK, (void *)on_block, NULL, 1, 0));
	UC_CHECK(uc_hook_add(cpu.uc, &cpu.hooks[1], UC_HOOK_INSN, (void *)on_syscall, NULL, 1, 0,
			     UC_X86_INS_SYSCALL));
	UC_CHECK(uc_hook_add(cpu.uc, &cpu.hooks[2], UC_HOOK_INTR, (void *)on_interrupt, NULL, 1, 0));
	UC_CHECK(uc_hook_add(cpu.uc, &cpu.hooks[3], UC_HOOK_INSN_INVALID, (void *)on_invalid, NULL, 1,
			     0));
	UC_CHECK(uc_hook_add(cpu.uc, &cpu.hooks[4], UC_HOOK_EDGE_GENERATED, (void *)on_translated,
			     NULL, 1, 0));
	UC_CHECK(uc_hook_add(cpu.uc, &cpu.hooks[5], UC_HOOK_INSN, (void *)on_port_in, NULL, 1, 0,
			     UC_X86_INS_IN));
	UC_CHECK(uc_hook_add(cpu.uc, &cpu.hooks[6], UC_HOOK_INSN, (void *)on_port_out, NULL, 1, 0,
			     UC_X86_INS_OUT));
	return 0;
}

void sim_cpu_close(void)
{
	free(cpu.stale);
	if (cpu.clean)
		uc_context_free(cpu.clean);
	if (cpu.uc)
		uc_close(cpu.uc);
	cpu.uc = NULL;
	cpu.clean = NULL;
}

int plat_cpu_init(void)
{
	if (build_supervisor_pages() || build_window())
		return -ENOMEM;
	enter_long_mode();
	return drop_to_user_mode() ? -ENOMEM : 0;
}

void plat_tlb_flush(uint64_t root, uint64_t va)
{
	(void)va;
	cpu.code_gen++; /* what is mapped at an address may have changed */
	if (root == cpu.loaded_root)
		UC_CHECK(uc_ctl_flush_tlb(cpu.uc));
}

/* Back to the clean context after an exception, keeping the x87/SSE state in the CPU. */
static void recover_from_exception(void)
{
	if (cpu.fpu_owner)
		fpu_read(cpu.fpu_owner->fpu);
	UC_CHECK(uc_context_restore(cpu.uc, cpu.clean));
	cpu.fpu_owner = NULL;
	cpu.ts = false;
	cpu.loaded_root = 0;
}

/*
 * Lazy x87/SSE switching: moving the 28 registers costs about half a context switch, and most
 * threads between two switches never touch them. A thread that does not own the CPU's x87/SSE
 * state runs with CR0.TS set; its first x87 or SSE instruction raises #NM, and only then does
 * the state move (run_user handles that without the kernel).
 */
static void set_ts(bool ts)
{
	if (ts != cpu.ts)
		write_reg(UC_X86_REG_CR0, CR0_BASE | (ts ? CR0_TS : 0));
	cpu.ts = ts;
}

static void take_fpu(struct uctx *u)
{
	recover_from_exception(); /* saves the old owner's state */
	fpu_write(u->fpu);
	cpu.fpu_owner = u;
}

static void trap_from_error(uc_err err)
{
	switch (err) {
	case UC_ERR_INSN_INVALID:
		cpu.trap = (struct trap){.kind = TRAP_EXCEPTION, .vector = VEC_INVALID_OPCODE};
		break;
	default:
		/* Unmapped physical memory or an exception Unicorn could not deliver: to the guest
		 * this is a protection fault. */
		cpu.trap = (struct trap){.kind = TRAP_EXCEPTION, .vector = VEC_GENERAL_PROTECTION};
	}
}

/* A guest access to a memory BAR: Unicorn gives the offset in the window (user is its base).
 * The device finishes the access here; what it starts happens at a device event. */
static uint64_t on_mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	(void)uc;
	return sim_mmio_read((uint64_t)(uintptr_t)user + off, size);
}

static void on_mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *user)
{
	(void)uc;
	sim_mmio_write((uint64_t)(uintptr_t)user + off, size, value);
}

/*
 * Maps the bus's memory BARs as Unicorn MMIO regions (outside a run: unmapping inside one is
 * not safe). A BAR the guest moved somewhere Unicorn refuses (past its physical address
 * space) stays unmapped: accesses there fault, as to nothing.
 */
static void sync_mmio(void)
{
	for (size_t i = 0; i < cpu.nwindows; i++)
		UC_CHECK(uc_mem_unmap(cpu.uc, cpu.windows[i].base, cpu.windows[i].size));
	struct sim_mmio_window want[MMIO_WINDOWS];
	size_t n = sim_pci_mmio_windows(want, MMIO_WINDOWS);
	cpu.nwindows = 0;
	for (size_t i = 0; i < n && i < MMIO_WINDOWS; i++) {
		void *base = (void *)(uintptr_t)want[i].base;
		uc_err err = want[i].ram ? uc_mem_map_ptr(cpu.uc, want[i].base, want[i].size,
							  UC_PROT_READ | UC_PROT_WRITE, want[i].ram)
					 : uc_mmio_map(cpu.uc, want[i].base, want[i].size, on_mmio_read,
						       base, on_mmio_write, base);
		if (err == UC_ERR_OK)
			cpu.windows[cpu.nwindows++] = want[i];
	}
	cpu.mmio_gen = sim_pci_mmio_generation();
}

/* After a run that stopped for a device event: run what is due. True when an interrupt line
 * fired for the kernel (the trap stays TRAP_NONE), false when the thread just goes on. */
static bool after_event_stop(void)
{
	cpu.event_stop = false;
	sim_events_run(plat_clock_ns());
	return sim_irq_pending();
}

/* One run of u until a trap; false when it only stopped to come back (a #NM that asked for the
 * x87/SSE state, stale code to drop, a device event that interrupted nothing). */
static bool run_once(struct uctx *u)
{
	if (sim_pci_mmio_generation() != cpu.mmio_gen)
		sync_mmio();
	if (cpu.nstale)
		drop_stale_code();
	load_root(u);
	set_ts(cpu.fpu_owner != u);
	gprs_write(&u->regs);
	cpu.trap_set = false;
	cpu.rerun = false;
	cpu.fault_rip = 0;
	cpu.debug_stop = false;
	cpu.interrupt = sim_irq_pending();
	cpu.event_stop = false;
	if (cpu.slice_rest) {
		cpu.slice_left += cpu.slice_rest;
		cpu.slice_rest = 0;
	}
	uint64_t next_event = sim_event_next();
	if (next_event != UINT64_MAX)
		cut_slice_for(next_event);
	if (cpu.observer)
		cpu.observer->begin(u);
	cpu.in_run = true;
	uc_err err = uc_emu_start(cpu.uc, u->regs.rip, UNTIL_ADDR, 0, 0);
	cpu.in_run = false;
	u = cpu.cur; /* switch_direct may have moved the CPU on to other threads */
	gprs_read(&u->regs);
	if (cpu.forget_after_run) {
		cpu.forget_after_run = false;
		sim_cpu_forget_code();
	}
	if (cpu.nunwatched)
		add_watches();
	if (cpu.event_stop && !err && !after_event_stop())
		return false;
	if (cpu.rerun && !err && !cpu.trap_set)
		return false;
	if (cpu.fault_rip)
		u->regs.rip = cpu.fault_rip;
	if (err && !cpu.trap_set)
		trap_from_error(err);
	else if (!cpu.trap_set && u->regs.rip == UNTIL_ADDR)
		cpu.trap = (struct trap){.kind = TRAP_PAGE_FAULT, .vector = VEC_PAGE_FAULT,
					 .access = PF_USER | PF_FETCH, .access_known = true};
	else if (!cpu.trap_set)
		cpu.trap = (struct trap){.kind = TRAP_TICK};
	if (cpu.trap.kind == TRAP_EXCEPTION && cpu.trap.vector == VEC_DEVICE_NOT_AVAILABLE && cpu.ts) {
		take_fpu(u);
		return false;
	}
	if (cpu.trap.kind == TRAP_PAGE_FAULT || cpu.trap.kind == TRAP_EXCEPTION)
		recover_from_exception();
	return true;
}

/* Runs u until a trap the kernel handles; the observer may stop it on the way, or keep it. */
static void run_observed(struct uctx *u)
{
	for (;;) {
		if (!run_once(u))
			continue;
		bool stopped = cpu.debug_stop;
		if (stopped) {
			cpu.mid_uctx = u;
			cpu.mid_rip = u->regs.rip;
		}
		enum sim_run_verdict v = cpu.observer->after_run(u, &cpu.trap, stopped);
		if (v == SIM_RUN && stopped) {
			/* The run goes on where it stopped, in the same slice. */
			cpu.observer->resumes(u);
			continue;
		}
		if (v == SIM_HOLD || v == SIM_KILL)
			cpu.trap = (struct trap){.kind = v == SIM_KILL ? TRAP_STOP : TRAP_TICK};
		return; /* else the trap stands: the debugger only looked */
	}
}

/*
 * A slice's end flushes the TLB so that QEMU's soft TLB can grow to the working set (it
 * resizes only when flushed: docs/unicorn.md section 4). Each flush also costs the refill of
 * every page used next, about 0.2 ms for a 4 MiB working set, at every slice of a thread that
 * keeps the CPU. Once the table has had its chances to grow, flushing that often only costs: so
 * the flushes back off, 1, 2, 4 and 8 slices apart and then every 16th, and start over whenever
 * the address space changes (a CR3 write flushes anyway, and a new working set may need to
 * grow).
 */
#define TICK_FLUSH_EVERY_MAX 16
static void tick_flush(void)
{
	if (++cpu.ticks_unflushed < cpu.tick_flush_every)
		return;
	UC_CHECK(uc_ctl_flush_tlb(cpu.uc));
	cpu.ticks_unflushed = 0;
	if (cpu.tick_flush_every < TICK_FLUSH_EVERY_MAX)
		cpu.tick_flush_every *= 2;
}

void plat_run_user(struct uctx *u, struct trap *trap)
{
	cpu.runs++;
	if (cpu.observer) {
		enum sim_run_verdict v = cpu.observer->before_run(u);
		if (v != SIM_RUN) {
			/* Held by the debugger: the kernel goes on with the others. */
			*trap = (struct trap){.kind = v == SIM_KILL ? TRAP_STOP : TRAP_TICK};
			return;
		}
	}
	if (sim_event_next() != UINT64_MAX)
		sim_events_run(plat_clock_ns());
	if (u != cpu.last_run || cpu.last_was_tick)
		new_slice();
	cpu.last_run = cpu.cur = u;
	if (cpu.observer)
		run_observed(u);
	else
		while (!run_once(cpu.cur))
			;
	u = cpu.cur;
	if (cpu.trap.kind == TRAP_SYSCALL && kernel_cfg.trace_stack)
		symbols_note_syscall(core_current(), u->regs.rip - 2, u->regs.rsp, u->regs.rbp);
	if (cpu.trap.kind == TRAP_SYSCALL && cpu.observer)
		cpu.syscall_rip = u->regs.rip - 2;
	*trap = cpu.trap;
	cpu.last_was_tick = trap->kind == TRAP_TICK;
	if (cpu.last_was_tick)
		tick_flush();
}

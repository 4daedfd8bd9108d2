/*
 * The CPU: descriptor tables, the syscall MSRs, running a thread in ring 3 until it traps, the
 * TLB, the x87/SSE state, and what happens when the kernel itself faults.
 *
 * x87/SSE: the kernel never touches them (-mgeneral-regs-only), so the CPU keeps the state of
 * the thread that ran last; it is saved (fxsave) and the next one's loaded (fxrstor) only when
 * a different thread runs.
 */
#include "pc.h"

#include <kernel/core.h>
#include <kernel/klib.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u
/* What syscall clears in rflags: Linux's mask (CF PF AF ZF SF TF IF DF OF IOPL NT RF AC ID). */
#define SYSCALL_RFLAGS_MASK 0x257fd5ull
/* What user mode may hold in rflags (CF PF AF ZF SF TF DF OF AC ID); IF and bit 1 are forced. */
#define USER_RFLAGS 0x240dd5ull
#define RFLAGS_FIXED 0x202ull

#define VEC_DEBUG 1
#define VEC_INVALID_OPCODE 6
#define VEC_BREAKPOINT 3
#define VEC_DOUBLE_FAULT 8
#define VEC_GENERAL_PROTECTION 13
#define VEC_PAGE_FAULT 14
#define PF_ERROR_BITS (PF_PRESENT | PF_WRITE | PF_USER | PF_FETCH)

/* Timer ticks (1 ms each) in a time slice. */
#define SLICE_TICKS 4

#define FX_MXCSR 24
#define FX_MXCSR_MASK 28

_Static_assert(__builtin_offsetof(struct regs, rax) == PC_REG_RAX, "regs layout");
_Static_assert(__builtin_offsetof(struct regs, rcx) == PC_REG_RCX, "regs layout");
_Static_assert(__builtin_offsetof(struct regs, rsp) == PC_REG_RSP, "regs layout");
_Static_assert(__builtin_offsetof(struct regs, r11) == PC_REG_R11, "regs layout");
_Static_assert(__builtin_offsetof(struct regs, r15) == PC_REG_R15, "regs layout");
_Static_assert(__builtin_offsetof(struct regs, rip) == PC_REG_RIP, "regs layout");
_Static_assert(__builtin_offsetof(struct regs, rflags) == PC_REG_RFLAGS, "regs layout");

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
	/* A set bit denies its port to ring 3 (#GP); the ports of the running thread's claimed
	 * devices are clear. The byte after the map stays 0xff, as the CPU wants. */
	uint8_t iomap[65536 / 8 + 1];
} __attribute__((packed));

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t ist, type;
	uint16_t offset_mid;
	uint32_t offset_hi, reserved;
};

struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static uint64_t gdt[9] = {
	[1] = 0x00af9a000000ffffull, /* 0x08 kernel code, 64-bit */
	[2] = 0x00cf92000000ffffull, /* 0x10 kernel data */
	[5] = 0x00cff2000000ffffull, /* 0x2b user data */
	[6] = 0x00affa000000ffffull, /* 0x33 user code, 64-bit */
	/* [7], [8]: the TSS (0x38) */
};
static struct tss tss;
static struct idt_gate idt[256];
static uint8_t entry_stack[4096] __attribute__((aligned(16)));
static uint8_t double_fault_stack[8192] __attribute__((aligned(16)));

static struct {
	uint64_t kernel_root;    /* the kernel's own address space, once plat_cpu_init ran */
	uint64_t loaded_root;    /* CR3 */
	struct uctx *fpu_owner;  /* whose x87/SSE state the CPU holds, or NULL */
	struct uctx *last_run;
	bool last_was_tick;
	unsigned slice_left;
	uint32_t mxcsr_mask;
	uint64_t fs_base, gs_base; /* in the MSRs */
} cpu;

static void write_cr3(uint64_t root)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(root) : "memory");
	cpu.loaded_root = root;
}

static uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static void set_gate(unsigned v, uint64_t handler, unsigned dpl, unsigned ist)
{
	idt[v] = (struct idt_gate){
		.offset_lo = (uint16_t)handler,
		.selector = PC_KERNEL_CS,
		.ist = (uint8_t)ist,
		.type = (uint8_t)(0x8e | dpl << 5), /* present, 64-bit interrupt gate */
		.offset_mid = (uint16_t)(handler >> 16),
		.offset_hi = (uint32_t)(handler >> 32),
	};
}

static void load_tables(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	gdt[7] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 | (limit >> 16) << 48 |
		 ((base >> 24) & 0xff) << 56; /* present, available 64-bit TSS */
	gdt[8] = base >> 32;
	struct table_ptr gdtr = {sizeof(gdt) - 1, (uint64_t)gdt}, idtr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lgdt %0\n\t"
			 "lidt %1\n\t"
			 "pushq %2\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmov %3, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "mov %4, %%eax\n\t"
			 "ltr %%ax"
			 :
			 : "m"(gdtr), "m"(idtr), "i"(PC_KERNEL_CS), "i"(PC_KERNEL_SS), "i"(PC_TSS_SEL)
			 : "rax", "memory");
}

void pc_cpu_init(void)
{
	tss.rsp[0] = (uint64_t)(entry_stack + sizeof(entry_stack));
	tss.ist[0] = (uint64_t)(double_fault_stack + sizeof(double_fault_stack));
	tss.iomap_base = (uint16_t)__builtin_offsetof(struct tss, iomap);
	kmemset(tss.iomap, 0xff, sizeof(tss.iomap));
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, pc_vector_stubs[v], v == VEC_BREAKPOINT ? 3 : 0,
			 v == VEC_DOUBLE_FAULT ? 1 : 0);
	load_tables();
	wrmsr(MSR_STAR, (uint64_t)PC_KERNEL_CS << 32 | (uint64_t)(PC_USER_SS - 8) << 48);
	wrmsr(MSR_LSTAR, (uint64_t)pc_syscall_entry);
	wrmsr(MSR_FMASK, SYSCALL_RFLAGS_MASK);
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_GS_BASE, 0);

	/* Which MXCSR bits fxrstor accepts: user-supplied state (sigreturn) is trimmed to them. */
	static uint8_t probe[512] __attribute__((aligned(16)));
	__asm__ volatile("fninit\n\tfxsave %0" : "=m"(probe));
	kmemcpy(&cpu.mxcsr_mask, probe + FX_MXCSR_MASK, 4);
	if (!cpu.mxcsr_mask)
		cpu.mxcsr_mask = 0xffbf;
}

/* The kernel half of the boot page tables (direct map, kernel image) becomes the kernel's. */
int plat_cpu_init(void)
{
	extern uint64_t pc_boot_pml4[512];
	cpu.kernel_root = core_kernel_root();
	uint64_t *root = plat_phys(cpu.kernel_root);
	for (unsigned i = 256; i < 512; i++)
		root[i] = pc_boot_pml4[i];
	write_cr3(cpu.kernel_root);
	cpu.fpu_owner = cpu.last_run = NULL;
	return 0;
}

void plat_tlb_flush(uint64_t root, uint64_t va)
{
	if (root != cpu.loaded_root)
		return;
	if (va == ~0ull)
		write_cr3(cpu.kernel_root); /* root may be freed next: never keep running on it */
	else
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void plat_code_frame_freed(uint64_t pa)
{
	(void)pa; /* x86 keeps instruction fetch coherent with stores */
}

void plat_code_frame_written(uint64_t pa)
{
	(void)pa; /* the kernel's stores are the CPU's stores: fetches see them */
}

void plat_uctx_save(struct uctx *u)
{
	if (cpu.fpu_owner == u)
		__asm__ volatile("fxsave %0" : "=m"(u->fpu));
}

void plat_uctx_discard(struct uctx *u)
{
	if (cpu.fpu_owner == u)
		cpu.fpu_owner = NULL;
	if (cpu.last_run == u)
		cpu.last_run = NULL;
}

static void load_fpu(struct uctx *u)
{
	if (cpu.fpu_owner == u)
		return;
	if (cpu.fpu_owner)
		__asm__ volatile("fxsave %0" : "=m"(cpu.fpu_owner->fpu));
	uint32_t mxcsr;
	kmemcpy(&mxcsr, u->fpu + FX_MXCSR, 4);
	mxcsr &= cpu.mxcsr_mask; /* a reserved bit would make fxrstor fault in the kernel */
	kmemcpy(u->fpu + FX_MXCSR, &mxcsr, 4);
	__asm__ volatile("fxrstor %0" : : "m"(u->fpu));
	cpu.fpu_owner = u;
}

static bool canonical(uint64_t va)
{
	return va < USER_END || va >= KERNEL_HALF;
}

static void load_segment_bases(const struct regs *r)
{
	/* arch_prctl keeps them below USER_END; a non-canonical value would fault wrmsr. */
	uint64_t fs = canonical(r->fs_base) ? r->fs_base : 0, gs = canonical(r->gs_base) ? r->gs_base : 0;
	if (fs != cpu.fs_base)
		wrmsr(MSR_FS_BASE, cpu.fs_base = fs);
	if (gs != cpu.gs_base)
		wrmsr(MSR_GS_BASE, cpu.gs_base = gs);
}

/* The trap for what ended one run in ring 3 (vector from pc_enter_user), or false when the
 * thread should just go on (a timer tick inside its slice, a spurious interrupt). */
static bool classify(unsigned vector, struct trap *t)
{
	switch (vector) {
	case PC_VEC_SYSCALL:
		*t = (struct trap){.kind = TRAP_SYSCALL};
		return true;
	case PC_VEC_IRQ0:
		pc_timer_tick();
		pc_irq_done(vector);
		if (--cpu.slice_left)
			return false;
		*t = (struct trap){.kind = TRAP_TICK};
		return true;
	case PC_VEC_IRQ0 + 1 ... PC_VEC_IRQ15:
		if (!pc_irq_line(vector))
			return false;
		*t = (struct trap){.kind = TRAP_NONE}; /* the kernel takes it now */
		return true;
	case VEC_PAGE_FAULT:
		*t = (struct trap){.kind = TRAP_PAGE_FAULT, .vector = vector, .fault_addr = read_cr2(),
				   .access = (unsigned)pc_trap_error & PF_ERROR_BITS, .access_known = true};
		return true;
	default:
		*t = (struct trap){.kind = TRAP_EXCEPTION, .vector = vector};
		return true;
	}
}

/* Whether the user instruction at va starts with byte b (read through the page tables: a
 * missing page is no, never a kernel fault). */
static bool user_byte_is(const struct uctx *u, uint64_t va, uint8_t b)
{
	uint64_t pa;
	unsigned flags;
	return va < USER_END && core_translate_root(u->root, va, &pa, &flags) == 0 &&
	       (flags & CORE_PAGE_USER) &&
	       ((const uint8_t *)plat_phys(pa))[va & PAGE_MASK] == b;
}

/* Opens (deny false) or closes io's ports in the TSS's I/O bitmap. */
static void set_ports(const struct plat_io_perm *io, bool deny)
{
	for (unsigned i = 0; i < io->n; i++)
		for (uint32_t port = io->range[i].first;
		     port < (uint32_t)io->range[i].first + io->range[i].count && port < 65536; port++) {
			if (deny)
				tss.iomap[port / 8] |= (uint8_t)(1u << port % 8);
			else
				tss.iomap[port / 8] &= (uint8_t)~(1u << port % 8);
		}
}

/* The bitmap opens exactly u's ports (most threads have none: nothing changes then). */
static void load_ports(const struct uctx *u)
{
	static struct plat_io_perm shown; /* the ranges the bitmap opens now */
	unsigned n = u->io ? u->io->n : 0;
	if (n == shown.n && (!n || !kmemcmp(shown.range, u->io->range, n * sizeof(shown.range[0]))))
		return;
	set_ports(&shown, true);
	shown.n = 0;
	if (n) {
		shown = *u->io;
		set_ports(&shown, false);
	}
}

void plat_run_user(struct uctx *u, struct trap *trap)
{
	struct regs *r = &u->regs;
	load_ports(u);
	if (u != cpu.last_run || cpu.last_was_tick)
		cpu.slice_left = SLICE_TICKS;
	cpu.last_run = u;
	if (cpu.loaded_root != u->root)
		write_cr3(u->root);
	load_fpu(u);
	load_segment_bases(r);
	do {
		if (!canonical(r->rip)) { /* iretq would fault in the kernel; the CPU's answer is #GP */
			*trap = (struct trap){.kind = TRAP_EXCEPTION, .vector = VEC_GENERAL_PROTECTION};
			break;
		}
		r->rflags = (r->rflags & USER_RFLAGS) | RFLAGS_FIXED;
		bool by_sysret = r->rcx == r->rip && r->r11 == r->rflags && r->rip < USER_END;
		unsigned vector = pc_enter_user(r, by_sysret);
		if (classify(vector, trap))
			break;
	} while (true);
	/* QEMU reports icebp (0xf1) as #UD; the CPU raises #DB after it. */
	if (trap->kind == TRAP_EXCEPTION && trap->vector == VEC_INVALID_OPCODE &&
	    user_byte_is(u, r->rip, 0xf1)) {
		trap->vector = VEC_DEBUG;
		r->rip++;
	}
	/* Loading a segment register in ring 3 can change a base behind the kernel's back. */
	r->fs_base = cpu.fs_base = rdmsr(MSR_FS_BASE);
	r->gs_base = cpu.gs_base = rdmsr(MSR_GS_BASE);
	cpu.last_was_tick = trap->kind == TRAP_TICK;
}

static const char *vector_name(uint64_t v)
{
	static const char *const names[] = {
		"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
		"invalid opcode", "device not available", "double fault", "coprocessor overrun",
		"invalid TSS", "segment not present", "stack fault", "general protection",
		"page fault", "reserved", "x87 floating point", "alignment check", "machine check",
		"SIMD floating point"};
	return v < ARRAY_SIZE(names) ? names[v] : "interrupt";
}

/* A fault in the kernel is a broken kernel: dump the registers and stop the machine. */
static void kernel_fault(const struct pc_frame *f)
{
	kprintf(2, "eclipse-pc: kernel fault: vector %llu (%s), error code %#llx\n",
		(unsigned long long)f->vector, vector_name(f->vector), (unsigned long long)f->error);
	kprintf(2, "  rip %016llx  cs %04llx  rflags %016llx\n", (unsigned long long)f->rip,
		(unsigned long long)f->cs, (unsigned long long)f->rflags);
	kprintf(2, "  rsp %016llx  ss %04llx  cr2 %016llx  cr3 %016llx\n", (unsigned long long)f->rsp,
		(unsigned long long)f->ss, (unsigned long long)read_cr2(), (unsigned long long)read_cr3());
	const uint64_t v[] = {f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->r8,
			      f->r9,  f->r10, f->r11, f->r12, f->r13, f->r14, f->r15};
	static const char *const names[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
					    "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
	for (unsigned i = 0; i < ARRAY_SIZE(v); i++)
		kprintf(2, "  %-3s %016llx%s", names[i], (unsigned long long)v[i], i % 3 == 2 ? "\n" : "");
	kprintf(2, "eclipse-pc: halted\n");
	pc_exit(PC_EXIT_PANIC);
}

void pc_kernel_interrupt(struct pc_frame *f)
{
	switch (f->vector) {
	case PC_VEC_IRQ0:
		pc_timer_tick();
		pc_irq_done(PC_VEC_IRQ0);
		return;
	case PC_VEC_IRQ0 + 1 ... PC_VEC_IRQ15:
		pc_irq_line(f->vector);
		return;
	case VEC_DEBUG: /* single-stepping user code ran into syscall: the step trap lands here */
		return;
	default:
		kernel_fault(f);
	}
}

void pc_exit(unsigned code)
{
	/* QEMU's exit code keeps 7 bits of the status (below): the whole of it goes to the debug
	 * console port first, where scripts/run-metal.sh reads it (nothing listens there else). */
	outb(0xe9, (uint8_t)code);
	outl(0xf4, code); /* isa-debug-exit: QEMU exits with (code << 1) | 1 */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void plat_panic(const char *msg)
{
	kprintf(2, "eclipse-pc: kernel panic: %s\n", msg);
	pc_exit(PC_EXIT_PANIC);
}

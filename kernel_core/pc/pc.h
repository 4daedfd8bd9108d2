/* The pc platform's internals: the bare-metal machine behind plat.h, booted by multiboot. */
#ifndef PC_PC_H
#define PC_PC_H

#ifndef __ASSEMBLER__
#include <kernel/plat.h>
#include <kernel/types.h>
#endif

/* Kernel image at -2 GiB (what -mcmodel=kernel needs), all RAM below 4 GiB at the start of the
 * kernel half (boot.S builds both maps with 2 MiB pages). Shared with assembly: no suffixes. */
#define PC_KERNEL_VMA 0xffffffff80000000
#define PC_DIRECT_MAP 0xffff800000000000
#define PC_DIRECT_MAP_SIZE 0x100000000

/* GDT selectors; user ones are Linux's, and STAR's layout needs data right below code. */
#define PC_KERNEL_CS 0x08
#define PC_KERNEL_SS 0x10
#define PC_USER_SS 0x2b
#define PC_USER_CS 0x33
#define PC_TSS_SEL 0x38

/* Vectors: the PIC's IRQ 0-15 at 32-47; pc_enter_user returns PC_VEC_SYSCALL after syscall. */
#define PC_VEC_IRQ0 32
#define PC_VEC_SYSCALL 256
#define PC_VEC_IRQ15 47

/* The status a kernel panic ends the machine with: QEMU exits with 255 (pc_exit). */
#define PC_EXIT_PANIC 127

/* struct regs field offsets, for the assembly entry paths (checked in cpu.c). */
#define PC_REG_RAX 0
#define PC_REG_RBX 8
#define PC_REG_RCX 16
#define PC_REG_RDX 24
#define PC_REG_RSI 32
#define PC_REG_RDI 40
#define PC_REG_RBP 48
#define PC_REG_RSP 56
#define PC_REG_R8 64
#define PC_REG_R9 72
#define PC_REG_R10 80
#define PC_REG_R11 88
#define PC_REG_R12 96
#define PC_REG_R13 104
#define PC_REG_R14 112
#define PC_REG_R15 120
#define PC_REG_RIP 128
#define PC_REG_RFLAGS 136

#ifndef __ASSEMBLER__

/* What the kernel-mode interrupt path saved: general registers, then the CPU's frame. */
struct pc_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Port I/O and model-specific registers. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* multiboot.c: reads the loader's information before frames exist: the memory ranges, the boot
 * image, the command line (into cmdline). 0, -EINVAL (not multiboot) or -ENOMEM (no RAM). */
int pc_multiboot_init(uint32_t magic, uint32_t info_pa, char *cmdline, size_t size);

/* serial.c: COM1 at 115200 8N1; pc_serial_poll takes pending input (Ctrl-C is a stop request). */
void pc_serial_init(void);
void pc_serial_write(const char *s, size_t len);
void pc_serial_poll(void);
/* Input is waiting to be read. */
bool pc_serial_pending(void);

/* timer.c: the TSC clock calibrated by the PIT, the PIT's periodic tick, the RTC's date. */
void pc_timer_init(void);
/* One tick of the periodic timer arrived (the caller acknowledges the interrupt). */
void pc_timer_tick(void);
/* Acknowledges interrupt vector v at the interrupt controller. */
void pc_irq_done(unsigned v);
/* A device's interrupt at vector v (a PIC line above 0): masked and recorded for plat_irq_take,
 * ended; false when it was spurious. */
bool pc_irq_line(unsigned v);
/* Whether a line fired that the kernel has not taken. */
bool pc_irq_pending(void);

/* cpu.c: GDT, TSS, IDT, syscall MSRs; the kernel-mode interrupt and fault handler. */
void pc_cpu_init(void);
void pc_kernel_interrupt(struct pc_frame *f);
/* Ends the machine: writes code to the debug console port (0xe9), then QEMU exits through
 * isa-debug-exit with status (code << 1) | 1. */
void pc_exit(unsigned code) __attribute__((noreturn));

/* entry.S */
unsigned pc_enter_user(struct regs *r, int by_sysret);
void pc_syscall_entry(void);
extern uint64_t pc_trap_error;
extern const uint64_t pc_vector_stubs[256];

/* strerror.c: the text of error number err ("No such file or directory"); "Unknown error N" for
 * a number without one. */
char *strerror(int err);

#endif
#endif

/*
 * The seam between the kernel core and its machine. Implemented by sim/ (Unicorn), pc/ (bare
 * metal) and tests/ (a fake platform). The core reaches its machine through nothing else.
 */
#ifndef KERNEL_PLAT_H
#define KERNEL_PLAT_H

#include <kernel/types.h>

/* General registers of a user thread, in the order of Linux's struct user_regs_struct subset. */
struct regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, fs_base, gs_base;
};

/* I/O ports a thread may use from user mode: ranges of first and count. */
#define PLAT_IO_RANGES 24
struct plat_io_perm {
	unsigned n;
	struct {
		uint16_t first, count;
	} range[PLAT_IO_RANGES];
};

/* The whole user-visible CPU state of a thread: registers, FXSAVE-format x87/SSE state, root,
 * and the ports it may use (NULL: none; in and out from user mode fault with #GP). */
struct uctx {
	struct regs regs;
	uint8_t fpu[512] __attribute__((aligned(16)));
	uint64_t root; /* physical address of the PML4 */
	const struct plat_io_perm *io;
};

/* Page-fault access bits, as in the x86 error code. */
#define PF_PRESENT 0x1u
#define PF_WRITE 0x2u
#define PF_USER 0x4u
#define PF_FETCH 0x10u

enum trap_kind {
	TRAP_SYSCALL,    /* number and arguments in regs; rip is past the instruction */
	TRAP_PAGE_FAULT, /* fault_addr set; access set when access_known */
	TRAP_EXCEPTION,  /* another CPU exception: vector set; 6 is an invalid opcode */
	TRAP_TICK,       /* the time slice ended */
	TRAP_STOP,       /* the machine must stop at once */
	TRAP_NONE,       /* the platform ran the syscall itself (syscall_fast): nothing to handle,
			  * but the kernel looks at signals and whose turn it is */
};

struct trap {
	enum trap_kind kind;
	unsigned vector;
	uint64_t fault_addr;
	unsigned access;
	bool access_known;
};

struct plat_mem_range {
	uint64_t base, size;
};

/* Usable RAM ranges (page aligned, none containing physical page 0). Returns their count. */
size_t plat_mem_ranges(const struct plat_mem_range **ranges);
/* True once after the platform mapped its RAM afresh, all zero (the sim's anonymous mapping):
 * the frame allocator then hands out never-used frames without clearing them. */
bool plat_mem_take_zeroed(void);
/* Kernel pointer to physical address pa (direct map). */
void *plat_phys(uint64_t pa);
/* Physical address of a kernel pointer obtained from plat_phys. */
uint64_t plat_pa(const void *p);
/* Called once after the kernel address space exists: map what the platform needs there. */
int plat_cpu_init(void);
/* Run u in user mode until it traps; u->regs and u->fpu are current on return. */
void plat_run_user(struct uctx *u, struct trap *trap);
/* Make u->fpu current: the CPU may hold a newer copy of a thread's x87/SSE state. */
void plat_uctx_save(struct uctx *u);
/* u's state in memory is authoritative from now on (it was replaced, or u is going away). */
void plat_uctx_discard(struct uctx *u);
/* Frame pa, once mapped executable, was freed: code the CPU translated from it is stale. */
void plat_code_frame_freed(uint64_t pa);
/* The kernel wrote into frame pa, mapped executable since it was allocated: code the CPU
 * translated from it is stale before the next user instruction runs (the kernel may be inside
 * a system call the platform handles without leaving its run loop). */
void plat_code_frame_written(uint64_t pa);
/* The page tables of the address space rooted at root changed at va (or everywhere if ~0). */
void plat_tlb_flush(uint64_t root, uint64_t va);

/* Console: stream 1 is standard output, 2 standard error. Returns bytes written or -errno. */
long plat_console_write(int stream, const void *buf, size_t len);
/* True when a person types at the console (a terminal): the kernel runs a tty over it and
 * takes the input as it comes. Otherwise the input is a stream (a pipe, a file) the kernel
 * takes only when a guest reads it. */
bool plat_console_interactive(void);
/* The console's input that has come: up to len bytes, 0 when none has (it never waits), or
 * -errno once the input has ended for good (-EIO: the terminal went away; a stream's end). */
long plat_console_poll(void *buf, size_t len);
/* The console's size in characters: true with *rows, *cols when it is known and changed since
 * the last call (the first call: when it is known). */
bool plat_console_size(unsigned *rows, unsigned *cols);

/* Monotonic time since boot in nanoseconds. */
uint64_t plat_clock_ns(void);
/* Wall-clock time at boot, in nanoseconds since the Unix epoch. */
uint64_t plat_boot_epoch_ns(void);
/* Nothing can run before monotonic time deadline (UINT64_MAX: none): wait (or jump the clock)
 * until then; a stop request ends the wait early, and so does the console's input when the
 * kernel wants it (input: tty_console_wanted). */
void plat_idle_until(uint64_t deadline_ns, bool input);
/* Whether a device may still interrupt when nothing in the system acts again: a request in
 * flight, a network card whose wire brings frames when the outside world sends them. While so,
 * a system whose every process waits without a deadline is waiting for its devices, not stuck. */
bool plat_devices_pending(void);
/* How many times the user asked the machine to stop so far (Ctrl-C): the first asks PID 1 to
 * shut down, the next stops at once. */
unsigned plat_stop_requests(void);
/* A seed for the kernel's random numbers (fixed when the platform is deterministic). */
uint64_t plat_random_seed(void);

/* The program the machine is ("eclipse-sim", "eclipse-pc"): the kernel's messages start with it,
 * as everything else that program prints does. */
extern const char plat_name[];

/* A broken kernel invariant: report msg and stop the machine. */
void plat_panic(const char *msg) __attribute__((noreturn));

/* The platform's own file at path (the sim's --root directory), read whole into kernel memory:
 * 0 with *data, *len, *id (equal for the same unchanged file) and *mode (its permission bits),
 * or -ENOENT, -EACCES, -ENOMEM. */
int plat_file_open(const char *path, const void **data, size_t *len, uint64_t *id,
		   unsigned *mode);
/* Releases a file from plat_file_open. */
void plat_file_close(const void *data, size_t len);

/* PCI configuration space, as mechanism #1 of a PC reaches it through ports 0xCF8/0xCFC: the
 * 32-bit register at off (a multiple of 4, below 256) of function bus:dev.fn. A function that
 * is not there reads all ones and ignores writes. */
uint32_t plat_pci_read(unsigned bus, unsigned dev, unsigned fn, unsigned off);
/* Whether the machine has a PC keyboard controller (an i8042 at ports 0x60 and 0x64). */
bool plat_has_i8042(void);
void plat_pci_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t value);

/*
 * Interrupt lines 0-15 of the machine's interrupt controller (the two 8259s of a PC; the PCI
 * functions' INTx lines as routed, pci_info.irq_line; line 0 is the timer's and never given).
 * Lines are level-triggered and start masked. A line that is asserted while unmasked is masked
 * by the platform and reported once by plat_irq_take; the kernel unmasks it once every driver
 * on it has handled its device. An interrupt ends a run in user mode (TRAP_NONE) and an idle
 * wait early, so that the kernel takes it at once.
 */
/* The lines that fired since the last call, bit n for line n; each is masked now. */
uint32_t plat_irq_take(void);
/* Line may interrupt again (at once, when its device still asserts it). */
void plat_irq_unmask(unsigned line);
/* Line may not interrupt (no driver waits for it). */
void plat_irq_mask(unsigned line);

/* The boot image (a cpio archive), or NULL with *len 0 when there is none. */
const void *plat_boot_image(size_t *len);

#endif

/*
 * The fake platform of the unit tests (Tilck-style): every function of <kernel/plat.h> over a
 * page-aligned host buffer of RAM, a captured console, a settable clock and a CPU that replays
 * traps a test scripted. Tests inspect what the kernel asked of its machine through it.
 */
#ifndef FAKE_PLAT_H
#define FAKE_PLAT_H

#include <kernel/plat.h>

/* RAM is physical [0, ram_bytes); the one usable range starts at RAM_BASE (page 0 never is). */
#define FAKE_RAM_BASE 4096ull
/* Fresh RAM is filled with this byte, so memory the kernel forgot to clear stands out. */
#define FAKE_RAM_POISON 0xa5

/* What the kernel asked of the machine since the last reset. */
struct fake_counters {
	unsigned code_frames_freed; /* plat_code_frame_freed calls */
	uint64_t last_code_frame_freed;
	unsigned code_frames_written; /* plat_code_frame_written calls */
	uint64_t last_code_frame_written;
	unsigned tlb_flushes; /* plat_tlb_flush calls */
	uint64_t last_flush_root, last_flush_va;
	unsigned uctx_saves, uctx_discards;
	unsigned idle_calls; /* plat_idle_until calls */
	uint64_t last_idle_deadline;
	unsigned cpu_inits;
	unsigned panics;
	unsigned file_opens, file_closes; /* successful plat_file_open, and plat_file_close */
};

extern struct fake_counters fake_counts;

/* The registers and clock as one plat_run_user call found them (what the kernel left there). */
struct fake_entry {
	uint64_t root; /* which address space (so which process) was run */
	struct regs regs;
	uint64_t clock_ns;
	bool restarted; /* the kernel had put rip back onto the syscall: the CPU ran it again */
};

/* Frees any previous machine and builds one with ram_bytes (a page multiple) of poisoned RAM. */
void fake_plat_reset(size_t ram_bytes);
/* Frees the machine's RAM and buffers (test teardown). */
void fake_plat_release(void);
/* The host address of physical address 0, and the RAM size. */
unsigned char *fake_ram(void);
size_t fake_ram_size(void);

/* Everything written to console stream (1 or 2) so far, NUL-terminated; *len if not NULL. */
const char *fake_console_output(int stream, size_t *len);
/* Forgets the captured output of both streams. */
void fake_console_clear(void);
/* The console's input, which plat_console_poll gives at once (a stream's then ends). */
void fake_console_set_input(const void *buf, size_t len);
/* The console is interactive (a terminal of rows x cols, 0 for unknown): the kernel runs its
 * tty over it, and plat_console_poll gives the input at once. */
void fake_console_set_interactive(bool on, unsigned rows, unsigned cols);
/* plat_console_write fails with err (a negative errno) from now on; 0 restores it. */
void fake_console_fail(long err);

/* Sets the monotonic clock and the wall-clock time at boot. */
void fake_clock_set(uint64_t ns);
void fake_epoch_set(uint64_t ns);

/* What plat_boot_image returns (the buffer stays the test's). */
void fake_boot_image_set(const void *image, size_t len);

/* A PCI function for plat_pci_read/plat_pci_write: its 64 configuration registers as found,
 * and per BAR the size it decodes (0 none; a 64-bit BAR's size goes in its first register's
 * slot). Writes keep a BAR's size alignment and type bits, and the command register's low
 * half; other registers are read-only. Functions go away with fake_plat_reset. */
void fake_pci_add(unsigned bus, unsigned dev, unsigned fn, const uint32_t config[64],
		  const uint64_t bar_size[6]);
/* The function's registers now (to see what the kernel left in them). */
const uint32_t *fake_pci_config(unsigned bus, unsigned dev, unsigned fn);
/* Interrupt line fires, as a device asserting it would: reported by plat_irq_take when unmasked. */
void fake_irq_fire(unsigned line);
bool fake_irq_masked(unsigned line);

/* Adds a platform file (what the sim finds under --root) that plat_file_open will find. */
void fake_file_add(const char *path, const void *data, size_t len);

/*
 * Script of the CPU: each plat_run_user call performs the next step, then TRAP_STOP forever.
 * A scripted syscall is a 2-byte instruction at rip: rip moves past it. When the kernel puts
 * rip back onto it (a restarted syscall), the CPU executes it again without using a step.
 */
void fake_script_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			 uint64_t a4, uint64_t a5);
/* A page fault at addr with instruction pointer rip (access known when known is set). */
void fake_script_fault(uint64_t rip, uint64_t addr, unsigned access, bool known);
/* Another CPU exception with vector at rip. */
void fake_script_exception(uint64_t rip, unsigned vector);
/* The time slice ends. */
void fake_script_tick(void);
/* Steps scripted and not yet run. */
size_t fake_script_pending(void);

/* Number of plat_run_user calls so far, and what call i found. */
size_t fake_run_count(void);
const struct fake_entry *fake_run_entry(size_t i);

/* Runs fn(arg) expecting a kernel panic: true (and *msg, if not NULL, its text) if it panicked. */
bool fake_expect_panic(void (*fn)(void *arg), void *arg, const char **msg);

#endif

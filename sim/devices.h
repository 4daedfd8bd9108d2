/*
 * The simulated machine as its device models see it, without the CPU: guest RAM by physical
 * address (ram.c), device events on the virtual clock (events.c), interrupt lines (irq.c), and
 * the few things the CPU (cpu.c) does for them. The device models, the bus and these files
 * build without Unicorn, so that a host test and a fuzz target can drive them through
 * sim_port_* and sim_mmio_* with a fake CPU (tests/sim/devices_test.c, tests/fuzz/fuzz_virtio.c).
 */
#ifndef SIM_DEVICES_H
#define SIM_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Guest RAM (ram.c): one host buffer, placed in the guest's physical address space as QEMU's
 * pc machine places it: all of it from 0 when it fits below the PCI hole, else the first 3 GiB
 * from 0 and the rest from 4 GiB, so that RAM and the BARs firmware puts under 4 GiB never
 * meet. Guard pages around the buffer turn any stray access into a crash, never into a read
 * of other host memory.
 */
#define SIM_RAM_LOW_MAX 0xe0000000ull   /* more RAM than this is split around the hole */
#define SIM_RAM_LOW_SPLIT 0xc0000000ull /* where the low part ends then */
#define SIM_RAM_HIGH_BASE 0x100000000ull

/* Maps size bytes (a multiple of 4 KiB) of zeroed RAM: 0 or -errno. */
int sim_ram_init(uint64_t size);
void sim_ram_fini(void);
/* The host buffer and its size, the bytes below the hole, and the end of the highest range. */
uint8_t *sim_ram(void);
uint64_t sim_ram_size(void);
uint64_t sim_ram_low(void);
uint64_t sim_ram_top(void);
/* Host pointer to len bytes of RAM at physical pa, all in one range; NULL when any byte is
 * not RAM (the PCI hole, a BAR, past the end). */
void *sim_ram_ptr(uint64_t pa, uint64_t len);

/*
 * Device events (events.c): fn(arg) runs once the virtual clock (plat_clock_ns) reaches
 * when_ns, between runs of the CPU, in the order of their times (the order they were scheduled
 * in for equal times). A run of the CPU stops at the block where the clock reaches the next
 * event; an idle machine jumps to it.
 */
typedef void (*sim_event_fn)(void *arg);
/* Schedules an event: a handle for sim_event_cancel (never 0), or 0 when out of host memory. */
uint64_t sim_event_at(uint64_t when_ns, sim_event_fn fn, void *arg);
/* Cancels an event not run yet (0 or an event that ran: nothing). */
void sim_event_cancel(uint64_t handle);
/* When the next event is due: UINT64_MAX when none is. */
uint64_t sim_event_next(void);
/* Runs every event due at now_ns, those they schedule for then too: how many ran. */
unsigned sim_events_run(uint64_t now_ns);
/* Drops every event (machine reset). */
void sim_events_reset(void);

/* The interrupt controller (irq.c): a device model asserts (level true) or deasserts line 1-15.
 * sim_irq_set is an ISA device's, which owns its line; sim_irq_pci a PCI function's INTx, on a
 * line others may share: each assert is matched by one deassert, and the line stays high while
 * any function holds it. */
void sim_irq_set(unsigned line, bool level);
void sim_irq_pci(unsigned line, bool level);
/* Whether a line fired that the kernel has not taken yet (an idle wait ends). */
bool sim_irq_pending(void);
/* Whether line is asserted now (tests). */
bool sim_irq_level(unsigned line);
/* Every line deasserted and masked (boot). */
void sim_irq_reset(void);

/* The device trace (eclipse-sim --trace=dev): a device model's printf-formatted line, handed to
 * sim_dev_trace_line when the machine set it (else dropped). */
extern void (*sim_dev_trace_line)(const char *line);
void sim_dev_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define SIM_DEV_TRACING() (sim_dev_trace_line != NULL)

/* What the CPU does for the devices (cpu.c; a test's fake CPU otherwise). */
/* An interrupt line fired: a run in progress ends at the next block with TRAP_NONE. */
void sim_cpu_interrupt(void);
/* An event was scheduled: a run in progress must stop by its time. */
void sim_cpu_event_scheduled(uint64_t when_ns);
/* A device wrote into the RAM frame at pa: translated code from it must go before the next
 * instruction runs. */
void sim_cpu_frame_written(uint64_t pa);

#endif

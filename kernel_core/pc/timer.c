/*
 * Time: the PIT's channel 0 interrupts every millisecond through the 8259 PIC (time slices,
 * and waking the idle loop); the clock is the TSC, whose rate channel 2 measures at boot; the
 * wall clock at boot comes from the CMOS real-time clock. Real time, unlike eclipse-sim's
 * virtual clock: tests/pc/README.md says what that changes.
 */
#include "pc.h"

#include <kernel/klib.h>

#define PIC1 0x20
#define PIC2 0xa0
#define PIC_EOI 0x20
#define PIT_HZ 1193182ull
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61
#define TICK_HZ 1000
#define CALIBRATE_MS 10
#define CALIBRATE_RUNS 3
#define CMOS_ADDR 0x70
#define CMOS_DATA 0x71
#define NS 1000000000ull

static struct {
	uint64_t tsc0;        /* the TSC when the clock started */
	uint64_t ns_per_tsc;  /* nanoseconds per TSC tick, 32.32 fixed point */
	uint64_t epoch_ns;    /* wall clock at boot */
} clk;

static void pic_init(void)
{
	outb(PIC1, 0x11); /* ICW1: edge triggered, cascade, ICW4 follows */
	outb(PIC2, 0x11);
	outb(PIC1 + 1, PC_VEC_IRQ0); /* ICW2: vectors 32-39 and 40-47 */
	outb(PIC2 + 1, PC_VEC_IRQ0 + 8);
	outb(PIC1 + 1, 0x04); /* ICW3: the slave on IRQ 2 */
	outb(PIC2 + 1, 0x02);
	outb(PIC1 + 1, 0x01); /* ICW4: 8086 mode */
	outb(PIC2 + 1, 0x01);
	outb(PIC1 + 1, 0xfe); /* only IRQ 0, the PIT */
	outb(PIC2 + 1, 0xff);
}

void pc_irq_done(unsigned v)
{
	if (v >= PC_VEC_IRQ0 + 8)
		outb(PIC2, PIC_EOI);
	outb(PIC1, PIC_EOI);
}

/*
 * Device interrupts (plat.h): lines 1-15 of the PICs, masked until the kernel unmasks one for
 * a driver. A line that fires is masked again before its end of interrupt, so a level-triggered
 * line (the PCI lines, which the ELCR sets to level) does not fire again until the driver has
 * quieted its device and the kernel unmasks it.
 */
#define ELCR 0x4d0
static uint16_t irq_mask = 0xffff & ~0x0001u, irq_fired;

static void write_masks(void)
{
	/* The slave's lines reach the CPU through line 2 of the master. */
	uint16_t m = irq_mask;
	if ((m & 0xff00) != 0xff00)
		m &= (uint16_t)~0x0004u;
	outb(PIC1 + 1, (uint8_t)m);
	outb(PIC2 + 1, (uint8_t)(m >> 8));
}

bool pc_irq_line(unsigned v)
{
	unsigned line = v - PC_VEC_IRQ0;
	if (line == 7 || line == 15) { /* spurious unless the PIC has it in service */
		outb(line == 7 ? PIC1 : PIC2, 0x0b);
		if (!(inb(line == 7 ? PIC1 : PIC2) & 0x80)) {
			if (line == 15)
				outb(PIC1, PIC_EOI);
			return false;
		}
	}
	irq_mask |= (uint16_t)(1u << line);
	irq_fired |= (uint16_t)(1u << line);
	write_masks();
	pc_irq_done(v);
	return true;
}

bool pc_irq_pending(void)
{
	return irq_fired != 0;
}

/* QEMU's devices are out of sight: a line a driver waits on may fire whenever its device wants. */
bool plat_devices_pending(void)
{
	return irq_fired || (irq_mask | 0x0005u) != 0xffff;
}

uint32_t plat_irq_take(void)
{
	uint32_t fired = irq_fired;
	irq_fired = 0;
	return fired;
}

void plat_irq_unmask(unsigned line)
{
	if (line == 0 || line == 2 || line >= 16)
		return;
	/* PCI lines are level-triggered: the ELCR says so (as firmware sets it); the ISA ones
	 * (keyboard, clock, mouse, FPU) stay edge-triggered. */
	if (line != 1 && line != 8 && line != 12 && line != 13) {
		uint16_t port = (uint16_t)(ELCR + line / 8);
		outb(port, (uint8_t)(inb(port) | 1u << (line % 8)));
	}
	irq_mask &= (uint16_t)~(1u << line);
	write_masks();
}

void plat_irq_mask(unsigned line)
{
	if (line == 0 || line == 2 || line >= 16)
		return;
	irq_mask |= (uint16_t)(1u << line);
	write_masks();
}

/* TSC ticks in CALIBRATE_MS, measured by channel 2 counting down once (mode 0). */
static uint64_t tsc_per_interval(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);
	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(PIT_CMD, 0xb0); /* channel 2, low then high byte, mode 0 */
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	uint64_t t0 = rdtsc();
	while (!(inb(PORT_B) & 0x20)) /* channel 2's output goes high at 0 */
		;
	return rdtsc() - t0;
}

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_ADDR, reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, bool bcd)
{
	return bcd ? (v >> 4) * 10u + (v & 15u) : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The RTC's date and time in seconds since the epoch (it holds UTC under QEMU). */
static uint64_t rtc_seconds(void)
{
	uint8_t t[7], again[7];
	static const uint8_t regs[7] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32};
	do {
		while (cmos(0x0a) & 0x80) /* update in progress */
			;
		for (int i = 0; i < 7; i++)
			t[i] = cmos(regs[i]);
		for (int i = 0; i < 7; i++)
			again[i] = cmos(regs[i]);
	} while (kmemcmp(t, again, sizeof(t)));
	uint8_t b = cmos(0x0b);
	bool bcd = !(b & 0x04), pm = !(b & 0x02) && (t[2] & 0x80);
	unsigned sec = from_bcd(t[0], bcd), min = from_bcd(t[1], bcd);
	unsigned hour = from_bcd(t[2] & 0x7f, bcd), day = from_bcd(t[3], bcd);
	unsigned mon = from_bcd(t[4], bcd), year = from_bcd(t[5], bcd), century = from_bcd(t[6], bcd);
	if (!(b & 0x02)) /* 12-hour clock */
		hour = hour % 12 + (pm ? 12 : 0);
	year += century >= 19 && century <= 99 ? century * 100 : 2000;
	int64_t days = days_from_civil(year, mon, day);
	return days < 0 ? 0 : (uint64_t)days * 86400 + hour * 3600 + min * 60 + sec;
}

void pc_timer_init(void)
{
	pic_init();
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < CALIBRATE_RUNS; i++) { /* the shortest: a late look only adds */
		uint64_t t = tsc_per_interval();
		best = t < best ? t : best;
	}
	uint64_t tsc_hz = best * (1000 / CALIBRATE_MS);
	clk.ns_per_tsc = tsc_hz ? (NS << 32) / tsc_hz : 1ull << 32;
	clk.tsc0 = rdtsc();
	clk.epoch_ns = rtc_seconds() * NS - plat_clock_ns();
	uint16_t divisor = (uint16_t)((PIT_HZ + TICK_HZ / 2) / TICK_HZ);
	outb(PIT_CMD, 0x34); /* channel 0, low then high byte, mode 2: rate generator */
	outb(PIT_CH0, (uint8_t)divisor);
	outb(PIT_CH0, (uint8_t)(divisor >> 8));
}

void pc_timer_tick(void)
{
	pc_serial_poll();
}

uint64_t plat_clock_ns(void)
{
	return (uint64_t)(((unsigned __int128)(rdtsc() - clk.tsc0) * clk.ns_per_tsc) >> 32);
}

uint64_t plat_boot_epoch_ns(void)
{
	return clk.epoch_ns;
}

/* Sleeps until the deadline, a timer tick at a time; wanted input, a device's interrupt or a
 * stop request ends it early. */
void plat_idle_until(uint64_t deadline_ns, bool input)
{
	unsigned stops = plat_stop_requests();
	while (plat_clock_ns() < deadline_ns && stops == plat_stop_requests() &&
	       !(input && pc_serial_pending()) && !pc_irq_pending())
		__asm__ volatile("sti; hlt; cli" : : : "memory");
}

uint64_t plat_random_seed(void)
{
	return rdtsc() ^ clk.epoch_ns;
}

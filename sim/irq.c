/*
 * The simulated machine's interrupt controller: sixteen level-triggered lines, as the two 8259s
 * of a PC with the PCI lines set level-triggered in the ELCR. Device models assert and deassert
 * lines (sim_irq_set); the kernel takes the lines that fired (plat_irq_take), each masked from
 * then on, and unmasks a line once its drivers have handled their devices. A line that fires
 * while the CPU runs guest code ends the run at the next block (sim_cpu_interrupt), so the
 * kernel hears of it at once; between runs the kernel looks before it picks a thread or idles.
 */
#include "devices.h"

#include <kernel/plat.h>

#define LINES 16

static struct {
	uint16_t level;  /* asserted by a device */
	uint16_t masked; /* may not interrupt */
	uint16_t fired;  /* to report to the kernel */
} pic = {.masked = 0xffff};

/* line fires when it is asserted and unmasked: masked now, reported once. */
static void check(unsigned line)
{
	uint16_t bit = (uint16_t)(1u << line);
	if ((pic.level & bit) && !(pic.masked & bit)) {
		pic.masked |= bit;
		pic.fired |= bit;
		sim_cpu_interrupt();
	}
}

/* A line is high while its ISA device holds it (direct) or any PCI function does (a count:
 * functions share lines, as the disk and the sound card share line 10 on QEMU's pc). */
static uint16_t direct;
static uint8_t pci_holders[LINES];

static void apply(unsigned line)
{
	uint16_t bit = (uint16_t)(1u << line);
	bool level = (direct & bit) || pci_holders[line];
	if (level != ((pic.level & bit) != 0))
		sim_dev_trace("irq %u %s", line, level ? "raised" : "lowered");
	pic.level = level ? pic.level | bit : pic.level & ~bit;
	check(line);
}

void sim_irq_set(unsigned line, bool level)
{
	if (line == 0 || line >= LINES)
		return;
	uint16_t bit = (uint16_t)(1u << line);
	direct = level ? direct | bit : direct & ~bit;
	apply(line);
}

void sim_irq_pci(unsigned line, bool level)
{
	if (line == 0 || line >= LINES)
		return;
	if (level)
		pci_holders[line]++;
	else if (pci_holders[line])
		pci_holders[line]--;
	apply(line);
}

bool sim_irq_pending(void)
{
	return pic.fired != 0;
}

bool sim_irq_level(unsigned line)
{
	return line < LINES && (pic.level >> line & 1);
}

void sim_irq_reset(void)
{
	pic.level = pic.fired = 0;
	pic.masked = 0xffff;
	direct = 0;
	for (unsigned i = 0; i < LINES; i++)
		pci_holders[i] = 0;
}

uint32_t plat_irq_take(void)
{
	uint32_t fired = pic.fired;
	pic.fired = 0;
	return fired;
}

void plat_irq_unmask(unsigned line)
{
	if (line == 0 || line >= LINES)
		return;
	pic.masked &= (uint16_t)~(1u << line);
	check(line);
}

void plat_irq_mask(unsigned line)
{
	if (line < LINES)
		pic.masked |= (uint16_t)(1u << line);
}

/*
 * The AC'97 driver: the PCM out channel of the bus master (NABM, BAR 1) plays the buffers of a
 * fixed descriptor list in turn; the last valid index (LVI) says how far the driver filled.
 * The codec's mixer (NAM, BAR 0) is left at full volume (which QEMU's model, and the sim's,
 * pass through unchanged): volumes are the service's, in software, so
 * that both machines play the same samples. See docs/audio.md.
 */
#include "ac97.h"

#include <ecl/dev.h>
#include <ecl/time.h>
#include <errno.h>
#include <string.h>

#define VENDOR 0x8086
#define DEVICE 0x2415
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1u
#define PCI_COMMAND_MASTER 0x4u
#define PCI_COMMAND_INTX_OFF 0x400u

/* The codec's registers (NAM). */
#define NAM_RESET 0x00
#define NAM_MASTER 0x02
#define NAM_PCM_OUT 0x18
#define NAM_EXT_CTRL 0x2a
#define NAM_FRONT_RATE 0x2c
#define PCM_OUT_FULL 0x0000 /* QEMU reads it as no attenuation (a codec, as +12 dB) */
/* The bus master's (NABM): the PCM out box, then the global ones. */
#define PO 0x10
#define BDBAR 0x0
#define CIV 0x4
#define LVI 0x5
#define SR 0x6
#define CR 0xb
#define GLOB_CNT 0x2c
#define GLOB_STA 0x30
#define SR_DCH 0x1u
#define SR_CELV 0x2u
#define SR_LVBCI 0x4u
#define SR_BCIS 0x8u
#define SR_FIFOE 0x10u
#define CR_RPBM 0x1u
#define CR_RR 0x2u
#define CR_LVBIE 0x4u
#define CR_FEIE 0x8u
#define CR_IOCE 0x10u
#define GLOB_CNT_COLD 0x2u
#define GLOB_STA_PCR 0x100u
#define BD_IOC 0x80000000u

#define PERIOD_BYTES (AC97_PERIOD_FRAMES * 4)
#define BUF_AT 4096 /* the buffers follow the descriptor list's page */
#define READY_NS 100000000ull

/* Not inlined: few port instructions in the whole program (the sim watches each one). */
__attribute__((noinline)) static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0;
	if (size == 1) {
		uint8_t b;
		__asm__ volatile("inb %1, %0" : "=a"(b) : "Nd"(port));
		v = b;
	} else if (size == 2) {
		uint16_t w;
		__asm__ volatile("inw %1, %0" : "=a"(w) : "Nd"(port));
		v = w;
	} else {
		__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	}
	return v;
}

__attribute__((noinline)) static void out(uint16_t port, unsigned size, uint32_t v)
{
	if (size == 1)
		__asm__ volatile("outb %0, %1" : : "a"((uint8_t)v), "Nd"(port));
	else if (size == 2)
		__asm__ volatile("outw %0, %1" : : "a"((uint16_t)v), "Nd"(port));
	else
		__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static int fail(struct ac97 *c, int err, const char **why, const char *what)
{
	dev_release(c->index);
	*why = what;
	return -err;
}

static void reset_channel(struct ac97 *c)
{
	out(c->nabm + PO + CR, 1, 0);
	out(c->nabm + PO + CR, 1, CR_RR);
	for (int i = 0; i < 1000 && (in(c->nabm + PO + CR, 1) & CR_RR); i++)
		;
	c->running = false;
	c->head = c->queued = 0;
}

int ac97_open(struct ac97 *c, const char **why)
{
	memset(c, 0, sizeof(*c));
	unsigned i = 0;
	while (pci_device(i, &c->info) == 0 &&
	       !(c->info.vendor == VENDOR && c->info.device == DEVICE))
		i++;
	if (pci_device(i, &c->info) != 0) {
		*why = "no AC'97 sound card (PCI 8086:2415)";
		return -ENODEV;
	}
	if (dev_claim(i) != 0) {
		*why = "cannot claim the sound card";
		return -errno;
	}
	c->index = i;
	if (!(c->info.bars[0].flags & PCI_BAR_IO) || !(c->info.bars[1].flags & PCI_BAR_IO) ||
	    !c->info.bars[0].base || !c->info.bars[1].base)
		return fail(c, ENODEV, why, "the sound card's BARs are not I/O ports");
	c->nam = (uint16_t)c->info.bars[0].base;
	c->nabm = (uint16_t)c->info.bars[1].base;
	uint16_t command;
	if (dev_config_read(i, PCI_COMMAND, &command, 2) < 0)
		return fail(c, errno, why, "cannot read the sound card's command register");
	command = (uint16_t)((command | PCI_COMMAND_IO | PCI_COMMAND_MASTER) & ~PCI_COMMAND_INTX_OFF);
	if (dev_config_write(i, PCI_COMMAND, &command, 2) < 0)
		return fail(c, errno, why, "cannot enable the sound card");
	/* Out of cold reset, and wait for the codec. */
	out(c->nabm + GLOB_CNT, 4, GLOB_CNT_COLD);
	for (uint64_t end = monotonic_ns() + READY_NS; !(in(c->nabm + GLOB_STA, 4) & GLOB_STA_PCR);)
		if (monotonic_ns() > end)
			return fail(c, EIO, why, "the sound card's codec is not ready");
	out(c->nam + NAM_RESET, 2, 0);
	out(c->nam + NAM_MASTER, 2, 0);
	out(c->nam + NAM_PCM_OUT, 2, PCM_OUT_FULL);
	out(c->nam + NAM_EXT_CTRL, 2, 0); /* no variable rate: the DAC runs at 48 kHz */
	if (in(c->nam + NAM_FRONT_RATE, 2) != AC97_RATE)
		return fail(c, EIO, why, "the sound card's DAC does not run at 48 kHz");
	reset_channel(c);
	uint8_t *mem = dma_alloc(BUF_AT + AC97_PERIODS * PERIOD_BYTES, &c->bdl_pa);
	if (!mem)
		return fail(c, errno, why, "no memory for the sound card's buffers");
	c->bdl = (uint32_t *)mem;
	c->buf = (int16_t *)(mem + BUF_AT);
	c->buf_pa = c->bdl_pa + BUF_AT;
	for (unsigned k = 0; k < AC97_PERIODS; k++) {
		c->bdl[2 * k] = (uint32_t)(c->buf_pa + (uint64_t)k * PERIOD_BYTES);
		c->bdl[2 * k + 1] = (AC97_PERIOD_FRAMES * 2) | BD_IOC;
	}
	if (dev_irq(i, DEV_IRQ_BIND) != 0)
		return fail(c, errno, why, "cannot take the sound card's interrupt");
	return 0;
}

int16_t *ac97_next(struct ac97 *c)
{
	return c->buf + (size_t)((c->head + c->queued) % AC97_PERIODS) * AC97_PERIOD_FRAMES * 2;
}

void ac97_queue(struct ac97 *c)
{
	unsigned idx = (c->head + c->queued) % AC97_PERIODS;
	c->queued++;
	if (!c->running) {
		out(c->nabm + PO + BDBAR, 4, (uint32_t)c->bdl_pa);
		out(c->nabm + PO + LVI, 1, idx);
		out(c->nabm + PO + CR, 1, CR_RPBM | CR_IOCE | CR_LVBIE | CR_FEIE);
		c->running = true;
		return;
	}
	/* A card halted at the last valid buffer goes on from the next one at this write. */
	out(c->nabm + PO + LVI, 1, idx);
}

unsigned ac97_played(struct ac97 *c)
{
	uint32_t sr = in(c->nabm + PO + SR, 2);
	out(c->nabm + PO + SR, 2, sr & (SR_LVBCI | SR_BCIS | SR_FIFOE));
	dev_irq(c->index, DEV_IRQ_ACK);
	if (!c->running)
		return 0;
	unsigned civ = in(c->nabm + PO + CIV, 1) % AC97_PERIODS;
	unsigned done = (civ - c->head) % AC97_PERIODS;
	if ((sr & SR_DCH) && (sr & SR_CELV))
		done = c->queued; /* halted after the last one: all played */
	if (done > c->queued)
		done = c->queued;
	c->head = (c->head + done) % AC97_PERIODS;
	c->queued -= done;
	if (sr & SR_FIFOE) {
		/* The card could not fetch a buffer: start afresh; the rest counts as gone. */
		done += c->queued;
		reset_channel(c);
	}
	return done;
}

void ac97_stop(struct ac97 *c)
{
	reset_channel(c);
}

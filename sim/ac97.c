/*
 * The sound card of QEMU's "-device AC97": Intel's 82801AA AC'97 audio controller (8086:2415,
 * class 0401) at 00:05.0, where scripts/run-metal.sh puts QEMU's, with the codec QEMU puts
 * behind it (a SigmaTel STAC9700). BAR0 is the codec's mixer (NAM, 16-bit registers), BAR1 the
 * bus master (NABM): three DMA channels, PCM in at 0x00, PCM out at 0x10 and the microphone at
 * 0x20, each a ring of 32 buffer descriptors, then the global registers. The registers behave
 * as QEMU's hw/audio/ac97.c makes them: its access sizes, its codec defaults (master and PCM
 * out muted, variable rate on), and its ways (writing CR with RPBM starts at the buffer after
 * CIV, PIV; writing LVI restarts a channel that stopped with RPBM still set). docs/devices.md
 * says where this model differs.
 *
 * Only PCM out plays, on the virtual clock. A buffer of n 16-bit samples (n / 2 stereo frames)
 * takes n / 2 frames at the DAC's rate; its descriptor and samples are read from RAM when it
 * starts, and its end is a device event, where CIV moves on and the status bits and the
 * interrupt come. Time is counted in whole frames from the moment the channel started, so no
 * rounding adds up, and PICB follows the clock between buffer ends. What is played goes to the
 * line out (audio.c) through the mixer's volumes as the clock passes it: at each buffer's end,
 * and up to the moment of a pause, a volume or rate change, or the end of the run. PCM in and
 * the microphone keep their registers and never run.
 */
#include "audio.h"
#include "devices.h"
#include "pci.h"

#include <kernel/plat.h>
#include <string.h>

#define SLOT 5
#define NAM_SIZE 1024u
#define NABM_SIZE 256u
#define MIXER_BYTES 256u
#define NS_PER_S 1000000000ull

/* The codec's registers (NAM). */
enum {
	NAM_RESET = 0x00, NAM_MASTER = 0x02, NAM_HEADPHONE = 0x04, NAM_MASTER_MONO = 0x06,
	NAM_TONE = 0x08, NAM_BEEP = 0x0a, NAM_PHONE = 0x0c, NAM_MIC = 0x0e, NAM_LINE_IN = 0x10,
	NAM_CD = 0x12, NAM_VIDEO = 0x14, NAM_AUX = 0x16, NAM_PCM_OUT = 0x18, NAM_REC_SELECT = 0x1a,
	NAM_REC_GAIN = 0x1c, NAM_REC_GAIN_MIC = 0x1e, NAM_GENERAL = 0x20, NAM_3D = 0x22,
	NAM_POWERDOWN = 0x26, NAM_EXT_ID = 0x28, NAM_EXT_CTRL = 0x2a, NAM_FRONT_RATE = 0x2c,
	NAM_SURROUND_RATE = 0x2e, NAM_LFE_RATE = 0x30, NAM_ADC_RATE = 0x32, NAM_MIC_RATE = 0x34,
	NAM_SIGMATEL_ANALOG = 0x6c, NAM_SIGMATEL_DAC2INVERT = 0x6e, NAM_VENDOR1 = 0x7c,
	NAM_VENDOR2 = 0x7e,
};
#define MUTE 0x8000u
#define MASTER_BITS 0xbf3fu  /* mute, 6-bit left and right attenuation */
#define PCM_OUT_BITS 0x9f1fu /* mute, 5-bit left and right */
#define REC_GAIN_BITS 0x8f0fu
#define POWERDOWN_READY 0x000fu
#define EXT_VRA 0x1u /* variable rate PCM audio */
#define EXT_VRM 0x8u /* variable rate microphone */
#define RATE_MAX 48000u
#define RATE_MIN 8000u

/* The bus master's registers (NABM): a box of 16 bytes per channel, then the global ones. */
enum { PI, PO, MC, CHANNELS };
#define BOX_BYTES 0x10u
enum { BDBAR = 0x0, CIV = 0x4, LVI = 0x5, SR = 0x6, PICB = 0x8, PIV = 0xa, CR = 0xb };
#define GLOB_CNT 0x2cu
#define GLOB_STA 0x30u
#define CAS 0x34u
#define SR_DCH 0x01u   /* DMA controller halted */
#define SR_CELV 0x02u  /* current equals last valid */
#define SR_LVBCI 0x04u /* last valid buffer completed */
#define SR_BCIS 0x08u  /* buffer completed (its IOC bit) */
#define SR_FIFOE 0x10u /* FIFO error */
#define SR_W1C (SR_LVBCI | SR_BCIS | SR_FIFOE)
#define CR_RPBM 0x01u  /* run */
#define CR_RR 0x02u    /* reset the channel's registers */
#define CR_LVBIE 0x04u
#define CR_FEIE 0x08u
#define CR_IOCE 0x10u
#define CR_BITS 0x1fu
#define CR_KEPT (CR_LVBIE | CR_FEIE | CR_IOCE) /* what a register reset keeps */
#define GC_COLD 0x2u
#define GC_WARM 0x4u
#define GC_BITS 0x3fu
#define GS_PIINT 0x20u
#define GS_POINT 0x40u
#define GS_MINT 0x80u
#define GS_S0CR 0x100u /* the primary codec is ready: always */
#define GS_STICKY 0x30000u /* the two bits a write sets (MD3, AD3) */
#define BD_IOC 0x80000000u
#define BDL_ENTRIES 32u
#define BUFFER_SAMPLES 0xffffu
#define PCI_STATUS_INTERRUPT 0x08u
#define OUT_CHUNK 512u /* frames handed to the line out at a time */

struct channel {
	uint32_t bdbar;
	uint8_t civ, lvi, piv, cr;
	uint16_t sr;
	uint16_t picb;            /* while PCM out plays, the clock gives it instead */
	uint32_t bd_addr, bd_ctl; /* the current buffer's descriptor */
};

static struct {
	bool present;
	uint8_t mixer[MIXER_BYTES];
	uint32_t glob_cnt, glob_sta;
	uint8_t cas;
	struct channel ch[CHANNELS];
	unsigned irq_asserted; /* the line asserted, or 0 */
} ac;

/*
 * PCM out's playing: a run starts when the channel starts (or its rate changes) at start_ns,
 * its frame f playing at start_ns + f / rate; the current buffer's sample base (0 but after a
 * rate change) is the run's frame first. Line-out frame out_base + k plays the run's frame
 * floor(k * rate / 48000).
 */
static struct {
	bool playing;         /* a buffer plays and its end event is due */
	uint64_t end_event;
	uint32_t rate;
	uint64_t start_ns;
	uint64_t first;       /* the run's frame at which the buffer's sample base plays */
	uint32_t base;
	uint32_t nsamples;    /* the buffer's */
	uint64_t emitted;     /* the run's frames handed to the line out */
	uint64_t out_base;    /* the line-out frame of the run's frame 0 */
	uint64_t out_next;    /* the line-out frame after the last one handed over */
	uint8_t pcm[2 * BUFFER_SAMPLES]; /* the buffer's samples, little-endian */
} po;

static const char *const channel_name[CHANNELS] = {"PCM in", "PCM out", "microphone"};

static struct sim_pci_device dev;

/* a * num / den, rounded down or up, exact for the clock's and the frame counts' ranges. */
static uint64_t muldiv(uint64_t a, uint64_t num, uint64_t den, bool up)
{
	uint64_t rest = a % den * num;
	return a / den * num + rest / den + (up && rest % den);
}

static uint16_t mixer_get(unsigned reg)
{
	return sim_get16(ac.mixer + reg);
}

static void mixer_set(unsigned reg, uint16_t v)
{
	sim_put16(ac.mixer + reg, v);
}

/* The codec as QEMU powers it on and resets it. */
static void mixer_reset(void)
{
	memset(ac.mixer, 0, sizeof(ac.mixer));
	mixer_set(NAM_MASTER, MUTE);
	mixer_set(NAM_PCM_OUT, 0x8808);
	mixer_set(NAM_REC_GAIN, 0x8808);
	mixer_set(NAM_POWERDOWN, POWERDOWN_READY);
	mixer_set(NAM_EXT_ID, 0x0809); /* variable rate PCM and microphone */
	mixer_set(NAM_EXT_CTRL, EXT_VRA | EXT_VRM);
	static const uint8_t rates[] = {NAM_FRONT_RATE, NAM_SURROUND_RATE, NAM_LFE_RATE,
					NAM_ADC_RATE, NAM_MIC_RATE};
	for (size_t i = 0; i < sizeof(rates); i++)
		mixer_set(rates[i], RATE_MAX);
	mixer_set(NAM_VENDOR1, 0x8384); /* "SigmaTel" */
	mixer_set(NAM_VENDOR2, 0x7600); /* STAC9700 */
}

static uint32_t dac_rate(void)
{
	return mixer_get(NAM_FRONT_RATE);
}

/*
 * The gain of one side (shift 8 left, 0 right) as a fraction of 2^32, as QEMU computes it: an
 * attenuation a of the 6-bit master or the 5-bit PCM out field of mask m is the level
 * 255 - 255 a / m, the two levels multiply (in 255ths), and either mute bit silences. 0 and 0
 * give exactly 2^32: the samples pass unchanged.
 */
static uint64_t gain(unsigned shift)
{
	uint16_t master = mixer_get(NAM_MASTER), pcm = mixer_get(NAM_PCM_OUT);
	if ((master | pcm) & MUTE)
		return 0;
	unsigned m = 255 - 255 * (master >> shift & 0x3fu) / 0x3f;
	unsigned p = 255 - 255 * (pcm >> shift & 0x1fu) / 0x1f;
	return (1ull << 32) * (m * p / 255) / 255;
}

/* Sample i of the buffer through a gain; past its end (an odd count's last frame) silence. */
static int16_t sample(uint32_t i, uint64_t g)
{
	if (i >= po.nsamples)
		return 0;
	int64_t s = (int16_t)sim_get16(po.pcm + 2 * i);
	return (int16_t)(s * (int64_t)g >> 32);
}

/* The buffer's frames from its sample base (an odd count's last one has the left sample). */
static uint64_t po_frames(void)
{
	return (po.nsamples - po.base + 1) / 2;
}

static uint64_t po_end_ns(void)
{
	return po.start_ns + muldiv(po.first + po_frames(), NS_PER_S, po.rate, true);
}

/* The run's frames played by now: at most to the buffer's end. */
static uint64_t po_played(void)
{
	uint64_t now = plat_clock_ns(), end = po.first + po_frames();
	uint64_t f = now > po.start_ns ? muldiv(now - po.start_ns, po.rate, NS_PER_S, false) : 0;
	return f < po.first ? po.first : f < end ? f : end;
}

/* PICB once the run's frames up to played are played. */
static uint16_t po_picb(uint64_t played)
{
	uint64_t done = po.base + 2 * (played - po.first);
	return (uint16_t)(done < po.nsamples ? po.nsamples - done : 0);
}

/* Hands the line out the run's frames from emitted to end, through the volumes, at the line's
 * rate: each line-out frame carries the card's frame that plays at its start. */
static void po_emit(uint64_t end)
{
	uint64_t left = gain(8), right = gain(0);
	uint64_t k = muldiv(po.emitted, SIM_AUDIO_RATE, po.rate, true);
	uint64_t k_end = muldiv(end, SIM_AUDIO_RATE, po.rate, true);
	int16_t chunk[2 * OUT_CHUNK];
	while (k < k_end) {
		uint64_t at = po.out_base + k;
		size_t n = 0;
		for (; k < k_end && n < OUT_CHUNK; k++, n++) {
			uint64_t f = muldiv(k, po.rate, SIM_AUDIO_RATE, false);
			uint32_t i = po.base + 2 * (uint32_t)(f - po.first);
			chunk[2 * n] = sample(i, left);
			chunk[2 * n + 1] = sample(i + 1, right);
		}
		sim_audio_play(at, chunk, n);
	}
	po.out_next = po.out_base + k_end;
	po.emitted = end;
}

/* What PCM out played up to now goes to the line out (before the volumes or the rate change,
 * or the run ends). */
static void po_settle(void)
{
	if (po.playing)
		po_emit(po_played());
}

/* A run starts now at the DAC's rate, on the line out after what was played. */
static void po_start_run(void)
{
	uint64_t now = plat_clock_ns(), out = muldiv(now, SIM_AUDIO_RATE, NS_PER_S, true);
	po.start_ns = now;
	po.rate = dac_rate();
	po.out_base = out > po.out_next ? out : po.out_next;
	po.first = po.emitted = 0;
}

/* PCM out stops where the clock is: the line out gets what was played, PICB keeps the rest. */
static void po_stop(void)
{
	if (!po.playing)
		return;
	uint64_t played = po_played();
	po_emit(played);
	ac.ch[PO].picb = po_picb(played);
	sim_event_cancel(po.end_event);
	po.playing = false;
}

static bool channel_interrupts(const struct channel *c)
{
	return ((c->sr & SR_BCIS) && (c->cr & CR_IOCE)) ||
	       ((c->sr & SR_LVBCI) && (c->cr & CR_LVBIE)) ||
	       ((c->sr & SR_FIFOE) && (c->cr & CR_FEIE));
}

/* The INTx line: asserted while a channel has a status bit its control register enables,
 * unless the command register disables INTx; on the line in configuration register 0x3c. */
static void update_irq(void)
{
	bool pending = false;
	for (unsigned i = 0; i < CHANNELS; i++)
		pending |= channel_interrupts(&ac.ch[i]);
	bool level = pending && !(sim_get16(dev.config + 0x04) & SIM_PCI_COMMAND_INTX_OFF);
	unsigned line = dev.config[0x3c];
	if (ac.irq_asserted && (!level || line != ac.irq_asserted)) {
		sim_irq_pci(ac.irq_asserted, false);
		ac.irq_asserted = 0;
	}
	if (level && !ac.irq_asserted && line > 0 && line < 16) {
		ac.irq_asserted = line;
		sim_irq_pci(line, true);
	}
	if (pending)
		dev.config[0x06] |= PCI_STATUS_INTERRUPT;
	else
		dev.config[0x06] &= (uint8_t)~PCI_STATUS_INTERRUPT;
}

/* CIV takes the prefetched index, which moves on. */
static void advance(struct channel *c)
{
	c->civ = c->piv;
	c->piv = (uint8_t)((c->piv + 1) % BDL_ENTRIES);
}

/* The descriptor at CIV: 0, or -errno when DMA could not read it. */
static int fetch_descriptor(struct channel *c)
{
	uint8_t bd[8];
	int err = sim_dma_read(&dev, (uint64_t)c->bdbar + 8u * c->civ, bd, sizeof(bd));
	if (err)
		return err;
	c->bd_addr = sim_get32(bd) & ~3u;
	c->bd_ctl = sim_get32(bd + 4);
	c->picb = (uint16_t)c->bd_ctl;
	return 0;
}

/* DMA failed (not RAM, or bus mastering off): the channel stops with a FIFO error. */
static void fifo_error(struct channel *c, const char *what)
{
	c->sr |= SR_FIFOE | SR_DCH;
	sim_dev_trace("ac97: PCM out stopped: buffer %u's %s could not be read", c->civ, what);
}

static void po_buffer_end(void *arg);

/*
 * PCM out starts the buffer at CIV: its descriptor and samples come from RAM now. An empty
 * buffer is passed over, and an empty last valid one stops the channel (DCH alone), as in
 * QEMU; the search ends, since CIV reaches LVI within 32 steps.
 */
static void po_start_buffer(void)
{
	struct channel *c = &ac.ch[PO];
	for (;;) {
		if (fetch_descriptor(c)) {
			fifo_error(c, "descriptor");
			return;
		}
		if (c->picb)
			break;
		if (c->civ == c->lvi) {
			c->sr |= SR_DCH;
			sim_dev_trace("ac97: PCM out stopped at buffer %u, empty and the last valid one",
				      c->civ);
			return;
		}
		c->sr &= (uint16_t)~SR_CELV;
		advance(c);
	}
	if (sim_dma_read(&dev, c->bd_addr, po.pcm, 2u * c->picb)) {
		fifo_error(c, "samples");
		return;
	}
	po.nsamples = c->picb;
	po.base = 0;
	po.first = po.emitted;
	po.end_event = sim_event_at(po_end_ns(), po_buffer_end, NULL);
	po.playing = po.end_event != 0;
	sim_dev_trace("ac97: PCM out buffer %u: %u samples at %#x%s", c->civ, c->picb, c->bd_addr,
		      c->bd_ctl & BD_IOC ? ", interrupt on completion" : "");
}

/* The buffer played out: its status bits, and the next one or the stop at the last valid one. */
static void po_buffer_end(void *arg)
{
	(void)arg;
	struct channel *c = &ac.ch[PO];
	po_emit(po.first + po_frames());
	po.playing = false;
	c->picb = 0;
	uint16_t sr = c->sr & (uint16_t)~SR_CELV;
	if (c->bd_ctl & BD_IOC)
		sr |= SR_BCIS;
	if (c->civ == c->lvi) {
		c->sr = sr | SR_LVBCI | SR_DCH | SR_CELV;
		sim_dev_trace("ac97: PCM out stopped after buffer %u, the last valid one", c->civ);
	} else {
		advance(c);
		c->sr = sr;
		po_start_buffer();
	}
	update_irq();
}

/* The DAC's rate changed while PCM out plays: a new run from the frame playing now. */
static void po_new_rate(void)
{
	uint64_t played = po_played();
	uint32_t done = po.base + 2 * (uint32_t)(played - po.first);
	po_emit(played);
	po.base = done < po.nsamples ? done : po.nsamples;
	po_start_run();
	sim_event_cancel(po.end_event);
	po.end_event = sim_event_at(po_end_ns(), po_buffer_end, NULL);
	po.playing = po.end_event != 0;
}

/* Registers QEMU's codec keeps at their reset values: the features it does not have. */
static bool fixed_register(unsigned reg)
{
	switch (reg) {
	case NAM_HEADPHONE: case NAM_MASTER_MONO: case NAM_TONE: case NAM_BEEP: case NAM_PHONE:
	case NAM_MIC: case NAM_LINE_IN: case NAM_CD: case NAM_VIDEO: case NAM_AUX:
	case NAM_REC_GAIN_MIC: case NAM_GENERAL: case NAM_3D: case NAM_SIGMATEL_ANALOG:
	case NAM_SIGMATEL_DAC2INVERT: case NAM_VENDOR1: case NAM_VENDOR2: case NAM_EXT_ID:
		return true;
	default:
		return false;
	}
}

/* A rate register that variable rate (bit vr of the extended control) lets the driver set. */
static void set_rate(unsigned reg, unsigned vr, uint16_t v)
{
	if (!(mixer_get(NAM_EXT_CTRL) & vr))
		return;
	if (reg == NAM_FRONT_RATE)
		v = v < RATE_MIN ? RATE_MIN : v > RATE_MAX ? RATE_MAX : v;
	mixer_set(reg, v);
}

/* Extended audio control: without variable rate the rates go back to 48 kHz. */
static void set_ext_ctrl(uint16_t v)
{
	if (!(v & EXT_VRA)) {
		mixer_set(NAM_FRONT_RATE, RATE_MAX);
		mixer_set(NAM_ADC_RATE, RATE_MAX);
	}
	if (!(v & EXT_VRM))
		mixer_set(NAM_MIC_RATE, RATE_MAX);
	mixer_set(NAM_EXT_CTRL, v);
}

static void mixer_write(unsigned reg, uint16_t v)
{
	switch (reg) {
	case NAM_RESET:
		mixer_reset();
		sim_dev_trace("ac97: codec reset");
		break;
	case NAM_MASTER:
		mixer_set(reg, v & MASTER_BITS);
		sim_dev_trace("ac97: master volume 0x%04x", mixer_get(reg));
		break;
	case NAM_PCM_OUT:
		mixer_set(reg, v & PCM_OUT_BITS);
		sim_dev_trace("ac97: PCM out volume 0x%04x", mixer_get(reg));
		break;
	case NAM_REC_GAIN:
		mixer_set(reg, v & REC_GAIN_BITS);
		break;
	case NAM_REC_SELECT:
		mixer_set(reg, v & 0x0707u);
		break;
	case NAM_POWERDOWN:
		mixer_set(reg, (uint16_t)((v & ~(MUTE | POWERDOWN_READY)) | POWERDOWN_READY));
		break;
	case NAM_EXT_CTRL:
		set_ext_ctrl(v);
		break;
	case NAM_FRONT_RATE: case NAM_ADC_RATE:
		set_rate(reg, EXT_VRA, v);
		break;
	case NAM_MIC_RATE:
		set_rate(reg, EXT_VRM, v);
		break;
	default:
		if (!fixed_register(reg) && reg + 2 <= MIXER_BYTES)
			mixer_set(reg, v);
		break;
	}
}

/* The codec answers 16-bit accesses only, as QEMU's; any access ends a codec access
 * semaphore's hold (CAS). */
static uint32_t nam_read(uint32_t off, unsigned size)
{
	ac.cas = 0;
	if (size != 2)
		return 0xffffffffu;
	return off + 2 <= MIXER_BYTES ? mixer_get(off) : 0xffffu;
}

/* Writes at an odd offset are dropped (QEMU stores their two bytes across two registers). */
static void nam_write(uint32_t off, unsigned size, uint32_t v)
{
	ac.cas = 0;
	if (size != 2 || (off & 1))
		return;
	po_settle(); /* what was played up to now, under the volumes it played with */
	uint32_t rate = dac_rate();
	mixer_write(off, (uint16_t)v);
	if (dac_rate() != rate) {
		sim_dev_trace("ac97: DAC rate %u Hz", dac_rate());
		if (po.playing)
			po_new_rate();
	}
}

static uint32_t glob_sta(void)
{
	return ac.glob_sta | GS_S0CR | (channel_interrupts(&ac.ch[PI]) ? GS_PIINT : 0) |
	       (channel_interrupts(&ac.ch[PO]) ? GS_POINT : 0) |
	       (channel_interrupts(&ac.ch[MC]) ? GS_MINT : 0);
}

static uint16_t picb_now(unsigned box)
{
	return box == PO && po.playing ? po_picb(po_played()) : ac.ch[box].picb;
}

/* A channel's register of size bytes at reg of its box; what QEMU does not answer reads as
 * all ones. */
static uint32_t box_read(unsigned box, unsigned reg, unsigned size)
{
	const struct channel *c = &ac.ch[box];
	if (size == 1) {
		switch (reg) {
		case CIV: return c->civ;
		case LVI: return c->lvi;
		case SR: return c->sr & 0xffu;
		case PIV: return c->piv;
		case CR: return c->cr;
		default: return 0xffu;
		}
	}
	if (size == 2 && reg == SR)
		return c->sr;
	if (size == 2 && reg == PICB)
		return picb_now(box);
	if (size == 4 && reg == BDBAR)
		return c->bdbar;
	if (size == 4 && reg == CIV)
		return c->civ | (uint32_t)c->lvi << 8 | (uint32_t)c->sr << 16;
	if (size == 4 && reg == PICB)
		return picb_now(box) | (uint32_t)c->piv << 16 | (uint32_t)c->cr << 24;
	return 0xffffffffu;
}

static uint32_t nabm_read(uint32_t off, unsigned size)
{
	if (off == GLOB_CNT && size == 4)
		return ac.glob_cnt;
	if (off == GLOB_STA && size == 4)
		return glob_sta();
	if (off == CAS && size == 1) {
		uint8_t held = ac.cas;
		ac.cas = 1;
		return held;
	}
	if (off < CHANNELS * BOX_BYTES)
		return box_read(off / BOX_BYTES, off % BOX_BYTES, size);
	return 0xffffffffu;
}

/* The channel's registers as after a reset; the interrupt enables stay. */
static void reset_channel(unsigned box)
{
	struct channel *c = &ac.ch[box];
	*c = (struct channel){.sr = SR_DCH, .cr = c->cr & CR_KEPT};
}

/* Writing CR pauses (RPBM clear), resets the registers (RR), or starts from the buffer after
 * CIV (RPBM set, even while running: QEMU's way). */
static void write_cr(unsigned box, uint8_t v)
{
	struct channel *c = &ac.ch[box];
	if (box == PO)
		po_stop();
	if (v & CR_RR) {
		reset_channel(box);
		sim_dev_trace("ac97: %s reset", channel_name[box]);
	} else {
		c->cr = v & CR_BITS;
		if (!(c->cr & CR_RPBM)) {
			if (!(c->sr & SR_DCH))
				sim_dev_trace("ac97: %s paused at buffer %u", channel_name[box], c->civ);
			c->sr |= SR_DCH;
		} else if (box == PO) {
			advance(c);
			c->sr &= (uint16_t)~SR_DCH;
			sim_dev_trace("ac97: PCM out runs from buffer %u (list at %#x, last valid %u) at %u Hz",
				      c->civ, c->bdbar, c->lvi, dac_rate());
			po_start_run();
			po_start_buffer();
		}
	}
	update_irq();
}

/* Writing LVI while a running channel is stopped restarts it at the buffer after CIV. */
static void write_lvi(unsigned box, uint8_t v)
{
	struct channel *c = &ac.ch[box];
	c->lvi = v % BDL_ENTRIES;
	if (box != PO || !(c->cr & CR_RPBM) || !(c->sr & SR_DCH))
		return;
	c->sr &= (uint16_t)~(SR_DCH | SR_CELV);
	advance(c);
	sim_dev_trace("ac97: PCM out goes on at buffer %u (last valid %u)", c->civ, c->lvi);
	po_start_run();
	po_start_buffer();
	update_irq();
}

static void box_write(unsigned box, unsigned reg, unsigned size, uint32_t v)
{
	struct channel *c = &ac.ch[box];
	if (size == 1 && reg == LVI) {
		write_lvi(box, (uint8_t)v);
	} else if (size == 1 && reg == CR) {
		write_cr(box, (uint8_t)v);
	} else if ((size == 1 || size == 2) && reg == SR) {
		c->sr &= (uint16_t)~(v & SR_W1C);
		update_irq();
	} else if (size == 4 && reg == BDBAR) {
		c->bdbar = v & ~3u;
	}
}

/* The global registers lie inside the microphone's box (0x20-0x2f), past its last register. */
static void nabm_write(uint32_t off, unsigned size, uint32_t v)
{
	if (off == GLOB_CNT || off == GLOB_STA) {
		if (off == GLOB_CNT && size == 4 && !(v & (GC_COLD | GC_WARM)))
			ac.glob_cnt = v & GC_BITS; /* QEMU has no reset: a write asking for one is dropped */
		else if (off == GLOB_STA && size == 4)
			ac.glob_sta |= v & GS_STICKY;
	} else if (off < CHANNELS * BOX_BYTES) {
		box_write(off / BOX_BYTES, off % BOX_BYTES, size, v);
	}
}

static uint32_t io_read(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size)
{
	(void)d;
	return bar == 0 ? nam_read(off, size) : nabm_read(off, size);
}

static void io_write(struct sim_pci_device *d, unsigned bar, uint32_t off, unsigned size,
		     uint32_t value)
{
	(void)d;
	if (bar == 0)
		nam_write(off, size, value);
	else
		nabm_write(off, size, value);
}

/* QEMU's status register: fast back-to-back capable, medium DEVSEL timing. */
static void config_init(struct sim_pci_device *d)
{
	sim_put16(d->config + 0x06, 0x0280);
}

static void config_write(struct sim_pci_device *d, unsigned reg, uint32_t value, uint32_t mask)
{
	(void)d, (void)value, (void)mask;
	if (reg == 0x04 || reg == 0x3c)
		update_irq();
}

static struct sim_pci_device dev = {
	.name = "AC97", .slot = SLOT, .fn = 0,
	.vendor = 0x8086, .device = 0x2415, .subsys_vendor = 0x1af4, .subsys_device = 0x1100,
	.class_code = 0x04, .subclass = 0x01, .revision = 0x01,
	.irq_pin = 1,
	.bar_size = {NAM_SIZE, NABM_SIZE},
	.bar_io = {true, true},
	.io_read = io_read, .io_write = io_write,
	.config_init = config_init, .config_write = config_write,
};

int sim_ac97_init(void)
{
	memset(&ac, 0, sizeof(ac));
	memset(&po, 0, sizeof(po));
	mixer_reset();
	for (unsigned i = 0; i < CHANNELS; i++)
		reset_channel(i);
	int err = sim_pci_add(&dev);
	ac.present = err == 0;
	return err;
}

void sim_ac97_fini(void)
{
	if (!ac.present)
		return;
	po_stop();
	if (ac.irq_asserted)
		sim_irq_pci(ac.irq_asserted, false);
	ac.irq_asserted = 0;
	ac.present = false;
}

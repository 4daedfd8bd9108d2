/*
 * The Intel AC'97 audio controller (ICH, 8086:2415: QEMU's -device AC97, the sim's sim/ac97.c):
 * its PCM out channel plays a ring of AC97_PERIODS buffers of AC97_PERIOD_FRAMES stereo 16-bit
 * frames at 48 kHz, through the bus master's buffer descriptor list, with an interrupt at the
 * end of each buffer.
 */
#ifndef AUDIO_AC97_H
#define AUDIO_AC97_H

#include <eclipse.h>
#include <stdbool.h>
#include <stdint.h>

#define AC97_PERIODS 32           /* the descriptor list's entries */
#define AC97_PERIOD_FRAMES 480    /* 10 ms */
#define AC97_RATE 48000

struct ac97 {
	unsigned index; /* the PCI function */
	struct pci_info info;
	uint16_t nam, nabm; /* the mixer's and the bus master's ports */
	int16_t *buf;       /* AC97_PERIODS buffers of AC97_PERIOD_FRAMES frames */
	uint32_t *bdl;
	uint64_t buf_pa, bdl_pa;
	bool running;
	unsigned head;   /* the oldest buffer given to the card and not played yet */
	unsigned queued; /* buffers given to the card and not played yet */
};

/* Finds, claims and resets the card: 0, or -errno with *why set. */
int ac97_open(struct ac97 *c, const char **why);
/* The buffer to fill next (there are queued < AC97_PERIODS); ac97_queue gives it to the card,
 * which starts playing when it was stopped. */
int16_t *ac97_next(struct ac97 *c);
void ac97_queue(struct ac97 *c);
/* After an interrupt (or to poll): takes the card's news; the buffers it finished playing. */
unsigned ac97_played(struct ac97 *c);
/* Stops playing and forgets the queued buffers. */
void ac97_stop(struct ac97 *c);

#endif

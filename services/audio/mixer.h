/*
 * The mixer's streams (mixer.c): each holds what its client wrote, converted to the card's
 * format (48 kHz, stereo, 16-bit) as it comes, resampled linearly from the client's rate. The
 * card's periods are the sum of every stream's next frames, each at its volume, then at the
 * master volume, clipped. Nothing here does I/O.
 */
#ifndef AUDIO_MIXER_H
#define AUDIO_MIXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_FRAMES 9600 /* 200 ms of the card's frames */
#define RATE_MIN 4000
#define RATE_MAX 192000
#define VOLUME_FULL (100u | 100u << 8)

struct stream {
	unsigned rate, channels; /* the client's: 16-bit little-endian samples */
	unsigned volume;         /* left | right << 8, each 0..100 */
	int16_t ring[STREAM_FRAMES * 2];
	unsigned rd, count; /* the card's frames held */
	/* The resampler: the client's last frame, and where the next output lies after it
	 * (32.32 fixed point, in the client's frames); step is the client's frames per output. */
	int32_t prev[2];
	bool primed;
	uint64_t frac, step;
	uint8_t carry[4]; /* the start of a frame a write split */
	unsigned ncarry;
	unsigned long long underruns;
};

void stream_init(struct stream *s);
/* A new format: the client's rate (RATE_MIN..RATE_MAX) and channels (1, 2). What is held stays;
 * a half-written frame goes. */
void stream_format(struct stream *s, unsigned rate, unsigned channels);
/* Bytes of the client's the stream takes now for sure. */
size_t stream_room(const struct stream *s);
/* Takes n bytes of samples (n <= stream_room). */
void stream_feed(struct stream *s, const uint8_t *p, size_t n);
/* The end of the client's data (a sync, a close): the resampler lets go of what it held. */
void stream_flush(struct stream *s);
/* Drops everything held (SNDCTL_DSP_RESET). */
void stream_drop(struct stream *s);
/* Adds up to frames of the stream's next frames, at its volume, to acc (frames x 2): how many
 * it had. */
unsigned stream_take(struct stream *s, int32_t *acc, unsigned frames);
/* The card's samples from the sum: at master volume (left | right << 8), clipped. */
void mix_out(const int32_t *acc, int16_t *out, unsigned frames, unsigned master);

/* A WAV file's header at the start of p (n bytes). 1: it is one we play, with its rate and
 * channels, and its samples start at *skip; 0: p is no WAV file; -EINVAL: a WAV file of
 * another format, or whose header does not fit in n. */
int wav_header(const uint8_t *p, size_t n, unsigned *rate, unsigned *channels, size_t *skip);

#endif

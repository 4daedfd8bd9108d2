/* The mixer's streams: conversion, resampling and the sum of the card's periods (mixer.h). */
#include "mixer.h"

#include "ac97.h"

#include <errno.h>
#include <string.h>

#define ONE (1ull << 32)

void stream_init(struct stream *s)
{
	memset(s, 0, sizeof(*s));
	s->volume = VOLUME_FULL;
	stream_format(s, 8000, 1); /* OSS's default rate and channels */
}

void stream_format(struct stream *s, unsigned rate, unsigned channels)
{
	s->rate = rate;
	s->channels = channels;
	s->step = ((uint64_t)rate << 32) / AC97_RATE;
	s->primed = false;
	s->frac = 0;
	s->ncarry = 0;
}

size_t stream_room(const struct stream *s)
{
	/* k frames of the client's give at most k / step + 2 outputs (the flush's included). */
	unsigned free = STREAM_FRAMES - s->count;
	if (free <= 2)
		return 0;
	uint64_t k = ((uint64_t)(free - 2) * s->step) >> 32;
	size_t frame = 2u * s->channels;
	return k * frame - s->ncarry;
}

static void put(struct stream *s, int32_t l, int32_t r)
{
	if (s->count >= STREAM_FRAMES)
		return; /* stream_room's bound keeps this from happening */
	unsigned at = (s->rd + s->count) % STREAM_FRAMES;
	s->ring[2 * at] = (int16_t)l;
	s->ring[2 * at + 1] = (int16_t)r;
	s->count++;
}

/* One frame of the client's: the outputs that lie between the last one and it. */
static void frame_in(struct stream *s, int32_t l, int32_t r)
{
	if (!s->primed) {
		s->prev[0] = l;
		s->prev[1] = r;
		s->primed = true;
		s->frac = 0;
		return;
	}
	for (; s->frac < ONE; s->frac += s->step) {
		int64_t f = (int64_t)s->frac;
		put(s, s->prev[0] + (int32_t)(((l - s->prev[0]) * f) >> 32),
		    s->prev[1] + (int32_t)(((r - s->prev[1]) * f) >> 32));
	}
	s->frac -= ONE;
	s->prev[0] = l;
	s->prev[1] = r;
}

static int16_t le16(const uint8_t *p)
{
	return (int16_t)(p[0] | p[1] << 8);
}

void stream_feed(struct stream *s, const uint8_t *p, size_t n)
{
	size_t frame = 2u * s->channels;
	while (n) {
		if (s->ncarry || n < frame) {
			size_t k = frame - s->ncarry < n ? frame - s->ncarry : n;
			memcpy(s->carry + s->ncarry, p, k);
			s->ncarry += (unsigned)k;
			p += k;
			n -= k;
			if (s->ncarry < frame)
				return;
			s->ncarry = 0;
			int32_t l = le16(s->carry);
			frame_in(s, l, s->channels == 2 ? le16(s->carry + 2) : l);
			continue;
		}
		int32_t l = le16(p);
		frame_in(s, l, s->channels == 2 ? le16(p + 2) : l);
		p += frame;
		n -= frame;
	}
}

void stream_flush(struct stream *s)
{
	if (!s->primed)
		return;
	for (; s->frac < ONE; s->frac += s->step)
		put(s, s->prev[0], s->prev[1]);
	s->primed = false;
	s->frac = 0;
}

void stream_drop(struct stream *s)
{
	s->rd = s->count = 0;
	s->primed = false;
	s->frac = 0;
	s->ncarry = 0;
}

unsigned stream_take(struct stream *s, int32_t *acc, unsigned frames)
{
	unsigned n = frames < s->count ? frames : s->count;
	int32_t gl = (int32_t)(s->volume & 0xff), gr = (int32_t)(s->volume >> 8 & 0xff);
	for (unsigned i = 0; i < n; i++) {
		const int16_t *f = &s->ring[2 * ((s->rd + i) % STREAM_FRAMES)];
		acc[2 * i] += f[0] * gl / 100; /* exact at 100 */
		acc[2 * i + 1] += f[1] * gr / 100;
	}
	s->rd = (s->rd + n) % STREAM_FRAMES;
	s->count -= n;
	return n;
}

static int16_t clip(int32_t v)
{
	return (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
}

void mix_out(const int32_t *acc, int16_t *out, unsigned frames, unsigned master)
{
	int32_t gl = (int32_t)(master & 0xff), gr = (int32_t)(master >> 8 & 0xff);
	for (unsigned i = 0; i < frames; i++) {
		out[2 * i] = clip(acc[2 * i] * gl / 100);
		out[2 * i + 1] = clip(acc[2 * i + 1] * gr / 100);
	}
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int wav_header(const uint8_t *p, size_t n, unsigned *rate, unsigned *channels, size_t *skip)
{
	if (n < 12 || memcmp(p, "RIFF", 4) || memcmp(p + 8, "WAVE", 4))
		return 0;
	bool fmt = false;
	for (size_t at = 12; at + 8 <= n;) {
		uint32_t len = le32(p + at + 4);
		if (!memcmp(p + at, "fmt ", 4)) {
			if (len < 16 || at + 8 + len > n)
				return -EINVAL;
			const uint8_t *f = p + at + 8;
			unsigned tag = (uint16_t)le16(f), ch = (uint16_t)le16(f + 2);
			unsigned bits = (uint16_t)le16(f + 14);
			if (tag == 0xfffe && len >= 26)
				tag = (uint16_t)le16(f + 24); /* WAVE_FORMAT_EXTENSIBLE: its subformat */
			*rate = le32(f + 4);
			*channels = ch;
			if (tag != 1 || bits != 16 || ch < 1 || ch > 2 || *rate < RATE_MIN ||
			    *rate > RATE_MAX)
				return -EINVAL;
			fmt = true;
		} else if (!memcmp(p + at, "data", 4)) {
			if (!fmt)
				return -EINVAL;
			*skip = at + 8;
			return 1;
		}
		at += 8 + (size_t)len + (len & 1);
	}
	return -EINVAL;
}

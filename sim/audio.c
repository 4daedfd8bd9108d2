/*
 * The line out (audio.h): its position, in frames since boot, and its outlets. A sound that
 * comes later than the position is preceded by silence, written only when the sound comes or
 * the run ends, so that a machine whose card is quiet costs nothing. The WAV file goes through
 * stdio; its header is written first with sizes of 0 and filled in when the file is closed.
 */
#include "audio.h"

#include "pci.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ull
#define FRAME_BYTES 4u
#define HEADER_BYTES 44u
#define DATA_MAX_FRAMES ((UINT32_MAX - 36u) / FRAME_BYTES) /* RIFF's size field holds 36 + data */
#define CHUNK_FRAMES 1024u

static struct {
	uint64_t pos;        /* the end of what the line played */
	FILE *wav;           /* the WAV file, or NULL */
	const char *path;
	uint64_t wav_frames; /* written to it */
	sim_audio_live_fn live;
} line;

/* The header of a WAV file of frames frames of 16-bit stereo PCM at SIM_AUDIO_RATE. */
static void wav_header(uint8_t *h, uint64_t frames)
{
	uint32_t data = (uint32_t)(frames * FRAME_BYTES);
	memcpy(h, "RIFF", 4);
	sim_put32(h + 4, 36 + data);
	memcpy(h + 8, "WAVEfmt ", 8);
	sim_put32(h + 16, 16);                            /* the fmt chunk's size */
	sim_put16(h + 20, 1);                             /* PCM */
	sim_put16(h + 22, 2);                             /* channels */
	sim_put32(h + 24, SIM_AUDIO_RATE);
	sim_put32(h + 28, SIM_AUDIO_RATE * FRAME_BYTES); /* bytes a second */
	sim_put16(h + 32, FRAME_BYTES);                   /* bytes a frame */
	sim_put16(h + 34, 16);                            /* bits a sample */
	memcpy(h + 36, "data", 4);
	sim_put32(h + 40, data);
}

/* Writes the header's sizes and closes the file: false when that failed. */
static bool wav_finish(void)
{
	uint8_t h[HEADER_BYTES];
	wav_header(h, line.wav_frames);
	bool ok = fseek(line.wav, 0, SEEK_SET) == 0 && fwrite(h, sizeof(h), 1, line.wav) == 1;
	ok = fclose(line.wav) == 0 && ok;
	line.wav = NULL;
	return ok;
}

/* A write failed (why): said once, and the file ends with what was written. */
static void wav_fail(const char *why)
{
	fprintf(stderr, "eclipse-sim: --audio=wav:%s: %s; the file ends there\n", line.path, why);
	wav_finish();
}

/* Appends n frames to the file, or n frames of silence when frames is NULL. */
static void wav_put(const int16_t *frames, uint64_t n)
{
	uint8_t buf[CHUNK_FRAMES * FRAME_BYTES];
	if (!frames)
		memset(buf, 0, sizeof(buf));
	while (line.wav && n) {
		size_t k = n < CHUNK_FRAMES ? (size_t)n : CHUNK_FRAMES;
		if (line.wav_frames + k > DATA_MAX_FRAMES) {
			wav_fail("the 4 GiB a WAV file holds are full");
			return;
		}
		for (size_t i = 0; frames && i < 2 * k; i++)
			sim_put16(buf + 2 * i, (uint16_t)frames[i]);
		if (fwrite(buf, FRAME_BYTES, k, line.wav) != k) {
			wav_fail(strerror(errno));
			return;
		}
		line.wav_frames += k;
		n -= k;
		frames = frames ? frames + 2 * k : NULL;
	}
}

void sim_audio_play(uint64_t at, const int16_t *frames, size_t n)
{
	if (at < line.pos) {
		uint64_t past = line.pos - at;
		if (past >= n)
			return;
		frames += 2 * past;
		n -= (size_t)past;
		at = line.pos;
	}
	if (line.wav && at > line.wav_frames)
		wav_put(NULL, at - line.wav_frames);
	wav_put(frames, n);
	if (line.live)
		line.live(at - line.pos, frames, n);
	line.pos = at + n;
}

int sim_audio_wav_open(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	uint8_t h[HEADER_BYTES];
	wav_header(h, 0);
	if (fwrite(h, sizeof(h), 1, f) != 1) {
		int err = -errno;
		fclose(f);
		return err ? err : -EIO;
	}
	line.wav = f;
	line.path = path;
	line.wav_frames = 0;
	return 0;
}

void sim_audio_forget(void)
{
	line.wav = NULL; /* the stream is the process's that opened it: never flushed here */
	line.live = NULL;
}

void sim_audio_set_live(sim_audio_live_fn fn)
{
	line.live = fn;
}

void sim_audio_close(uint64_t end_ns)
{
	uint64_t end = end_ns / NS_PER_S * SIM_AUDIO_RATE + end_ns % NS_PER_S * SIM_AUDIO_RATE / NS_PER_S;
	if (line.wav && end > line.wav_frames)
		wav_put(NULL, end - line.wav_frames);
	if (line.wav && !wav_finish())
		fprintf(stderr, "eclipse-sim: --audio=wav:%s: %s\n", line.path, strerror(errno));
	line.live = NULL;
}

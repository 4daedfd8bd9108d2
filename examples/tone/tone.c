/*
 * tone: plays a sine tone through OSS's /dev/dsp (<ecl/sound.h>, docs/audio.md), or writes it
 * as a WAV file. It starts at its peak (a cosine), so the first and the last of its frames are
 * loud: the sound lasts exactly round(SECONDS x RATE) frames.
 *
 * usage: tone [-r RATE] [-c CHANNELS] [-a AMPLITUDE] [-v VOLUME] [-o FILE.wav | -i] FREQ SECONDS
 *   -r  frames a second (default 48000)      -c  1 or 2 (default 2)
 *   -a  the peak, 0 to 1 of full scale (default 0.5)
 *   -v  the stream's volume, 0 to 100 (SNDCTL_DSP_SETPLAYVOL; default 100)
 *   -o  write a WAV file instead of playing
 *   -i  play through the audio service's IPC interface ("audio"), as a service would
 */
#include <ecl/ipc.h>
#include <ecl/sound.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define CHUNK_FRAMES 4800

static void usage(void)
{
	fprintf(stderr, "usage: tone [-r RATE] [-c CHANNELS] [-a AMPLITUDE] [-v VOLUME] "
			"[-o FILE.wav | -i] FREQ SECONDS\n");
	exit(2);
}

static double number(const char *s, double min, double max, const char *what)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= min && v <= max)) {
		fprintf(stderr, "tone: invalid %s '%s' (%g to %g)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static int set(int fd, unsigned long req, int value, const char *what)
{
	int v = value;
	if (ioctl(fd, req, &v) < 0) {
		fprintf(stderr, "tone: /dev/dsp: %s %d: %s\n", what, value, strerror(errno));
		exit(1);
	}
	return v;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* The "audio" IPC interface: one call, its answer's status (-errno on failure). */
static struct ipc_msg req, rep;
static pid_t service;

static long long audio_call(unsigned op, unsigned stream, const void *data, size_t n)
{
	struct audio_req *q = (struct audio_req *)req.data;
	q->stream = stream;
	req.type = op;
	req.len = AUDIO_REQ_HEADER + (unsigned)n;
	if (n)
		memcpy(req.data + AUDIO_REQ_HEADER, data, n);
	if (ipc_call(service, &req, &rep, IPC_FOREVER) < 0)
		return -errno;
	struct audio_rep r;
	memcpy(&r, rep.data, sizeof(r));
	return r.status;
}

static void ipc_check(long long r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "tone: audio service: %s: %s\n", what, strerror((int)-r));
		exit(1);
	}
}

static void write_all(int fd, const void *buf, size_t n, const char *path)
{
	const uint8_t *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			fprintf(stderr, "tone: %s: %s\n", path, strerror(errno));
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

int main(int argc, char **argv)
{
	unsigned rate = 48000, channels = 2;
	double amplitude = 0.5;
	int volume = -1;
	const char *out = NULL;
	bool ipc = false;
	for (int c; (c = getopt(argc, argv, "r:c:a:v:o:i")) != -1;) {
		if (c == 'r')
			rate = (unsigned)number(optarg, 4000, 192000, "rate");
		else if (c == 'c')
			channels = (unsigned)number(optarg, 1, 2, "channels");
		else if (c == 'a')
			amplitude = number(optarg, 0, 1, "amplitude");
		else if (c == 'v')
			volume = (int)number(optarg, 0, 100, "volume");
		else if (c == 'o')
			out = optarg;
		else if (c == 'i')
			ipc = true;
		else
			usage();
	}
	if (argc - optind != 2 || (ipc && out))
		usage();
	double freq = number(argv[optind], 1, rate / 2.0, "frequency");
	double seconds = number(argv[optind + 1], 0, 3600, "duration");
	uint64_t frames = (uint64_t)llround(seconds * rate);
	const char *path = out ? out : "/dev/dsp";
	unsigned stream = 0;
	int fd = -1;
	if (ipc) {
		if ((service = ipc_lookup(AUDIO_SERVICE)) < 0) {
			fprintf(stderr, "tone: no audio service: %s\n", strerror(errno));
			return 1;
		}
		struct audio_req *q = (struct audio_req *)req.data;
		*q = (struct audio_req){.rate = rate, .channels = channels, .volume = -1};
		ipc_check(audio_call(AUDIO_OPEN, 0, NULL, 0), "open");
		memcpy(&stream, rep.data + offsetof(struct audio_rep, stream), sizeof(stream));
		if (volume >= 0) {
			q->volume = SOUND_VOLUME(volume, volume);
			ipc_check(audio_call(AUDIO_VOLUME, stream, NULL, 0), "volume");
		}
	} else {
		fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : open(path, O_WRONLY);
	}
	if (!ipc && fd < 0) {
		fprintf(stderr, "tone: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (out) {
		uint8_t h[44];
		uint32_t bytes = (uint32_t)(frames * 2 * channels);
		memcpy(h, "RIFF", 4);
		put32(h + 4, 36 + bytes);
		memcpy(h + 8, "WAVEfmt ", 8);
		put32(h + 16, 16);
		put16(h + 20, 1);
		put16(h + 22, channels);
		put32(h + 24, rate);
		put32(h + 28, rate * 2 * channels);
		put16(h + 32, 2 * channels);
		put16(h + 34, 16);
		memcpy(h + 36, "data", 4);
		put32(h + 40, bytes);
		write_all(fd, h, sizeof(h), path);
	} else if (!ipc) {
		set(fd, SNDCTL_DSP_SETFMT, AFMT_S16_LE, "format");
		set(fd, SNDCTL_DSP_CHANNELS, (int)channels, "channels");
		int got = set(fd, SNDCTL_DSP_SPEED, (int)rate, "rate");
		if (got != (int)rate)
			fprintf(stderr, "tone: /dev/dsp plays %d frames a second, not %u\n", got, rate);
		if (volume >= 0)
			set(fd, SNDCTL_DSP_SETPLAYVOL, SOUND_VOLUME(volume, volume), "volume");
	}
	static uint8_t buf[CHUNK_FRAMES * 4];
	double peak = amplitude * 32767.0, w = 2.0 * M_PI * freq / rate;
	for (uint64_t i = 0; i < frames;) {
		size_t n = 0;
		for (; n < CHUNK_FRAMES && i < frames; n++, i++) {
			int16_t v = (int16_t)lrint(peak * cos(w * (double)i));
			for (unsigned c = 0; c < channels; c++)
				put16(buf + (n * channels + c) * 2, (uint16_t)v);
		}
		size_t bytes = n * channels * 2;
		for (size_t at = 0; ipc && at < bytes; at += AUDIO_WRITE_MAX) {
			size_t k = bytes - at < AUDIO_WRITE_MAX ? bytes - at : AUDIO_WRITE_MAX;
			ipc_check(audio_call(AUDIO_WRITE, stream, buf + at, k), "write");
		}
		if (!ipc)
			write_all(fd, buf, bytes, path);
	}
	if (ipc) {
		ipc_check(audio_call(AUDIO_SYNC, stream, NULL, 0), "sync");
		ipc_check(audio_call(AUDIO_CLOSE, stream, NULL, 0), "close");
		return 0;
	}
	if (!out && ioctl(fd, SNDCTL_DSP_SYNC, 0) < 0) {
		fprintf(stderr, "tone: /dev/dsp: sync: %s\n", strerror(errno));
		return 1;
	}
	if (close(fd) < 0) {
		fprintf(stderr, "tone: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

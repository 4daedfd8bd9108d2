/*
 * tone: plays a sine tone through OSS's /dev/dsp (<ecl/sound.h>, docs/audio.md), or writes it
 * as a WAV file. It starts at its peak (a cosine), so the first and the last of its frames are
 * loud: the sound lasts exactly round(SECONDS x RATE) frames.
 *
 * usage: tone [-r RATE] [-c CHANNELS] [-a AMPLITUDE] [-v VOLUME] [-o FILE.wav] FREQ SECONDS
 *   -r  frames a second (default 48000)      -c  1 or 2 (default 2)
 *   -a  the peak, 0 to 1 of full scale (default 0.5)
 *   -v  the stream's volume, 0 to 100 (SNDCTL_DSP_SETPLAYVOL; default 100)
 *   -o  write a WAV file instead of playing
 */
#include <ecl/sound.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
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
			"[-o FILE.wav] FREQ SECONDS\n");
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
	for (int c; (c = getopt(argc, argv, "r:c:a:v:o:")) != -1;) {
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
		else
			usage();
	}
	if (argc - optind != 2)
		usage();
	double freq = number(argv[optind], 1, rate / 2.0, "frequency");
	double seconds = number(argv[optind + 1], 0, 3600, "duration");
	uint64_t frames = (uint64_t)llround(seconds * rate);
	const char *path = out ? out : "/dev/dsp";
	int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : open(path, O_WRONLY);
	if (fd < 0) {
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
	} else {
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
		write_all(fd, buf, n * channels * 2, path);
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

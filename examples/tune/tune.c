/*
 * tune: plays a tune through OSS's /dev/dsp (docs/audio.md): the first line of Beethoven's
 * "Ode to Joy", its notes made here from equal temperament, each a tone with an overtone under
 * a short attack and a decay. It plays at 22050 frames a second, mono, so the audio service
 * resamples it to the card's 48 kHz.
 *
 * usage: tune [-t TEMPO]   (beats a minute, default 150)
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

#define RATE 22050

/* Semitones from A4 (440 Hz), and beats; a rest is REST. */
#define REST 99
static const struct {
	int semitone;
	double beats;
} notes[] = {
	{-5, 1}, {-5, 1}, {-4, 1}, {-2, 1}, {-2, 1}, {-4, 1}, {-5, 1}, {-7, 1},
	{-9, 1}, {-9, 1}, {-7, 1}, {-5, 1}, {-5, 1.5}, {-7, 0.5}, {-7, 2}, {REST, 1},
};

static void die(const char *what)
{
	fprintf(stderr, "tune: /dev/dsp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set(int fd, unsigned long req, int value, const char *what)
{
	if (ioctl(fd, req, &value) < 0)
		die(what);
}

static void play(int fd, const int16_t *buf, size_t n)
{
	const uint8_t *p = (const uint8_t *)buf;
	size_t bytes = n * sizeof(*buf);
	while (bytes) {
		ssize_t w = write(fd, p, bytes);
		if (w < 0)
			die("write");
		p += w;
		bytes -= (size_t)w;
	}
}

int main(int argc, char **argv)
{
	double tempo = 150;
	if (argc == 3 && !strcmp(argv[1], "-t"))
		tempo = atof(argv[2]);
	else if (argc != 1)
		tempo = 0;
	if (!(tempo >= 20 && tempo <= 600)) {
		fprintf(stderr, "usage: tune [-t TEMPO]   (beats a minute, 20 to 600)\n");
		return 2;
	}
	int fd = open("/dev/dsp", O_WRONLY);
	if (fd < 0)
		die("open");
	set(fd, SNDCTL_DSP_SETFMT, AFMT_S16_LE, "format");
	set(fd, SNDCTL_DSP_CHANNELS, 1, "channels");
	set(fd, SNDCTL_DSP_SPEED, RATE, "rate");
	static int16_t buf[RATE * 4];
	for (size_t k = 0; k < sizeof(notes) / sizeof(notes[0]); k++) {
		size_t n = (size_t)(notes[k].beats * 60.0 / tempo * RATE);
		double f = 440.0 * pow(2.0, notes[k].semitone / 12.0);
		for (size_t i = 0; i < n; i++) {
			double t = (double)i / RATE, v = 0;
			if (notes[k].semitone != REST) {
				double env = fmin(t / 0.01, 1.0) * exp(-3.0 * t) * fmin((n - i) / 200.0, 1.0);
				v = env * (0.6 * sin(2 * M_PI * f * t) + 0.2 * sin(4 * M_PI * f * t));
			}
			buf[i] = (int16_t)lrint(v * 32767.0 * 0.8);
		}
		play(fd, buf, n);
	}
	if (ioctl(fd, SNDCTL_DSP_SYNC, 0) < 0)
		die("sync");
	close(fd);
	return 0;
}

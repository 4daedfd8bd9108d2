/*
 * mixer: the master volume of OSS's /dev/mixer (<ecl/sound.h>, docs/audio.md), as aumix and
 * OSS's ossmix show and set it: without arguments, prints it; with one, sets it.
 *
 * usage: mixer [LEVEL | LEFT:RIGHT]   (0 to 100)
 */
#include <ecl/sound.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int level(const char *s, char **end)
{
	long v = strtol(s, end, 10);
	if (*end == s || v < 0 || v > 100) {
		fprintf(stderr, "mixer: invalid level '%s' (0 to 100, or LEFT:RIGHT)\n", s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: mixer [LEVEL | LEFT:RIGHT]   (0 to 100)\n");
		return 2;
	}
	int fd = open("/dev/mixer", O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "mixer: /dev/mixer: %s\n", strerror(errno));
		return 1;
	}
	int v;
	if (argc == 2) {
		char *end;
		int left = level(argv[1], &end), right = left;
		if (*end == ':')
			right = level(end + 1, &end);
		if (*end) {
			fprintf(stderr, "mixer: invalid level '%s' (0 to 100, or LEFT:RIGHT)\n", argv[1]);
			return 2;
		}
		v = SOUND_VOLUME(left, right);
		if (ioctl(fd, SOUND_MIXER_WRITE_VOLUME, &v) < 0) {
			fprintf(stderr, "mixer: /dev/mixer: %s\n", strerror(errno));
			return 1;
		}
	} else if (ioctl(fd, SOUND_MIXER_READ_VOLUME, &v) < 0) {
		fprintf(stderr, "mixer: /dev/mixer: %s\n", strerror(errno));
		return 1;
	}
	printf("vol %d:%d\n", v & 0xff, v >> 8 & 0xff);
	return 0;
}

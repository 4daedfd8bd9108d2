/*
 * Sound: what the audio service offers (services/audio, docs/audio.md).
 *
 * Programs play through OSS's /dev/dsp, as on Linux: open, set the format with the ioctls
 * below (16-bit little-endian PCM only, one or two channels, 4000 to 192000 frames a second;
 * the default is mono at 8000), write the samples, close. A write waits while the stream's
 * buffer is full; close lets what is buffered play out. A file that begins with a WAV header
 * sets the format from it. /dev/mixer's volume is the master volume. The values are Linux's
 * (<linux/soundcard.h>), which musl does not carry.
 *
 * Services may instead speak to "audio" over IPC (struct audio_req, type an enum audio_op).
 */
#ifndef ECL_SOUND_H
#define ECL_SOUND_H

#include <eclipse.h>

#define SNDCTL_DSP_RESET 0x5000u
#define SNDCTL_DSP_SYNC 0x5001u
#define SNDCTL_DSP_SPEED 0xc0045002u
#define SNDCTL_DSP_STEREO 0xc0045003u
#define SNDCTL_DSP_GETBLKSIZE 0xc0045004u
#define SNDCTL_DSP_SETFMT 0xc0045005u
#define SNDCTL_DSP_CHANNELS 0xc0045006u
#define SNDCTL_DSP_POST 0x5008u
#define SNDCTL_DSP_GETFMTS 0x8004500bu
#define SNDCTL_DSP_GETOSPACE 0x8010500cu
#define SNDCTL_DSP_NONBLOCK 0x500eu
#define SNDCTL_DSP_GETCAPS 0x8004500fu
#define SNDCTL_DSP_GETODELAY 0x80045017u
#define SNDCTL_DSP_GETPLAYVOL 0x80045018u
#define SNDCTL_DSP_SETPLAYVOL 0xc0045018u
#define OSS_GETVERSION 0x80044d76u
#define SOUND_MIXER_READ_VOLUME 0x80044d00u
#define SOUND_MIXER_WRITE_VOLUME 0xc0044d00u
#define SOUND_MIXER_READ_PCM 0x80044d04u
#define SOUND_MIXER_WRITE_PCM 0xc0044d04u
#define SOUND_MIXER_READ_STEREODEVS 0x80044dfbu
#define SOUND_MIXER_READ_CAPS 0x80044dfcu
#define SOUND_MIXER_READ_RECMASK 0x80044dfdu
#define SOUND_MIXER_READ_DEVMASK 0x80044dfeu
#define SOUND_MASK_VOLUME 0x1u
#define SOUND_MASK_PCM 0x10u
#define AFMT_QUERY 0x0
#define AFMT_U8 0x8
#define AFMT_S16_LE 0x10
#define DSP_CAP_TRIGGER 0x1000u
#define SOUND_VERSION 0x040009

/* SNDCTL_DSP_GETOSPACE's answer. */
typedef struct audio_buf_info {
	int fragments, fragstotal, fragsize, bytes;
} audio_buf_info;

/* A volume: left | right << 8, each 0 to 100 (percent of the amplitude). */
#define SOUND_VOLUME(left, right) ((left) | (right) << 8)

#define AUDIO_SERVICE "audio"
#define AUDIO_RATE 48000 /* the card's rate: every stream is resampled to it */

enum audio_op {
	AUDIO_OPEN = 1, /* rate, channels -> 0, rep.stream */
	AUDIO_WRITE,    /* stream, data: len - AUDIO_REQ_HEADER bytes of samples -> the bytes, once
			 * the stream took them all */
	AUDIO_SYNC,     /* stream -> 0 once everything written has been played */
	AUDIO_VOLUME,   /* stream (0: the master), volume (-1: only ask) -> 0, rep.volume */
	AUDIO_CLOSE,    /* stream -> 0; what it holds still plays */
	AUDIO_INFO,     /* -> 0, rep.info */
};

struct audio_req {
	unsigned int stream, rate, channels;
	int volume;
	unsigned char data[]; /* AUDIO_WRITE */
};
#define AUDIO_REQ_HEADER 16u
#define AUDIO_WRITE_MAX (IPC_PAYLOAD_MAX - AUDIO_REQ_HEADER)

struct audio_info {
	unsigned int card;       /* 1 when a sound card plays */
	unsigned int streams;    /* open now */
	unsigned int master;     /* the master volume */
	unsigned int running;    /* 1 while the card plays */
	unsigned long long frames;    /* played by the card since the service started */
	unsigned long long underruns; /* periods a stream had too little for */
};

struct audio_rep {
	long long status; /* -errno, or the result */
	unsigned int stream;
	int volume;
	struct audio_info info;
};

#endif

/*
 * The machine's line out (audio.c): what the sound card (ac97.c) plays, as one stream of 16-bit
 * stereo frames at SIM_AUDIO_RATE on the virtual clock. Frame i is what the line carries at
 * i / SIM_AUDIO_RATE seconds after boot; where nothing played it carries silence. The stream
 * goes to a WAV file (--audio=wav:FILE), to a live outlet (--audio=sdl: audio_sdl.c), or
 * nowhere. Neither changes what the guest sees.
 */
#ifndef SIM_AUDIO_H
#define SIM_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#define SIM_AUDIO_RATE 48000u

/* n frames (left, right) that play from frame at of the line on. Frames before at that nothing
 * played are silence; frames of this call before the end of what was played already are
 * dropped (the line never goes back). */
void sim_audio_play(uint64_t at, const int16_t *frames, size_t n);

/* From now on the line is also written to path, a 48 kHz 16-bit stereo PCM WAV file whose
 * frame i is the line's frame i: 0 or -errno. A write error later is said once on stderr and
 * ends the file; the run goes on. */
int sim_audio_wav_open(const char *path);

/* A live outlet: each sound the line plays, with the frames of silence since the last one. */
typedef void (*sim_audio_live_fn)(uint64_t silence, const int16_t *frames, size_t n);
void sim_audio_set_live(sim_audio_live_fn fn);

/* The run ended at end_ns of the virtual clock: the WAV file gets its silence up to then and
 * its sizes, and is closed; the live outlet is forgotten. Once, or again to no effect. */
void sim_audio_close(uint64_t end_ns);
/* A copy of the simulator that must not write what the original writes (a time travel runner):
 * the sound goes nowhere. */
void sim_audio_forget(void);

/* --audio=sdl (audio_sdl.c, in eclipse-sim only): the line out on the host's default sound
 * device through SDL2, the run waiting whenever more than a quarter of a second is queued.
 * sim_audio_sdl_open: 0, or -1 with why set (no sound device). sim_audio_sdl_close lets what
 * is queued play out, then closes the device. */
int sim_audio_sdl_open(char *why, size_t whylen);
void sim_audio_sdl_close(void);

#endif

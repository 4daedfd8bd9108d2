/*
 * --audio=sdl: the line out (audio.c) on the host's default sound device, through SDL2's queue
 * (SDL_QueueAudio, no callback). The virtual clock usually runs faster than real time, so the
 * device event that hands over a sound waits, in short sleeps, while more than QUEUE_MAX_MS is
 * queued: a run that plays sound keeps pace with it. A device that stops taking sound (a
 * suspended sound server) is waited for at most STALL_MS, and the run goes on. Silence between
 * two sounds is queued as long as it lasted on the virtual clock (up to GAP_MAX_MS) while the
 * device still plays the first; once the device ran dry, the next sound starts at once.
 */
#include "audio.h"

#include "sdl.h"
#include <stdio.h>

#define FRAME_BYTES 4u
#define QUEUE_MAX_MS 250u
#define GAP_MAX_MS 250u
#define STALL_MS 1000u
#define WAIT_STEP_MS 5u
#define BYTES_OF_MS(ms) ((ms) * SIM_AUDIO_RATE / 1000u * FRAME_BYTES)

static SDL_AudioDeviceID device;

static void queue_silence(uint64_t frames)
{
	static const int16_t zeros[2 * 1024];
	while (frames) {
		uint64_t n = frames < 1024 ? frames : 1024;
		sdl.QueueAudio(device, zeros, (Uint32)(n * FRAME_BYTES));
		frames -= n;
	}
}

/* Waits while more than limit bytes are queued, or until the device took nothing for
 * STALL_MS. */
static void drain_to(Uint32 limit)
{
	Uint32 queued = sdl.GetQueuedAudioSize(device), still = 0;
	while (queued > limit && still < STALL_MS) {
		sdl.Delay(WAIT_STEP_MS);
		Uint32 now = sdl.GetQueuedAudioSize(device);
		still = now < queued ? 0 : still + WAIT_STEP_MS;
		queued = now;
	}
}

static void play(uint64_t silence, const int16_t *frames, size_t n)
{
	uint64_t gap_max = (uint64_t)GAP_MAX_MS * SIM_AUDIO_RATE / 1000;
	if (sdl.GetQueuedAudioSize(device))
		queue_silence(silence < gap_max ? silence : gap_max);
	sdl.QueueAudio(device, frames, (Uint32)(n * FRAME_BYTES));
	drain_to(BYTES_OF_MS(QUEUE_MAX_MS));
}

int sim_audio_sdl_open(char *why, size_t whylen)
{
	if (sdl_load(why, whylen))
		return -1;
	if (sdl.InitSubSystem(SDL_INIT_AUDIO) != 0) {
		snprintf(why, whylen, "%s", sdl.GetError());
		return -1;
	}
	SDL_AudioSpec want = {.freq = SIM_AUDIO_RATE, .format = AUDIO_S16SYS, .channels = 2,
			      .samples = 1024};
	device = sdl.OpenAudioDevice(NULL, 0, &want, NULL, 0);
	if (!device) {
		snprintf(why, whylen, "%s", sdl.GetError());
		return -1;
	}
	sdl.PauseAudioDevice(device, 0);
	sim_audio_set_live(play);
	return 0;
}

void sim_audio_sdl_close(void)
{
	if (!device)
		return;
	drain_to(0);
	sdl.CloseAudioDevice(device);
	device = 0;
	/* No SDL_QuitSubSystem: as window.c says of SDL_Quit, the libraries SDL loaded for the
	 * sound server would go, and LeakSanitizer could no longer name what they keep. */
}

/*
 * SDL2, loaded only when a window (--display=sdl) or the host's sound (--audio=sdl) opens.
 * Linking it would make every run load SDL and the forty libraries under it (X11, Wayland,
 * PulseAudio, codecs...) and apply their relocations, about 10 ms of each start on a 2-core
 * machine, for two options most runs never give. The code calls sdl.Name for SDL_Name, with
 * SDL's own types and constants.
 */
#ifndef SIM_SDL_H
#define SIM_SDL_H

#include <SDL.h>
#include <stddef.h>

#define SDL_FUNCTIONS(X)                                                                     \
	X(Init) X(InitSubSystem) X(SetHint) X(GetError) X(Delay) X(PollEvent) X(GetModState)   \
	X(CreateWindow) X(DestroyWindow) X(SetWindowTitle) X(SetRelativeMouseMode)             \
	X(CreateRenderer) X(DestroyRenderer) X(RenderClear) X(RenderCopy) X(RenderPresent)     \
	X(CreateTexture) X(DestroyTexture) X(UpdateTexture) X(OpenAudioDevice)                 \
	X(CloseAudioDevice) X(PauseAudioDevice) X(QueueAudio) X(GetQueuedAudioSize)

#define SDL_FUNCTION_POINTER(name) __typeof__(SDL_##name) *name;
extern struct sdl_functions {
	SDL_FUNCTIONS(SDL_FUNCTION_POINTER)
} sdl;
#undef SDL_FUNCTION_POINTER

/* Loads the library once, with SDL's signal handlers off: 0, or -1 with why set (not
 * installed, a symbol missing). */
int sdl_load(char *why, size_t whylen);

#endif

/* SDL2 loaded at run time (sdl.h says why). */
#include "sdl.h"

#include <dlfcn.h>
#include <stdio.h>

struct sdl_functions sdl;

int sdl_load(char *why, size_t whylen)
{
	static void *lib;
	if (lib)
		return 0;
	void *h = dlopen("libSDL2-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, whylen, "cannot load SDL2: %s", dlerror());
		return -1;
	}
#define SDL_FUNCTION_LOAD(name)                                                              \
	if (!(*(void **)&sdl.name = dlsym(h, "SDL_" #name))) {                                 \
		snprintf(why, whylen, "SDL2 has no SDL_" #name);                                \
		dlclose(h);                                                                    \
		return -1;                                                                     \
	}
	SDL_FUNCTIONS(SDL_FUNCTION_LOAD)
#undef SDL_FUNCTION_LOAD
	lib = h;
	/* Ctrl-C and SIGTERM stay the simulator's stop requests (machine.c), not SDL's quit. */
	sdl.SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	return 0;
}

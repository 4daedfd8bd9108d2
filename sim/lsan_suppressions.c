/*
 * Linked into eclipse-sim only in sanitizer builds. Unicorn 2.1.1 allocates 32 bytes when an
 * engine first initialises (a g_array_new of its own copy of glib's arrays) and never frees
 * them, even in uc_close: not ours to fix, and not a leak that grows, so LeakSanitizer is told
 * to ignore allocations made inside libunicorn, or by that function when libunicorn is linked
 * statically (cmake/Unicorn.cmake). So do
 * SDL's video drivers and the X libraries under them (--display=sdl, libX11 and the extension
 * libraries SDL loads itself, libXi, libXcursor...): caches they keep for the process's life.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_options(void);

const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

const char *__lsan_default_suppressions(void)
{
	return "leak:libunicorn.so\nleak:g_array_new\nleak:libSDL2\nleak:libX\nleak:libxcb\nleak:libdbus\nleak:libGL\nleak:_dri.so\n";
}

/*
 * Keys (keymap.c): scan code set 1 to Linux key codes (<linux/input-event-codes.h>'s KEY_*),
 * and key codes to what a terminal sends for them, as Linux's console sends it with the US
 * layout: characters with Shift and Caps Lock, Ctrl making control characters, Alt prefixing
 * ESC, and the escape sequences of the cursor, editing and function keys.
 */
#ifndef INPUT_KEYMAP_H
#define INPUT_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEY_LEFTCTRL 29
#define KEY_LEFTSHIFT 42
#define KEY_RIGHTSHIFT 54
#define KEY_LEFTALT 56
#define KEY_CAPSLOCK 58
#define KEY_RIGHTCTRL 97
#define KEY_RIGHTALT 100
#define BTN_LEFT 0x110
#define BTN_RIGHT 0x111
#define BTN_MIDDLE 0x112

struct scan_state {
	bool extended; /* an 0xe0 came */
};

/* One byte of set 1: a key code (0: none yet, or a byte not understood) and whether it is a
 * press. */
unsigned scan_to_key(struct scan_state *s, uint8_t b, bool *down);

struct mods {
	bool shift_l, shift_r, ctrl_l, ctrl_r, alt_l, alt_r, caps;
};

/* Keeps the modifiers; for any other key pressed, what the terminal sends (at most 8 bytes)
 * into out: its length, 0 for a key that sends nothing. */
size_t key_to_bytes(struct mods *m, unsigned key, bool down, char out[8]);
/* The key's name ("a", "enter", "leftshift"), for the event log. */
const char *key_name(unsigned key);

#endif

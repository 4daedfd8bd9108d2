/*
 * The keys of a PC keyboard by their Linux key codes (<linux/input-event-codes.h>'s KEY_*),
 * with their names and what they type with the US layout (keys.c). Shared by the input service,
 * which turns key codes into characters, and by eclipse-sim, which turns --keys' text and names
 * into key codes. Freestanding: no C library beyond string compares.
 */
#ifndef ECL_KEYS_H
#define ECL_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define KEY_CODES 128

struct key_info {
	const char *name; /* lower case, KEY_ without its prefix: "a", "enter", "leftshift" */
	char plain, shifted; /* what it types without and with Shift; 0: nothing */
};

/* Key code k (below KEY_CODES): its name is NULL for a code no key has. */
extern const struct key_info key_table[KEY_CODES];
/* The key code of a name len bytes long, or -1. */
int key_by_name(const char *name, size_t len);
/* The key that types c, and whether Shift is held for it (the main keys, not the keypad's),
 * or -1. */
int key_for_char(char c, bool *shift);

#endif

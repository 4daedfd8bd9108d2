/* Keys (keymap.h): set 1 scan codes, Linux key codes, the US layout. */
#include "keymap.h"

#include <ecl/keys.h>

#include <string.h>

/* Set 1 codes after 0xe0 and their key codes. */
static const uint8_t extended[][2] = {
	{0x1c, 96}, {0x1d, 97}, {0x35, 98}, {0x37, 99}, {0x38, 100}, {0x47, 102}, {0x48, 103},
	{0x49, 104}, {0x4b, 105}, {0x4d, 106}, {0x4f, 107}, {0x50, 108}, {0x51, 109}, {0x52, 110},
	{0x53, 111}, {0x5b, 125}, {0x5c, 126}, {0x5d, 127},
};

/* What Linux's console sends for the keys that type no character. */
static const struct {
	unsigned key;
	const char *seq;
} sequences[] = {
	{103, "\033[A"}, {108, "\033[B"}, {106, "\033[C"}, {105, "\033[D"},
	{102, "\033[1~"}, {110, "\033[2~"}, {111, "\033[3~"}, {107, "\033[4~"},
	{104, "\033[5~"}, {109, "\033[6~"},
	{59, "\033[[A"}, {60, "\033[[B"}, {61, "\033[[C"}, {62, "\033[[D"}, {63, "\033[[E"},
	{64, "\033[17~"}, {65, "\033[18~"}, {66, "\033[19~"}, {67, "\033[20~"}, {68, "\033[21~"},
	{87, "\033[23~"}, {88, "\033[24~"},
};

unsigned scan_to_key(struct scan_state *s, uint8_t b, bool *down)
{
	if (b == 0xe0) {
		s->extended = true;
		return 0;
	}
	bool ext = s->extended;
	s->extended = false;
	*down = !(b & 0x80);
	uint8_t code = b & 0x7f;
	if (!ext)
		return code >= 1 && code <= 88 && key_table[code].name ? code : 0;
	for (size_t i = 0; i < sizeof(extended) / sizeof(extended[0]); i++)
		if (extended[i][0] == code)
			return extended[i][1];
	return 0; /* 0xe0 0x2a and the like: the fake shifts of some keys */
}

const char *key_name(unsigned key)
{
	return key < 128 && key_table[key].name ? key_table[key].name : "?";
}

size_t key_to_bytes(struct mods *m, unsigned key, bool down, char out[8])
{
	switch (key) {
	case KEY_LEFTSHIFT: m->shift_l = down; return 0;
	case KEY_RIGHTSHIFT: m->shift_r = down; return 0;
	case KEY_LEFTCTRL: m->ctrl_l = down; return 0;
	case KEY_RIGHTCTRL: m->ctrl_r = down; return 0;
	case KEY_LEFTALT: m->alt_l = down; return 0;
	case KEY_RIGHTALT: m->alt_r = down; return 0;
	case KEY_CAPSLOCK:
		if (down)
			m->caps = !m->caps;
		return 0;
	default:
		break;
	}
	if (!down || key >= 128)
		return 0;
	for (size_t i = 0; i < sizeof(sequences) / sizeof(sequences[0]); i++)
		if (sequences[i].key == key) {
			size_t n = strlen(sequences[i].seq);
			memcpy(out, sequences[i].seq, n);
			return n;
		}
	bool shift = m->shift_l || m->shift_r;
	char c = shift ? key_table[key].shifted : key_table[key].plain;
	if (!c)
		return 0;
	if (m->caps && c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	else if (m->caps && c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	if (m->ctrl_l || m->ctrl_r) {
		if ((c >= '@' && c <= '_') || (c >= 'a' && c <= 'z'))
			c = (char)(c & 0x1f);
		else if (c == ' ' || c == '2')
			c = 0;
		else if (c == '/' || c == '?')
			c = 0x1f;
	}
	size_t n = 0;
	if (m->alt_l || m->alt_r)
		out[n++] = 0x1b;
	out[n++] = c;
	return n;
}

/* The keys of a PC keyboard (ecl/keys.h). */
#include <ecl/keys.h>

const struct key_info key_table[KEY_CODES] = {
	[1] = {"esc", 0x1b, 0x1b}, [2] = {"1", '1', '!'}, [3] = {"2", '2', '@'},
	[4] = {"3", '3', '#'}, [5] = {"4", '4', '$'}, [6] = {"5", '5', '%'}, [7] = {"6", '6', '^'},
	[8] = {"7", '7', '&'}, [9] = {"8", '8', '*'}, [10] = {"9", '9', '('}, [11] = {"0", '0', ')'},
	[12] = {"minus", '-', '_'}, [13] = {"equal", '=', '+'}, [14] = {"backspace", 0x7f, 0x7f},
	[15] = {"tab", '\t', '\t'}, [16] = {"q", 'q', 'Q'}, [17] = {"w", 'w', 'W'},
	[18] = {"e", 'e', 'E'}, [19] = {"r", 'r', 'R'}, [20] = {"t", 't', 'T'}, [21] = {"y", 'y', 'Y'},
	[22] = {"u", 'u', 'U'}, [23] = {"i", 'i', 'I'}, [24] = {"o", 'o', 'O'}, [25] = {"p", 'p', 'P'},
	[26] = {"leftbrace", '[', '{'}, [27] = {"rightbrace", ']', '}'}, [28] = {"enter", '\r', '\r'},
	[29] = {"leftctrl", 0, 0}, [30] = {"a", 'a', 'A'}, [31] = {"s", 's', 'S'},
	[32] = {"d", 'd', 'D'}, [33] = {"f", 'f', 'F'}, [34] = {"g", 'g', 'G'}, [35] = {"h", 'h', 'H'},
	[36] = {"j", 'j', 'J'}, [37] = {"k", 'k', 'K'}, [38] = {"l", 'l', 'L'},
	[39] = {"semicolon", ';', ':'}, [40] = {"apostrophe", '\'', '"'}, [41] = {"grave", '`', '~'},
	[42] = {"leftshift", 0, 0}, [43] = {"backslash", '\\', '|'}, [44] = {"z", 'z', 'Z'},
	[45] = {"x", 'x', 'X'}, [46] = {"c", 'c', 'C'}, [47] = {"v", 'v', 'V'}, [48] = {"b", 'b', 'B'},
	[49] = {"n", 'n', 'N'}, [50] = {"m", 'm', 'M'}, [51] = {"comma", ',', '<'},
	[52] = {"dot", '.', '>'}, [53] = {"slash", '/', '?'}, [54] = {"rightshift", 0, 0},
	[55] = {"kpasterisk", '*', '*'}, [56] = {"leftalt", 0, 0}, [57] = {"space", ' ', ' '},
	[58] = {"capslock", 0, 0}, [59] = {"f1", 0, 0}, [60] = {"f2", 0, 0}, [61] = {"f3", 0, 0},
	[62] = {"f4", 0, 0}, [63] = {"f5", 0, 0}, [64] = {"f6", 0, 0}, [65] = {"f7", 0, 0},
	[66] = {"f8", 0, 0}, [67] = {"f9", 0, 0}, [68] = {"f10", 0, 0}, [69] = {"numlock", 0, 0},
	[70] = {"scrolllock", 0, 0}, [71] = {"kp7", '7', '7'}, [72] = {"kp8", '8', '8'},
	[73] = {"kp9", '9', '9'}, [74] = {"kpminus", '-', '-'}, [75] = {"kp4", '4', '4'},
	[76] = {"kp5", '5', '5'}, [77] = {"kp6", '6', '6'}, [78] = {"kpplus", '+', '+'},
	[79] = {"kp1", '1', '1'}, [80] = {"kp2", '2', '2'}, [81] = {"kp3", '3', '3'},
	[82] = {"kp0", '0', '0'}, [83] = {"kpdot", '.', '.'}, [86] = {"102nd", '<', '>'},
	[87] = {"f11", 0, 0}, [88] = {"f12", 0, 0}, [96] = {"kpenter", '\r', '\r'},
	[97] = {"rightctrl", 0, 0}, [98] = {"kpslash", '/', '/'}, [99] = {"sysrq", 0, 0},
	[100] = {"rightalt", 0, 0}, [102] = {"home", 0, 0}, [103] = {"up", 0, 0},
	[104] = {"pageup", 0, 0}, [105] = {"left", 0, 0}, [106] = {"right", 0, 0},
	[107] = {"end", 0, 0}, [108] = {"down", 0, 0}, [109] = {"pagedown", 0, 0},
	[110] = {"insert", 0, 0}, [111] = {"delete", 0, 0}, [125] = {"leftmeta", 0, 0},
	[126] = {"rightmeta", 0, 0}, [127] = {"compose", 0, 0},
};

static bool same(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i] || !a[i])
			return false;
	return !a[len];
}

int key_by_name(const char *name, size_t len)
{
	for (int k = 0; k < KEY_CODES; k++)
		if (key_table[k].name && same(key_table[k].name, name, len))
			return k;
	return -1;
}

int key_for_char(char c, bool *shift)
{
	/* The main keys come before the keypad's, which type the same digits. */
	for (int k = 0; k < 70; k++) {
		if (key_table[k].plain == c || key_table[k].shifted == c) {
			*shift = key_table[k].plain != c;
			return k;
		}
	}
	return -1;
}

/*
 * Just enough x86-64 decoding to find, in a freshly translated block, the instructions whose
 * emulation differs from the CPU at CPL 3 (insn.h): lengths of every instruction, and what an
 * instruction is once its length is known.
 */
#include "insn.h"

#include <stdbool.h>


enum imm { NONE, B1, B2, B3, Z, MOFFS }; /* B3: enter's imm16 + imm8; Z: 2 or 4 bytes */

/* One-byte opcodes: whether a ModRM byte follows, and the immediate. */
static bool has_modrm1(uint8_t op)
{
	if (op < 0x40)
		return (op & 7) < 4;
	switch (op) {
	case 0x62: case 0x63: case 0x69: case 0x6b: case 0xc0: case 0xc1: case 0xc6: case 0xc7:
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: case 0xf6: case 0xf7: case 0xfe: case 0xff:
		return true;
	}
	return (op >= 0x80 && op <= 0x8f) || (op >= 0xd8 && op <= 0xdf);
}

static enum imm imm1(uint8_t op, uint8_t modrm)
{
	if (op < 0x40)
		return (op & 7) == 4 ? B1 : (op & 7) == 5 ? Z : NONE;
	if ((op >= 0x70 && op <= 0x7f) || (op >= 0xb0 && op <= 0xb7) || (op >= 0xe0 && op <= 0xe7))
		return B1;
	if (op >= 0xb8 && op <= 0xbf)
		return Z; /* imm64 with REX.W: the caller widens it */
	if (op >= 0xa0 && op <= 0xa3)
		return MOFFS;
	switch (op) {
	case 0x6a: case 0x6b: case 0x80: case 0x83: case 0xa8: case 0xc0: case 0xc1: case 0xc6:
	case 0xcd: case 0xeb:
		return B1;
	case 0x68: case 0x69: case 0x81: case 0xa9: case 0xc7: case 0xe8: case 0xe9:
		return Z;
	case 0xc2: case 0xca:
		return B2;
	case 0xc8:
		return B3;
	case 0xf6:
		return ((modrm >> 3) & 7) < 2 ? B1 : NONE;
	case 0xf7:
		return ((modrm >> 3) & 7) < 2 ? Z : NONE;
	}
	return NONE;
}

/* Two-byte (0F xx) opcodes. */
static bool has_modrm2(uint8_t op)
{
	switch (op) {
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b: case 0x0e: case 0x77:
	case 0xa0: case 0xa1: case 0xa2: case 0xa8: case 0xa9: case 0xaa:
		return false;
	}
	/* No ModRM: rdtsc and its row, the jcc rel32s, bswap. Everything from 0f d0 on has one. */
	return !(op >= 0x30 && op <= 0x37) && !(op >= 0x80 && op <= 0x8f) &&
	       !(op >= 0xc8 && op <= 0xcf);
}

static enum imm imm2(uint8_t op)
{
	if (op >= 0x80 && op <= 0x8f)
		return Z;
	switch (op) {
	case 0x0f: case 0x70: case 0x71: case 0x72: case 0x73: case 0xa4: case 0xac: case 0xba:
	case 0xc2: case 0xc4: case 0xc5: case 0xc6:
		return B1;
	}
	return NONE;
}

/* Length of a ModRM byte at p with what it implies (SIB, displacement), or 0 past n. */
static size_t modrm_length(const uint8_t *p, size_t n)
{
	if (n < 1)
		return 0;
	unsigned mod = p[0] >> 6, rm = p[0] & 7;
	size_t len = 1;
	if (mod == 3)
		return len;
	if (rm == 4) {
		if (n < 2)
			return 0;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;
		len++;
	} else if (mod == 0 && rm == 5) {
		len += 4; /* rip-relative */
	}
	return len + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: case 0x66: case 0x67:
	case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

size_t insn_length(const uint8_t *code, size_t avail)
{
	size_t n = avail < INSN_MAX ? avail : INSN_MAX, i = 0;
	bool opsize16 = false, addr32 = false, rex_w = false;
	for (; i < n && (is_legacy_prefix(code[i]) || (code[i] & 0xf0) == 0x40); i++) {
		rex_w = (code[i] & 0xf8) == 0x48;
		opsize16 |= code[i] == 0x66;
		addr32 |= code[i] == 0x67;
	}
	if (i >= n)
		return 0;
	uint8_t op = code[i++];
	bool modrm;
	enum imm imm;
	unsigned vex_map = 0; /* VEX, EVEX and XOP carry their opcode map */
	if ((op == 0xc4 || op == 0xc5 || op == 0x62 || (op == 0x8f && i < n && (code[i] & 0x1f) >= 8))) {
		size_t payload = op == 0xc5 ? 1 : op == 0x62 ? 3 : 2;
		if (i + payload >= n)
			return 0;
		vex_map = op == 0xc5 ? 1 : code[i] & (op == 0x62 ? 0x07 : 0x1f);
		i += payload;
		op = code[i++];
		modrm = !(vex_map == 1 && op == 0x77);
		imm = vex_map == 3 || vex_map == 8 ? B1 : vex_map == 0xa ? Z : vex_map == 1 ? imm2(op) : NONE;
		opsize16 = false;
	} else if (op == 0x0f) {
		if (i >= n)
			return 0;
		op = code[i++];
		if (op == 0x38 || op == 0x3a) {
			if (i >= n)
				return 0;
			i++;
			modrm = true;
			imm = op == 0x3a ? B1 : NONE;
		} else {
			modrm = has_modrm2(op);
			imm = imm2(op);
		}
	} else {
		modrm = has_modrm1(op);
		imm = imm1(op, i < n ? code[i] : 0);
		if (op >= 0xb8 && op <= 0xbf && rex_w)
			return i + 8 <= n ? i + 8 : 0;
	}
	if (modrm) {
		size_t m = modrm_length(code + i, n - i);
		if (!m)
			return 0;
		i += m;
	}
	static const unsigned fixed[] = {[NONE] = 0, [B1] = 1, [B2] = 2, [B3] = 3};
	size_t isize = imm == Z ? (opsize16 && !rex_w ? 2 : 4)
		     : imm == MOFFS ? (addr32 ? 4 : 8) : fixed[imm];
	return i + isize <= n ? i + isize : 0;
}

enum insn_kind insn_kind(const uint8_t *code, size_t len)
{
	size_t i = 0;
	while (i < len && (is_legacy_prefix(code[i]) || (code[i] & 0xf0) == 0x40))
		i++;
	if (i >= len)
		return INSN_OTHER;
	uint8_t op = code[i];
	if ((op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef) || (op >= 0x6c && op <= 0x6f))
		return INSN_PORT;
	if (op == 0xcd && i + 1 < len && code[i + 1] != 3)
		return INSN_INT_N;
	if (op == 0xf1)
		return INSN_ICEBP;
	if (op == 0x0f && i + 1 < len && code[i + 1] == 0x33)
		return INSN_RDPMC;
	return INSN_OTHER;
}

unsigned insn_port_size(const uint8_t *code, size_t len, int *port)
{
	size_t i = 0;
	bool opsize16 = false;
	while (i < len && (is_legacy_prefix(code[i]) || (code[i] & 0xf0) == 0x40)) {
		opsize16 |= code[i] == 0x66;
		i++;
	}
	*port = -1;
	if (i >= len)
		return 1;
	uint8_t op = code[i];
	if (op >= 0xe4 && op <= 0xe7 && i + 1 < len)
		*port = code[i + 1];
	return !(op & 1) ? 1 : opsize16 ? 2 : 4;
}

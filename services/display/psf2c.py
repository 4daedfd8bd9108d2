#!/usr/bin/env python3
"""Turns a PSF console font (version 1 or 2, optionally gzip'd, as Debian's console-setup-linux
ships them in /usr/share/consolefonts) into C for the display service: the glyph bitmaps, and
the Unicode table as code points sorted with their glyphs (font.h says how they are read).

usage: psf2c.py FONT.psf[.gz] OUT.c
"""
import gzip
import struct
import sys


def fail(msg):
    sys.exit(f"psf2c.py: {sys.argv[1]}: {msg}")


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def parse_psf1(data):
    mode, height = data[2], data[3]
    count = 512 if mode & 1 else 256
    width, start = 8, 4
    glyph_bytes = height
    glyphs = data[start:start + count * glyph_bytes]
    table = {}
    if mode & 6:  # a Unicode table: per glyph, 16-bit code points up to 0xffff
        pos, glyph = start + count * glyph_bytes, 0
        while glyph < count and pos + 1 < len(data):
            (cp,) = struct.unpack_from("<H", data, pos)
            pos += 2
            if cp == 0xFFFF:
                glyph += 1
            elif cp != 0xFFFE:  # 0xfffe starts sequences: not used here
                table.setdefault(cp, glyph)
    return width, height, count, glyph_bytes, glyphs, table


def utf8_points(seq):
    return [ord(c) for c in seq.decode("utf-8", "replace")]


def parse_psf2(data):
    (_, _, header, flags, count, glyph_bytes, height, width) = struct.unpack_from("<8I", data, 0)
    glyphs = data[header:header + count * glyph_bytes]
    table = {}
    if flags & 1:
        pos = header + count * glyph_bytes
        for glyph in range(count):
            end = data.index(b"\xff", pos)
            entry = data[pos:end].split(b"\xfe")[0]  # single code points, not sequences
            for cp in utf8_points(entry):
                table.setdefault(cp, glyph)
            pos = end + 1
    return width, height, count, glyph_bytes, glyphs, table


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    data = load(sys.argv[1])
    if data[:2] == b"\x36\x04":
        width, height, count, glyph_bytes, glyphs, table = parse_psf1(data)
    elif data[:4] == b"\x72\xb5\x4a\x86":
        width, height, count, glyph_bytes, glyphs, table = parse_psf2(data)
    else:
        fail("not a PSF font")
    if width > 32 or height > 64 or len(glyphs) != count * glyph_bytes:
        fail(f"unsupported or truncated font ({width}x{height}, {count} glyphs)")
    if not table:  # no Unicode table: glyph i is code point i (a CP437-less font)
        table = {i: i for i in range(count)}
    out = [f"/* Generated from {sys.argv[1].rsplit('/', 1)[-1]} by psf2c.py: do not edit. */",
           '#include "font.h"', "",
           f"static const unsigned char glyphs[{len(glyphs)}] = {{"]
    for i in range(0, len(glyphs), 16):
        out.append("\t" + ", ".join(f"0x{b:02x}" for b in glyphs[i:i + 16]) + ",")
    out.append("};")
    out.append("")
    pairs = sorted(table.items())
    out.append(f"static const struct font_map map[{len(pairs)}] = {{")
    for i in range(0, len(pairs), 6):
        out.append("\t" + " ".join(f"{{0x{cp:x}, {g}}}," for cp, g in pairs[i:i + 6]))
    out.append("};")
    out.append("")
    out.append("const struct font console_font = {")
    out.append(f"\t.width = {width}, .height = {height}, .glyph_bytes = {glyph_bytes},")
    out.append(f"\t.count = {count}, .glyphs = glyphs, .map = map, .nmap = {len(pairs)},")
    out.append("};")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


main()

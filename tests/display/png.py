#!/usr/bin/env python3
"""Reads and compares PNG screenshots (8-bit RGB or RGBA, not interlaced: what eclipse-sim's
--screenshot and QEMU's screendump write), with the standard library alone.

usage: png.py same A.png B.png        exit 0 when the pictures are equal pixel for pixel, else
                                      say how many pixels differ and where, exit 1
       png.py info A.png              width, height, and how many pixels are not black
       png.py crop A.png X Y W H OUT  (for the README's picture: a part of a screenshot)
       png.py pixel A.png X Y         the pixel's colour, as RRGGBB in hex
       png.py inside A.png SCREEN.xwd  exit 0 when A's picture is somewhere in the X screen
                                      dump (Xvfb -fbdir's file) pixel for pixel, else 1
"""
import struct
import sys
import zlib


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"png.py: {path}: not a PNG")
    pos, idat, width, height, channels = 8, b"", 0, 0, 3
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                sys.exit(f"png.py: {path}: not 8-bit RGB(A), not interlaced")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride, out, prev, i = width * channels, bytearray(), bytearray(width * channels), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        for x in range(width):
            out += line[x * channels:x * channels + 3]
    return width, height, bytes(out)


def read_xwd(path):
    """An X window dump of depth 24 in 32-bit pixels, as Xvfb's -fbdir keeps its screen."""
    with open(path, "rb") as f:
        data = f.read()
    fields = struct.unpack(">25I", data[:100])
    header, version, width, height = fields[0], fields[1], fields[4], fields[5]
    byte_order, bpp, stride, ncolors = fields[7], fields[11], fields[12], fields[19]
    if version != 7 or bpp != 32:
        sys.exit(f"png.py: {path}: not a 32-bit X window dump")
    pos = header + 12 * ncolors
    out = bytearray()
    for y in range(height):
        row = data[pos + y * stride:pos + y * stride + width * 4]
        for x in range(width):
            p = row[4 * x:4 * x + 4]
            b, g, r = (p[0], p[1], p[2]) if byte_order == 0 else (p[3], p[2], p[1])
            out += bytes((r, g, b))
    return width, height, bytes(out)


def inside(small, big):
    """Where small's picture is in big's, by the first pixel that is not black: (x, y) or None."""
    ws, hs, a = small
    wb, hb, b = big
    first = next((i // 3 for i in range(0, len(a), 3) if a[i:i + 3] != b"\0\0\0"), None)
    if first is None:
        return None
    fx, fy = first % ws, first // ws
    for i in range(0, len(b), 3):
        if b[i:i + 3] != a[first * 3:first * 3 + 3]:
            continue
        x, y = i // 3 % wb - fx, i // 3 // wb - fy
        if x < 0 or y < 0 or x + ws > wb or y + hs > hb:
            continue
        if all(a[r * ws * 3:(r + 1) * ws * 3] == b[((y + r) * wb + x) * 3:((y + r) * wb + x + ws) * 3]
               for r in range(hs)):
            return x, y
    return None


def write(path, width, height, rgb):
    rows = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "same":
        wa, ha, a = read(args[1])
        wb, hb, b = read(args[2])
        if (wa, ha) != (wb, hb):
            print(f"sizes differ: {wa}x{ha} and {wb}x{hb}")
            sys.exit(1)
        diff = [i // 3 for i in range(0, len(a), 3) if a[i:i + 3] != b[i:i + 3]]
        if diff:
            ys = sorted({p // wa for p in diff})
            print(f"{len(diff)} pixels differ, in rows {ys[0]}..{ys[-1]} "
                  f"(text rows {ys[0] // 16}..{ys[-1] // 16} of a 16-pixel font)")
            sys.exit(1)
        print(f"equal: {wa}x{ha}")
    elif len(args) == 2 and args[0] == "info":
        w, h, a = read(args[1])
        lit = sum(1 for i in range(0, len(a), 3) if a[i:i + 3] != b"\0\0\0")
        print(f"{w}x{h}, {lit} pixels not black")
    elif len(args) == 4 and args[0] == "pixel":
        w, h, a = read(args[1])
        x, y = int(args[2]), int(args[3])
        if x >= w or y >= h:
            sys.exit("png.py: the pixel is not in the picture")
        print(a[(y * w + x) * 3:(y * w + x) * 3 + 3].hex())
    elif len(args) == 3 and args[0] == "inside":
        where = inside(read(args[1]), read_xwd(args[2]))
        if where is None:
            print("not found in the screen dump")
            sys.exit(1)
        print(f"found at {where[0]},{where[1]}")
    elif len(args) == 7 and args[0] == "crop":
        w, h, a = read(args[1])
        x, y, cw, ch = map(int, args[2:6])
        if x + cw > w or y + ch > h:
            sys.exit("png.py: the crop is not inside the picture")
        rgb = b"".join(a[((y + r) * w + x) * 3:((y + r) * w + x + cw) * 3] for r in range(ch))
        write(args[6], cw, ch, rgb)
    else:
        sys.exit(__doc__)


main()

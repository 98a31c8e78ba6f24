"""Counts pixels of a PNG screenshot: how many are not white, and how many are close to each
given colour.

Usage: report_png_check.py FILE.png RRGGBB [RRGGBB ...]

Prints "size<TAB>width<TAB>height", "nonwhite<TAB>count" and per colour
"color<TAB>RRGGBB<TAB>count" (every channel within 24 of the colour). Decodes 8-bit RGB and
RGBA non-interlaced PNGs (what Chromium writes) with zlib only, so it runs on Debian's
/usr/bin/python3 without PIL. Exit status 1 with the reason for anything else.
"""
import struct
import sys
import zlib

TOLERANCE = 24


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = header
    if depth != 8 or ctype not in (2, 6) or interlace != 0:
        raise ValueError("unsupported PNG: depth %d colour type %d interlace %d"
                         % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif f == 4:
                line[x] = (line[x] + paeth(a, b, c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main(argv):
    with open(argv[0], "rb") as f:
        width, height, bpp, rows = decode(f.read())
    colors = [tuple(int(c[k:k + 2], 16) for k in (0, 2, 4)) for c in argv[1:]]
    counts = [0] * len(colors)
    nonwhite = 0
    for line in rows:
        for x in range(0, len(line), bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if r < 245 or g < 245 or b < 245:
                nonwhite += 1
                for k, (cr, cg, cb) in enumerate(colors):
                    if abs(r - cr) <= TOLERANCE and abs(g - cg) <= TOLERANCE and abs(b - cb) <= TOLERANCE:
                        counts[k] += 1
    print("size\t%d\t%d" % (width, height))
    print("nonwhite\t%d" % nonwhite)
    for c, n in zip(argv[1:], counts):
        print("color\t%s\t%d" % (c, n))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (ValueError, OSError, zlib.error, struct.error) as e:
        print("cannot read the PNG: %s" % e)
        sys.exit(1)

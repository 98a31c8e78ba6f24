#!/usr/bin/python3
"""Makes the golden files of tests/image: small test images and what Pillow makes of them.

For each case it writes an input image (JPEG or PNG), Pillow's decoded RGB pixels of it, and the
output of Hugging Face's CLIPImageProcessor steps done with Pillow, independently of pwemoe:

    im = Image.open(path); im = im.convert("RGB") if im.mode != "RGB"    # do_convert_rgb
    short, long -> new long side int(shortest_edge * long / short)       # do_resize
    im = im.resize((w, h), Image.BICUBIC)                                  #   (reducing_gap None)
    a = numpy.asarray(im)[top:top + crop, left:left + crop]               # do_center_crop
         with top = (h - crop) // 2, left = (w - crop) // 2

References are 8-bit RGB PNGs written by Pillow (decoded pixels only for PNG inputs: "-" for JPEG
inputs, whose decoded pixels are checked by hash). manifest.txt has one line per case:

    name input width height decoded decoded_fnv shortest_edge crop output output_fnv

where *_fnv is the FNV-1a 64-bit hash (hex) of the raw RGB bytes Pillow held in memory, so the
test can check that it read each reference PNG back exactly.

Needs Debian's python3-pil and python3-numpy, and cc with libjpeg62-turbo-dev for the YCCK JPEG
(only to regenerate the files; the tests read the committed files). Deterministic: rerunning rewrites identical pixels.
Usage: /usr/bin/python3 tests/image/make_golden.py [OUT_DIR]   (default: tests/image/golden)
"""
import os
import struct
import sys
import zlib

import numpy as np
import PIL
from PIL import Image

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def scene(w, h, seed, channels=3):
    """A deterministic picture: smooth gradients, sharp shapes, fine stripes and a noisy patch,
    so that resampling has edges, detail and flat areas to get right."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    out = np.zeros((h, w, channels))
    for c in range(channels):
        fx, fy = rng.uniform(0.5, 2.0, 2)
        out[..., c] = 128 + 100 * np.sin(fx * x / w * np.pi + c) * np.cos(fy * y / h * np.pi - c)
    # sharp disc and rectangle
    cx, cy, r = w * 0.35, h * 0.4, min(w, h) * 0.22
    disc = (x - cx) ** 2 + (y - cy) ** 2 < r * r
    out[disc] = rng.uniform(0, 255, channels)
    rect = (x > w * 0.6) & (x < w * 0.85) & (y > h * 0.55) & (y < h * 0.9)
    out[rect] = rng.uniform(0, 255, channels)
    # fine diagonal stripes in one band
    band = (y > h * 0.08) & (y < h * 0.2)
    stripes = ((x + y) // 2) % 2 == 0
    out[band & stripes] = 250
    out[band & ~stripes] = 5
    # a noisy patch
    patch = (x < w * 0.12) & (y > h * 0.8)
    out[patch] += rng.normal(0, 30, (int(patch.sum()), channels))
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


# ---- a minimal PNG writer for what Pillow cannot write (16-bit RGB, 2-bit gray, Adam7) --------

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def pack_rows(a, bit_depth):
    """Rows of samples a[h, w, s] (ints) packed as PNG scanlines (filter byte 0)."""
    rows = []
    for row in a:
        flat = row.reshape(-1)
        if bit_depth == 16:
            data = flat.astype(">u2").tobytes()
        elif bit_depth == 8:
            data = flat.astype(np.uint8).tobytes()
        else:
            per = 8 // bit_depth
            padded = np.zeros(-(-len(flat) // per) * per, dtype=np.int64)
            padded[: len(flat)] = flat
            groups = padded.reshape(-1, per)
            shifts = np.array([8 - bit_depth * (i + 1) for i in range(per)])
            data = (groups << shifts).sum(axis=1).astype(np.uint8).tobytes()
        rows.append(b"\x00" + data)
    return b"".join(rows)


def write_png(path, a, bit_depth, color_type, interlace=False):
    h, w = a.shape[:2]
    if a.ndim == 2:
        a = a[..., None]

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    if interlace:
        raw = b"".join(
            pack_rows(a[y0::dy, x0::dx], bit_depth)
            for x0, y0, dx, dy in ADAM7
            if a[y0::dy, x0::dx].shape[0] and a[y0::dy, x0::dx].shape[1]
        )
    else:
        raw = pack_rows(a, bit_depth)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


# ---- a YCCK JPEG (Pillow cannot write one): a small C program on Debian's libjpeg ----------

YCCK_WRITER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
/* ycck W H QUALITY OUT.jpg < raw CMYK (W*H*4 bytes, Adobe-inverted as Pillow stores CMYK) */
int main(int argc, char** argv) {
  int w = atoi(argv[1]), h = atoi(argv[2]);
  unsigned char* px = malloc((size_t)w * h * 4);
  if (fread(px, 1, (size_t)w * h * 4, stdin) != (size_t)w * h * 4) return 1;
  struct jpeg_compress_struct c; struct jpeg_error_mgr e;
  c.err = jpeg_std_error(&e); jpeg_create_compress(&c);
  FILE* out = fopen(argv[4], "wb"); jpeg_stdio_dest(&c, out);
  c.image_width = w; c.image_height = h; c.input_components = 4; c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c); jpeg_set_colorspace(&c, JCS_YCCK); jpeg_set_quality(&c, atoi(argv[3]), TRUE);
  jpeg_start_compress(&c, TRUE);
  for (int y = 0; y < h; ++y) { JSAMPROW row = px + (size_t)y * w * 4; jpeg_write_scanlines(&c, &row, 1); }
  jpeg_finish_compress(&c); fclose(out); jpeg_destroy_compress(&c); return 0;
}
"""


def write_ycck_jpeg(path, cmyk, quality):
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "ycck.c"), os.path.join(tmp, "ycck")
        with open(src, "w") as f:
            f.write(YCCK_WRITER)
        subprocess.run(["cc", "-O1", "-o", exe, src, "-ljpeg"], check=True)
        h, w = cmyk.shape[:2]
        subprocess.run([exe, str(w), str(h), str(quality), path], input=(255 - cmyk).tobytes(), check=True)


# ---- the cases ----------------------------------------------------------------------------


def make_inputs():
    """(name, file name, options list) after writing each input file."""
    cases = []

    def save(img, name, ext, **kw):
        img.save(os.path.join(OUT, name + "." + ext), **kw)
        return name + "." + ext

    # Options (shortest_edge, crop): CLIP's (224, 224) for a few cases, else a 128 center crop of
    # the same 224 resize (the same resampling, smaller files).
    # JPEG: 4:2:0 RGB downscaled; progressive 4:4:4 with odd sides; grayscale portrait upscaled;
    # CMYK (Pillow writes Adobe-inverted CMYK); a larger downscale (factor ~2.1).
    cases.append(("jpeg_rgb_420", save(Image.fromarray(scene(360, 270, 1)), "jpeg_rgb_420", "jpg", quality=90), [(224, 224)]))
    cases.append(("jpeg_rgb_444_progressive",
                  save(Image.fromarray(scene(257, 255, 2)), "jpeg_rgb_444_progressive", "jpg",
                       quality=92, subsampling=0, progressive=True), [(224, 128)]))
    cases.append(("jpeg_gray", save(Image.fromarray(scene(150, 260, 3, 1)[..., 0], "L"), "jpeg_gray", "jpg", quality=90), [(224, 128)]))
    cases.append(("jpeg_cmyk", save(Image.fromarray(scene(280, 210, 4, 4), "CMYK"), "jpeg_cmyk", "jpg", quality=85), [(224, 128)]))
    write_ycck_jpeg(os.path.join(OUT, "jpeg_ycck.jpg"), scene(190, 230, 16, 4), 85)
    cases.append(("jpeg_ycck", "jpeg_ycck.jpg", [(224, 128)]))
    cases.append(("jpeg_downscale", save(Image.fromarray(scene(420, 560, 5)), "jpeg_downscale", "jpg", quality=80), [(224, 128)]))

    # PNG written by Pillow: RGB at exactly 224 (no resize), RGBA portrait with odd sides, palette
    # with transparency, gray+alpha upscaled ~2.3x, 1-bit, 16-bit gray (opened as "I": clamped).
    cases.append(("png_rgb_224", save(Image.fromarray(scene(224, 224, 6)), "png_rgb_224", "png"), [(224, 224)]))
    rgba = scene(233, 301, 7, 4)
    rgba[..., 3] = np.linspace(0, 255, 233).astype(np.uint8)[None, :]
    cases.append(("png_rgba", save(Image.fromarray(rgba, "RGBA"), "png_rgba", "png"), [(224, 224), (100, 99)]))
    pal = Image.fromarray(scene(180, 120, 8)).quantize(colors=37, dither=Image.Dither.NONE)
    cases.append(("png_palette_trns", save(pal, "png_palette_trns", "png", transparency=3), [(224, 128)]))
    cases.append(("png_gray_alpha", save(Image.fromarray(scene(97, 131, 9, 2), "LA"), "png_gray_alpha", "png"), [(224, 128)]))
    cases.append(("png_1bit", save(Image.fromarray(scene(200, 150, 10, 1)[..., 0] > 128).convert("1"), "png_1bit", "png"), [(224, 128)]))
    g16 = (scene(64, 48, 11, 1)[..., 0].astype(np.uint16) * 2)  # 0..510: half above 255
    cases.append(("png_gray16", save(Image.fromarray(g16, "I;16"), "png_gray16", "png"), [(224, 128)]))

    # PNG written here: 16-bit RGB, 2-bit gray, Adam7-interlaced RGB, an elongated strip.
    rgb16 = scene(120, 90, 12).astype(np.uint16) * 257 + np.arange(120, dtype=np.uint16)[None, :, None]
    write_png(os.path.join(OUT, "png_rgb16.png"), rgb16, 16, 2)
    cases.append(("png_rgb16", "png_rgb16.png", [(224, 128)]))
    write_png(os.path.join(OUT, "png_gray2.png"), scene(120, 90, 13, 1)[..., 0] // 64, 2, 0)
    cases.append(("png_gray2", "png_gray2.png", [(224, 128)]))
    write_png(os.path.join(OUT, "png_interlaced.png"), scene(131, 97, 14), 8, 2, interlace=True)
    cases.append(("png_interlaced", "png_interlaced.png", [(224, 128)]))
    cases.append(("png_strip", save(Image.fromarray(scene(700, 60, 15)), "png_strip", "png", optimize=True), [(224, 128)]))
    return cases


def hf_output(im, shortest, crop):
    """CLIPImageProcessor's resize + center crop with Pillow, on an RGB image."""
    w, h = im.size
    short_side, long_side = (w, h) if w <= h else (h, w)
    new_long = int(shortest * long_side / short_side)
    size = (shortest, new_long) if w <= h else (new_long, shortest)  # (width, height)
    a = np.asarray(im.resize(size, resample=Image.BICUBIC))
    top = (a.shape[0] - crop) // 2
    left = (a.shape[1] - crop) // 2
    return np.ascontiguousarray(a[top : top + crop, left : left + crop])


def main():
    os.makedirs(OUT, exist_ok=True)
    lines = ["# made by make_golden.py with Pillow %s, numpy %s" % (PIL.__version__, np.__version__),
             "# name input width height decoded decoded_fnv shortest_edge crop output output_fnv"]
    for name, input_file, options in make_inputs():
        im = Image.open(os.path.join(OUT, input_file))
        if im.mode != "RGB":
            im = im.convert("RGB")
        decoded = np.ascontiguousarray(np.asarray(im))
        # Pillow's decoded pixels: a reference file for PNG inputs (Pillow decodes PNG itself); for
        # JPEG inputs only their hash (Pillow and pwemoe both decode through libjpeg-turbo).
        decoded_file = "-"
        if input_file.endswith(".png"):
            decoded_file = name + ".decoded.png"
            Image.fromarray(decoded).save(os.path.join(OUT, decoded_file))
        for shortest, crop in options:
            out = hf_output(im, shortest, crop)
            out_file = "%s.out%d_%d.png" % (name, shortest, crop)
            Image.fromarray(out).save(os.path.join(OUT, out_file))
            lines.append(" ".join([name, input_file, str(im.size[0]), str(im.size[1]), decoded_file,
                                   fnv1a64(decoded.tobytes()), str(shortest), str(crop), out_file,
                                   fnv1a64(out.tobytes())]))
    with open(os.path.join(OUT, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print("wrote %d cases, %d files, %d bytes to %s" % (len(lines) - 2, len(os.listdir(OUT)), total, OUT))


if __name__ == "__main__":
    main()

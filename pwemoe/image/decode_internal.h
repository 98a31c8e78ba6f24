// The per-format decoders behind DecodeImage (decode.h), and the pixel conversions they share.
// Same contracts as DecodeImage, for data already known to be of their format.
//
// Thread safety: no state; distinct calls may run in distinct threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "pwemoe/image/image.h"
#include "pwemoe/util/status.h"

namespace pwemoe::image::internal {

Status DecodeJpeg(const uint8_t* data, size_t size, const std::string& name, RgbImage* out);
Status DecodePng(const uint8_t* data, size_t size, const std::string& name, RgbImage* out);

// The pixel conversions, each over the `count` pixels of `out->pixels`, which hold the source
// pixels at its start (packed, `count` of them) and at least count * max(3, source bytes per
// pixel) bytes. They leave count * 3 bytes of RGB. The in-place order makes this safe.

// 1 byte of gray per pixel.
void GrayToRgbInPlace(uint8_t* pixels, size_t count);
// 2 bytes per pixel: gray then alpha (alpha dropped).
void GrayAlphaToRgbInPlace(uint8_t* pixels, size_t count);
// 2 bytes per pixel: big-endian 16-bit gray, clamped to 0..255 (Pillow's "I" to "RGB").
void Gray16ToRgbInPlace(uint8_t* pixels, size_t count);
// 4 bytes per pixel: R, G, B, A (alpha dropped).
void RgbaToRgbInPlace(uint8_t* pixels, size_t count);
// 4 bytes per pixel: libjpeg's CMYK output, Adobe-inverted, converted as Pillow's cmyk2rgb.
void InvertedCmykToRgbInPlace(uint8_t* pixels, size_t count);

// Checks a decoded size: InvalidArgument "<name>: <w> x <h> pixels is more than the limit ..."
// over kMaxImagePixels, Corrupt naming the file when a side is 0.
Status CheckImageSize(const std::string& name, uint64_t width, uint64_t height);

}  // namespace pwemoe::image::internal

// An 8-bit RGB image in memory: the decoders' output and the preprocessing's input.
//
// Thread safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pwemoe::image {

// `height` rows of `width` pixels, each R, G, B (uint8), row-major with no padding: the byte of
// channel c at (y, x) is pixels[(y * width + x) * 3 + c] ("HWC"). Empty when width or height is 0.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3 bytes

  // Sets the size and makes `pixels` hold width * height * 3 bytes (contents unspecified; the
  // vector keeps its capacity, so an image reused for many decodes stops allocating).
  void Resize(int w, int h) {
    width = w;
    height = h;
    pixels.resize(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
  }
};

}  // namespace pwemoe::image

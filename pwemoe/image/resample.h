// Pillow's Image.resize(size, Image.BICUBIC) for 8-bit RGB, bit for bit (Pillow's
// libImaging/Resample.c, 8-bit path): separable, horizontal pass first into an 8-bit
// intermediate, then vertical; the cubic convolution kernel with a = -0.5 and support 2,
// widened by the scale factor when downscaling (antialiasing); each output pixel's weights
// normalised to sum 1, then converted to fixed point with 22 fractional bits (rounded half away
// from zero); sums rounded by adding 2^21, shifted and clamped to 0..255.
//
// The resizer may compute only a window of the resized image: every output pixel depends only on
// its own weights, so a window is identical to cropping the full result (Pillow resizes whole and
// the Hugging Face processor crops afterwards), at a fraction of the cost.
//
// Thread safety: a BicubicResizer keeps scratch buffers and the last weights it computed; use
// one per thread.
#pragma once

#include <cstdint>
#include <vector>

#include "pwemoe/image/image.h"
#include "pwemoe/util/status.h"

namespace pwemoe::image {

// A rectangle of pixels: columns [x, x + width), rows [y, y + height).
struct Window {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

class BicubicResizer {
 public:
  // Resizes `in` (RGB, non-empty) to out_width x out_height as Pillow's BICUBIC resize does and
  // writes the pixels of `window` (which must lie inside [0, out_width) x [0, out_height)) into
  // `out`, RGB HWC, window.width * window.height * 3 bytes, row-major. InvalidArgument for an
  // empty input, a non-positive output size or a window that is empty or not inside the output.
  // Allocates only when a size or window grows beyond what earlier calls needed.
  Status Resize(const RgbImage& in, int out_width, int out_height, const Window& window,
                uint8_t* out);

 private:
  // The fixed-point weights of one axis (Pillow's precompute_coeffs + normalize_coeffs_8bpc),
  // kept for the outputs [first, first + count) of a resize from in_size to out_size.
  struct Axis {
    int in_size = -1;
    int out_size = -1;
    int first = -1;
    int count = -1;
    int taps = 0;              // weights stored per output (Pillow's ksize)
    std::vector<int> start;    // per output: first input index
    std::vector<int> length;   // per output: number of inputs used
    std::vector<int32_t> weights;  // per output: `taps` weights, the first `length` used
  };
  static void Prepare(int in_size, int out_size, int first, int count, Axis* axis);
  // The horizontal pass: the window's columns of input rows [row_first, row_first + rows), rounded
  // to 8 bits (as Pillow's intermediate image), into rows_.
  void ResizeRows(const RgbImage& in, int out_width, const Window& window, int row_first,
                  int rows);
  // The vertical pass: rows_ (input rows from row_first) to the window's rows, into `out`.
  void ResizeColumns(int in_height, int out_height, const Window& window, int row_first,
                     uint8_t* out);

  Axis horizontal_;
  Axis vertical_;
  std::vector<uint8_t> rows_;   // horizontal pass output: the input rows the window needs
  std::vector<int32_t> sums_;   // vertical pass accumulators, one output row
};

}  // namespace pwemoe::image

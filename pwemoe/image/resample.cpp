#include "pwemoe/image/resample.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace pwemoe::image {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's PRECISION_BITS
constexpr int32_t kHalf = 1 << (kPrecisionBits - 1);

// Pillow's bicubic_filter (a = -0.5), support 2.
inline double Cubic(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}
constexpr double kSupport = 2.0;

// Pillow's clip8: the sum shifted down (arithmetic shift: floor), clamped to 0..255.
inline uint8_t Clip8(int32_t sum) {
  const int32_t v = sum >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// InvalidArgument, as Resize documents it, for an input or window it cannot resize.
Status CheckResize(const RgbImage& in, int out_width, int out_height, const Window& window) {
  if (in.width <= 0 || in.height <= 0 ||
      in.pixels.size() != static_cast<size_t>(in.width) * in.height * 3) {
    return Status::InvalidArgument("resize: empty or inconsistent input image (" +
                                   std::to_string(in.width) + " x " + std::to_string(in.height) +
                                   ")");
  }
  if (out_width <= 0 || out_height <= 0 || window.width <= 0 || window.height <= 0 ||
      window.x < 0 || window.y < 0 || window.x > out_width - window.width ||
      window.y > out_height - window.height) {
    return Status::InvalidArgument(
        "resize: window " + std::to_string(window.width) + " x " + std::to_string(window.height) +
        " at (" + std::to_string(window.x) + ", " + std::to_string(window.y) +
        ") is not inside the output size " + std::to_string(out_width) + " x " +
        std::to_string(out_height));
  }
  return Status::Ok();
}

}  // namespace

void BicubicResizer::Prepare(int in_size, int out_size, int first, int count, Axis* axis) {
  if (axis->in_size == in_size && axis->out_size == out_size && axis->first == first &&
      axis->count == count) {
    return;
  }
  // Pillow computes the scale from float box bounds (exact for any realistic size) in double.
  const double scale = static_cast<double>(static_cast<float>(in_size) - 0.0f) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = kSupport * filterscale;
  const int taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  axis->in_size = in_size;
  axis->out_size = out_size;
  axis->first = first;
  axis->count = count;
  axis->taps = taps;
  axis->start.resize(count);
  axis->length.resize(count);
  axis->weights.assign(static_cast<size_t>(count) * taps, 0);
  std::vector<double> k(taps);
  for (int i = 0; i < count; ++i) {
    const int xx = first + i;
    const double center = 0.0 + (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double w = Cubic((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    int32_t* out = &axis->weights[static_cast<size_t>(i) * taps];
    for (int x = 0; x < xmax; ++x) {
      const double w = ww != 0.0 ? k[x] / ww : k[x];
      out[x] = w < 0 ? static_cast<int32_t>(-0.5 + w * (1 << kPrecisionBits))
                     : static_cast<int32_t>(0.5 + w * (1 << kPrecisionBits));
    }
    axis->start[i] = xmin;
    axis->length[i] = xmax;
  }
}

Status BicubicResizer::Resize(const RgbImage& in, int out_width, int out_height,
                              const Window& window, uint8_t* out) {
  PWEMOE_RETURN_IF_ERROR(CheckResize(in, out_width, out_height, window));
  Prepare(in.width, out_width, window.x, window.width, &horizontal_);
  Prepare(in.height, out_height, window.y, window.height, &vertical_);

  // The input rows the vertical pass reads (Pillow's ybox_first .. ybox_last).
  const int row_first = vertical_.start[0];
  const int row_last = vertical_.start[window.height - 1] + vertical_.length[window.height - 1];
  ResizeRows(in, out_width, window, row_first, row_last - row_first);
  ResizeColumns(in.height, out_height, window, row_first, out);
  return Status::Ok();
}

void BicubicResizer::ResizeRows(const RgbImage& in, int out_width, const Window& window,
                                int row_first, int rows) {
  const size_t row_bytes = static_cast<size_t>(window.width) * 3;
  rows_.resize(row_bytes * rows);
  // Pillow skips this pass when the width does not change; the weights are then exactly the
  // identity, so computing it changes nothing.
  const size_t in_row_bytes = static_cast<size_t>(in.width) * 3;
  const int htaps = horizontal_.taps;
  for (int r = 0; r < rows; ++r) {
    const uint8_t* src = in.pixels.data() + (row_first + r) * in_row_bytes;
    uint8_t* dst = rows_.data() + r * row_bytes;
    if (in.width == out_width) {
      std::memcpy(dst, src + static_cast<size_t>(window.x) * 3, row_bytes);
      continue;
    }
    for (int i = 0; i < window.width; ++i) {
      const uint8_t* p = src + static_cast<size_t>(horizontal_.start[i]) * 3;
      const int32_t* k = &horizontal_.weights[static_cast<size_t>(i) * htaps];
      const int n = horizontal_.length[i];
      int32_t s0 = kHalf, s1 = kHalf, s2 = kHalf;
      for (int t = 0; t < n; ++t) {
        s0 += p[3 * t] * k[t];
        s1 += p[3 * t + 1] * k[t];
        s2 += p[3 * t + 2] * k[t];
      }
      dst[3 * i] = Clip8(s0);
      dst[3 * i + 1] = Clip8(s1);
      dst[3 * i + 2] = Clip8(s2);
    }
  }
}

void BicubicResizer::ResizeColumns(int in_height, int out_height, const Window& window,
                                   int row_first, uint8_t* out) {
  // One output row at a time: sums over the taps in row order (integer sums do not depend on the
  // order), then rounded like Pillow's.
  const size_t row_bytes = static_cast<size_t>(window.width) * 3;
  sums_.resize(row_bytes);
  const int vtaps = vertical_.taps;
  for (int j = 0; j < window.height; ++j) {
    uint8_t* dst = out + j * row_bytes;
    const int first = vertical_.start[j] - row_first;
    const int n = vertical_.length[j];
    if (in_height == out_height) {  // identity weights: output row y is input row y
      std::memcpy(dst, rows_.data() + (window.y + j - row_first) * row_bytes, row_bytes);
      continue;
    }
    const int32_t* k = &vertical_.weights[static_cast<size_t>(j) * vtaps];
    int32_t* sums = sums_.data();
    std::fill(sums, sums + row_bytes, kHalf);
    for (int t = 0; t < n; ++t) {
      const uint8_t* src = rows_.data() + (first + t) * row_bytes;
      const int32_t w = k[t];
      for (size_t b = 0; b < row_bytes; ++b) sums[b] += src[b] * w;
    }
    for (size_t b = 0; b < row_bytes; ++b) dst[b] = Clip8(sums[b]);
  }
}

}  // namespace pwemoe::image

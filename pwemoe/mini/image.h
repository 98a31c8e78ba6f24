// The image of the built-in benchmark: 28 x 28 pixels, one channel, uint8, row-major (y, x).
//
// Thread safety: a plain value.
#pragma once

#include <array>
#include <cstdint>

namespace pwemoe::mini {

inline constexpr int kSide = 28;
inline constexpr int kPixels = kSide * kSide;

using Image = std::array<uint8_t, kPixels>;

}  // namespace pwemoe::mini

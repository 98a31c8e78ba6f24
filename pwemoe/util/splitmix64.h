// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit generator whose state advances by a fixed
// odd constant and whose output is that state passed through a bijective mixing function. Plain
// integer arithmetic, so the same stream on every platform and standard library; used to seed
// generators and to mix keys into seeds. No LibTorch.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

namespace pwemoe {

// One step of SplitMix64 on `*state`: advances it and returns the next output.
inline uint64_t SplitMix64Next(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The output of one SplitMix64 step from state `x` (a mixing function of `x`: distinct inputs
// give distinct outputs).
inline uint64_t SplitMix64Mix(uint64_t x) { return SplitMix64Next(&x); }

}  // namespace pwemoe

// A small deterministic random number generator for the built-in benchmark's data: xoshiro256**
// seeded through splitmix64, with its own uniform, integer and noise draws (never std::
// distributions, whose output differs between standard libraries), so that the same seed gives
// bit-identical images everywhere.
//
// Thread safety: an Rng is a plain value used by one thread at a time; the free functions are pure.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "pwemoe/util/splitmix64.h"

namespace pwemoe::mini {

// A seed derived from a list of keys (for example {seed, stream, split, index}): distinct lists
// give unrelated seeds, so every example can own an independent stream.
inline uint64_t DeriveSeed(std::initializer_list<uint64_t> keys) {
  uint64_t state = 0x6A09E667F3BCC908ULL;
  uint64_t out = 0;
  for (uint64_t key : keys) {
    state ^= key;
    out = SplitMix64Next(&state);
    state = out;
  }
  return out;
}

class Rng {
 public:
  // A generator whose whole output is fixed by `seed`.
  explicit Rng(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : s_) word = SplitMix64Next(&state);
  }

  // The next 64 random bits (xoshiro256**).
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), a multiple of 2^-53.
  double Uniform() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }

  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // Uniform integer in [0, n) for n > 0 (multiply-high; the bias is below 2^-40 for n < 2^24).
  int64_t Below(int64_t n) {
    return static_cast<int64_t>((static_cast<unsigned __int128>(Next()) *
                                 static_cast<uint64_t>(n)) >> 64);
  }

  // True with probability p.
  bool Chance(double p) { return Uniform() < p; }

  // Approximately standard normal: the sum of four uniforms, centred and scaled to unit variance
  // (Irwin-Hall; no transcendental functions, so bit-identical across math libraries).
  double Noise() {
    const double sum = Uniform() + Uniform() + Uniform() + Uniform();
    return (sum - 2.0) * 1.7320508075688772;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace pwemoe::mini

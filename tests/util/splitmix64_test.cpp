// SplitMix64 (pwemoe/util/splitmix64.h) against its published stream.
#include "pwemoe/util/splitmix64.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace pwemoe {
namespace {

// The published SplitMix64 stream (seed 1234567; seed 0 gives 0xe220a8397b1dcdaf first): the
// benchmark's data, training's seeds and evaluation's sample subsets all draw from it.
TEST(SplitMix64, MatchesThePublishedStream) {
  uint64_t state = 1234567;
  const uint64_t expected[] = {6457827717110365317ULL, 3203168211198807973ULL,
                               9817491932198370423ULL, 4593380528125082431ULL,
                               16408922859458223821ULL};
  for (uint64_t e : expected) EXPECT_EQ(SplitMix64Next(&state), e);
  EXPECT_EQ(SplitMix64Mix(0), 0xe220a8397b1dcdafULL);
  uint64_t zero = 0;
  EXPECT_EQ(SplitMix64Next(&zero), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(zero, 0x9E3779B97F4A7C15ULL);
}

}  // namespace
}  // namespace pwemoe

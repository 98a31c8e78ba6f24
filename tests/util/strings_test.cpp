#include "pwemoe/util/strings.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

namespace pwemoe {
namespace {

TEST(Strings, EditDistanceIsAMetricOnExamples) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("abc", ""), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("sitting", "kitten"), 3);
  EXPECT_EQ(EditDistance("lr", "lr"), 0);
}

TEST(Strings, ClosestMatchOnlyForLikelyTypos) {
  std::vector<std::string> keys = {"steps", "lr", "batch_size", "save_interval"};
  EXPECT_EQ(ClosestMatch("step", keys), "steps");
  EXPECT_EQ(ClosestMatch("batchsize", keys), "batch_size");
  EXPECT_EQ(ClosestMatch("lrr", keys), "lr");
  EXPECT_EQ(ClosestMatch("completely_different", keys), "");
  EXPECT_EQ(DidYouMean("save_intervall", keys), ", did you mean 'save_interval'?");
}

TEST(Strings, SplitAndJoinRoundTrip) {
  for (std::string s : {"", "a", "a.b", "a..b", ".a.", "train.lr"}) {
    EXPECT_EQ(Join(Split(s, '.'), "."), s);
  }
  EXPECT_EQ(Split("a.b.c", '.').size(), 3u);
}

TEST(Strings, FormatShortestReadsBackExactly) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 2000; ++i) {
    const double v = std::ldexp(unit(rng), static_cast<int>(rng() % 80) - 40);
    EXPECT_EQ(std::strtod(FormatShortest(v).c_str(), nullptr), v) << FormatShortest(v);
  }
  struct Case { double value; const char* text; };
  for (const Case& c : {Case{0.5, "0.5"}, Case{100, "1e+02"}, Case{153, "153"}, Case{1e-4, "0.0001"},
                        Case{1e20, "1e+20"}, Case{1.0 / 3, "0.3333333333333333"},
                        Case{0, "0"}}) {
    EXPECT_EQ(FormatShortest(c.value), c.text);
  }
}

}  // namespace
}  // namespace pwemoe

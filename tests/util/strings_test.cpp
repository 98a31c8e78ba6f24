#include "pwemoe/util/strings.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pwemoe

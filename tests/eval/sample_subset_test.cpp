// StratifiedSubset: the evaluation subset under eval.sample_cap (pwemoe/eval/sample_subset.h).
#include "pwemoe/eval/sample_subset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "results/store/h5_writer.h"

namespace pwemoe::eval {
namespace {

// Labels 0..classes-1, class c with sizes[c] samples, written class by class.
std::vector<int64_t> ClassSorted(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> labels;
  for (size_t c = 0; c < sizes.size(); ++c) labels.insert(labels.end(), sizes[c], static_cast<int64_t>(c));
  return labels;
}

std::map<int64_t, int64_t> Counts(const std::vector<int64_t>& labels, const std::vector<int64_t>& picked) {
  std::map<int64_t, int64_t> counts;
  for (int64_t i : picked) ++counts[labels[static_cast<size_t>(i)]];
  return counts;
}

TEST(StratifiedSubset, NoCapOrCapAboveSizeIsEverySample) {
  const std::vector<int64_t> labels = ClassSorted({3, 4});
  const std::vector<int64_t> all = {0, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(StratifiedSubset(labels, 0, 1), all);
  EXPECT_EQ(StratifiedSubset(labels, 7, 1), all);
  EXPECT_EQ(StratifiedSubset(labels, 100, 1), all);
  EXPECT_TRUE(StratifiedSubset({}, 5, 1).empty());
}

// The property the cap exists for, on class-sorted files of many shapes: exactly cap distinct
// sorted indices, every class's share within one sample of cap n_c / N.
TEST(StratifiedSubset, ProportionalOnClassSortedFiles) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    const int classes = 1 + static_cast<int>(rng() % 40);
    std::vector<int64_t> sizes(classes);
    for (int64_t& s : sizes) s = 1 + static_cast<int64_t>(rng() % 60);
    const std::vector<int64_t> labels = ClassSorted(sizes);
    const int64_t n = static_cast<int64_t>(labels.size());
    const int64_t cap = 1 + static_cast<int64_t>(rng() % static_cast<uint32_t>(n));
    const std::vector<int64_t> picked = StratifiedSubset(labels, cap, trial);
    ASSERT_EQ(static_cast<int64_t>(picked.size()), std::min(cap, n));
    ASSERT_TRUE(std::is_sorted(picked.begin(), picked.end()));
    ASSERT_EQ(std::set<int64_t>(picked.begin(), picked.end()).size(), picked.size());
    if (cap >= n) continue;
    std::map<int64_t, int64_t> counts = Counts(labels, picked);
    for (int c = 0; c < classes; ++c) {
      const double want = static_cast<double>(cap) * sizes[c] / n;
      EXPECT_LT(std::abs(counts[c] - want), 1.0) << "trial " << trial << ", class " << c;
    }
  }
}

TEST(StratifiedSubset, SunLikeCapSeesEveryClassNotTheFirstFew) {
  // 397 classes of 50 test images each, capped at 1,000: the first 1,000 would be 20 classes.
  const std::vector<int64_t> labels = ClassSorted(std::vector<int64_t>(397, 50));
  const std::vector<int64_t> picked = StratifiedSubset(labels, 1000, kSampleSubsetSeed);
  const std::map<int64_t, int64_t> counts = Counts(labels, picked);
  EXPECT_EQ(counts.size(), 397u);
  for (const auto& [label, k] : counts) EXPECT_TRUE(k == 2 || k == 3) << label;
}

TEST(StratifiedSubset, DeterministicForASeedAndDifferentAcrossSeeds) {
  const std::vector<int64_t> labels = ClassSorted({100, 100, 100});
  const std::vector<int64_t> a = StratifiedSubset(labels, 30, 7);
  EXPECT_EQ(StratifiedSubset(labels, 30, 7), a);
  EXPECT_NE(StratifiedSubset(labels, 30, 8), a);
  // Equal classes get equal places.
  EXPECT_EQ(Counts(labels, a), (std::map<int64_t, int64_t>{{0, 10}, {1, 10}, {2, 10}}));
}

TEST(StratifiedSubset, LeftoverPlacesGoToLargestRemaindersThenSmallerLabels) {
  // N = 6, cap = 4: shares 4*3/6 = 2, 4*2/6 = 1.33, 4*1/6 = 0.67 -> floors 2, 1, 0 and one place
  // left for the largest remainder (class 2: 4 mod 6 = 4 > class 1's 2).
  const std::vector<int64_t> labels = ClassSorted({3, 2, 1});
  EXPECT_EQ(Counts(labels, StratifiedSubset(labels, 4, 0)),
            (std::map<int64_t, int64_t>{{0, 2}, {1, 1}, {2, 1}}));
  // Equal remainders: the smaller labels first. N = 4 classes of one sample, cap = 2.
  const std::vector<int64_t> singles = ClassSorted({1, 1, 1, 1});
  EXPECT_EQ(StratifiedSubset(singles, 2, 0), (std::vector<int64_t>{0, 1}));
}

// The results file's `eval_samples` attribute names this rule's seed (results/ stands apart from
// pwemoe/eval, so the two are tied here).
TEST(StratifiedSubset, ResultsFileNamesTheSeed) {
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(kSampleSubsetSeed));
  EXPECT_NE(std::string(results::kEvalSamplesRule).find(hex), std::string::npos) << hex;
}

}  // namespace
}  // namespace pwemoe::eval

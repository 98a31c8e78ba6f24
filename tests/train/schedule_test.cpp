#include "pwemoe/train/schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace pwemoe::train {
namespace {

TEST(CosineLr, StartMidLast) {
  EXPECT_DOUBLE_EQ(CosineLr(0.5, 0, 101), 0.5);
  EXPECT_NEAR(CosineLr(0.5, 50, 101), 0.5 * 0.55, 1e-15);  // 0.1 + 0.9 / 2
  EXPECT_NEAR(CosineLr(0.5, 100, 101), 0.05, 1e-15);
  EXPECT_DOUBLE_EQ(CosineLr(0.5, 0, 1), 0.5);
  for (int64_t t = 1; t < 101; ++t) EXPECT_LT(CosineLr(0.5, t, 101), CosineLr(0.5, t - 1, 101));
}

void ExpectDirichletMean(int64_t t, double alpha) {
  const int kDraws = 20000;
  std::vector<double> mean(t, 0.0);
  for (int s = 0; s < kDraws; ++s) {
    Ray r = StepRay(t, alpha, 7, s, {});
    ASSERT_EQ(static_cast<int64_t>(r.size()), t);
    double sum = 0;
    for (int64_t i = 0; i < t; ++i) {
      ASSERT_GE(r[i], 0.0);
      sum += r[i];
      mean[i] += r[i] / kDraws;
    }
    ASSERT_NEAR(sum, 1.0, 1e-12);
  }
  // sd of one coordinate <= 1/2; the mean of 20000 draws is within 0.015 at > 4 sigma.
  for (int64_t i = 0; i < t; ++i) EXPECT_NEAR(mean[i], 1.0 / t, 0.015) << "alpha " << alpha;
}

TEST(StepRay, DirichletMeanAndSimplex) {
  ExpectDirichletMean(2, 1.0);
  ExpectDirichletMean(3, 1.0);
  ExpectDirichletMean(2, 0.3);
  ExpectDirichletMean(3, 0.3);
}

TEST(StepRay, DeterministicPerStepAndFixedRay) {
  EXPECT_EQ(StepRay(3, 1.0, 5, 4, {}), StepRay(3, 1.0, 5, 4, {}));
  EXPECT_NE(StepRay(3, 1.0, 5, 4, {}), StepRay(3, 1.0, 5, 5, {}));
  EXPECT_NE(StepRay(3, 1.0, 5, 4, {}), StepRay(3, 1.0, 6, 4, {}));
  EXPECT_EQ(StepRay(2, 1.0, 5, 4, {0.25, 0.75}), (Ray{0.25, 0.75}));
}

TEST(BatchIndices, DeterministicInRangeAndPerTask) {
  std::vector<int64_t> a = BatchIndices(3, 10, 1, 7, 50);
  EXPECT_EQ(a, BatchIndices(3, 10, 1, 7, 50));
  EXPECT_NE(a, BatchIndices(3, 10, 0, 7, 50));
  EXPECT_NE(a, BatchIndices(3, 11, 1, 7, 50));
  EXPECT_NE(a, BatchIndices(4, 10, 1, 7, 50));
  ASSERT_EQ(a.size(), 50u);
  for (int64_t i : a) {
    EXPECT_GE(i, 0);
    EXPECT_LT(i, 7);
  }
}

}  // namespace
}  // namespace pwemoe::train

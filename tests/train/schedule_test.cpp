#include "pwemoe/train/schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace pwemoe::train {
namespace {

TEST(CosineLr, StartMidLast) {
  EXPECT_DOUBLE_EQ(CosineLr(0.5, 0, 100), 0.5);
  EXPECT_NEAR(CosineLr(0.5, 50, 100), 0.5 * 0.55, 1e-15);  // 0.1 + 0.9 / 2 at t = steps / 2
  // The last step is one short of eta_min = 0.05, as the reference's scheduler has it.
  const double kPi = std::acos(-1.0);
  EXPECT_NEAR(CosineLr(0.5, 99, 100), 0.05 + 0.45 * (1 + std::cos(kPi * 0.99)) / 2, 1e-15);
  EXPECT_GT(CosineLr(0.5, 99, 100), 0.05);
  EXPECT_DOUBLE_EQ(CosineLr(0.5, 0, 1), 0.5);
  for (int64_t t = 1; t < 100; ++t) EXPECT_LT(CosineLr(0.5, t, 100), CosineLr(0.5, t - 1, 100));
}

// Regression: step t ran at t / (steps - 1) of the decay, reaching 0.1 lr at the last step; the
// reference steps CosineAnnealingLR(T_max = steps, eta_min = 0.1 lr) after each optimiser step.
// This replays PyTorch's recursive update (torch/optim/lr_scheduler.py, CosineAnnealingLR.get_lr)
// over a whole run and compares every step's rate.
TEST(CosineLr, MatchesTorchCosineAnnealingSteppedAfterEachStep) {
  const double kPi = std::acos(-1.0);
  for (int64_t steps : {1, 2, 7, 500, 4000}) {
    const double base = 1e-2, eta_min = 0.1 * base;
    double lr = base;  // the optimiser's rate at step 0 (last_epoch = 0)
    for (int64_t t = 0; t < steps; ++t) {
      ASSERT_NEAR(CosineLr(base, t, steps), lr, 1e-12 * base) << "steps " << steps << ", step " << t;
      const int64_t e = t + 1;  // scheduler.step() after optimiser step t
      const double T = static_cast<double>(steps);
      if ((e - 1 - steps) % (2 * steps) == 0) {
        lr += (base - eta_min) * (1 - std::cos(kPi / T)) / 2;
      } else {
        lr = (1 + std::cos(kPi * e / T)) / (1 + std::cos(kPi * (e - 1) / T)) * (lr - eta_min) + eta_min;
      }
    }
  }
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

// The hypervolume within a time budget (results/front/hv_choose.h) and the exact code's deadline
// (HypervolumeWithDeadline, hv_wfg.cpp): exact when it fits, bit for bit Hypervolume's value;
// the estimate when it does not, saying so; bad budgets rejected.
#include "results/front/hv_choose.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "hv_testing.h"
#include "results/front/hv_probe.h"
#include "results/front/hypervolume.h"

namespace pwemoe::results {
namespace {

using testing::Points;

double Exact(const Points& points, const std::vector<double>& ref, Sense sense) {
  double v = -1;
  const Status st = Hypervolume(points, ref, sense, &v);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return v;
}

HvResult WithBudget(const Points& points, const std::vector<double>& ref, Sense sense,
                    double exact_seconds) {
  HvBudget budget;
  budget.exact_seconds = exact_seconds;
  budget.estimate = HvEstimateOptions::FixedSamples(20000, 11);
  HvResult r;
  const Status st = HypervolumeWithBudget(points, ref, sense, budget, &r);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return r;
}

// A front where WFG needs far more than the first look at the clock (16k visited points).
Points HardFront() { return testing::SphericalFront(300, 8, 8); }

TEST(HvChoose, ExactForSmallCases) {
  for (size_t d = 1; d <= 7; ++d) {
    const Points points = testing::SphericalFront(d <= 4 ? 500 : 40, d, 60 + d);
    for (Sense sense : {Sense::kMinimize, Sense::kMaximize}) {
      const std::vector<double> ref(d, sense == Sense::kMinimize ? 1.1 : 0.0);
      const double exact = Exact(points, ref, sense);
      const HvResult r = WithBudget(points, ref, sense, 10.0);
      EXPECT_TRUE(r.exact) << "d=" << d;
      EXPECT_EQ(r.value, exact) << "d=" << d;
      EXPECT_EQ(r.lo, exact);
      EXPECT_EQ(r.hi, exact);
      EXPECT_EQ(r.samples, 0u);
      EXPECT_EQ(r.choice, d <= 4 ? HvChoice::kCostModel : HvChoice::kProbed);
    }
  }
}

TEST(HvChoose, EstimateWhenTheBudgetIsZero) {
  const Points points = HardFront();
  const std::vector<double> ref(8, 0.0);
  const HvResult r = WithBudget(points, ref, Sense::kMaximize, 0.0);
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.choice, HvChoice::kZeroBudget);
  EXPECT_EQ(r.samples, 20000u);
  EXPECT_LT(r.lo, r.value);
  EXPECT_LT(r.value, r.hi);
  // The low-dimensional codes by their cost model: nothing is predicted to take no time.
  const Points small = testing::SphericalFront(50, 3, 4);
  EXPECT_FALSE(WithBudget(small, {1.1, 1.1, 1.1}, Sense::kMinimize, 0.0).exact);
}

// A positive budget far below WFG's time: the probes find no time left (or the exact code gives
// up at its deadline), and the estimate comes instead; its interval covers the exact value
// (computed here without a deadline).
TEST(HvChoose, EstimateWhenTheBudgetIsTiny) {
  const Points points = HardFront();
  const std::vector<double> ref(8, 0.0);
  const HvResult r = WithBudget(points, ref, Sense::kMaximize, 1e-6);
  EXPECT_FALSE(r.exact);
  EXPECT_TRUE(r.choice == HvChoice::kProbed || r.choice == HvChoice::kDeadlinePassed)
      << HvChoiceName(r.choice);
  EXPECT_EQ(r.samples, 20000u);
  const double exact = Exact(points, ref, Sense::kMaximize);
  EXPECT_LE(r.lo, exact);
  EXPECT_GE(r.hi, exact);
}

// 20 objectives (a 20-task front), 1000 points, a 10 s budget. WFG's time is astronomical (probes: about
// 30 us on 8 points, 2 ms on 16), so the chooser predicts far beyond the budget and estimates at
// once instead of running WFG into its deadline. The decision is asserted, not the time: it is
// kProbed (a probe-based refusal), not kDeadlinePassed (WFG ran out the budget).
TEST(HvChoose, TwentyObjectivesEstimateWithoutWaitingForTheDeadline) {
  const Points points = testing::SphericalFront(1000, 20, 20);
  const std::vector<double> ref(20, 1.1);
  const HvResult r = WithBudget(points, ref, Sense::kMinimize, 10.0);
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.choice, HvChoice::kProbed) << HvChoiceName(r.choice);
  EXPECT_GT(r.predicted_seconds, 1e4);  // many orders past the budget, whatever the machine
  EXPECT_EQ(r.samples, 20000u);
  EXPECT_LT(r.lo, r.value);
  EXPECT_LT(r.value, r.hi);

  // The probe table on the same (non-dominated) rows: it stopped after small probes.
  std::vector<double> rows = testing::Rows(points);
  const HvProbe probe = ProbeWfgSeconds(rows.data(), 1000, 20, ref.data(), Deadline::After(10));
  EXPECT_FALSE(probe.fits);
  ASSERT_GE(probe.sizes.size(), 2u);
  EXPECT_EQ(probe.sizes[0], kHvFirstProbe);
  EXPECT_LE(probe.sizes.back(), 64u);
  EXPECT_GT(probe.exponent, 3.0);
  EXPECT_EQ(probe.sizes.size(), probe.seconds.size());
}

// Few objectives and points: exact, by the probes (or with too little time in them to fit an
// exponent: no prediction), bit for bit Hypervolume's value.
TEST(HvChoose, FiveObjectivesFiftyPointsAreExact) {
  const Points points = testing::SphericalFront(50, 5, 5);
  const std::vector<double> ref(5, 1.1);
  const HvResult r = WithBudget(points, ref, Sense::kMinimize, 10.0);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.choice, HvChoice::kProbed) << HvChoiceName(r.choice);
  EXPECT_FALSE(r.predicted_seconds > 2.5) << r.predicted_seconds;  // NaN or small
  EXPECT_EQ(r.value, Exact(points, ref, Sense::kMinimize));
}

// Budgets 0 and +inf at d >= 5 time nothing: the same choice on every run and machine.
TEST(HvChoose, ZeroAndInfiniteBudgetsAreDeterministic) {
  const Points points = testing::SphericalFront(40, 8, 9);
  const std::vector<double> ref(8, 1.1);
  for (int run = 0; run < 2; ++run) {
    const HvResult zero = WithBudget(points, ref, Sense::kMinimize, 0.0);
    EXPECT_FALSE(zero.exact);
    EXPECT_EQ(zero.choice, HvChoice::kZeroBudget);
    EXPECT_TRUE(std::isnan(zero.predicted_seconds));
    EXPECT_EQ(zero.probe_seconds, 0.0);
    const HvResult inf = WithBudget(points, ref, Sense::kMinimize, INFINITY);
    EXPECT_TRUE(inf.exact);
    EXPECT_EQ(inf.choice, HvChoice::kUnlimited);
    EXPECT_TRUE(std::isnan(inf.predicted_seconds));
    EXPECT_EQ(inf.probe_seconds, 0.0);
    EXPECT_EQ(inf.value, Exact(points, ref, Sense::kMinimize));
  }
  EXPECT_STREQ(HvChoiceName(HvChoice::kDeadlinePassed), "deadline passed");
}

// Too few points to probe: no probe, fits, no prediction.
TEST(HvProbe, SmallSetsAreNotProbed) {
  const Points points = testing::SphericalFront(15, 12, 3);
  const std::vector<double> rows = testing::Rows(points), ref(12, 1.1);
  const HvProbe probe = ProbeWfgSeconds(rows.data(), 15, 12, ref.data(), Deadline::After(1));
  EXPECT_TRUE(probe.fits);
  EXPECT_TRUE(probe.sizes.empty());
  EXPECT_TRUE(std::isnan(probe.predicted_seconds));
}

// A deadline already passed: does not fit, whether a probe noticed it (WFG looks at the clock
// about every 16k visited points) or a prediction met no time left.
TEST(HvProbe, PassedDeadlineMeansItDoesNotFit) {
  const Points points = testing::SphericalFront(200, 20, 4);
  const std::vector<double> rows = testing::Rows(points), ref(20, 1.1);
  const HvProbe probe = ProbeWfgSeconds(rows.data(), 200, 20, ref.data(), Deadline::After(0));
  EXPECT_FALSE(probe.fits);
}

TEST(HvChoose, NothingBeatingTheReferenceIsExactZero) {
  const HvResult r = WithBudget({{2, 2, 2, 2, 2}, {0.5, 0.5, 0.5, 0.5, 1.0}}, {1, 1, 1, 1, 1},
                                Sense::kMinimize, 0.0);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.value, 0.0);
  EXPECT_EQ(r.hi, 0.0);
}

TEST(HvChoose, PredictionGrowsWithTheSetAndIsInfiniteForWfg) {
  for (size_t d = 1; d <= 4; ++d) {
    EXPECT_GT(PredictExactSeconds(1000, d), 0.0);
    EXPECT_LT(PredictExactSeconds(1000, d), PredictExactSeconds(100000, d)) << "d=" << d;
    EXPECT_LT(PredictExactSeconds(1000, d), 0.1) << "d=" << d;
  }
  EXPECT_EQ(PredictExactSeconds(10, 5), INFINITY);
}

TEST(HvChoose, RejectsBadInput) {
  const Points points = testing::SphericalFront(10, 3, 1);
  const std::vector<double> ref(3, 1.1);
  HvResult r;
  r.value = 7;
  for (double seconds : {-1.0, double(NAN)}) {
    HvBudget budget;
    budget.exact_seconds = seconds;
    const Status st = HypervolumeWithBudget(points, ref, Sense::kMinimize, budget, &r);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(st.message().find("exact_seconds"), std::string::npos) << st.message();
  }
  HvBudget bad_estimate;  // checked even though the exact value would be used
  bad_estimate.estimate.confidence = 1.0;
  Status st = HypervolumeWithBudget(points, ref, Sense::kMinimize, bad_estimate, &r);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("confidence"), std::string::npos) << st.message();
  st = HypervolumeWithBudget({{1, NAN, 1}}, ref, Sense::kMinimize, HvBudget{}, &r);
  EXPECT_NE(st.message().find("point 0, coordinate 1: not finite"), std::string::npos) << st.message();
  st = HypervolumeWithBudget(points, {1, 1}, Sense::kMinimize, HvBudget{}, &r);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.value, 7);
}

// With a deadline that never comes the exact code is Hypervolume, bit for bit, at d = 5..8 and
// on sets with ties and duplicates.
TEST(HvDeadline, FinishingLeavesTheResultUnchanged) {
  for (size_t d = 5; d <= 8; ++d) {
    const Points sets[] = {testing::SphericalFront(60, d, d), testing::GridPoints(80, d, 4, d)};
    for (const Points& points : sets) {
      const std::vector<double> ref(d, 1.1);
      double v = -1;
      const Deadline never = Deadline::After(INFINITY);
      ASSERT_TRUE(HypervolumeWithDeadline(points, ref, Sense::kMinimize, never, &v).ok());
      EXPECT_EQ(v, Exact(points, ref, Sense::kMinimize)) << "d=" << d;
    }
  }
}

TEST(HvDeadline, PassedDeadlineAbortsWfgOnly) {
  const Deadline passed = Deadline::After(0);
  double v = -1;
  const Status st = HypervolumeWithDeadline(HardFront(), std::vector<double>(8, 0.0),
                                            Sense::kMaximize, passed, &v);
  EXPECT_EQ(st.code(), Status::Code::kAborted);
  EXPECT_NE(st.message().find("deadline"), std::string::npos) << st.message();
  EXPECT_EQ(v, -1);
  // The polynomial 1D-4D codes always run to the end.
  const Points four = testing::SphericalFront(200, 4, 3);
  const std::vector<double> ref4(4, 1.1);
  ASSERT_TRUE(HypervolumeWithDeadline(four, ref4, Sense::kMinimize, passed, &v).ok());
  EXPECT_EQ(v, Exact(four, ref4, Sense::kMinimize));
}

}  // namespace
}  // namespace pwemoe::results

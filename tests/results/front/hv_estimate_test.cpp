// The Monte Carlo hypervolume estimate (results/front/hv_estimate.h) and its box counting
// (hv_box_count.h): the interval covers the exact value (Hypervolume) at d = 3..8, the error
// falls as 1/sqrt(samples), one seed gives one result bit for bit, edge cases are exact, and bad
// input and options are rejected.
#include "results/front/hv_estimate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <ios>
#include <random>
#include <string>

#include "hv_testing.h"
#include "results/front/hv_box_count.h"
#include "results/front/hypervolume.h"

namespace pwemoe::results {
namespace {

using testing::Points;

// A random non-dominated front: n points of the unit sphere's positive orthant, minimised
// against 1.1 (even seeds) or maximised against 0 (odd seeds: the other bend of the surface).
struct Problem {
  Points points;
  std::vector<double> ref;
  Sense sense;
};

Problem Front(size_t n, size_t d, uint64_t seed) {
  const Sense sense = seed % 2 == 0 ? Sense::kMinimize : Sense::kMaximize;
  Problem p{testing::SphericalFront(n, d, seed), {}, sense};
  p.ref.assign(d, p.sense == Sense::kMinimize ? 1.1 : 0.0);
  return p;
}

double Exact(const Problem& p) {
  double v = -1;
  const Status st = Hypervolume(p.points, p.ref, p.sense, &v);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return v;
}

HvEstimate Estimate(const Problem& p, const HvEstimateOptions& options) {
  HvEstimate e;
  e.estimate = -1;
  const Status st = EstimateHypervolume(p.points, p.ref, p.sense, options, &e);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return e;
}

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// Every way of counting (hv_box_count.h): the scan only (no table), exact bitsets (stride 1) and
// superset bitsets (a small table, stride > 1), against checking every box.
TEST(HvBoxCount, CountMatchesBruteForce) {
  std::mt19937_64 rng(5);
  for (size_t d : {1, 2, 5, 20}) {
    // Corners on a coarse grid (ties in every coordinate), probes on the same grid and off it.
    const Points corners = testing::GridPoints(300, d, 6, d);
    const hv::BoxSet scan(testing::Rows(corners), d, 0), exact(testing::Rows(corners), d),
        superset(testing::Rows(corners), d, 4096);
    ASSERT_EQ(exact.size(), corners.size());
    ASSERT_EQ(scan.stride(), 0u);
    ASSERT_EQ(exact.stride(), 1u);
    ASSERT_GT(superset.stride(), 1u);
    hv::CountScratch scratch;
    for (int probe = 0; probe < 500; ++probe) {
      std::vector<double> x = probe % 2 == 0 ? testing::GridPoints(1, d, 6, rng())[0]
                                             : testing::UniformPoints(1, d, rng())[0];
      if (probe % 4 == 1) x = corners[probe % corners.size()];  // on a corner: counted
      size_t brute = 0;
      for (const auto& u : corners) {
        bool inside = true;
        for (size_t j = 0; j < d; ++j) inside = inside && u[j] <= x[j];
        brute += inside;
      }
      const std::string what = "d=" + std::to_string(d) + " probe=" + std::to_string(probe);
      EXPECT_EQ(scan.Count(x.data(), &scratch), brute) << what;
      EXPECT_EQ(exact.Count(x.data(), &scratch), brute) << what;
      EXPECT_EQ(superset.Count(x.data(), &scratch), brute) << what;
    }
  }
}

// 99% intervals from 4000 samples contain the exact value in at least 95% of 200 trials (fronts
// and seeds vary per trial), and are not trivially wide.
TEST(HvEstimate, IntervalCoversExact) {
  for (size_t d = 3; d <= 8; ++d) {
    int covered = 0;
    double relative_half_width = 0;
    for (uint64_t t = 0; t < 200; ++t) {
      const Problem p = Front(20 + t % 21, d, 1000 * d + t);
      const double exact = Exact(p);
      const HvEstimate e = Estimate(p, HvEstimateOptions::FixedSamples(4000, t + 1));
      ASSERT_LE(e.lo, e.estimate);
      ASSERT_LE(e.estimate, e.hi);
      covered += e.lo <= exact && exact <= e.hi;
      relative_half_width += (e.hi - e.lo) / (2 * exact) / 200;
    }
    EXPECT_GE(covered, 190) << "d=" << d;
    EXPECT_LT(relative_half_width, 0.1) << "d=" << d;
  }
}

// RMS error over 300 seeds at N and at 16 N samples: the ratio is sqrt(16) = 4 up to the noise
// of 300-seed RMS values (about 7% on the ratio).
TEST(HvEstimate, ErrorShrinksAsInverseSqrtSamples) {
  const Problem p = Front(30, 5, 77);
  const double exact = Exact(p);
  const uint64_t kN = 500;
  double squares[2] = {0, 0};
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const double small = Estimate(p, HvEstimateOptions::FixedSamples(kN, seed)).estimate;
    const double large = Estimate(p, HvEstimateOptions::FixedSamples(16 * kN, seed + 1000)).estimate;
    squares[0] += (small - exact) * (small - exact);
    squares[1] += (large - exact) * (large - exact);
  }
  const double ratio = std::sqrt(squares[0] / squares[1]);
  EXPECT_GT(ratio, 3.2);
  EXPECT_LT(ratio, 5.0);
}

TEST(HvEstimate, DeterministicForASeed) {
  const Problem p = Front(60, 7, 3);
  for (HvEstimateOptions o : {HvEstimateOptions::FixedSamples(5000, 42),
                              HvEstimateOptions::RelativeHalfWidth(0.02, 42)}) {
    const HvEstimate a = Estimate(p, o), b = Estimate(p, o);
    EXPECT_EQ(Bits(a.estimate), Bits(b.estimate));
    EXPECT_EQ(Bits(a.lo), Bits(b.lo));
    EXPECT_EQ(Bits(a.hi), Bits(b.hi));
    EXPECT_EQ(Bits(a.box_volume_sum), Bits(b.box_volume_sum));
    EXPECT_EQ(a.samples, b.samples);
    o.seed = 43;
    EXPECT_NE(Bits(Estimate(p, o).estimate), Bits(a.estimate));
  }
}

// Points of the simplex sum x = 1 from mt19937_64's bits and IEEE arithmetic only (hv_testing's
// generators use std::normal_distribution, whose algorithm differs between standard libraries).
Points PortableSimplexFront(size_t n, size_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Points points(n, std::vector<double>(d));
  for (auto& p : points) {
    double sum = 0;
    for (double& v : p) sum += v = 1e-3 + double(rng() >> 11) * 0x1.0p-53;
    for (double& v : p) v /= sum;
  }
  return points;
}

// The estimate and V pinned bit for bit: they use only the generator's bits and IEEE arithmetic,
// so any platform must reproduce them (lo and hi also go through std::erfc: not pinned).
TEST(HvEstimate, SameResultOnEveryPlatform) {
  const Problem p{PortableSimplexFront(60, 7, 3), std::vector<double>(7, 1.0), Sense::kMinimize};
  const HvEstimate fixed = Estimate(p, HvEstimateOptions::FixedSamples(5000, 42));
  EXPECT_EQ(fixed.estimate, 0x1.b9eddd9feb691p-1) << std::hexfloat << fixed.estimate;
  EXPECT_EQ(fixed.box_volume_sum, 0x1.3a909d5b124eep+4) << std::hexfloat << fixed.box_volume_sum;
  const HvEstimate until = Estimate(p, HvEstimateOptions::RelativeHalfWidth(0.02, 42));
  EXPECT_EQ(until.estimate, 0x1.bd77eaa03ba2dp-1) << std::hexfloat << until.estimate;
  EXPECT_EQ(until.samples, 61440u);
  const double exact = Exact(p);  // and the values are right
  EXPECT_LE(fixed.lo, exact);
  EXPECT_GE(fixed.hi, exact);
  EXPECT_LE(until.lo, exact);
  EXPECT_GE(until.hi, exact);
}

TEST(HvEstimate, EmptySetAndNoPointBeatingReferenceAreExactlyZero) {
  const Problem none{{}, {1.0, 1.0, 1.0}, Sense::kMinimize};
  const Problem beyond{{{1.0, 0.5, 0.5}, {2.0, 2.0, 2.0}, {0.5, 0.5, 1.5}}, {1.0, 1.0, 1.0},
                       Sense::kMinimize};
  for (const Problem& p : {none, beyond}) {
    const HvEstimate e = Estimate(p, HvEstimateOptions::FixedSamples(1000, 1));
    EXPECT_EQ(e.estimate, 0.0);
    EXPECT_EQ(e.lo, 0.0);
    EXPECT_EQ(e.hi, 0.0);
    EXPECT_EQ(e.samples, 0u);
    EXPECT_EQ(e.box_volume_sum, 0.0);
  }
}

// One box: every sample has c = 1, so the estimate is the box's volume with a zero-width interval
// (and the half-width rule stops after one block).
TEST(HvEstimate, OnePointIsExact) {
  for (size_t d : {1, 3, 8, 20}) {
    std::vector<double> p(d), ref(d, 1.0);
    for (size_t j = 0; j < d; ++j) p[j] = 0.05 * double(j % 7);
    const Problem one{{p}, ref, Sense::kMinimize};
    const double exact = Exact(one);
    for (const HvEstimateOptions& o : {HvEstimateOptions::FixedSamples(777, 9),
                                       HvEstimateOptions::RelativeHalfWidth(1e-9, 9)}) {
      const HvEstimate e = Estimate(one, o);
      EXPECT_EQ(e.estimate, exact) << "d=" << d;
      EXPECT_EQ(e.lo, exact);
      EXPECT_EQ(e.hi, exact);
      EXPECT_TRUE(e.target_met);
    }
    EXPECT_EQ(Estimate(one, HvEstimateOptions::RelativeHalfWidth(1e-9, 9)).samples, kHvEstimateBlock);
  }
}

// m copies of one point: c = m always, V = m boxes, so the estimate is the box (to rounding);
// duplicates among a front leave the estimator unbiased (the interval still covers).
TEST(HvEstimate, Duplicates) {
  const Problem copies{Points(25, {0.25, 0.5, 0.125, 0.75}), {1, 1, 1, 1}, Sense::kMinimize};
  const HvEstimate e = Estimate(copies, HvEstimateOptions::FixedSamples(3000, 4));
  const double box = 0.75 * 0.5 * 0.875 * 0.25;
  EXPECT_NEAR(e.estimate, box, 1e-14);
  EXPECT_NEAR(e.hi - e.lo, 0.0, 1e-14);
  EXPECT_NEAR(e.box_volume_sum, 25 * box, 1e-13);
  int covered = 0;
  for (uint64_t t = 0; t < 40; ++t) {
    Problem p = Front(30, 6, 500 + t);
    const Points half(p.points.begin(), p.points.begin() + 15);
    p.points.insert(p.points.end(), half.begin(), half.end());
    const double exact = Exact(p);
    const HvEstimate d = Estimate(p, HvEstimateOptions::FixedSamples(4000, t + 1));
    covered += d.lo <= exact && exact <= d.hi;
  }
  EXPECT_GE(covered, 37);
}

// Maximising negated data is minimising the data: the same rows inside, the same result.
TEST(HvEstimate, MaximiseEqualsMinimiseOfNegatedData) {
  const Problem p = Front(80, 6, 12);  // minimised against 1.1
  ASSERT_EQ(p.sense, Sense::kMinimize);
  Problem negated{p.points, std::vector<double>(6, -1.1), Sense::kMaximize};
  for (auto& q : negated.points)
    for (double& v : q) v = -v;
  const HvEstimate a = Estimate(p, HvEstimateOptions::FixedSamples(5000, 8));
  const HvEstimate b = Estimate(negated, HvEstimateOptions::FixedSamples(5000, 8));
  EXPECT_EQ(Bits(a.estimate), Bits(b.estimate));
  EXPECT_EQ(Bits(a.lo), Bits(b.lo));
  EXPECT_EQ(Bits(a.hi), Bits(b.hi));
}

// Coordinates scaled by 2^-50 at d = 20: every box volume scales by 2^-1000 (about 1e-301), and
// the estimate with it, exactly: the work is in normalised coordinates.
TEST(HvEstimate, TinyVolumesAtTwentyObjectives) {
  const Problem p = Front(200, 20, 31);  // maximised against 0
  Problem tiny = p;
  for (auto& q : tiny.points)
    for (double& v : q) v = std::ldexp(v, -50);
  const HvEstimate a = Estimate(p, HvEstimateOptions::FixedSamples(2000, 5));
  const HvEstimate b = Estimate(tiny, HvEstimateOptions::FixedSamples(2000, 5));
  ASSERT_GT(b.estimate, 0.0);
  EXPECT_EQ(b.estimate, std::ldexp(a.estimate, -1000));
  EXPECT_EQ(b.box_volume_sum, std::ldexp(a.box_volume_sum, -1000));
}

TEST(HvEstimate, StopsAtTheTargetHalfWidthOrTheCap) {
  const Problem p = Front(100, 8, 21);
  const HvEstimate e = Estimate(p, HvEstimateOptions::RelativeHalfWidth(0.02, 3));
  EXPECT_TRUE(e.target_met);
  EXPECT_LE((e.hi - e.lo) / 2, 0.02 * e.estimate);
  EXPECT_EQ(e.samples % kHvEstimateBlock, 0u);
  HvEstimateOptions capped = HvEstimateOptions::RelativeHalfWidth(1e-6, 3);
  capped.max_samples = 10000;  // two blocks and a cut one
  const HvEstimate c = Estimate(p, capped);
  EXPECT_FALSE(c.target_met);
  EXPECT_EQ(c.samples, 10000u);
  EXPECT_GT((c.hi - c.lo) / 2, 1e-6 * c.estimate);
}

TEST(HvEstimate, RejectsBadOptions) {
  const Problem p = Front(10, 3, 2);
  auto expect_rejected = [&](const HvEstimateOptions& o, const std::string& option) {
    HvEstimate e;
    e.estimate = 7;
    const Status st = EstimateHypervolume(p.points, p.ref, p.sense, o, &e);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << option;
    EXPECT_NE(st.message().find(option + ":"), std::string::npos) << st.message();
    EXPECT_EQ(e.estimate, 7);
  };
  expect_rejected(HvEstimateOptions::FixedSamples(0, 1), "samples");
  for (double c : {0.0, 1.0, 1.5, -0.5, double(NAN)}) {
    HvEstimateOptions o = HvEstimateOptions::FixedSamples(100, 1);
    o.confidence = c;
    expect_rejected(o, "confidence");
  }
  for (double t : {0.0, -0.01, double(NAN)}) {
    expect_rejected(HvEstimateOptions::RelativeHalfWidth(t, 1), "target_relative_half_width");
  }
  HvEstimateOptions o = HvEstimateOptions::RelativeHalfWidth(0.01, 1);
  o.max_samples = 0;
  expect_rejected(o, "max_samples");
}

// The same checks and messages as Hypervolume (PrepareHvInput).
TEST(HvEstimate, RejectsBadInput) {
  const HvEstimateOptions o = HvEstimateOptions::FixedSamples(100, 1);
  HvEstimate e;
  e.estimate = 7;
  Status st = EstimateHypervolume({{1, 2}, {1, NAN}}, {3, 3}, Sense::kMinimize, o, &e);
  EXPECT_NE(st.message().find("point 1, coordinate 1: not finite"), std::string::npos) << st.message();
  st = EstimateHypervolume({{1, 2}, {1, 2, 3}}, {3, 3}, Sense::kMinimize, o, &e);
  EXPECT_NE(st.message().find("point 1: 3 coordinates, point 0 has 2"), std::string::npos);
  st = EstimateHypervolume({{1, 2}}, {3, INFINITY}, Sense::kMinimize, o, &e);
  EXPECT_NE(st.message().find("reference point, coordinate 1: not finite"), std::string::npos);
  st = EstimateHypervolume({{}}, {}, Sense::kMinimize, o, &e);  // d = 0
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  st = EstimateHypervolume({}, {}, Sense::kMinimize, o, &e);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(e.estimate, 7);
}

}  // namespace
}  // namespace pwemoe::results

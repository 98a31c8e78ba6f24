// Exact hypervolume (results/front/hypervolume.h, results/front/hv_kernels.h): closed-form fronts in 1 to 8
// dimensions, brute-force inclusion-exclusion, the specialised 2D/3D/4D codes against WFG, Monte
// Carlo on larger sets, invariances, and input validation.
#include "results/front/hypervolume.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "hv_4d_reference.h"
#include "hv_testing.h"
#include "results/front/hv_kernels.h"

namespace pwemoe::results {
namespace {

using testing::Points;

double Hv(const Points& points, const std::vector<double>& ref, Sense sense = Sense::kMinimize) {
  double v = -1;
  const Status st = Hypervolume(points, ref, sense, &v);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return v;
}

void ExpectRelNear(double expected, double actual, double rel, const std::string& what) {
  EXPECT_NEAR(actual, expected, rel * std::max(1e-300, std::fabs(expected))) << what;
}

std::vector<double> Ones(size_t d, double v = 1.0) { return std::vector<double>(d, v); }

double Binomial(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c;
}

TEST(Hypervolume, SinglePointIsItsBox) {
  for (size_t d = 1; d <= 8; ++d) {
    std::vector<double> p(d), ref(d);
    double box = 1;
    for (size_t j = 0; j < d; ++j) {
      p[j] = 0.1 * j;
      ref[j] = 1.0 + 0.5 * j;
      box *= ref[j] - p[j];
    }
    ExpectRelNear(box, Hv({p}, ref), 1e-15, "d=" + std::to_string(d));
  }
}

TEST(Hypervolume, Staircase2D) {
  // Points (i, k+1-i), i = 1..k, reference (k+1, k+1): volume 1 + 2 + ... + k.
  for (int k : {1, 2, 5, 100, 1000}) {
    Points points;
    for (int i = 1; i <= k; ++i) points.push_back({double(i), double(k + 1 - i)});
    EXPECT_EQ(Hv(points, Ones(2, k + 1.0)), k * (k + 1) / 2.0) << "k=" << k;
  }
}

TEST(Hypervolume, HypercubeCornerSet) {
  // Point i is a in every coordinate but coordinate i, where it is 0; reference 1. The union is
  // [a,1]^d plus, for each i, the slab where only coordinate i is below a:
  // (1-a)^d + d a (1-a)^(d-1).
  for (size_t d = 2; d <= 8; ++d) {
    const double a = 0.25;
    Points points(d, std::vector<double>(d, a));
    for (size_t i = 0; i < d; ++i) points[i][i] = 0;
    const double expected = std::pow(1 - a, d) + d * a * std::pow(1 - a, d - 1);
    ExpectRelNear(expected, Hv(points, Ones(d)), 1e-13, "d=" + std::to_string(d));
  }
}

TEST(Hypervolume, SimplexGridFront) {
  // The integer points of sum x = m, x >= 0 with reference m: a unit cell with corner c is covered
  // exactly when sum c >= m, so the volume is m^d - C(m+d-1, d) (the cells with sum c <= m-1).
  const std::vector<std::pair<size_t, int>> cases = {{2, 10}, {3, 8}, {4, 6}, {5, 5}, {6, 4},
                                                     {7, 3},  {8, 3}};
  for (auto [d, m] : cases) {
    Points points;
    std::vector<int> c(d, 0);
    while (true) {  // every composition of m into d parts
      int sum = 0;
      for (size_t j = 0; j + 1 < d; ++j) sum += c[j];
      if (sum <= m) {
        std::vector<double> p(c.begin(), c.end());
        p[d - 1] = m - sum;
        points.push_back(p);
      }
      size_t j = 0;
      while (j + 1 < d && ++c[j] > m) c[j++] = 0;
      if (j + 1 == d) break;
    }
    ASSERT_EQ(points.size(), Binomial(m + int(d) - 1, int(d) - 1));
    const double expected = std::pow(double(m), double(d)) - Binomial(m + int(d) - 1, int(d));
    EXPECT_EQ(Hv(points, Ones(d, m)), expected) << "d=" << d << " m=" << m;
  }
}

TEST(Hypervolume, MatchesInclusionExclusion) {
  for (size_t d = 2; d <= 8; ++d) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      const size_t n = 4 + (seed * 3 + d) % 9;  // 4..12
      Points sets[] = {testing::UniformPoints(n, d, seed), testing::GridPoints(n, d, 4, seed),
                       testing::SphericalFront(n, d, seed)};
      for (const Points& points : sets) {
        const std::vector<double> ref = Ones(d, 1.0);
        ExpectRelNear(testing::InclusionExclusion(points, ref), Hv(points, ref), 1e-12,
                      "d=" + std::to_string(d) + " seed=" + std::to_string(seed));
      }
    }
  }
}

TEST(Hypervolume, SpecialisedCodesMatchWfg) {
  for (size_t d = 2; d <= 5; ++d) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      Points sets[] = {testing::UniformPoints(300, d, seed), testing::GridPoints(300, d, 6, seed),
                       testing::SphericalFront(150, d, seed)};
      for (const Points& points : sets) {
        const std::vector<double> rows = testing::Rows(points), ref = Ones(d, 1.0);
        const double wfg = hv::VolumeWfg(rows.data(), points.size(), d, ref.data(), 1);
        const std::string what = "d=" + std::to_string(d) + " seed=" + std::to_string(seed);
        double fast = 0;
        if (d == 2) fast = hv::Volume2D(rows.data(), points.size(), ref.data());
        if (d == 3) fast = hv::Volume3D(rows.data(), points.size(), ref.data());
        if (d == 4) {
          fast = hv::Volume4D(rows.data(), points.size(), ref.data());
          ExpectRelNear(wfg, hv::Volume4DPlus(rows.data(), points.size(), ref.data()), 1e-12,
                        what + " HV4D+");
        }
        if (d == 5) fast = hv::VolumeWfg(rows.data(), points.size(), d, ref.data(), 4);
        ExpectRelNear(wfg, fast, 1e-12, what);
        ExpectRelNear(wfg, Hv(points, ref), 1e-12, what);
      }
    }
  }
}

TEST(Hypervolume, FourDimensionalLongStaircases) {
  // Earlier points (small w) trade x against y; each later point sits below all of them in x and
  // y, so its exclusive 3D volume sweeps a staircase of hundreds of steps (the 4D code's tree).
  Points points;
  const int kSteps = 400;
  for (int i = 0; i < kSteps; ++i) {
    const double t = (i + 0.5) / kSteps;
    points.push_back({0.1 + 0.8 * t, 0.9 - 0.8 * t, 0.2 + 0.1 * (i % 7), 0.1});
  }
  for (int i = 0; i < 20; ++i) points.push_back({0.05 * (i % 3), 0.05 * (i % 4), 0.01 * i, 0.2 + 0.01 * i});
  const std::vector<double> rows = testing::Rows(points), ref = Ones(4);
  const double wfg = hv::VolumeWfg(rows.data(), points.size(), 4, ref.data(), 1);
  ExpectRelNear(wfg, hv::Volume4D(rows.data(), points.size(), ref.data()), 1e-12, "4D");
  ExpectRelNear(wfg, hv::Volume4DPlus(rows.data(), points.size(), ref.data()), 1e-12, "HV4D+");
}

// Small 4D sets with many ties and duplicates (coordinates on a coarse grid), and the same sets
// with one point repeated: HV4D+ against brute-force inclusion-exclusion.
TEST(Hypervolume, Hv4dPlusMatchesInclusionExclusion) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const size_t n = 2 + seed % 13;  // 2..14
    const int levels = 2 + int(seed % 4);
    Points points = testing::GridPoints(n, 4, levels, seed);
    points.push_back(points[seed % n]);
    const std::vector<double> rows = testing::Rows(points), ref = Ones(4, 1.0);
    ExpectRelNear(testing::InclusionExclusion(points, ref),
                  hv::Volume4DPlus(rows.data(), points.size(), ref.data()), 1e-12,
                  "seed=" + std::to_string(seed));
  }
}

// Larger sets: HV4D+ against the O(n^2 log n) sweep and plain WFG, in both bends of the front
// and on grids (ties in every coordinate, duplicates, dominated points).
TEST(Hypervolume, Hv4dPlusMatchesSweep) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Points concave = testing::SphericalFront(800, 4, seed), convex = concave;
    for (auto& p : convex)
      for (double& v : p) v = 1.0 - v;
    Points sets[] = {concave, convex, testing::UniformPoints(1000, 4, seed),
                     testing::GridPoints(1000, 4, 5, seed), testing::GridPoints(500, 4, 30, seed)};
    for (const Points& points : sets) {
      const std::vector<double> rows = testing::Rows(points), ref = Ones(4, 1.01);
      const std::string what = "seed=" + std::to_string(seed) + " n=" + std::to_string(points.size());
      const double plus = hv::Volume4DPlus(rows.data(), points.size(), ref.data());
      ExpectRelNear(hv::Volume4D(rows.data(), points.size(), ref.data()), plus, 1e-12, what);
      ExpectRelNear(hv::VolumeWfg(rows.data(), points.size(), 4, ref.data(), 1), plus, 1e-12, what);
    }
  }
}

// The buffers reused across calls (as WFG does): a larger set, then smaller ones, then larger
// again; every result as from fresh buffers. The flat-staircase 3D sweep against the tree.
TEST(Hypervolume, ReusedBuffersMatchFreshOnes) {
  hv::SweepScratch scratch;
  for (uint64_t seed : {1, 2, 3, 4}) {
    const size_t n = seed % 2 == 1 ? 300 : 40;
    for (size_t d : {3, 4}) {
      Points sets[] = {testing::UniformPoints(n, d, seed), testing::GridPoints(n, d, 4, seed)};
      for (const Points& points : sets) {
        const std::vector<double> rows = testing::Rows(points), ref = Ones(d, 1.0);
        const std::string what = "d=" + std::to_string(d) + " seed=" + std::to_string(seed);
        if (d == 3) {
          ExpectRelNear(hv::Volume3D(rows.data(), n, ref.data()),
                        hv::Volume3DFlat(rows.data(), n, ref.data(), &scratch), 1e-12, what);
        } else {
          ExpectRelNear(hv::Volume4DPlus(rows.data(), n, ref.data()),
                        hv::Volume4DPlus(rows.data(), n, ref.data(), &scratch), 1e-15, what);
        }
      }
    }
  }
}

// One coordinate constant at c: the volume is (ref - c) times the 3D volume of the others.
TEST(Hypervolume, Hv4dPlusConstantCoordinate) {
  for (size_t j = 0; j < 4; ++j) {
    Points points = testing::UniformPoints(400, 4, 9 + j), rest;
    for (auto& p : points) {
      p[j] = 0.25;
      std::vector<double> r = p;
      r.erase(r.begin() + j);
      rest.push_back(r);
    }
    const std::vector<double> rows = testing::Rows(points), rest_rows = testing::Rows(rest);
    const std::vector<double> ref = Ones(4), ref3 = Ones(3);
    const double expected = 0.75 * hv::Volume3D(rest_rows.data(), rest.size(), ref3.data());
    ExpectRelNear(expected, hv::Volume4DPlus(rows.data(), points.size(), ref.data()), 1e-12,
                  "constant coordinate " + std::to_string(j));
  }
}

// All points equal: one box. Points on the reference boundary add nothing (Hypervolume drops
// them before HV4D+ runs).
TEST(Hypervolume, Hv4dPlusDegenerateSets) {
  const Points same(50, std::vector<double>{0.5, 0.25, 0.75, 0.5});
  const std::vector<double> rows = testing::Rows(same), ref = Ones(4);
  EXPECT_DOUBLE_EQ(hv::Volume4DPlus(rows.data(), same.size(), ref.data()), 0.5 * 0.75 * 0.25 * 0.5);
  EXPECT_DOUBLE_EQ(Hv(same, ref), 0.5 * 0.75 * 0.25 * 0.5);
  Points boundary = testing::GridPoints(200, 4, 4, 5);
  const double inside = Hv(boundary, ref);
  for (size_t i = 0; i < 100; ++i) {
    std::vector<double> p = boundary[i];
    p[i % 4] = 1.0;
    boundary.push_back(p);
  }
  boundary.push_back(Ones(4));
  EXPECT_EQ(Hv(boundary, ref), inside);
}

TEST(Hypervolume, MatchesMonteCarlo) {
  // Points of a spherical front, shifted so that ref 1 leaves room; the estimate counts uniform
  // samples of [0, 1]^d dominated by some point, and must lie within 4 standard errors.
  const size_t kSamples = 200000;
  for (size_t d : {5, 6, 7}) {
    const Points front = testing::SphericalFront(60, d, 100 + d);
    Points points = front;
    for (auto& p : points)
      for (double& v : p) v = 0.2 + 0.7 * v;
    std::mt19937_64 rng(7 + d);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    size_t hits = 0;
    std::vector<double> x(d);
    for (size_t s = 0; s < kSamples; ++s) {
      for (double& v : x) v = u(rng);
      for (const auto& p : points) {
        bool dominated = true;
        for (size_t j = 0; j < d && dominated; ++j) dominated = p[j] <= x[j];
        if (dominated) {
          ++hits;
          break;
        }
      }
    }
    const double f = double(hits) / kSamples, se = std::sqrt(f * (1 - f) / kSamples);
    EXPECT_NEAR(Hv(points, Ones(d)), f, 4 * se) << "d=" << d;
  }
}

TEST(Hypervolume, InvariantToOrderAndDuplicates) {
  std::mt19937_64 rng(3);
  for (size_t d = 1; d <= 8; ++d) {
    Points points = testing::SphericalFront(40, d, d);
    const Points grid = testing::GridPoints(40, d, 5, d);
    points.insert(points.end(), grid.begin(), grid.end());
    const double base = Hv(points, Ones(d, 1.1));
    for (int shuffle = 0; shuffle < 3; ++shuffle) {
      std::shuffle(points.begin(), points.end(), rng);
      ExpectRelNear(base, Hv(points, Ones(d, 1.1)), 1e-13, "shuffled, d=" + std::to_string(d));
    }
    Points doubled = points;
    doubled.insert(doubled.end(), points.begin(), points.begin() + 30);
    std::shuffle(doubled.begin(), doubled.end(), rng);
    ExpectRelNear(base, Hv(doubled, Ones(d, 1.1)), 1e-13, "duplicated, d=" + std::to_string(d));
  }
}

TEST(Hypervolume, DominatedAndOutsidePointsAddNothing) {
  for (size_t d = 1; d <= 8; ++d) {
    Points points = testing::SphericalFront(30, d, 11 * d);
    const double base = Hv(points, Ones(d));
    Points more = points;
    for (const auto& p : points) {
      std::vector<double> worse = p, outside = p, on_ref = p;
      for (double& v : worse) v = std::min(1.0, v + 0.05);  // dominated (or on the reference)
      outside[d - 1] = 1.5;                                  // beyond the reference
      on_ref[0] = 1.0;                                       // on it: no volume either
      more.insert(more.end(), {worse, outside, on_ref});
    }
    more.push_back(Ones(d, 3.0));
    ExpectRelNear(base, Hv(more, Ones(d)), 1e-13, "d=" + std::to_string(d));
  }
}

TEST(Hypervolume, MaximizeNegatesMinimize) {
  for (size_t d = 1; d <= 6; ++d) {
    Points points = testing::UniformPoints(50, d, 5 * d), negated = points;
    for (auto& p : negated)
      for (double& v : p) v = -v;
    ExpectRelNear(Hv(points, Ones(d, 1.0)), Hv(negated, Ones(d, -1.0), Sense::kMaximize), 1e-15,
                  "d=" + std::to_string(d));
  }
  // Accuracies against reference 0.
  EXPECT_DOUBLE_EQ(Hv({{0.5, 0.25}, {0.25, 0.5}}, {0, 0}, Sense::kMaximize), 0.1875);
}

TEST(Hypervolume, EmptySetAndOneDimension) {
  EXPECT_EQ(Hv({}, {1.0, 2.0}), 0.0);
  EXPECT_EQ(Hv({{0.5}, {0.25}, {2.0}}, {1.0}), 0.75);
  EXPECT_EQ(Hv({{0.5}, {0.25}}, {0.0}, Sense::kMaximize), 0.5);
}

TEST(Hypervolume, RejectsBadInput) {
  double v = 7;
  Status st = Hypervolume({{1, 2}, {1, NAN}}, {3, 3}, Sense::kMinimize, &v);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("point 1, coordinate 1: not finite"), std::string::npos) << st.message();
  st = Hypervolume({{1, 2}, {1, 2, 3}}, {3, 3}, Sense::kMinimize, &v);
  EXPECT_NE(st.message().find("point 1: 3 coordinates, point 0 has 2"), std::string::npos) << st.message();
  st = Hypervolume({{1, 2}}, {3, 3, 3}, Sense::kMinimize, &v);
  EXPECT_NE(st.message().find("reference point: 3 coordinates, the points have 2"), std::string::npos);
  st = Hypervolume({{1, 2}}, {3, INFINITY}, Sense::kMinimize, &v);
  EXPECT_NE(st.message().find("reference point, coordinate 1: not finite"), std::string::npos);
  st = Hypervolume({{}}, {}, Sense::kMinimize, &v);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  st = Hypervolume({}, {}, Sense::kMinimize, &v);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(v, 7);
}

}  // namespace
}  // namespace pwemoe::results

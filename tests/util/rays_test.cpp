#include "pwemoe/rays.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

namespace pwemoe {
namespace {

void ExpectOnSimplex(const Ray& r) {
  double sum = 0;
  for (double x : r) {
    EXPECT_GE(x, 0.0);
    sum += x;
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

TEST(Rays, GridSizeMatchesBinomial) {
  struct Case { int t, m; uint64_t n; };
  for (auto c : std::vector<Case>{{2, 11, 11}, {3, 11, 66}, {4, 5, 35}, {8, 11, 19448}, {1, 7, 1}, {2, 2, 2}}) {
    EXPECT_EQ(SimplexGridSize(c.t, c.m), c.n) << c.t << " " << c.m;
    if (c.n < 100000) {
      EXPECT_EQ(SimplexGrid(c.t, c.m).size(), c.n);
    }
  }
  EXPECT_EQ(SimplexGridSize(40, 200), UINT64_MAX);
}

TEST(Rays, GridSizeDecimalIsExactPastUint64) {
  struct Case { int t, m; const char* n; };
  for (auto c : std::vector<Case>{{2, 11, "11"}, {1, 7, "1"}, {20, 2, "20"}, {20, 6, "42504"},
                                  {20, 11, "20030010"}, {8, 11, "19448"},
                                  {2, 100000, "100000"}}) {
    EXPECT_EQ(SimplexGridSizeDecimal(c.t, c.m), c.n) << c.t << " " << c.m;
    EXPECT_EQ(std::to_string(SimplexGridSize(c.t, c.m)), c.n);
  }
  // C(100018, 19), C(238, 39) = C(40 + 200 - 2, 39): beyond UINT64_MAX (Python's math.comb).
  EXPECT_EQ(SimplexGridSizeDecimal(20, 100000),
            "823470369046027266228497835077546979961137156969922340347234107611304282900000");
  EXPECT_EQ(SimplexGridSizeDecimal(40, 200), "881689851124977590640300656276855178603818200");
}

TEST(Rays, GridPointsAreDistinctMultiplesOnTheSimplex) {
  auto rays = SimplexGrid(3, 6);
  std::set<Ray> seen(rays.begin(), rays.end());
  EXPECT_EQ(seen.size(), rays.size());
  for (const auto& r : rays) {
    ExpectOnSimplex(r);
    for (double x : r) EXPECT_NEAR(x * 5, std::round(x * 5), 1e-12);
  }
  EXPECT_EQ(rays.front(), (Ray{1, 0, 0}));
  EXPECT_EQ(rays.back(), (Ray{0, 0, 1}));
}

TEST(Rays, DirichletIsReproducibleAndHasTheRightMean) {
  auto a = DirichletRays(4, 20000, 0.5, 7);
  EXPECT_EQ(a, DirichletRays(4, 20000, 0.5, 7));
  EXPECT_NE(a, DirichletRays(4, 20000, 0.5, 8));
  std::vector<double> mean(4, 0.0);
  for (const auto& r : a) {
    ExpectOnSimplex(r);
    for (int i = 0; i < 4; ++i) mean[i] += r[i] / a.size();
  }
  // Var of each coordinate of Dirichlet(0.5 x4) = (1/4)(3/4)/(2+1) = 1/16; sd of the mean ~ 0.0018.
  for (double m : mean) EXPECT_NEAR(m, 0.25, 0.01);
}

TEST(Rays, EvalSetDeduplicatesAndLabels) {
  RaySetSpec spec;
  spec.grid_points = 11;
  spec.dirichlet_samples = 3;
  auto rays = MakeEvalRays(2, spec);
  // 11 grid rays (which contain both one-hot rays and the equal ray) + 3 Dirichlet draws.
  ASSERT_EQ(rays.size(), 14u);
  EXPECT_EQ(rays[0].sources, (std::vector<std::string>{"grid", "one-hot"}));
  EXPECT_EQ(rays[5].ray, (Ray{0.5, 0.5}));
  EXPECT_EQ(rays[5].sources, (std::vector<std::string>{"grid", "equal"}));
  EXPECT_EQ(rays[11].sources, (std::vector<std::string>{"dirichlet"}));

  RaySetSpec only_equal;
  only_equal.grid = only_equal.one_hot = false;
  auto eq = MakeEvalRays(3, only_equal);
  ASSERT_EQ(eq.size(), 1u);
  ExpectOnSimplex(eq[0].ray);
}

}  // namespace
}  // namespace pwemoe

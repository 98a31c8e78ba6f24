// Non-dominated filtering (results/front/pareto.h): table-driven cases with ties and duplicates, and
// the defining property on random sets: every dropped point is dominated by a kept one, no kept
// point is dominated by any point.
#include "results/front/pareto.h"

#include <gtest/gtest.h>

#include <cmath>

#include "hv_testing.h"

namespace pwemoe::results {
namespace {

using testing::Points;

std::vector<size_t> Front(const Points& points, Sense sense) {
  std::vector<size_t> front;
  const Status st = ParetoFront(points, sense, &front);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return front;
}

// Whether a dominates b under `sense`.
bool Dominates(const std::vector<double>& a, const std::vector<double>& b, Sense sense) {
  bool strictly = false;
  for (size_t j = 0; j < a.size(); ++j) {
    const double x = sense == Sense::kMinimize ? a[j] : -a[j];
    const double y = sense == Sense::kMinimize ? b[j] : -b[j];
    if (x > y) return false;
    strictly = strictly || x < y;
  }
  return strictly;
}

struct Case {
  const char* name;
  Points points;
  Sense sense;
  std::vector<size_t> front;
};

TEST(Pareto, TableOfCases) {
  const Sense kMin = Sense::kMinimize, kMax = Sense::kMaximize;
  const std::vector<Case> cases = {
      {"empty", {}, kMin, {}},
      {"one point", {{0.3, 0.7}}, kMax, {0}},
      {"all equal: all kept", {{1, 2, 3}, {1, 2, 3}, {1, 2, 3}}, kMin, {0, 1, 2}},
      {"1D minimise keeps every copy of the least", {{3}, {1}, {2}, {1}}, kMin, {1, 3}},
      {"1D maximise", {{3}, {1}, {3}, {2}}, kMax, {0, 2}},
      {"2D trade-off, minimise", {{1, 3}, {2, 2}, {3, 1}, {2, 3}, {3, 3}}, kMin, {0, 1, 2}},
      {"2D trade-off, maximise", {{1, 3}, {2, 2}, {3, 1}, {2, 3}, {3, 3}}, kMax, {4}},
      {"2D tie in x: larger y dominated", {{1, 2}, {1, 1}, {0, 3}}, kMin, {1, 2}},
      {"2D tie in y", {{2, 1}, {1, 1}, {3, 0}}, kMin, {1, 2}},
      {"2D duplicates of a front point kept", {{1, 2}, {2, 1}, {1, 2}, {2, 2}}, kMin, {0, 1, 2}},
      {"2D duplicates of a dominated point dropped", {{2, 2}, {1, 1}, {2, 2}}, kMin, {1}},
      {"3D", {{1, 2, 3}, {3, 2, 1}, {2, 2, 2}, {3, 3, 3}, {1, 2, 3}}, kMin, {0, 1, 2, 4}},
      {"3D equal in two objectives", {{1, 1, 2}, {1, 1, 1}, {0, 2, 2}}, kMin, {1, 2}},
      {"4D maximise accuracies", {{0.9, 0.8, 0.7, 0.6}, {0.9, 0.8, 0.7, 0.5}, {0.5, 0.9, 0.9, 0.9}},
       kMax, {0, 2}},
  };
  for (const Case& c : cases) EXPECT_EQ(Front(c.points, c.sense), c.front) << c.name;
}

TEST(Pareto, DroppedPointsAreDominatedAndKeptOnesAreNot) {
  for (size_t d = 1; d <= 6; ++d) {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      for (Sense sense : {Sense::kMinimize, Sense::kMaximize}) {
        const Points points = seed % 2 ? testing::GridPoints(200, d, 4, seed)
                                       : testing::UniformPoints(200, d, seed);
        const std::vector<size_t> front = Front(points, sense);
        ASSERT_TRUE(std::is_sorted(front.begin(), front.end()));
        std::vector<bool> kept(points.size(), false);
        for (size_t i : front) kept[i] = true;
        for (size_t i = 0; i < points.size(); ++i) {
          bool by_kept = false, by_any = false;
          for (size_t k = 0; k < points.size(); ++k) {
            const bool dom = Dominates(points[k], points[i], sense);
            by_any = by_any || dom;
            by_kept = by_kept || (dom && kept[k]);
          }
          if (kept[i]) {
            EXPECT_FALSE(by_any) << "kept point " << i << " is dominated, d=" << d;
          } else {
            EXPECT_TRUE(by_kept) << "dropped point " << i << " is not dominated, d=" << d;
          }
        }
      }
    }
  }
}

TEST(Pareto, RejectsBadInput) {
  std::vector<size_t> front = {42};
  Status st = ParetoFront({{1, 2}, {INFINITY, 2}}, Sense::kMaximize, &front);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("point 1, coordinate 0: not finite"), std::string::npos) << st.message();
  st = ParetoFront({{1, 2}, {1}}, Sense::kMaximize, &front);
  EXPECT_NE(st.message().find("point 1: 1 coordinates, point 0 has 2"), std::string::npos);
  st = ParetoFront({{}}, Sense::kMaximize, &front);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(front, std::vector<size_t>{42});
}

}  // namespace
}  // namespace pwemoe::results

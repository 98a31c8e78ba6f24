#include "hv_testing.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace pwemoe::results::testing {

Points UniformPoints(size_t n, size_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Points points(n, std::vector<double>(d));
  for (auto& p : points) {
    for (double& v : p) v = u(rng);
  }
  return points;
}

Points GridPoints(size_t n, size_t d, int levels, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> u(0, levels - 1);
  Points points(n, std::vector<double>(d));
  for (auto& p : points) {
    for (double& v : p) v = static_cast<double>(u(rng)) / levels;
  }
  return points;
}

Points SphericalFront(size_t n, size_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  Points points(n, std::vector<double>(d));
  for (auto& p : points) {
    double norm = 0;
    for (double& v : p) {
      v = std::fabs(g(rng)) + 1e-9;
      norm += v * v;
    }
    for (double& v : p) v /= std::sqrt(norm);
  }
  return points;
}

double InclusionExclusion(const Points& points, const std::vector<double>& ref) {
  const size_t n = points.size(), d = ref.size();
  long double sum = 0;  // 64-bit mantissa: the alternating sum cancels
  std::vector<double> corner(d);
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    std::fill(corner.begin(), corner.end(), -INFINITY);
    for (size_t i = 0; i < n; ++i) {
      if (mask & (1u << i)) {
        for (size_t j = 0; j < d; ++j) corner[j] = std::max(corner[j], points[i][j]);
      }
    }
    long double box = 1;
    for (size_t j = 0; j < d; ++j) box *= std::max(0.0L, (long double)ref[j] - corner[j]);
    sum += (__builtin_popcount(mask) % 2 == 1) ? box : -box;
  }
  return static_cast<double>(sum);
}

std::vector<double> Rows(const Points& points) {
  std::vector<double> rows;
  for (const auto& p : points) rows.insert(rows.end(), p.begin(), p.end());
  return rows;
}

}  // namespace pwemoe::results::testing

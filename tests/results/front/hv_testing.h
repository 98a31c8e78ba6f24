// Point-set generators and reference computations for the hypervolume and Pareto tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pwemoe::results::testing {

using Points = std::vector<std::vector<double>>;

// n points uniform in [0, 1)^d.
Points UniformPoints(size_t n, size_t d, uint64_t seed);
// n points with coordinates drawn from {0, 1, ..., levels-1} / levels (many ties and duplicates).
Points GridPoints(size_t n, size_t d, int levels, uint64_t seed);
// n points on the concave front sum x_j^2 = 1, x >= 0 (|x| of a Gaussian, normalised); mutually
// non-dominated; all inside the reference (1, ..., 1) box.
Points SphericalFront(size_t n, size_t d, uint64_t seed);

// Exact volume by inclusion-exclusion over all 2^n - 1 subsets (minimisation, n <= 20).
double InclusionExclusion(const Points& points, const std::vector<double>& ref);

// Row-major copy.
std::vector<double> Rows(const Points& points);

}  // namespace pwemoe::results::testing

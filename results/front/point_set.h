// Point sets of the Pareto and hypervolume code: n points of d objectives, each objective either
// maximised (accuracies) or minimised (losses). The algorithms work on minimisation internally;
// a maximised set is turned into a minimised one by negating every coordinate.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <cstddef>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::results {

// Whether larger or smaller objective values are better.
enum class Sense { kMinimize, kMaximize };

// Checks that every point has the same number d >= 1 of coordinates and that every coordinate
// is finite; stores d in *dim (0 for an empty set). InvalidArgument naming the first bad point
// and coordinate (0-based), e.g. "point 3, coordinate 1: not finite (nan)".
Status CheckPoints(const std::vector<std::vector<double>>& points, size_t* dim);

// The points as n rows of `dim` doubles (row-major), negated when `sense` is kMaximize, so that
// smaller is better in every coordinate. Points must have passed CheckPoints.
std::vector<double> MinimisationRows(const std::vector<std::vector<double>>& points, size_t dim,
                                     Sense sense);

}  // namespace pwemoe::results

// Non-dominated (Pareto) filtering of a point set.
//
// Dominance: point a dominates point b when a is at least as good as b in every objective and
// strictly better in at least one. The front is every point that no other point dominates.
// Duplicates: equal points do not dominate each other, so every copy of a non-dominated point is
// on the front (two rays with the same accuracies are both reported); copies of a dominated
// point are all dropped.
//
// Cost: d = 1 and d = 2 in O(n log n) (sort and sweep); d >= 3 in O(n log n + n f d), f the
// front size (lexicographic sort, then each point is checked against the front so far: a point
// can only be dominated by a lexicographically smaller one).
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <cstddef>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/front/point_set.h"

namespace pwemoe::results {

// The indices of the non-dominated points of `points` (all of the same dimension d >= 1, finite),
// ascending, i.e. in input order, into *front. An empty set has an empty front.
// InvalidArgument (CheckPoints) naming the point and coordinate at fault; *front untouched then.
Status ParetoFront(const std::vector<std::vector<double>>& points, Sense sense,
                   std::vector<size_t>* front);

// The same on n minimised rows of d >= 1 finite doubles (row-major, not checked): the indices
// of the non-dominated rows, ascending.
std::vector<size_t> NonDominatedRows(const double* rows, size_t n, size_t d);

}  // namespace pwemoe::results

// Exact hypervolume of a point set with respect to a reference point: the volume of the union of
// the boxes between each point and the reference (the region the set dominates, bounded by it).
//
// A point that does not strictly beat the reference in every coordinate (minimising: p < ref;
// maximising: p > ref) adds nothing and is ignored; so are dominated points and duplicates.
// Algorithms (results/front/hv_kernels.h): d = 1 trivially, d = 2 O(n log n) sweep, d = 3 O(n log n)
// balanced-tree sweep, d = 4 HV4D+ (O(n^2) sweep over the 4th objective), d >= 5 WFG on the
// non-dominated points, down to the 4D code. Maximisation is minimisation of the negated values.
//
// Thread safety: pure function; concurrent calls are independent.
#pragma once

#include <vector>

#include "pwemoe/util/status.h"
#include "results/front/point_set.h"

namespace pwemoe::results {

// The hypervolume of `points` (all of dimension d >= 1, finite) with respect to `ref` (d finite
// coordinates) into *volume; 0 for an empty set. InvalidArgument naming the point and coordinate
// at fault (CheckPoints), or the reference point's size or a non-finite reference coordinate;
// *volume untouched then.
Status Hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& ref,
                   Sense sense, double* volume);

}  // namespace pwemoe::results

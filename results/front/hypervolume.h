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
#include "results/front/deadline.h"
#include "results/front/hv_input.h"
#include "results/front/point_set.h"

namespace pwemoe::results {

// The hypervolume of `points` (all of dimension d >= 1, finite) with respect to `ref` (d finite
// coordinates) into *volume; 0 for an empty set. InvalidArgument naming the point and coordinate
// at fault (CheckPoints), or the reference point's size or a non-finite reference coordinate;
// *volume untouched then.
Status Hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& ref,
                   Sense sense, double* volume);

// Hypervolume that gives up when `deadline` passes: Aborted ("exact hypervolume: deadline
// passed ...") and *volume untouched then; otherwise *volume is Hypervolume's result bit for bit
// (same validation and errors). Only the WFG recursion (d >= 5) looks at the clock, about every
// 16k points it visits (measured on the 8-objective benchmark fronts: it stops within 1.1 ms of
// the deadline; longer when a single 4D base case is large); the Pareto filter before it and the
// 1D-4D codes are polynomial and always run to the end.
Status HypervolumeWithDeadline(const std::vector<std::vector<double>>& points,
                               const std::vector<double>& ref, Sense sense, const Deadline& deadline,
                               double* volume);

// The same on an already prepared problem (PrepareHvInput): `deadline` may be null (never).
// Aborted when it passed before the end, *volume untouched then. Never fails otherwise.
Status ExactHypervolume(const HvInput& input, const Deadline* deadline, double* volume);

}  // namespace pwemoe::results

// The tests' independent reference for HV4D+ (results/front/hv_kernels.h): the 4D hypervolume by
// a w-sweep adding each point's exclusive 3D volume against the earlier points' 3D front, found by
// a z-sweep of a clipped staircase. O(n^2 log n) time, O(n) memory. Same contract as the kernels
// of results/front/hv_kernels.h (smaller is better, every point strictly below `ref`).
// Thread safety: a pure function.
#pragma once

#include <cstddef>

namespace pwemoe::results::hv {

double Volume4D(const double* rows, size_t n, const double* ref);

}  // namespace pwemoe::results::hv

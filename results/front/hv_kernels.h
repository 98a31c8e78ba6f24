// The exact hypervolume algorithms behind Hypervolume() (results/front/hypervolume.h), one per file:
//   hv_2d.cpp   d = 2, sort and sweep, O(n log n);
//   hv_3d.cpp   d = 3, sweep over z with a balanced-tree staircase (Beume et al. 2009), O(n log n);
//   hv_4d_plus.cpp  d = 4, HV4D+ (Guerreiro, Fonseca 2018): a sweep over the 4th objective
//               adding each point's exclusive 3D volume, found in O(n) from staircase
//               neighbours kept per point, O(n^2) (tests/results/front/hv_4d_reference.h is the
//               tests' independent O(n^2 log n) version of the same sweep);
//   hv_wfg.cpp  any d, WFG (While, Bradstreet, Barone 2012), switching to the codes above.
//
// Shared contract: `rows` holds n points of d coordinates (row-major); smaller is better; every
// point lies strictly below `ref` in every coordinate (callers drop the others: they add no
// volume). Duplicates and dominated points are allowed and add nothing. Nothing is checked: the
// validation is Hypervolume()'s. The volume is that of the union of the boxes [p, ref].
// Thread safety: pure functions (each call owns its working memory).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "results/front/deadline.h"
#include "results/front/hv_staircase.h"

namespace pwemoe::results::hv {

// d = 2: sort by x, then each point that lowers the least y so far adds a strip. O(n log n).
double Volume2D(const double* rows, size_t n, const double* ref);
// d = 3: z-sweep over an (x, y) staircase in a std::map that keeps its area. O(n log n).
double Volume3D(const double* rows, size_t n, const double* ref);
// d = 4 by HV4D+: the w-sweep, each exclusive 3D volume in O(n). O(n^2) time, O(n) memory.
double Volume4DPlus(const double* rows, size_t n, const double* ref);

// A point of HV4D+'s 3D set (hv_4d_plus.cpp): its (x, y, z), its two staircase neighbours among
// the points before it in z-order and the staircase link of the current sweep (node ids).
struct Hv4dNode {
  double x, y, z;
  int32_t lnb, rnb, next;
};

// Working memory of the small-set sweeps, kept by the caller across calls (WFG keeps one per
// recursion level): no allocation once grown.
struct SweepScratch {
  std::vector<size_t> order;
  std::vector<Hv4dNode> nodes;
  std::vector<int32_t> zorder;
  FlatStaircase staircase;
};

// Volume4DPlus in the caller's working memory.
double Volume4DPlus(const double* rows, size_t n, const double* ref, SweepScratch* scratch);
// Volume3D over a flat staircase (a sorted vector) in the caller's working memory: O(n^2) in the
// worst case, faster than the tree for small sets (WFG's base case).
double Volume3DFlat(const double* rows, size_t n, const double* ref, SweepScratch* scratch);

// WFG in d >= 1 dimensions. Sets of dimension <= base_dim (2, 3 or 4) go to the specialised code
// above; base_dim <= 1 runs WFG all the way down to d = 1 (what the tests compare against).
double VolumeWfg(const double* rows, size_t n, size_t d, const double* ref, size_t base_dim = 4);
// VolumeWfg (base_dim 4) that gives up when `deadline` passes: it reads the clock about every
// 16k points the recursion visits. Returns false and leaves *volume untouched when the deadline
// passed before the end; otherwise stores VolumeWfg's result, bit for bit, and returns true.
bool VolumeWfgBefore(const double* rows, size_t n, size_t d, const double* ref,
                     const Deadline& deadline, double* volume);

// The volume of the box [p, ref] in d dimensions.
inline double BoxVolume(const double* p, size_t d, const double* ref) {
  double v = 1.0;
  for (size_t j = 0; j < d; ++j) v *= ref[j] - p[j];
  return v;
}

}  // namespace pwemoe::results::hv

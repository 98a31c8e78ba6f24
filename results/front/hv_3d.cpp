// Hypervolume in 3D (Beume, Fonseca, Lopez-Ibanez, Paquete, Vahrenhold 2009): sweep the points
// in increasing z; the (x, y) staircase of the points seen so far, in a balanced tree, knows its
// area; each slab between consecutive z values adds area * thickness.
#include <algorithm>
#include <numeric>
#include <vector>

#include "results/front/hv_kernels.h"
#include "results/front/hv_staircase.h"

namespace pwemoe::results::hv {

double Volume3D(const double* rows, size_t n, const double* ref) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [rows](size_t a, size_t b) { return rows[3 * a + 2] < rows[3 * b + 2]; });
  Staircase s;
  s.rx = ref[0];
  s.ry = ref[1];
  double volume = 0;
  for (size_t k = 0; k < n; ++k) {
    const double* p = rows + 3 * order[k];
    StaircaseInsert(&s, p[0], p[1]);
    const double next_z = k + 1 < n ? rows[3 * order[k + 1] + 2] : ref[2];
    volume += s.area * (next_z - p[2]);
  }
  return volume;
}

double Volume3DFlat(const double* rows, size_t n, const double* ref, SweepScratch* scratch) {
  std::vector<size_t>& order = scratch->order;
  order.resize(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [rows](size_t a, size_t b) { return rows[3 * a + 2] < rows[3 * b + 2]; });
  FlatStaircase& s = scratch->staircase;
  s.rx = ref[0];
  s.ry = ref[1];
  s.steps.clear();
  s.area = 0;
  double volume = 0;
  for (size_t k = 0; k < n; ++k) {
    const double* p = rows + 3 * order[k];
    FlatStaircaseInsert(&s, p[0], p[1]);
    const double next_z = k + 1 < n ? rows[3 * order[k + 1] + 2] : ref[2];
    volume += s.area * (next_z - p[2]);
  }
  return volume;
}

}  // namespace pwemoe::results::hv

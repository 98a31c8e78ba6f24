// WFG (While, Bradstreet, Barone, IEEE TEC 2012) with its usual refinements:
//  - points sorted by the last objective; with that order
//      volume = sum_k (ref_d - p_k[d-1]) * excl_{d-1}(p_k | p_0..p_{k-1}),
//    so each level drops one dimension;
//  - excl(p | S) = box(p) - volume(limit set), the limit set being the points max(s, p) of S,
//    filtered to its non-dominated points (and p's contribution is 0 when one equals p);
//  - the recursion switches to the 2D/3D/4D codes at base_dim;
//  - one pair of buffers per recursion level, reused across calls (no allocation in the loop).
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "results/hv_kernels.h"

namespace pwemoe::results::hv {
namespace {

struct Level {
  std::vector<double> sorted;  // this level's input, sorted by its last objective
  std::vector<double> limit;   // the limit set handed to the next level
  std::vector<size_t> order;
};

struct Wfg {
  const double* ref;
  size_t base_dim;
  std::vector<Level> levels;

  double Volume(const double* rows, size_t n, size_t d, size_t level);
  size_t LimitSet(const double* sorted, size_t k, size_t d, std::vector<double>* limit);
};

bool WeaklyDominates(const double* a, const double* b, size_t d) {
  for (size_t j = 0; j < d; ++j) {
    if (a[j] > b[j]) return false;
  }
  return true;
}

// The non-dominated points of {max(s_j, p) : j < k} in the first d-1 coordinates, p = sorted row
// k, into *limit; returns their number, or SIZE_MAX when one of them equals p (p adds nothing).
// Each new limit point is dropped when a kept one weakly dominates it, else it replaces the kept
// ones it dominates.
size_t Wfg::LimitSet(const double* sorted, size_t k, size_t d, std::vector<double>* limit) {
  const size_t m = d - 1;
  const double* p = sorted + k * d;
  if (limit->size() < k * m) limit->resize(k * m);
  double* out = limit->data();
  size_t kept = 0;
  for (size_t j = 0; j < k; ++j) {
    const double* s = sorted + j * d;
    double* q = out + kept * m;  // the candidate is written past the kept ones
    bool equals_p = true;
    for (size_t c = 0; c < m; ++c) {
      q[c] = std::max(s[c], p[c]);
      equals_p = equals_p && q[c] == p[c];
    }
    if (equals_p) return SIZE_MAX;
    bool dominated = false;
    for (size_t i = 0; i < kept && !dominated; ++i) dominated = WeaklyDominates(out + i * m, q, m);
    if (dominated) continue;
    for (size_t i = 0; i < kept;) {
      if (WeaklyDominates(q, out + i * m, m)) {
        --kept;
        std::copy(out + kept * m, out + kept * m + m, out + i * m);  // last kept into slot i
        if (kept == i) break;
      } else {
        ++i;
      }
    }
    if (q != out + kept * m) std::copy(q, q + m, out + kept * m);
    ++kept;
  }
  return kept;
}

double Wfg::Volume(const double* rows, size_t n, size_t d, size_t level) {
  if (n == 0) return 0;
  if (n == 1) return BoxVolume(rows, d, ref);
  if (d == 1) return ref[0] - *std::min_element(rows, rows + n);
  if (d <= base_dim && d == 2) return Volume2D(rows, n, ref);
  if (d <= base_dim && d == 3) return Volume3D(rows, n, ref);
  if (d <= base_dim && d == 4) return Volume4D(rows, n, ref);
  Level& L = levels[level];
  L.order.resize(n);
  std::iota(L.order.begin(), L.order.end(), size_t{0});
  std::sort(L.order.begin(), L.order.end(),
            [rows, d](size_t a, size_t b) { return rows[a * d + d - 1] < rows[b * d + d - 1]; });
  L.sorted.resize(n * d);
  for (size_t k = 0; k < n; ++k) {
    std::copy(rows + L.order[k] * d, rows + L.order[k] * d + d, L.sorted.data() + k * d);
  }
  double volume = 0;
  for (size_t k = 0; k < n; ++k) {
    const double* p = levels[level].sorted.data() + k * d;
    double excl = BoxVolume(p, d - 1, ref);
    if (k > 0) {
      const size_t m = LimitSet(levels[level].sorted.data(), k, d, &levels[level].limit);
      if (m == SIZE_MAX) continue;
      excl -= Volume(levels[level].limit.data(), m, d - 1, level + 1);
    }
    volume += excl * (ref[d - 1] - p[d - 1]);
  }
  return volume;
}

}  // namespace

double VolumeWfg(const double* rows, size_t n, size_t d, const double* ref, size_t base_dim) {
  Wfg wfg{ref, base_dim, std::vector<Level>(d + 1)};  // sized once: no reallocation in Volume
  return wfg.Volume(rows, n, d, 0);
}

}  // namespace pwemoe::results::hv

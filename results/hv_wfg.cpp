// WFG (While, Bradstreet, Barone, IEEE TEC 2012) with its usual refinements:
//  - points sorted by the last objective; with that order
//      volume = sum_k (ref_d - p_k[d-1]) * excl_{d-1}(p_k | p_0..p_{k-1}),
//    so each level drops one dimension;
//  - excl(p | S) = box(p) - volume(limit set), the limit set being the points max(s, p) of S,
//    filtered to its non-dominated points (and p's contribution is 0 when one equals p); the
//    filter takes the nearest points in the sorted objective first, compares both ways in one
//    pass, and skips pairs whose "equal to p" coordinate masks rule dominance out;
//  - sets of up to 4 points by inclusion-exclusion; the recursion switches to the 2D/3D/4D
//    codes at base_dim (3D/4D from kMinBase points on);
//  - one set of buffers per recursion level, reused across calls (no allocation in the loop).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "results/hv_kernels.h"

namespace pwemoe::results::hv {
namespace {

// Sets smaller than this stay in WFG instead of going to the 3D/4D codes.
constexpr size_t kMinBase = 16;

struct Level {
  std::vector<double> sorted;  // this level's input, sorted by its last objective
  std::vector<double> limit;   // the limit set handed to the next level
  std::vector<uint64_t> tight; // per limit point: the coordinates where it equals p (bitmask)
  std::vector<size_t> order;
};

struct Wfg {
  const double* ref;
  size_t base_dim;
  std::vector<Level> levels;

  double Volume(const double* rows, size_t n, size_t d, size_t level);
  size_t LimitSet(const double* sorted, size_t k, size_t d, Level* L);
};

enum class Order { kFirstBetter, kSecondBetter, kNeither };

// kFirstBetter when a weakly dominates b (a <= b everywhere, equal rows included), kSecondBetter
// when b weakly dominates a and they differ, else kNeither; one pass.
Order Compare(const double* a, const double* b, size_t d) {
  bool a_le = true, b_le = true;
  for (size_t j = 0; j < d; ++j) {  // no early exit: branch-free is faster for d <= 8
    a_le &= a[j] <= b[j];
    b_le &= b[j] <= a[j];
  }
  if (a_le) return Order::kFirstBetter;
  return b_le ? Order::kSecondBetter : Order::kNeither;
}

// The non-dominated points of {max(s_j, p) : j < k} in the first d-1 coordinates, p = sorted row
// k, into *limit; returns their number, or SIZE_MAX when one of them equals p (p adds nothing).
// Each new limit point is dropped when a kept one weakly dominates it, else it replaces the kept
// ones it dominates.
size_t Wfg::LimitSet(const double* sorted, size_t k, size_t d, Level* L) {
  const size_t m = d - 1;
  const double* p = sorted + k * d;
  if (L->limit.size() < (k + 1) * m) L->limit.resize((k + 1) * m);
  if (L->tight.size() < k + 1) L->tight.resize(k + 1);
  double* out = L->limit.data();
  uint64_t* tight = L->tight.data();
  size_t kept = 0;
  for (size_t j = k; j-- > 0;) {  // nearest in the sorted objective first: smaller limit sets early
    const double* s = sorted + j * d;
    double* q = out + kept * m;  // the candidate is written past the kept ones
    uint64_t t = 0;              // bit c: q[c] == p[c] (only for c < 64; 0 disables the filter)
    bool equals_p = true;
    for (size_t c = 0; c < m; ++c) {
      q[c] = std::max(s[c], p[c]);
      const bool eq = s[c] <= p[c];
      equals_p = equals_p && eq;
      t |= (m <= 64 && eq) ? uint64_t{1} << c : 0;
    }
    if (equals_p) return SIZE_MAX;
    // Every limit point is >= p, so a <= b needs a[c] == p[c] wherever b[c] == p[c]: a's tight
    // set must contain b's. This mask test rejects most pairs before comparing coordinates.
    bool dominated = false;
    for (size_t i = 0; i < kept;) {
      const bool kept_may_win = (t & ~tight[i]) == 0, cand_may_win = (tight[i] & ~t) == 0;
      const Order o = kept_may_win || cand_may_win ? Compare(out + i * m, q, m) : Order::kNeither;
      if (o == Order::kFirstBetter) {
        dominated = true;
        break;
      }
      if (o == Order::kSecondBetter) {  // the candidate replaces kept point i: last kept into i
        --kept;
        std::copy(out + kept * m, out + kept * m + m, out + i * m);
        tight[i] = tight[kept];
      } else {
        ++i;
      }
    }
    if (dominated) continue;
    if (q != out + kept * m) std::copy(q, q + m, out + kept * m);
    tight[kept++] = t;
  }
  return kept;
}

// Tiny sets are cheaper by inclusion-exclusion over their 2^n - 1 subsets than by recursion.
constexpr size_t kMaxInclusionExclusion = 4;
constexpr size_t kMaxInclusionExclusionDim = 32;

// The signed sum over the subsets of rows[start..n) added to the subset whose corner (the
// coordinatewise maximum) is `corner`; `stack` holds (n - start) * d scratch doubles.
double SubsetSum(const double* rows, size_t n, size_t d, const double* ref, size_t start,
                 const double* corner, double sign, double* stack) {
  double sum = 0;
  for (size_t i = start; i < n; ++i) {
    double box = 1;
    for (size_t j = 0; j < d; ++j) {
      stack[j] = std::max(corner[j], rows[i * d + j]);
      box *= ref[j] - stack[j];
    }
    sum += sign * box + SubsetSum(rows, n, d, ref, i + 1, stack, -sign, stack + d);
  }
  return sum;
}

double InclusionExclusion(const double* rows, size_t n, size_t d, const double* ref) {
  double stack[(kMaxInclusionExclusion + 1) * kMaxInclusionExclusionDim];
  double* corner = stack;
  std::fill(corner, corner + d, -std::numeric_limits<double>::infinity());
  return SubsetSum(rows, n, d, ref, 0, corner, 1.0, stack + d);
}

// 2D sweep over the level's reusable index buffer (Volume2D without its allocation).
double Sweep2D(const double* rows, size_t n, const double* ref, std::vector<size_t>* order) {
  order->resize(n);
  std::iota(order->begin(), order->end(), size_t{0});
  std::sort(order->begin(), order->end(), [rows](size_t a, size_t b) {
    return rows[2 * a] != rows[2 * b] ? rows[2 * a] < rows[2 * b] : rows[2 * a + 1] < rows[2 * b + 1];
  });
  double volume = 0, least_y = ref[1];
  for (size_t i : *order) {
    if (rows[2 * i + 1] < least_y) {
      volume += (ref[0] - rows[2 * i]) * (least_y - rows[2 * i + 1]);
      least_y = rows[2 * i + 1];
    }
  }
  return volume;
}

double Wfg::Volume(const double* rows, size_t n, size_t d, size_t level) {
  if (n == 0) return 0;
  if (n == 1) return BoxVolume(rows, d, ref);
  if (n <= kMaxInclusionExclusion && d <= kMaxInclusionExclusionDim) {
    return InclusionExclusion(rows, n, d, ref);
  }
  if (d == 1) return ref[0] - *std::min_element(rows, rows + n);
  if (d == 2 && base_dim >= 2) return Sweep2D(rows, n, ref, &levels[level].order);
  // The 3D and 4D codes allocate their trees: below kMinBase points, WFG's reused buffers win.
  if (d == 3 && base_dim >= 3 && n >= kMinBase) return Volume3D(rows, n, ref);
  if (d == 4 && base_dim >= 4 && n >= kMinBase) return Volume4DPlus(rows, n, ref);
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
    const double* p = L.sorted.data() + k * d;
    double excl = BoxVolume(p, d - 1, ref);
    if (k > 0) {
      const size_t m = LimitSet(L.sorted.data(), k, d, &L);
      if (m == SIZE_MAX) continue;
      excl -= Volume(L.limit.data(), m, d - 1, level + 1);
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

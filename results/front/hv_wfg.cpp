// WFG (While, Bradstreet, Barone, IEEE TEC 2012) with its usual refinements:
//  - points sorted by the last objective; with that order
//      volume = sum_k (ref_d - p_k[d-1]) * excl_{d-1}(p_k | p_0..p_{k-1}),
//    so each level drops one dimension;
//  - excl(p | S) = box(p) - volume(limit set), the limit set being the points max(s, p) of S,
//    filtered to its non-dominated points (and p's contribution is 0 when one equals p); the
//    filter takes the nearest points in the sorted objective first and compares both ways in
//    one branch-free pass (SSE2, two coordinates per instruction);
//  - each limit set is sliced next on the objective where the fewest of its points equal p
//    (its columns and the reference permuted), not always on the last;
//  - sets of up to 6 points by non-recursive inclusion-exclusion; the recursion switches to the
//    2D/3D/4D codes at base_dim (3D: flat staircase up to kMaxFlat3D points, HV4D+ from kMin4D);
//  - the coordinate loops are compiled for 4 to 7 coordinates (unrolled), generic beyond;
//  - one set of buffers per recursion level, reused across calls (no allocation in the loop);
//  - an optional cooperative deadline (VolumeWfgBefore): the clock is read once the calls since
//    the last look have visited kDeadlineWork points; once passed, every call returns at once.
//    Without one, one predictable branch per call; the arithmetic is the same either way.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "results/front/hv_kernels.h"

namespace pwemoe::results::hv {
namespace {

// 3D sets up to this size go to the flat-staircase sweep, larger ones to the tree.
constexpr size_t kMaxFlat3D = 256;
// 4D sets from this size on go to HV4D+; smaller ones stay in WFG.
constexpr size_t kMin4D = 7;
// The points the recursion visits between two looks at the deadline's clock.
constexpr size_t kDeadlineWork = 16384;

struct Level {
  std::vector<double> sorted;  // this level's input, sorted by its last objective
  std::vector<double> limit;   // the limit set handed to the next level
  std::vector<uint64_t> tight; // per limit point: the coordinates where it equals p (bitmask,
                               // the first 64; ChooseSlicing's counts)
  std::vector<double> next_ref; // the reference of the limit set (its columns permuted)
  std::vector<size_t> order;
  SweepScratch sweep;          // the 3D/4D base cases' working memory
};

struct Wfg {
  size_t base_dim;
  std::vector<Level> levels;
  const Deadline* deadline = nullptr;  // null: run to the end
  size_t work = 0;                     // points visited since the last look at the clock
  bool expired = false;                // the deadline passed: every call returns 0 at once

  bool Expired(size_t n);

  double Volume(const double* rows, size_t n, size_t d, const double* ref, size_t level);
  const double* ChooseSlicing(Level* L, size_t n, size_t d, const double* ref);
  size_t LimitSet(const double* sorted, size_t k, size_t d, Level* L);
};

template <size_t kM>
size_t LimitSetOf(const double* sorted, size_t k, size_t d, Level* L);

enum class Order { kFirstBetter, kSecondBetter, kNeither };

// kFirstBetter when a weakly dominates b (a <= b everywhere, equal rows included), kSecondBetter
// when b weakly dominates a and they differ, else kNeither; one pass. kD = d when known at
// compile time (the loops unroll), 0 otherwise.
template <size_t kD>
Order Compare(const double* a, const double* b, size_t d) {
  if (kD != 0) d = kD;
  bool a_le = true, b_le = true;
#if defined(__SSE2__)
  if (kD != 0) {  // two coordinates per instruction; an odd last one pairs with 0 <= 0
    __m128d le = _mm_castsi128_pd(_mm_set1_epi32(-1)), ge = le;
#pragma GCC unroll 4
    for (size_t j = 0; j < kD; j += 2) {
      const __m128d va = j + 1 < kD ? _mm_loadu_pd(a + j) : _mm_load_sd(a + j);
      const __m128d vb = j + 1 < kD ? _mm_loadu_pd(b + j) : _mm_load_sd(b + j);
      le = _mm_and_pd(le, _mm_cmple_pd(va, vb));
      ge = _mm_and_pd(ge, _mm_cmple_pd(vb, va));
    }
    a_le = _mm_movemask_pd(le) == 3;
    b_le = _mm_movemask_pd(ge) == 3;
  } else  // NOLINT(readability/braces)
#endif
  {
#pragma GCC unroll 8
    for (size_t j = 0; j < d; ++j) {  // no early exit: branch-free is faster for d <= 8
      a_le &= a[j] <= b[j];
      b_le &= b[j] <= a[j];
    }
  }
  if (a_le) return Order::kFirstBetter;
  return b_le ? Order::kSecondBetter : Order::kNeither;
}

// The limit point q = max(s, p) of s (m coordinates) and its tight mask (bit c: q[c] == p[c],
// for c < 64).
template <size_t kM>
uint64_t LimitPoint(const double* s, const double* p, size_t m, double* q) {
  uint64_t t = 0;
#if defined(__SSE2__)
  if (kM != 0) {
#pragma GCC unroll 4
    for (size_t c = 0; c < kM; c += 2) {
      const __m128d vs = c + 1 < kM ? _mm_loadu_pd(s + c) : _mm_load_sd(s + c);
      const __m128d vp = c + 1 < kM ? _mm_loadu_pd(p + c) : _mm_load_sd(p + c);
      const __m128d vq = _mm_max_pd(vs, vp);
      if (c + 1 < kM) {
        _mm_storeu_pd(q + c, vq);
      } else {
        _mm_store_sd(q + c, vq);
      }
      t |= uint64_t(_mm_movemask_pd(_mm_cmple_pd(vs, vp))) << c;
    }
    return t & ((uint64_t{1} << kM) - 1);
  }
#endif
  if (kM != 0) m = kM;
#pragma GCC unroll 8
  for (size_t c = 0; c < m; ++c) {
    q[c] = std::max(s[c], p[c]);
    t |= uint64_t{s[c] <= p[c]} << (c & 63);
  }
  return t;
}

// The non-dominated points of {max(s_j, p) : j < k} in the first d-1 coordinates, p = sorted row
// k, into *limit; returns their number, or SIZE_MAX when one of them equals p (p adds nothing).
// Each new limit point is dropped when a kept one weakly dominates it, else it replaces the kept
// ones it dominates.
bool EqualsAll(const double* a, const double* b, size_t m) {
  for (size_t c = 0; c < m; ++c) {
    if (a[c] != b[c]) return false;
  }
  return true;
}

// kM = d - 1 when known at compile time (the coordinate loops unroll), 0 otherwise.
template <size_t kM>
size_t LimitSetOf(const double* sorted, size_t k, size_t d, Level* L) {
  const size_t m = kM != 0 ? kM : d - 1;
  const double* p = sorted + k * d;
  if (L->limit.size() < (k + 1) * m) L->limit.resize((k + 1) * m);
  if (L->tight.size() < k + 1) L->tight.resize(k + 1);
  double* out = L->limit.data();
  uint64_t* tight = L->tight.data();
  size_t kept = 0;
  for (size_t j = k; j-- > 0;) {  // nearest in the sorted objective first: smaller limit sets early
    const double* s = sorted + j * d;
    double* q = out + kept * m;  // the candidate is written past the kept ones
    uint64_t t = LimitPoint<kM>(s, p, m, q);
    if (m <= 64 ? t == (m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1) : EqualsAll(q, p, m)) {
      return SIZE_MAX;
    }
    // One pass over the kept points with the outcomes folded into flags, not branched on (they
    // are unpredictable; measured 15% faster than branching on each): is the candidate weakly
    // dominated (then stop), does it strictly dominate some kept points (rare: a second pass
    // drops them).
    bool dominated = false, dominates = false;
    for (size_t i = 0; i < kept && !dominated; ++i) {
      const Order o = Compare<kM>(out + i * m, q, m);
      dominated |= o == Order::kFirstBetter;
      dominates |= o == Order::kSecondBetter;
    }
    if (dominated) continue;
    for (size_t i = 0; dominates && i < kept;) {
      if (Compare<kM>(out + i * m, q, m) == Order::kSecondBetter) {  // last kept into i
        --kept;
        std::copy(out + kept * m, out + kept * m + m, out + i * m);
        tight[i] = tight[kept];
      } else {
        ++i;
      }
    }
    if (q != out + kept * m) std::copy(q, q + m, out + kept * m);
    tight[kept++] = t;
  }
  return kept;
}

size_t Wfg::LimitSet(const double* sorted, size_t k, size_t d, Level* L) {
  switch (d - 1) {
    case 4: return LimitSetOf<4>(sorted, k, d, L);
    case 5: return LimitSetOf<5>(sorted, k, d, L);
    case 6: return LimitSetOf<6>(sorted, k, d, L);
    case 7: return LimitSetOf<7>(sorted, k, d, L);
    default: return LimitSetOf<0>(sorted, k, d, L);
  }
}

// Tiny sets are cheaper by inclusion-exclusion over their 2^n - 1 subsets than by recursion
// (branch-free arithmetic; measured on the 8-objective linear front: 6 beats 4 by about 15%).
constexpr size_t kMaxInclusionExclusion = 6;
constexpr size_t kMaxInclusionExclusionDim = 16;

// c = max(a, p) (d coordinates) and the volume of the box [c, ref].
template <size_t kD>
double CornerBox(const double* a, const double* p, const double* ref, size_t d, double* c) {
#if defined(__SSE2__)
  if (kD != 0) {  // two coordinates per instruction; an odd last one multiplies by 1
    __m128d box = _mm_set1_pd(1.0);
#pragma GCC unroll 4
    for (size_t j = 0; j < kD; j += 2) {
      if (j + 1 < kD) {
        const __m128d v = _mm_max_pd(_mm_loadu_pd(a + j), _mm_loadu_pd(p + j));
        _mm_storeu_pd(c + j, v);
        box = _mm_mul_pd(box, _mm_sub_pd(_mm_loadu_pd(ref + j), v));
      } else {
        const __m128d v = _mm_max_sd(_mm_load_sd(a + j), _mm_load_sd(p + j));
        _mm_store_sd(c + j, v);
        box = _mm_mul_sd(box, _mm_sub_sd(_mm_load_sd(ref + j), v));
      }
    }
    return _mm_cvtsd_f64(box) * _mm_cvtsd_f64(_mm_unpackhi_pd(box, box));
  }
#endif
  if (kD != 0) d = kD;
  double box = 1;
  for (size_t j = 0; j < d; ++j) {
    c[j] = std::max(a[j], p[j]);
    box *= ref[j] - c[j];
  }
  return box;
}

// Inclusion-exclusion over the 2^n - 1 subsets, without recursion: subset `mask` has the corner
// (coordinatewise maximum) of `mask` less its highest point, raised by that point. kD = d when
// known at compile time (the loops unroll), 0 otherwise.
template <size_t kD>
double InclusionExclusionOf(const double* rows, size_t n, size_t d, const double* ref) {
  if (kD != 0) d = kD;
  double corners[(1 << kMaxInclusionExclusion) * kMaxInclusionExclusionDim];
  double signs[1 << kMaxInclusionExclusion];  // +1 for odd subsets, -1 for even ones
  signs[0] = -1;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const double* p = rows + i * d;
    const size_t low = size_t{1} << i;  // subsets whose highest point is i: low + (subset of 0..i-1)
    for (size_t rest = 0; rest < low; ++rest) {
      double* c = corners + (low + rest) * d;
      const double* base = corners + rest * d;  // rest == 0: no earlier point, the corner is p
      const double box = CornerBox<kD>(rest == 0 ? p : base, p, ref, d, c);
      signs[low + rest] = -signs[rest];
      sum += signs[low + rest] * box;
    }
  }
  return sum;
}

double InclusionExclusion(const double* rows, size_t n, size_t d, const double* ref) {
  switch (d) {
    case 4: return InclusionExclusionOf<4>(rows, n, d, ref);
    case 5: return InclusionExclusionOf<5>(rows, n, d, ref);
    case 6: return InclusionExclusionOf<6>(rows, n, d, ref);
    case 7: return InclusionExclusionOf<7>(rows, n, d, ref);
    default: return InclusionExclusionOf<0>(rows, n, d, ref);
  }
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

// The limit set's slicing objective (its last column at the next level): the one where the fewest
// limit points equal p, i.e. the most spread out (measured: about 25% fewer instructions on the
// 8-objective linear front than always the last; the most tight one doubles them). Swaps that
// column with the last in the limit rows and returns the reference permuted alike (ref itself
// when nothing moves). Only for WFG levels (d >= 5 and more than the inclusion-exclusion size).
const double* Wfg::ChooseSlicing(Level* L, size_t n, size_t d, const double* ref) {
  if (n <= kMaxInclusionExclusion || d <= 4 || d > 64) return ref;
  size_t count[64] = {};
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c < d; ++c) count[c] += (L->tight[i] >> c) & 1;
  size_t best = d - 1;
  for (size_t c = 0; c + 1 < d; ++c) {
    if (count[c] < count[best]) best = c;
  }
  if (best == d - 1) return ref;
  double* rows = L->limit.data();
  for (size_t i = 0; i < n; ++i) std::swap(rows[i * d + best], rows[i * d + d - 1]);
  L->next_ref.assign(ref, ref + d);
  std::swap(L->next_ref[best], L->next_ref[d - 1]);
  return L->next_ref.data();
}

// Counts the n points of this call against kDeadlineWork and reads the clock when due.
bool Wfg::Expired(size_t n) {
  if (expired) return true;
  work += n;
  if (work < kDeadlineWork) return false;
  work = 0;
  expired = deadline->Passed();
  return expired;
}

double Wfg::Volume(const double* rows, size_t n, size_t d, const double* ref, size_t level) {
  if (deadline != nullptr && Expired(n)) return 0;
  if (n == 0) return 0;
  if (n == 1) return BoxVolume(rows, d, ref);
  if (n <= kMaxInclusionExclusion && d <= kMaxInclusionExclusionDim) {
    return InclusionExclusion(rows, n, d, ref);
  }
  if (d == 1) return ref[0] - *std::min_element(rows, rows + n);
  if (d == 2 && base_dim >= 2) return Sweep2D(rows, n, ref, &levels[level].order);
  if (d == 3 && base_dim >= 3) {
    return n <= kMaxFlat3D ? Volume3DFlat(rows, n, ref, &levels[level].sweep) : Volume3D(rows, n, ref);
  }
  if (d == 4 && base_dim >= 4 && n >= kMin4D) return Volume4DPlus(rows, n, ref, &levels[level].sweep);
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
      const double* next_ref = ChooseSlicing(&L, m, d - 1, ref);
      excl -= Volume(L.limit.data(), m, d - 1, next_ref, level + 1);
      if (expired) return 0;
    }
    volume += excl * (ref[d - 1] - p[d - 1]);
  }
  return volume;
}

}  // namespace

double VolumeWfg(const double* rows, size_t n, size_t d, const double* ref, size_t base_dim) {
  Wfg wfg{base_dim, std::vector<Level>(d + 1)};  // sized once: no reallocation in Volume
  return wfg.Volume(rows, n, d, ref, 0);
}

bool VolumeWfgBefore(const double* rows, size_t n, size_t d, const double* ref,
                     const Deadline& deadline, double* volume) {
  Wfg wfg{4, std::vector<Level>(d + 1)};
  wfg.deadline = &deadline;
  const double v = wfg.Volume(rows, n, d, ref, 0);
  if (wfg.expired) return false;
  *volume = v;
  return true;
}

}  // namespace pwemoe::results::hv

// Hypervolume in 4D: sweep the points in increasing 4th objective w. With the points sorted so,
//   volume = sum_k (ref_w - w_k) * V3(p_k | p_0..p_{k-1}),
// V3 the exclusive 3D volume of p_k (its xyz box minus the boxes of the earlier points). The
// earlier points are kept sorted by z, without those a later point was found to dominate in
// xyz (they can never matter again). V3 is a z-sweep over them: the earlier points, clipped to
// p_k's box, build a staircase in (x, y); each z-slab adds the uncovered area times its
// thickness, until one point covers the whole box, where the sweep stops. O(n^2 log n) in all (the
// staircase is a sorted vector while small, a balanced tree beyond kFlatMax steps).
#include <algorithm>
#include <numeric>
#include <vector>

#include "hv_4d_reference.h"
#include "results/front/hv_kernels.h"
#include "results/front/hv_staircase.h"

namespace pwemoe::results::hv {
namespace {

// The clipped staircase of one point: flat while small (the usual case), a tree beyond
// kFlatMax steps, so that an insertion costs O(log n) in the worst case.
constexpr size_t kFlatMax = 128;

struct ClippedStaircase {
  FlatStaircase flat;
  Staircase tree;
  bool in_tree = false;
};

void Reset(ClippedStaircase* s, double rx, double ry) {
  s->flat.rx = s->tree.rx = rx;
  s->flat.ry = s->tree.ry = ry;
  s->flat.steps.clear();
  s->flat.area = 0;
  s->in_tree = false;
}

double Area(const ClippedStaircase& s) { return s.in_tree ? s.tree.area : s.flat.area; }

void Insert(ClippedStaircase* s, double x, double y) {
  if (!s->in_tree && s->flat.steps.size() < kFlatMax) {
    FlatStaircaseInsert(&s->flat, x, y);
    return;
  }
  if (!s->in_tree) {
    s->tree.steps.clear();
    for (const auto& [sx, sy] : s->flat.steps) s->tree.steps.emplace_hint(s->tree.steps.end(), sx, sy);
    s->tree.area = s->flat.area;
    s->in_tree = true;
  }
  StaircaseInsert(&s->tree, x, y);
}

bool WeaklyDominates3(const double* a, const double* b) {
  return a[0] <= b[0] && a[1] <= b[1] && a[2] <= b[2];
}

// The exclusive 3D volume of q against `front` (sorted by z); updates front to front + q minus
// the points q weakly dominates among those the sweep visited (the sweep stops at the first
// point that covers q's whole (x, y) box; points it did not visit stay, dominated or not, and
// add nothing later). 0, and q not added, when a point of front weakly dominates q.
double ExclusiveVolume3D(const double* q, const double* ref, std::vector<const double*>* front,
                         ClippedStaircase* s) {
  Reset(s, ref[0], ref[1]);
  const double box = (ref[0] - q[0]) * (ref[1] - q[1]);
  double z = q[2], uncovered = 0;
  bool covered = false, dominated = false;
  size_t kept = 0, i = 0;
  for (; i < front->size() && !covered; ++i) {
    const double* a = (*front)[i];
    if (a[2] > z) {
      uncovered += (box - Area(*s)) * (a[2] - z);
      z = a[2];
    }
    const double lx = std::max(a[0], q[0]), ly = std::max(a[1], q[1]);
    if (lx == q[0] && ly == q[1]) {
      covered = true;
      dominated = a[2] <= q[2];
    } else {
      Insert(s, lx, ly);
    }
    if (dominated || !WeaklyDominates3(q, a)) (*front)[kept++] = a;
  }
  kept = std::copy(front->begin() + i, front->end(), front->begin() + kept) - front->begin();
  front->resize(kept);
  if (dominated) return 0;
  if (!covered) uncovered += (box - Area(*s)) * (ref[2] - z);
  auto at = std::upper_bound(front->begin(), front->end(), q[2],
                             [](double zq, const double* a) { return zq < a[2]; });
  front->insert(at, q);
  return uncovered;
}

}  // namespace

double Volume4D(const double* rows, size_t n, const double* ref) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [rows](size_t a, size_t b) { return rows[4 * a + 3] < rows[4 * b + 3]; });
  std::vector<const double*> front;
  front.reserve(n);
  ClippedStaircase staircase;  // reused: no allocation per point
  double volume = 0;
  for (size_t i : order) {
    const double* p = rows + 4 * i;
    volume += ExclusiveVolume3D(p, ref, &front, &staircase) * (ref[3] - p[3]);
  }
  return volume;
}

}  // namespace pwemoe::results::hv

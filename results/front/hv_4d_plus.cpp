// Hypervolume in 4D by HV4D+ (Guerreiro, Fonseca, "Computing and updating hypervolume
// contributions in up to four dimensions", IEEE TEVC 2018). Sweep the points in increasing w:
//   volume = sum_k (ref_w - w_k) * V3(p_k | L_k),
// L_k the 3D non-dominated set of the (x, y, z) of the earlier points. L is kept in z-order
// ((z, y, x) lexicographic), and every point q of L remembers its two neighbours in the (x, y)
// staircase of the points of L before it in z-order: lnb (the lowest point left of q, x < q.x)
// and rnb (the leftmost point below q, y < q.y). With them, V3(p | L) takes O(|L|):
//  1. walk L in z-order up to p, linking each point between its neighbours: this rebuilds the
//     staircase of the points before p as a singly linked list (dominated steps drop out);
//  2. p's uncovered (x, y) area is its box less the steps between p's neighbours;
//  3. continue the walk above p: each point q removes the new area it covers inside p's box,
//     found by walking the steps between q's neighbours (each step is dropped once: amortised
//     O(1)); the sweep stops at the first point covering p's whole (x, y) box.
// Then p joins L: the points above p that p dominates leave, and p becomes the neighbour of the
// others where it beats the old one (this pass stops where the sweep's stop point shields all
// later points from p). O(n) per point, O(n^2) in all.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "results/front/hv_kernels.h"

namespace pwemoe::results::hv {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using Node = Hv4dNode;  // lnb, rnb: the neighbours; next: valid only during one point's walk

// Node ids: the staircase sentinels (left: x = -inf, y = ref_y; right: x = ref_x, y = -inf),
// the end of the z-order (covers every (x, y) at z = ref_z), then the points.
constexpr int32_t kLeft = 0, kRight = 1, kEnd = 2, kFirst = 3;

// The better left neighbour: lower y, then lower x (ties in both mean a dominated copy).
inline bool LeftBeats(const Node& a, const Node& b) { return a.y < b.y || (a.y == b.y && a.x <= b.x); }
// The better right neighbour: lower x, then lower y.
inline bool RightBeats(const Node& a, const Node& b) { return a.x < b.x || (a.x == b.x && a.y <= b.y); }

inline bool ZBefore(const Node& a, const Node& b) {
  if (a.z != b.z) return a.z < b.z;
  return a.y != b.y ? a.y < b.y : a.x < b.x;
}

// The area of [x0, to.x) x [y0, from.y) not covered by the staircase steps strictly between
// `from` and `to` (every one of them lies above and right of (x0, y0) or is clipped to it).
double UncoveredArea(const Node* nd, int32_t from, int32_t to, double x0, double y0) {
  double ceiling = nd[from].y, cx = x0, area = 0;
  if (ceiling <= y0 || nd[to].x <= x0) return 0;
  for (int32_t s = nd[from].next; s != to; s = nd[s].next) {
    const Node& t = nd[s];
    if (t.x > cx) {
      area += (t.x - cx) * (ceiling - y0);
      cx = t.x;
    }
    ceiling = t.y;
    if (ceiling <= y0) return area;
  }
  return area + (nd[to].x - cx) * (ceiling - y0);
}

class Hv4dPlus {
 public:
  Hv4dPlus(size_t n, const double* ref, SweepScratch* scratch)
      : nodes_(scratch->nodes), zorder_(scratch->zorder) {
    nodes_.resize(kFirst + n);
    nodes_[kLeft] = {-kInf, ref[1], -kInf, kLeft, kLeft, kRight};
    nodes_[kRight] = {ref[0], -kInf, -kInf, kRight, kRight, kRight};
    nodes_[kEnd] = {-kInf, -kInf, ref[2], kLeft, kRight, kRight};
    zorder_.clear();
    zorder_.reserve(n + 1);
    zorder_.push_back(kEnd);
  }

  // V3 of the point (x, y, z) against the current set, which it then joins as node `slot`.
  double Add(size_t slot, const double* p);

 private:
  bool Rebuild(Node* p, size_t pos);
  double SweepAndJoin(int32_t pid, size_t pos);

  std::vector<Node>& nodes_;
  std::vector<int32_t>& zorder_;  // node ids in z-order, kEnd last
};

// Step 1: links the points before zorder_[pos] into the staircase and finds p's neighbours;
// false when one of them weakly dominates p (then V3 = 0).
bool Hv4dPlus::Rebuild(Node* p, size_t pos) {
  Node* nd = nodes_.data();
  nd[kLeft].next = kRight;
  int32_t lnb = kLeft, rnb = kRight;
  for (size_t i = 0; i < pos; ++i) {
    const int32_t id = zorder_[i];
    Node& s = nd[id];
    if (s.x <= p->x && s.y <= p->y) return false;
    nd[s.lnb].next = id;
    s.next = s.rnb;
    if (s.x < p->x) {
      if (LeftBeats(s, nd[lnb])) lnb = id;
    } else if (s.y < p->y && RightBeats(s, nd[rnb])) {
      rnb = id;
    }
  }
  p->lnb = lnb;
  p->rnb = rnb;
  return true;
}

// Steps 2 and 3, and p joining L in the same pass over the points above it.
double Hv4dPlus::SweepAndJoin(int32_t pid, size_t pos) {
  Node* nd = nodes_.data();
  const Node p = nd[pid];
  double area = UncoveredArea(nd, p.lnb, p.rnb, p.x, p.y), volume = 0, last_z = p.z;
  bool swept = false;
  size_t w = pos, end = 0;
  int32_t carry = pid;  // zorder_ shifts right by one until a dropped point frees a slot
  for (size_t i = pos;; ++i) {
    const int32_t qid = zorder_[i];
    Node& q = nd[qid];
    if (q.x <= p.x && q.y <= p.y) {  // q covers p's (x, y) box from q.z on
      if (!swept) volume += area * (q.z - last_z);
      swept = true;
      if (q.x == p.x && q.y == p.y) continue;  // a copy of p higher in z: dropped
      end = i;                                  // q shields every later point from p
      break;
    }
    if (!swept) {
      volume += area * (q.z - last_z);
      last_z = q.z;
      area -= UncoveredArea(nd, q.lnb, q.rnb, std::max(q.x, p.x), std::max(q.y, p.y));
      nd[q.lnb].next = qid;
      q.next = q.rnb;
    }
    if (q.x >= p.x && q.y >= p.y) continue;  // p dominates q in (x, y, z): dropped
    if (p.x < q.x) {
      if (LeftBeats(p, nd[q.lnb])) q.lnb = pid;
    } else if (RightBeats(p, nd[q.rnb])) {
      q.rnb = pid;
    }
    zorder_[w++] = carry;
    carry = qid;
  }
  if (w < end) {
    zorder_[w++] = carry;
    zorder_.erase(zorder_.begin() + w, zorder_.begin() + end);
  } else {
    zorder_.insert(zorder_.begin() + end, carry);
  }
  return volume;
}

double Hv4dPlus::Add(size_t slot, const double* xyz) {
  const int32_t pid = static_cast<int32_t>(kFirst + slot);
  Node* p = &nodes_[pid];
  *p = {xyz[0], xyz[1], xyz[2], kLeft, kRight, kRight};
  const size_t pos = std::upper_bound(zorder_.begin(), zorder_.end() - 1, pid,
                                      [this](int32_t a, int32_t b) {
                                        return ZBefore(nodes_[a], nodes_[b]);
                                      }) -
                     zorder_.begin();
  if (!Rebuild(p, pos)) return 0;
  return SweepAndJoin(pid, pos);
}

}  // namespace

double Volume4DPlus(const double* rows, size_t n, const double* ref) {
  SweepScratch scratch;
  return Volume4DPlus(rows, n, ref, &scratch);
}

double Volume4DPlus(const double* rows, size_t n, const double* ref, SweepScratch* scratch) {
  std::vector<size_t>& order = scratch->order;
  order.resize(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [rows](size_t a, size_t b) { return rows[4 * a + 3] < rows[4 * b + 3]; });
  Hv4dPlus set(n, ref, scratch);
  double volume = 0;
  for (size_t k = 0; k < n; ++k) {
    const double* p = rows + 4 * order[k];
    volume += set.Add(k, p) * (ref[3] - p[3]);
  }
  return volume;
}

}  // namespace pwemoe::results::hv

#include "results/hv_staircase.h"

#include <iterator>

namespace pwemoe::results::hv {

bool StaircaseInsert(Staircase* s, double x, double y) {
  std::map<double, double>& m = s->steps;
  auto it = m.lower_bound(x);  // first step with x' >= x
  if (it != m.begin() && std::prev(it)->second <= y) return false;
  if (it != m.end() && it->first == x && it->second <= y) return false;
  // Walk the steps (x, y) dominates; between them its exclusive area is bounded above by the
  // lowest y to the left.
  double ceiling = it == m.begin() ? s->ry : std::prev(it)->second;
  double cx = x, added = 0;
  while (it != m.end() && it->second >= y) {
    added += (it->first - cx) * (ceiling - y);
    cx = it->first;
    ceiling = it->second;
    it = m.erase(it);
  }
  const double next_x = it == m.end() ? s->rx : it->first;
  added += (next_x - cx) * (ceiling - y);
  m.emplace_hint(it, x, y);
  s->area += added;
  return true;
}

}  // namespace pwemoe::results::hv

#include "results/front/hv_staircase.h"

#include <algorithm>
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

bool FlatStaircaseInsert(FlatStaircase* s, double x, double y) {
  std::vector<std::pair<double, double>>& v = s->steps;
  auto it = std::lower_bound(v.begin(), v.end(), x,
                             [](const std::pair<double, double>& a, double key) { return a.first < key; });
  if (it != v.begin() && std::prev(it)->second <= y) return false;
  if (it != v.end() && it->first == x && it->second <= y) return false;
  double ceiling = it == v.begin() ? s->ry : std::prev(it)->second;
  double cx = x, added = 0;
  auto end = it;
  while (end != v.end() && end->second >= y) {
    added += (end->first - cx) * (ceiling - y);
    cx = end->first;
    ceiling = end->second;
    ++end;
  }
  const double next_x = end == v.end() ? s->rx : end->first;
  added += (next_x - cx) * (ceiling - y);
  s->area += added;
  if (it == end) {
    v.insert(it, {x, y});
  } else {  // reuse the first removed slot, drop the rest
    *it = {x, y};
    v.erase(it + 1, end);
  }
  return true;
}

}  // namespace pwemoe::results::hv

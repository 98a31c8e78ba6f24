#include "results/front/pareto.h"

#include <algorithm>
#include <numeric>

namespace pwemoe::results {
namespace {

// Whether row a dominates row b (minimisation): a <= b everywhere and a < b somewhere.
bool Dominates(const double* a, const double* b, size_t d) {
  bool strictly = false;
  for (size_t j = 0; j < d; ++j) {
    if (a[j] > b[j]) return false;
    strictly = strictly || a[j] < b[j];
  }
  return strictly;
}

// d = 1: every row equal to the minimum.
std::vector<size_t> Front1D(const double* rows, size_t n) {
  const double best = *std::min_element(rows, rows + n);
  std::vector<size_t> front;
  for (size_t i = 0; i < n; ++i) {
    if (rows[i] == best) front.push_back(i);
  }
  return front;
}

// d = 2: sweep in order of (x, y). Within a group of equal x only the rows of the group's least
// y can survive; they do when every earlier group (smaller x) has a larger least y.
std::vector<size_t> Front2D(const double* rows, size_t n) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [rows](size_t a, size_t b) {
    return rows[2 * a] != rows[2 * b] ? rows[2 * a] < rows[2 * b] : rows[2 * a + 1] < rows[2 * b + 1];
  });
  std::vector<size_t> front;
  bool any_before = false;
  double best_y_before = 0;  // least y over groups of smaller x
  for (size_t g = 0; g < n;) {
    const double x = rows[2 * order[g]], y = rows[2 * order[g] + 1];
    size_t end = g;
    while (end < n && rows[2 * order[end]] == x) ++end;
    for (size_t k = g; k < end && rows[2 * order[k] + 1] == y; ++k) {
      if (!any_before || best_y_before > y) front.push_back(order[k]);
    }
    best_y_before = any_before ? std::min(best_y_before, y) : y;
    any_before = true;
    g = end;
  }
  std::sort(front.begin(), front.end());
  return front;
}

// d >= 3: lexicographic order, then each row against the front found so far.
std::vector<size_t> FrontND(const double* rows, size_t n, size_t d) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [rows, d](size_t a, size_t b) {
    return std::lexicographical_compare(rows + a * d, rows + a * d + d, rows + b * d, rows + b * d + d);
  });
  std::vector<size_t> front;
  for (size_t i : order) {
    bool dominated = false;
    for (size_t k = 0; k < front.size() && !dominated; ++k) {
      dominated = Dominates(rows + front[k] * d, rows + i * d, d);
    }
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end());
  return front;
}

}  // namespace

std::vector<size_t> NonDominatedRows(const double* rows, size_t n, size_t d) {
  if (n == 0) return {};
  if (d == 1) return Front1D(rows, n);
  if (d == 2) return Front2D(rows, n);
  return FrontND(rows, n, d);
}

Status ParetoFront(const std::vector<std::vector<double>>& points, Sense sense,
                   std::vector<size_t>* front) {
  size_t d = 0;
  PWEMOE_RETURN_IF_ERROR(CheckPoints(points, &d));
  const std::vector<double> rows = MinimisationRows(points, d, sense);
  *front = NonDominatedRows(rows.data(), points.size(), d);
  return Status::Ok();
}

}  // namespace pwemoe::results

// Hypervolume in 2D: sort by x; each point that improves the least y so far adds the strip
// between its y and that least y, from its x to the reference.
#include <algorithm>
#include <numeric>
#include <vector>

#include "results/front/hv_kernels.h"

namespace pwemoe::results::hv {

double Volume2D(const double* rows, size_t n, const double* ref) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [rows](size_t a, size_t b) {
    return rows[2 * a] != rows[2 * b] ? rows[2 * a] < rows[2 * b] : rows[2 * a + 1] < rows[2 * b + 1];
  });
  double volume = 0, least_y = ref[1];
  for (size_t i : order) {
    const double y = rows[2 * i + 1];
    if (y < least_y) {
      volume += (ref[0] - rows[2 * i]) * (least_y - y);
      least_y = y;
    }
  }
  return volume;
}

}  // namespace pwemoe::results::hv

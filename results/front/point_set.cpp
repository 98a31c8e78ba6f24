#include "results/front/point_set.h"

#include <cmath>
#include <string>

#include "pwemoe/util/strings.h"

namespace pwemoe::results {

Status CheckPoints(const std::vector<std::vector<double>>& points, size_t* dim) {
  *dim = points.empty() ? 0 : points[0].size();
  if (!points.empty() && *dim == 0) {
    return Status::InvalidArgument("point 0: no coordinates (need at least one objective)");
  }
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].size() != *dim) {
      return Status::InvalidArgument("point " + std::to_string(i) + ": " +
                                     std::to_string(points[i].size()) + " coordinates, point 0 has " +
                                     std::to_string(*dim));
    }
    for (size_t j = 0; j < *dim; ++j) {
      if (!std::isfinite(points[i][j])) {
        return Status::InvalidArgument("point " + std::to_string(i) + ", coordinate " +
                                       std::to_string(j) + ": not finite (" +
                                       FormatDouble(points[i][j]) + ")");
      }
    }
  }
  return Status::Ok();
}

std::vector<double> MinimisationRows(const std::vector<std::vector<double>>& points, size_t dim,
                                     Sense sense) {
  const double sign = sense == Sense::kMaximize ? -1.0 : 1.0;
  std::vector<double> rows;
  rows.reserve(points.size() * dim);
  for (const std::vector<double>& p : points) {
    for (double v : p) rows.push_back(sign * v);
  }
  return rows;
}

}  // namespace pwemoe::results

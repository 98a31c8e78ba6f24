#include "results/front/hv_input.h"

#include <cmath>
#include <string>
#include <utility>

#include "pwemoe/util/strings.h"

namespace pwemoe::results {
namespace {

Status CheckReference(const std::vector<double>& ref, size_t dim) {
  if (ref.empty()) return Status::InvalidArgument("reference point: no coordinates");
  if (dim != 0 && ref.size() != dim) {
    return Status::InvalidArgument("reference point: " + std::to_string(ref.size()) +
                                   " coordinates, the points have " + std::to_string(dim));
  }
  for (size_t j = 0; j < ref.size(); ++j) {
    if (!std::isfinite(ref[j])) {
      return Status::InvalidArgument("reference point, coordinate " + std::to_string(j) +
                                     ": not finite (" + FormatDouble(ref[j]) + ")");
    }
  }
  return Status::Ok();
}

// The rows strictly below `ref` in every coordinate (the only ones with volume).
std::vector<double> InsideRows(const std::vector<double>& rows, size_t d, const double* ref) {
  std::vector<double> inside;
  for (size_t i = 0; i * d < rows.size(); ++i) {
    bool below = true;
    for (size_t j = 0; j < d; ++j) below = below && rows[i * d + j] < ref[j];
    if (below) inside.insert(inside.end(), rows.begin() + i * d, rows.begin() + i * d + d);
  }
  return inside;
}

}  // namespace

Status PrepareHvInput(const std::vector<std::vector<double>>& points, const std::vector<double>& ref,
                      Sense sense, HvInput* input) {
  size_t d = 0;
  PWEMOE_RETURN_IF_ERROR(CheckPoints(points, &d));
  PWEMOE_RETURN_IF_ERROR(CheckReference(ref, d));
  HvInput in;
  in.dim = ref.size();
  in.ref = MinimisationRows({ref}, in.dim, sense);
  if (!points.empty()) in.rows = InsideRows(MinimisationRows(points, d, sense), d, in.ref.data());
  *input = std::move(in);
  return Status::Ok();
}

}  // namespace pwemoe::results

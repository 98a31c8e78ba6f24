#include "results/front/hypervolume.h"

#include <cmath>
#include <string>

#include "pwemoe/util/strings.h"
#include "results/front/hv_kernels.h"
#include "results/front/pareto.h"

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

double Dispatch(const std::vector<double>& rows, size_t d, const double* ref) {
  const size_t n = rows.size() / d;
  if (n == 0) return 0;
  if (d == 1) return hv::VolumeWfg(rows.data(), n, 1, ref);
  if (d == 2) return hv::Volume2D(rows.data(), n, ref);
  if (d == 3) return hv::Volume3D(rows.data(), n, ref);
  if (d == 4) return hv::Volume4DPlus(rows.data(), n, ref);
  const std::vector<size_t> front = NonDominatedRows(rows.data(), n, d);
  std::vector<double> nd;
  nd.reserve(front.size() * d);
  for (size_t i : front) nd.insert(nd.end(), rows.begin() + i * d, rows.begin() + i * d + d);
  return hv::VolumeWfg(nd.data(), front.size(), d, ref);
}

}  // namespace

Status Hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& ref,
                   Sense sense, double* volume) {
  size_t d = 0;
  PWEMOE_RETURN_IF_ERROR(CheckPoints(points, &d));
  PWEMOE_RETURN_IF_ERROR(CheckReference(ref, d));
  if (points.empty()) {
    *volume = 0;
    return Status::Ok();
  }
  const std::vector<double> min_ref = MinimisationRows({ref}, d, sense);
  const std::vector<double> rows = InsideRows(MinimisationRows(points, d, sense), d, min_ref.data());
  *volume = Dispatch(rows, d, min_ref.data());
  return Status::Ok();
}

}  // namespace pwemoe::results

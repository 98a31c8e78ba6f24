#include "results/front/hypervolume.h"

#include <string>
#include <vector>

#include "results/front/hv_kernels.h"
#include "results/front/pareto.h"

namespace pwemoe::results {
namespace {

// The exact volume of the n = rows.size() / d rows (all below ref). With a `deadline` (may be
// null), *expired is set when it passed first (WFG only); the value means nothing then.
double Dispatch(const std::vector<double>& rows, size_t d, const double* ref, const Deadline* deadline,
                bool* expired) {
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
  if (deadline == nullptr) return hv::VolumeWfg(nd.data(), front.size(), d, ref);
  double volume = 0;
  *expired = !hv::VolumeWfgBefore(nd.data(), front.size(), d, ref, *deadline, &volume);
  return volume;
}

}  // namespace

Status ExactHypervolume(const HvInput& input, const Deadline* deadline, double* volume) {
  if (input.count() == 0) {
    *volume = 0;
    return Status::Ok();
  }
  bool expired = false;
  const double v = Dispatch(input.rows, input.dim, input.ref.data(), deadline, &expired);
  if (expired) {
    return Status::Aborted("exact hypervolume: deadline passed before the end (" +
                           std::to_string(input.count()) + " points, " +
                           std::to_string(input.dim) + " objectives)");
  }
  *volume = v;
  return Status::Ok();
}

Status Hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& ref,
                   Sense sense, double* volume) {
  HvInput input;
  PWEMOE_RETURN_IF_ERROR(PrepareHvInput(points, ref, sense, &input));
  return ExactHypervolume(input, nullptr, volume);
}

Status HypervolumeWithDeadline(const std::vector<std::vector<double>>& points,
                               const std::vector<double>& ref, Sense sense, const Deadline& deadline,
                               double* volume) {
  HvInput input;
  PWEMOE_RETURN_IF_ERROR(PrepareHvInput(points, ref, sense, &input));
  return ExactHypervolume(input, &deadline, volume);
}

}  // namespace pwemoe::results

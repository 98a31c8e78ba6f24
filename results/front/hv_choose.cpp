#include "results/front/hv_choose.h"

#include <cmath>
#include <string>

#include "pwemoe/util/strings.h"
#include "results/front/hv_probe.h"
#include "results/front/hypervolume.h"
#include "results/front/pareto.h"

namespace pwemoe::results {
namespace {

// Seconds per unit of work of the 1D-4D codes, Hypervolume's input checks and conversion
// included: the worst of the minimised and maximised spherical fronts, measured 2026-12-06 with
// pwemoe_hv_bench on a 2-core AMD EPYC VM (its AVX-512 flags not recorded; Release, one core, load
// about 3; n = 1e6 for d = 1, 2; 1e5 and 1e6 for d = 3; 3000, 10000, 30000 for d = 4), rounded up:
//   d = 1: 3.0e-8 per point (2.8e-8 measured);
//   d = 2: 1.7e-8 per n log2 n (1.6e-8);  d = 3: 3.6e-8 per n log2 n (3.5e-8);
//   d = 4: 4.5e-10 per n^2 plus 2.1e-7 per n log2 n (fitted to 3000 and 30000 points: 0.011
//          and 0.48 s measured; 0.070 s predicted for 10000 against 0.065 s measured).
constexpr double kPerPoint1D = 3.0e-8, kPerNLogN2D = 1.7e-8, kPerNLogN3D = 3.6e-8;
constexpr double kPerSquare4D = 4.5e-10, kPerNLogN4D = 2.1e-7;
// Headroom for slower machines and harder fronts than the measured ones.
constexpr double kSafety = 2;

HvResult FromExact(double volume, HvChoice choice) {
  HvResult r;
  r.choice = choice;
  r.exact = true;
  r.value = r.lo = r.hi = volume;
  return r;
}

HvResult FromEstimate(const HvEstimate& e, HvChoice choice) {
  HvResult r;
  r.choice = choice;
  r.value = e.estimate;
  r.lo = e.lo;
  r.hi = e.hi;
  r.samples = e.samples;
  return r;
}

// The estimate of `input` into *out, with the choice and its prediction.
Status Estimate(const HvInput& input, const HvEstimateOptions& options, HvChoice choice,
                double predicted_seconds, double probe_seconds, HvResult* out) {
  HvEstimate e;
  PWEMOE_RETURN_IF_ERROR(EstimateHypervolume(input, options, &e));
  *out = FromEstimate(e, choice);
  out->predicted_seconds = predicted_seconds;
  out->probe_seconds = probe_seconds;
  return Status::Ok();
}

// The probes of rule 3 on the non-dominated points of `input` (WFG's own input).
HvProbe Probe(const HvInput& input, const Deadline& deadline) {
  const size_t d = input.dim;
  const std::vector<size_t> front = NonDominatedRows(input.rows.data(), input.count(), d);
  std::vector<double> nd;
  nd.reserve(front.size() * d);
  for (size_t i : front) {
    nd.insert(nd.end(), input.rows.begin() + i * d, input.rows.begin() + i * d + d);
  }
  return ProbeWfgSeconds(nd.data(), front.size(), d, input.ref.data(), deadline);
}

}  // namespace

const char* HvChoiceName(HvChoice choice) {
  switch (choice) {
    case HvChoice::kNothing: return "nothing";
    case HvChoice::kCostModel: return "cost model";
    case HvChoice::kZeroBudget: return "zero budget";
    case HvChoice::kUnlimited: return "unlimited";
    case HvChoice::kProbed: return "probed";
    case HvChoice::kDeadlinePassed: return "deadline passed";
  }
  return "?";
}

double PredictExactSeconds(size_t n, size_t d) {
  const double x = double(n), x_log_x = x * std::log2(x + 1);
  switch (d) {
    case 1: return kSafety * kPerPoint1D * x;
    case 2: return kSafety * kPerNLogN2D * x_log_x;
    case 3: return kSafety * kPerNLogN3D * x_log_x;
    case 4: return kSafety * (kPerSquare4D * x * x + kPerNLogN4D * x_log_x);
    default: return INFINITY;
  }
}

Status HypervolumeWithBudget(const std::vector<std::vector<double>>& points,
                             const std::vector<double>& ref, Sense sense, const HvBudget& budget,
                             HvResult* out) {
  HvInput input;
  PWEMOE_RETURN_IF_ERROR(PrepareHvInput(points, ref, sense, &input));
  if (!(budget.exact_seconds >= 0)) {
    return Status::InvalidArgument("hypervolume budget exact_seconds: " +
                                   FormatDouble(budget.exact_seconds) + " (need >= 0)");
  }
  PWEMOE_RETURN_IF_ERROR(CheckHvEstimateOptions(budget.estimate));
  const size_t n = input.count(), d = input.dim;
  double volume = 0;
  if (n == 0) {
    *out = FromExact(0, HvChoice::kNothing);
    return Status::Ok();
  }
  if (d <= 4) {
    const double predicted = PredictExactSeconds(n, d);
    if (predicted > budget.exact_seconds) {
      return Estimate(input, budget.estimate, HvChoice::kCostModel, predicted, 0, out);
    }
    PWEMOE_RETURN_IF_ERROR(ExactHypervolume(input, nullptr, &volume));
    *out = FromExact(volume, HvChoice::kCostModel);
    out->predicted_seconds = predicted;
    return Status::Ok();
  }
  if (budget.exact_seconds == 0) {
    return Estimate(input, budget.estimate, HvChoice::kZeroBudget, NAN, 0, out);
  }
  if (budget.exact_seconds >= 1e9) {
    PWEMOE_RETURN_IF_ERROR(ExactHypervolume(input, nullptr, &volume));
    *out = FromExact(volume, HvChoice::kUnlimited);
    return Status::Ok();
  }
  const Deadline deadline = Deadline::After(budget.exact_seconds);
  const HvProbe probe = Probe(input, deadline);
  if (!probe.fits) {
    return Estimate(input, budget.estimate, HvChoice::kProbed, probe.predicted_seconds,
                    probe.probe_seconds, out);
  }
  const Status exact = ExactHypervolume(input, &deadline, &volume);
  if (exact.code() == Status::Code::kAborted) {
    return Estimate(input, budget.estimate, HvChoice::kDeadlinePassed, probe.predicted_seconds,
                    probe.probe_seconds, out);
  }
  PWEMOE_RETURN_IF_ERROR(exact);
  *out = FromExact(volume, HvChoice::kProbed);
  out->predicted_seconds = probe.predicted_seconds;
  out->probe_seconds = probe.probe_seconds;
  return Status::Ok();
}

}  // namespace pwemoe::results

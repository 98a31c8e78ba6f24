// The hypervolume within a time budget: exact (hypervolume.h) when it finishes in time, else the
// Monte Carlo estimate with its interval (hv_estimate.h), saying which one it is.
//
// The choice rule, once the input and the budget are valid:
//   1. no point strictly beats the reference: exact 0 (nothing to compute);
//   2. d <= 4 (the polynomial 1D-4D codes): exact when PredictExactSeconds(n, d) <=
//      budget.exact_seconds, else the estimate (nothing is started and then thrown away);
//   3. d >= 5 (WFG, whose time n and d alone do not predict: it varies by orders of magnitude
//      with the shape of the front): exact_seconds == 0 goes straight to the estimate and
//      exact_seconds >= 1e9 (+inf included) straight to the exact value, neither timing anything
//      (deterministic); otherwise a deadline is set exact_seconds from now, and WFG's time on the
//      non-dominated points is predicted from its time on nested seeded subsamples of them
//      (ProbeWfgSeconds, hv_probe.h). Predicted not to fit in the time left: the estimate at
//      once. Else WFG runs under the deadline, and when the deadline passes first (the
//      prediction was too low) the estimate runs after it. The worst case is therefore
//      exact_seconds, plus WFG's lag in noticing (milliseconds: hypervolume.h), plus the
//      estimate's own time; the usual case for a set far beyond the budget (d = 20, 1000
//      points) is a few milliseconds of probes plus the estimate.
// The result is exact == true with lo == hi == value (bit for bit Hypervolume's value) and
// samples == 0, or exact == false with the estimate, its interval and its sample count.
//
// Thread safety: pure function; concurrent calls are independent.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/front/hv_estimate.h"
#include "results/front/point_set.h"

namespace pwemoe::results {

struct HvBudget {
  double exact_seconds = 1.0;  // >= 0; +inf: always exact
  HvEstimateOptions estimate;  // when the exact value would not come in time
};

// How HypervolumeWithBudget chose (the rule's cases).
enum class HvChoice {
  kNothing,        // rule 1: no point beats the reference, exact 0
  kCostModel,      // rule 2: d <= 4, PredictExactSeconds against exact_seconds
  kZeroBudget,     // rule 3: exact_seconds == 0, the estimate without a prediction
  kUnlimited,      // rule 3: exact_seconds >= 1e9, exact without a prediction
  kProbed,         // rule 3: by the probes' prediction (exact, or the estimate at once)
  kDeadlinePassed, // rule 3: predicted to fit, but WFG's deadline passed: the estimate after it
};

// "nothing", "cost model", "zero budget", "unlimited", "probed", "deadline passed".
const char* HvChoiceName(HvChoice choice);

struct HvResult {
  bool exact = false;        // the exact value (true) or the estimate (false)
  double value = 0;          // the volume, or its estimate
  double lo = 0, hi = 0;     // the estimate's interval; exact: lo == hi == value
  uint64_t samples = 0;      // the estimate's samples; exact: 0
  HvChoice choice = HvChoice::kNothing;
  // The predicted wall seconds of the exact code, safety factor included, that the choice
  // compared with the budget: PredictExactSeconds (kCostModel) or HvProbe::predicted_seconds
  // (kProbed, kDeadlinePassed; +inf when a probe passed the deadline, NaN when the set was too
  // small or too fast to fit an exponent). NaN for the other choices.
  double predicted_seconds = NAN;
  double probe_seconds = 0;  // wall seconds spent on the probes (kProbed, kDeadlinePassed)
};

// The predicted wall seconds of the exact code on n points that beat the reference, for
// d = 1..4: cost models of the 1D-4D codes (n, n log n, n log n, HV4D+'s n^2 + n log n) with
// constants measured on a 2-core AMD EPYC VM (hv_choose.cpp gives date and method; bench/hv_bench.cpp prints them
// next to its measured times) times a safety factor of 2; +inf for d >= 5 (no model: rule 3).
double PredictExactSeconds(size_t n, size_t d);

// The hypervolume of `points` w.r.t. `ref` (Hypervolume's conventions) within `budget`, by the
// rule above, into *out. InvalidArgument for bad points or reference (PrepareHvInput), a
// negative or NaN budget.exact_seconds, or bad estimate options (CheckHvEstimateOptions; checked
// even when the exact value is used); Internal from the estimator's invariant check. *out
// untouched on failure.
Status HypervolumeWithBudget(const std::vector<std::vector<double>>& points,
                             const std::vector<double>& ref, Sense sense, const HvBudget& budget,
                             HvResult* out);

}  // namespace pwemoe::results

// The distribution of a run's ray alignment mu (RayPoint::mu, report_model.h) over its rays:
// how evenly EPO (and, for comparison, LS) meets the preference rays, beyond the mean and the
// max of RunSummary. report.md and summary.json give the quantiles, report.html a histogram.
//
// Like RunSummary::mu_mean, only interior rays count (every coordinate > 0): a ray with a zero
// coordinate has mu = log T whatever the losses. Rays whose mu is not finite are left out too.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <cstdint>
#include <vector>

#include "results/report/report_model.h"

namespace pwemoe::results {

// The mu of the run's interior rays with a finite mu, in ray order.
std::vector<double> InteriorMus(const RunSummary& run);

// The q-quantile (0 <= q <= 1) of `values` (any order, all finite): linear interpolation between
// the order statistics at position q (n - 1) (numpy's default, "type 7"). NaN when empty.
double Quantile(std::vector<double> values, double q);

// Quantiles 0, 0.5, 0.9 and 1 of InteriorMus(run).
MuQuantiles MuDistribution(const RunSummary& run);

}  // namespace pwemoe::results

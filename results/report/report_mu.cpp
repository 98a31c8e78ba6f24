#include "results/report/report_mu.h"

#include <algorithm>
#include <cmath>

namespace pwemoe::results {

std::vector<double> InteriorMus(const RunSummary& run) {
  std::vector<double> out;
  for (const RayPoint& p : run.rays) {
    const bool interior =
        !p.ray.empty() && std::all_of(p.ray.begin(), p.ray.end(), [](double v) { return v > 0; });
    if (interior && std::isfinite(p.mu)) out.push_back(p.mu);
  }
  return out;
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return kNoValue;
  std::sort(values.begin(), values.end());
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  const double f = pos - static_cast<double>(lo);
  return f == 0 ? values[lo] : values[lo] + f * (values[hi] - values[lo]);
}

MuQuantiles MuDistribution(const RunSummary& run) {
  const std::vector<double> mus = InteriorMus(run);
  MuQuantiles q;
  q.rays = static_cast<int64_t>(mus.size());
  if (mus.empty()) return q;
  q.min = Quantile(mus, 0);
  q.median = Quantile(mus, 0.5);
  q.p90 = Quantile(mus, 0.9);
  q.max = Quantile(mus, 1);
  return q;
}

}  // namespace pwemoe::results

#include "results/report/report_pairs.h"

#include <algorithm>
#include <cmath>

#include "results/front/hypervolume.h"

namespace pwemoe::results {

std::vector<std::vector<double>> PairHypervolumes(const RunSummary& run, double reference) {
  const size_t t = run.tasks.size();
  std::vector<std::vector<double>> out(t, std::vector<double>(t, kNoValue));
  if (run.rays.empty()) return out;
  auto at = [](const RayPoint& p, size_t i) {
    return i < p.accuracy.size() ? p.accuracy[i] : kNoValue;
  };
  for (size_t i = 0; i < t; ++i) {
    double best = reference;
    bool finite = true;
    for (const RayPoint& p : run.rays) {
      finite = finite && std::isfinite(at(p, i));
      best = std::max(best, at(p, i));
    }
    if (finite) out[i][i] = best - reference;
    for (size_t j = i + 1; j < t; ++j) {
      std::vector<std::vector<double>> points;
      points.reserve(run.rays.size());
      for (const RayPoint& p : run.rays) points.push_back({at(p, i), at(p, j)});
      double volume = kNoValue;
      // Fails only on a non-finite coordinate: the entry stays NaN.
      if (Hypervolume(points, {reference, reference}, Sense::kMaximize, &volume).ok()) {
        out[i][j] = out[j][i] = volume;
      }
    }
  }
  return out;
}

}  // namespace pwemoe::results

#include "results/report/report_task_table.h"

#include <algorithm>
#include <cmath>

namespace pwemoe::results {
namespace {

// The larger of two values, ignoring NaN.
double MaxOf(double a, double b) {
  if (std::isnan(a)) return b;
  if (std::isnan(b)) return a;
  return std::max(a, b);
}

// `values` (in `from`'s task order) reordered to `to`'s, NaN where a task is absent.
std::vector<double> Reordered(const std::vector<std::string>& from,
                              const std::vector<double>& values,
                              const std::vector<std::string>& to) {
  std::vector<double> out;
  for (const std::string& t : to) {
    const size_t i = static_cast<size_t>(std::find(from.begin(), from.end(), t) - from.begin());
    out.push_back(i < values.size() ? values[i] : kNoValue);
  }
  return out;
}

}  // namespace

bool IsEqualRay(const std::vector<double>& ray) {
  if (ray.empty()) return false;
  const auto [lo, hi] = std::minmax_element(ray.begin(), ray.end());
  return std::isfinite(*lo) && std::isfinite(*hi) &&
         *hi - *lo <= 1e-9 * std::max(std::fabs(*hi), std::fabs(*lo));
}

TaskTable MakeTaskTable(const ReportData& data, const SubsetSummary& subset) {
  const size_t t = subset.tasks.size();
  TaskTable table;
  table.tasks = subset.tasks;
  table.expert = subset.expert_accuracy;
  table.expert.resize(t, kNoValue);
  for (size_t r : subset.runs) {
    const RunSummary& run = data.runs[r];
    TaskTableRun row;
    row.run = r;
    row.best.assign(t, kNoValue);
    row.equal.assign(t, kNoValue);
    bool have_equal = false;
    for (const RayPoint& p : run.rays) {
      const std::vector<double> acc = Reordered(run.tasks, p.accuracy, subset.tasks);
      for (size_t i = 0; i < t; ++i) row.best[i] = MaxOf(row.best[i], acc[i]);
      if (!have_equal && IsEqualRay(p.ray)) {
        row.equal = acc;
        have_equal = true;
      }
    }
    table.runs.push_back(row);
  }
  table.wta_equal.assign(t, kNoValue);
  table.wta_best.assign(t, kNoValue);
  bool have_equal = false;
  for (const BaselinePoint& b : subset.baselines) {
    if (b.method != "weighted-task-arithmetic") continue;
    for (size_t i = 0; i < t && i < b.accuracy.size(); ++i) {
      table.wta_best[i] = MaxOf(table.wta_best[i], b.accuracy[i]);
    }
    if (!have_equal && IsEqualRay(b.ray)) {
      table.wta_equal = b.accuracy;
      table.wta_equal.resize(t, kNoValue);
      have_equal = true;
    }
  }
  return table;
}

}  // namespace pwemoe::results

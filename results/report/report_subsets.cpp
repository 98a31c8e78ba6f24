#include "results/report/report_subsets.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "pwemoe/util/strings.h"
#include "results/front/hv_choose.h"
#include "results/report/report_util.h"

namespace pwemoe::results {

namespace {

constexpr char kWeightedTa[] = "weighted-task-arithmetic";
constexpr char kTaskArithmetic[] = "task-arithmetic";

bool SameNumber(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// The methods in the report's order; unknown methods after them, by name.
int MethodRank(const std::string& method) {
  static const char* const kOrder[] = {"pretrained", "expert", "simple-average", kTaskArithmetic,
                                       kWeightedTa};
  for (int i = 0; i < 5; ++i) {
    if (method == kOrder[i]) return i;
  }
  return 5;
}

// NaN lambdas sort first.
double LambdaKey(double lambda) { return std::isnan(lambda) ? -INFINITY : lambda; }

bool BaselineBefore(const BaselinePoint& a, const BaselinePoint& b) {
  return std::make_tuple(MethodRank(a.method), a.method, LambdaKey(a.lambda), a.ray_index, a.name) <
         std::make_tuple(MethodRank(b.method), b.method, LambdaKey(b.lambda), b.ray_index, b.name);
}

std::string UnitName(const BaselineRecord& b) {
  return "baseline unit " + std::to_string(b.unit_id) + " (" + b.name + " on " + b.task + ")";
}

Status CheckBaselineRows(const ResultSet& records) {
  for (const auto& [id, b] : records.baselines()) {
    for (const BaselineRow& row : b.rows) {
      if (!std::isfinite(row.accuracy)) {
        return Status::InvalidArgument(UnitName(b) + ": ray index " +
                                       std::to_string(row.ray_index) +
                                       ": accuracy is not finite (" +
                                       std::to_string(row.accuracy) + ")");
      }
    }
  }
  return Status::Ok();
}

// Whether the unit is a model of subset `s` (see report_subsets.h).
bool PlacedIn(const BaselineRecord& b, const SubsetSummary& s) {
  if (!b.subset.empty()) return Join(b.subset, "+") == s.key;
  const std::string prefix = "expert:";
  if (b.method == "expert" && b.name.rfind(prefix, 0) == 0) {
    const std::string task = b.name.substr(prefix.size());
    return std::find(s.tasks.begin(), s.tasks.end(), task) != s.tasks.end();
  }
  return true;
}

using ModelKey = std::tuple<std::string, std::string, int64_t>;  // method, name, ray_index

// Merges one row of `b` (on task index `t` of subset `s`) into its model's point.
Status AddRow(const BaselineRecord& b, const BaselineRow& row, size_t t, const SubsetSummary& s,
              std::map<ModelKey, BaselinePoint>* points) {
  const size_t n = s.tasks.size();
  if (!row.ray.empty() && row.ray.size() != n) {
    return Status::InvalidArgument(UnitName(b) + ": ray index " + std::to_string(row.ray_index) +
                                   ": ray of " + std::to_string(row.ray.size()) +
                                   " values for subset " + s.key + " of " + std::to_string(n) +
                                   " tasks");
  }
  auto [it, fresh] = points->try_emplace(ModelKey{b.method, b.name, row.ray_index});
  BaselinePoint& p = it->second;
  if (fresh) {
    p.method = b.method;
    p.name = b.name;
    p.lambda = b.lambda;
    p.ray_index = row.ray_index;
    p.ray = row.ray;
    p.accuracy.assign(n, kNoValue);
    p.mean_loss.assign(n, kNoValue);
  }
  const std::string where = UnitName(b) + ": ray index " + std::to_string(row.ray_index);
  if (!SameNumber(p.lambda, b.lambda)) {
    return Status::InvalidArgument(where + ": lambda differs from another unit of the same model");
  }
  if (p.ray != row.ray) {
    return Status::InvalidArgument(where + ": ray differs from another unit of the same model");
  }
  if (!std::isnan(p.accuracy[t]) &&
      (p.accuracy[t] != row.accuracy || !SameNumber(p.mean_loss[t], row.mean_loss))) {
    return Status::InvalidArgument(where + ": evaluated twice on " + b.task +
                                   " with different results");
  }
  p.accuracy[t] = row.accuracy;
  p.mean_loss[t] = row.mean_loss;
  return Status::Ok();
}

Status PlaceBaselines(const ResultSet& records, SubsetSummary* s) {
  std::map<ModelKey, BaselinePoint> points;
  for (const auto& [id, b] : records.baselines()) {
    if (!PlacedIn(b, *s)) continue;
    auto task = std::find(s->tasks.begin(), s->tasks.end(), b.task);
    if (task == s->tasks.end()) continue;
    const size_t t = static_cast<size_t>(task - s->tasks.begin());
    for (const BaselineRow& row : b.rows) PWEMOE_RETURN_IF_ERROR(AddRow(b, row, t, *s, &points));
  }
  s->baselines.clear();
  for (auto& [key, p] : points) s->baselines.push_back(std::move(p));
  std::sort(s->baselines.begin(), s->baselines.end(), BaselineBefore);
  return Status::Ok();
}

bool Complete(const std::vector<double>& accuracy) {
  return std::all_of(accuracy.begin(), accuracy.end(), [](double a) { return !std::isnan(a); });
}

// The complete accuracy vectors of the subset's baselines of `method`.
std::vector<std::vector<double>> PointsOf(const SubsetSummary& s, const std::string& method) {
  std::vector<std::vector<double>> points;
  for (const BaselinePoint& p : s.baselines) {
    if (p.method == method && Complete(p.accuracy)) points.push_back(p.accuracy);
  }
  return points;
}

Status SummarizeBaselines(const ReportOptions& options, SubsetSummary* s,
                          std::vector<HvEstimateNote>* estimates) {
  s->expert_accuracy.assign(s->tasks.size(), kNoValue);
  for (size_t i = 0; i < s->tasks.size(); ++i) {
    for (const BaselinePoint& p : s->baselines) {
      if (p.name == "expert:" + s->tasks[i]) s->expert_accuracy[i] = p.accuracy[i];
    }
  }
  const auto wta = PointsOf(*s, kWeightedTa);
  const std::string what = "subset " + s->key + ", ";
  PWEMOE_RETURN_IF_ERROR(HypervolumeOrNan(wta, options.reference, options,
                                          what + "weighted task arithmetic", &s->wta_hypervolume,
                                          estimates));
  std::vector<std::vector<double>> scaled;
  s->wta_hypervolume_normalized = kNoValue;
  if (DivideByScale(wta, s->expert_accuracy, &scaled)) {
    PWEMOE_RETURN_IF_ERROR(HypervolumeOrNan(scaled, 0, options,
                                            what + "weighted task arithmetic, normalised",
                                            &s->wta_hypervolume_normalized, estimates));
  }
  return HypervolumeOrNan(PointsOf(*s, kTaskArithmetic), options.reference, options,
                          what + "task arithmetic sweep", &s->ta_sweep_hypervolume, estimates);
}

}  // namespace

Status HypervolumeOrNan(const std::vector<std::vector<double>>& points, double ref,
                        const ReportOptions& options, const std::string& what, double* volume,
                        std::vector<HvEstimateNote>* estimates) {
  if (points.empty()) {
    *volume = kNoValue;
    return Status::Ok();
  }
  HvBudget budget;
  budget.exact_seconds = options.hv_exact_seconds;
  budget.estimate = HvEstimateOptions::RelativeHalfWidth(0.01, /*seed=*/1);
  HvResult r;
  PWEMOE_RETURN_IF_ERROR(HypervolumeWithBudget(
      points, std::vector<double>(points[0].size(), ref), Sense::kMaximize, budget, &r));
  *volume = r.value;
  if (!r.exact) {
    estimates->push_back({what, r.value, r.lo, r.hi, r.samples, budget.estimate.confidence});
  }
  return Status::Ok();
}

Status BuildSubsets(const ResultSet& records, const ReportOptions& options, ReportData* data) {
  PWEMOE_RETURN_IF_ERROR(CheckBaselineRows(records));
  std::map<std::string, SubsetSummary> subsets;
  for (size_t r = 0; r < data->runs.size(); ++r) {
    SubsetSummary& s = subsets[data->runs[r].subset_key];
    s.key = data->runs[r].subset_key;
    s.tasks = data->runs[r].tasks;
    s.runs.push_back(r);
  }
  for (const auto& [id, b] : records.baselines()) {
    if (b.subset.empty()) continue;
    SubsetSummary& s = subsets[Join(b.subset, "+")];
    s.key = Join(b.subset, "+");
    s.tasks = b.subset;
  }
  data->subsets.clear();
  for (auto& [key, s] : subsets) {
    PWEMOE_RETURN_IF_ERROR(PlaceBaselines(records, &s));
    PWEMOE_RETURN_IF_ERROR(SummarizeBaselines(options, &s, &data->hv_estimates));
    data->subsets.push_back(std::move(s));
  }
  std::stable_sort(data->subsets.begin(), data->subsets.end(),
                   [](const SubsetSummary& a, const SubsetSummary& b) {
                     return a.tasks.size() < b.tasks.size();
                   });
  return Status::Ok();
}

}  // namespace pwemoe::results

// BuildReport (report_model.h): the per-run half. Runs come from training records and from
// evaluation records; a run that was evaluated but not trained takes its tasks and seed from its
// name "<variant>/<task>+<task>.../seed<N>" (the orchestrator's naming), and its variant is "".
// Evaluation records without a run name (a unit without rows, as ReadResults gives it back) carry
// nothing to report and are skipped. Everything is computed from the records in a fixed order
// (runs by name, rays by index, evaluation seconds summed in ascending order), so the same records
// under other unit ids give the same ReportData.
#include <algorithm>
#include <cmath>
#include <map>

#include "pwemoe/util/strings.h"
#include "results/front/pareto.h"
#include "results/report/report_model.h"
#include "results/report/report_mu.h"
#include "results/report/report_pairs.h"
#include "results/report/report_subsets.h"
#include "results/report/report_util.h"

namespace pwemoe::results {

namespace {

bool SameNumber(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// One ray index of a run while its evaluation records are gathered.
struct RayBuild {
  std::string label;
  std::vector<double> ray;
  std::vector<double> accuracy;   // [T]
  std::vector<double> mean_loss;  // [T]
  std::vector<bool> seen;         // [T]
};

struct RunBuild {
  RunSummary summary;
  std::vector<double> eval_seconds;
  std::map<int64_t, RayBuild> rays;
};

std::string RunError(const std::string& run, const std::string& what) {
  return "run " + run + ": " + what;
}

// Tasks and seed from "<variant>/<a>+<b>/seed<N>"; false when the name has another form.
bool ParseRunName(const std::string& name, std::vector<std::string>* tasks, uint64_t* seed) {
  const std::vector<std::string> parts = Split(name, '/');
  if (parts.size() != 3 || parts[1].empty() || parts[2].rfind("seed", 0) != 0) return false;
  const std::string digits = parts[2].substr(4);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  *tasks = Split(parts[1], '+');
  for (const std::string& t : *tasks) {
    if (t.empty()) return false;
  }
  *seed = std::stoull(digits);
  return true;
}

void FillCurve(const TrainRecord& t, RunSummary* run) {
  const bool epo = t.variant == "EPO";
  for (const TrainStep& s : t.steps) {
    run->steps.push_back(s.step);
    run->total_loss.push_back(s.total_loss);
    run->losses.push_back(s.losses);
    if (epo) run->epo_mu.push_back(s.epo_mu);
  }
  const size_t n = run->losses.size();
  if (n == 0) return;
  const size_t last = std::max<size_t>(1, (n + 9) / 10);  // the last 10%, rounded up
  run->final_losses.assign(run->tasks.size(), 0);
  for (size_t i = n - last; i < n; ++i) {
    for (size_t k = 0; k < run->tasks.size(); ++k) run->final_losses[k] += run->losses[i][k];
  }
  for (double& l : run->final_losses) l /= static_cast<double>(last);
}

Status AddTrain(const TrainRecord& t, std::map<std::string, RunBuild>* runs) {
  RunBuild& b = (*runs)[t.run_name];
  if (b.summary.trained) {
    return Status::InvalidArgument(RunError(t.run_name, "trained twice (units " +
                                            std::to_string(t.unit_id) + " and another)"));
  }
  for (const TrainStep& s : t.steps) {
    if (s.losses.size() != t.tasks.size()) {
      return Status::InvalidArgument(RunError(t.run_name, "step " + std::to_string(s.step) +
                                              " has " + std::to_string(s.losses.size()) +
                                              " losses for " + std::to_string(t.tasks.size()) +
                                              " tasks"));
    }
  }
  RunSummary& r = b.summary;
  r.run_name = t.run_name;
  r.variant = t.variant;
  r.tasks = t.tasks;
  r.subset_key = Join(t.tasks, "+");
  r.seed = t.seed;
  r.trained = true;
  r.train_seconds = t.seconds;
  FillCurve(t, &r);
  return Status::Ok();
}

// The run an evaluation record belongs to, created from its name when it was not trained.
Status RunOf(const EvalRecord& e, std::map<std::string, RunBuild>* runs, RunBuild** out) {
  RunBuild& b = (*runs)[e.run_name];
  if (b.summary.run_name.empty()) {
    RunSummary& r = b.summary;
    r.run_name = e.run_name;
    if (!ParseRunName(e.run_name, &r.tasks, &r.seed)) {
      return Status::InvalidArgument(RunError(
          e.run_name, "evaluated but not trained, and its name does not give its tasks "
                      "(<variant>/<task>+<task>.../seed<N>)"));
    }
    r.subset_key = Join(r.tasks, "+");
  }
  *out = &b;
  return Status::Ok();
}

// Merges row k of `e` (on task index t) into the run's ray.
Status AddEvalRow(const EvalRecord& e, size_t k, size_t t, RunBuild* b) {
  const size_t n = b->summary.tasks.size();
  const std::string where = "ray index " + std::to_string(e.ray_index[k]) + " on " + e.task +
                            " (unit " + std::to_string(e.unit_id) + ")";
  if (e.rays[k].size() != n) {
    return Status::InvalidArgument(RunError(e.run_name, where + ": ray of " +
                                            std::to_string(e.rays[k].size()) + " values for " +
                                            std::to_string(n) + " tasks"));
  }
  if (!std::isfinite(e.accuracy[k])) {
    return Status::InvalidArgument(RunError(e.run_name, where + ": accuracy is not finite (" +
                                            std::to_string(e.accuracy[k]) + ")"));
  }
  RayBuild& r = b->rays[e.ray_index[k]];
  if (r.seen.empty()) {
    r.ray = e.rays[k];
    r.accuracy.assign(n, kNoValue);
    r.mean_loss.assign(n, kNoValue);
    r.seen.assign(n, false);
  }
  if (r.ray != e.rays[k]) {
    return Status::InvalidArgument(RunError(e.run_name, where + ": another ray than the same "
                                            "index on another task or unit"));
  }
  const std::string& label = k < e.ray_label.size() ? e.ray_label[k] : std::string();
  if (!label.empty() && !r.label.empty() && label != r.label) {
    return Status::InvalidArgument(RunError(e.run_name, where + ": label '" + label +
                                            "' differs from '" + r.label + "'"));
  }
  if (!label.empty()) r.label = label;
  if (r.seen[t] && (r.accuracy[t] != e.accuracy[k] || !SameNumber(r.mean_loss[t], e.mean_loss[k]))) {
    return Status::InvalidArgument(RunError(e.run_name, where + ": evaluated twice with "
                                            "different results"));
  }
  r.seen[t] = true;
  r.accuracy[t] = e.accuracy[k];
  r.mean_loss[t] = e.mean_loss[k];
  return Status::Ok();
}

Status AddEval(const EvalRecord& e, std::map<std::string, RunBuild>* runs) {
  if (e.run_name.empty()) return Status::Ok();
  RunBuild* b = nullptr;
  PWEMOE_RETURN_IF_ERROR(RunOf(e, runs, &b));
  b->eval_seconds.push_back(e.seconds);
  const std::vector<std::string>& tasks = b->summary.tasks;
  auto task = std::find(tasks.begin(), tasks.end(), e.task);
  if (task == tasks.end()) {
    return Status::InvalidArgument(RunError(e.run_name, "evaluated on " + e.task +
                                            ", which is not one of its tasks (" +
                                            Join(tasks, ", ") + ")"));
  }
  const size_t k = e.ray_index.size();
  if (e.rays.size() != k || e.accuracy.size() != k || e.mean_loss.size() != k) {
    return Status::InvalidArgument(RunError(e.run_name, "evaluation unit " +
                                            std::to_string(e.unit_id) +
                                            ": columns of different lengths"));
  }
  for (size_t i = 0; i < k; ++i) {
    PWEMOE_RETURN_IF_ERROR(AddEvalRow(e, i, static_cast<size_t>(task - tasks.begin()), b));
  }
  return Status::Ok();
}

// The complete rays in index order, their mu, and the evaluation seconds.
void FinishRays(RunBuild* b) {
  RunSummary& r = b->summary;
  std::sort(b->eval_seconds.begin(), b->eval_seconds.end());
  r.eval_seconds = 0;
  for (double s : b->eval_seconds) r.eval_seconds += s;
  double mu_sum = 0;
  double mu_max = -INFINITY;
  size_t interior = 0;
  for (auto& [index, ray] : b->rays) {
    if (!std::all_of(ray.seen.begin(), ray.seen.end(), [](bool s) { return s; })) {
      ++r.incomplete_rays;
      continue;
    }
    RayPoint p;
    p.ray_index = index;
    p.label = ray.label;
    p.ray = ray.ray;
    p.accuracy = ray.accuracy;
    p.mean_loss = ray.mean_loss;
    p.mu = RayAlignmentMu(p.ray, p.mean_loss);
    // A ray with a zero coordinate has mu = log T whatever the losses (its l_hat is one-hot or
    // sparse), so only interior rays measure alignment in the mean and the max.
    if (std::all_of(p.ray.begin(), p.ray.end(), [](double v) { return v > 0; })) {
      ++interior;
      mu_sum += p.mu;  // a NaN mu (a non-finite loss) makes the mean and the max NaN
      mu_max = std::isnan(mu_max) || std::isnan(p.mu) ? mu_max + p.mu : std::max(mu_max, p.mu);
    }
    r.rays.push_back(std::move(p));
  }
  if (interior > 0) {
    r.mu_mean = mu_sum / static_cast<double>(interior);
    r.mu_max = mu_max;
  }
}

// The ray's place against weighted task arithmetic's point at the same ray.
void CountRayAgainstWta(const RayPoint& p, const BaselinePoint& w, RunSummary* r) {
  ++r->rays_compared_with_wta;
  switch (CompareMaximized(p.accuracy, w.accuracy)) {
    case Dominance::kDominates: ++r->rays_dominating_wta; break;
    case Dominance::kEqual: ++r->rays_equal_to_wta; break;
    case Dominance::kDominatedBy: ++r->rays_dominated_by_wta; break;
    case Dominance::kIncomparable: ++r->rays_incomparable_to_wta; break;
  }
}

// The counts of the run against the subset's weighted-task-arithmetic points (report_model.h).
void CompareWithWta(const SubsetSummary& s, const std::vector<std::vector<double>>& front,
                    RunSummary* r) {
  std::vector<const BaselinePoint*> wta;
  for (const BaselinePoint& w : s.baselines) {
    if (w.method != "weighted-task-arithmetic") continue;
    if (std::any_of(w.accuracy.begin(), w.accuracy.end(), [](double a) { return std::isnan(a); }))
      continue;
    wta.push_back(&w);
  }
  for (const BaselinePoint* w : wta) {
    ++r->wta_points;
    if (std::any_of(front.begin(), front.end(),
                    [&](const std::vector<double>& f) { return Dominates(f, w->accuracy); }))
      ++r->wta_dominated;
    for (const RayPoint& p : r->rays) {
      if (p.ray_index == w->ray_index) CountRayAgainstWta(p, *w, r);
    }
  }
  for (const std::vector<double>& f : front) {
    if (std::any_of(wta.begin(), wta.end(),
                    [&](const BaselinePoint* w) { return Dominates(w->accuracy, f); }))
      ++r->front_dominated_by_wta;
  }
}

// Front, hypervolumes and the comparison with the subset's weighted task arithmetic.
Status Compare(const SubsetSummary& s, const ReportOptions& options, RunSummary* r,
               std::vector<HvEstimateNote>* estimates) {
  std::vector<std::vector<double>> points;
  for (const RayPoint& p : r->rays) points.push_back(p.accuracy);
  PWEMOE_RETURN_IF_ERROR(ParetoFront(points, Sense::kMaximize, &r->front).WithContext(
      "run " + r->run_name));
  std::vector<std::vector<double>> front;
  for (size_t i : r->front) {
    r->rays[i].on_front = true;
    front.push_back(points[i]);
  }
  const std::string what = "run " + r->run_name;
  PWEMOE_RETURN_IF_ERROR(
      HypervolumeOrNan(front, options.reference, options, what, &r->hypervolume, estimates));
  std::vector<std::vector<double>> scaled;
  if (DivideByScale(front, s.expert_accuracy, &scaled)) {
    PWEMOE_RETURN_IF_ERROR(HypervolumeOrNan(scaled, 0, options, what + ", normalised",
                                            &r->hypervolume_normalized, estimates));
  }
  CompareWithWta(s, front, r);
  return Status::Ok();
}

}  // namespace

Status BuildReport(const StoreHeader& header, const ResultSet& records,
                   const ReportOptions& options, ReportData* out) {
  if (!(options.hv_exact_seconds >= 0)) {
    return Status::InvalidArgument("report: hypervolume exact budget is negative or NaN");
  }
  if (!std::isfinite(options.reference)) {
    return Status::InvalidArgument("report: hypervolume reference is not finite");
  }
  ReportData data;
  data.header = header;
  data.options = options;
  data.experiment_name = ExperimentNameFromToml(header.experiment_toml);
  data.precision = ComputePrecisionFromToml(header.experiment_toml);
  data.units_done = static_cast<int64_t>(records.result_kind().size());
  data.units_failed = static_cast<int64_t>(records.failures().size());
  for (const auto& [id, f] : records.failures()) data.failures.push_back(f);
  data.sessions = records.sessions();

  std::map<std::string, RunBuild> runs;
  for (const auto& [id, t] : records.train()) PWEMOE_RETURN_IF_ERROR(AddTrain(t, &runs));
  for (const auto& [id, e] : records.eval()) PWEMOE_RETURN_IF_ERROR(AddEval(e, &runs));
  for (auto& [name, b] : runs) {
    FinishRays(&b);
    b.summary.mu_quantiles = MuDistribution(b.summary);
    b.summary.pair_hypervolume = PairHypervolumes(b.summary, options.reference);
    data.runs.push_back(std::move(b.summary));
  }
  PWEMOE_RETURN_IF_ERROR(BuildSubsets(records, options, &data));
  for (const SubsetSummary& s : data.subsets) {
    for (size_t r : s.runs) {
      PWEMOE_RETURN_IF_ERROR(Compare(s, options, &data.runs[r], &data.hv_estimates));
    }
  }
  *out = std::move(data);
  return Status::Ok();
}

}  // namespace pwemoe::results

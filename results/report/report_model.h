// What a report shows, computed from a results file's records: per training run the evaluated
// rays, their accuracy vectors, the Pareto front and its hypervolume (raw and normalised by the
// experts' accuracies), EPO's ray alignment mu per ray, the loss curve; per task subset the runs
// side by side and the baselines placed in the same accuracy space.
//
// BuildReport (report_build.cpp) fills a ReportData from the store's header and records (every
// derived number, computed once); the writers render it: fronts.csv and summary.json (report_tables.h), report.md (report_md.h),
// report.html (report_html.h). Everything here is a plain value: no HDF5, no LibTorch. The
// writers also show views computed from these values for experiments of many tasks: pairwise
// hypervolumes (report_pairs.h), the per-task accuracy table (report_task_table.h) and the
// distribution of mu (report_mu.h).
//
// Conventions:
//  - accuracy vectors are in the order of the run's (or subset's) `tasks`, which is the order of
//    its ray coordinates; the subset key is the tasks joined by '+', as in the results file;
//  - a ray enters a run's point set only when it was evaluated on every task of the run; rays
//    evaluated on some tasks only are counted in `incomplete_rays` and left out;
//  - the hypervolume is of maximised accuracies with reference point `ReportOptions::reference`
//    in every coordinate (default 0); normalised accuracies divide each task's accuracy by its own
//    expert's accuracy on it (baseline "expert:<task>" on <task>), reference 0 again; NaN when an
//    expert's accuracy is missing or 0;
//  - mu (EPO's non-uniformity, pwemoe/train/epo.h) of a ray r and its per-task mean test losses
//    l: rl = r * l, l_hat = rl / sum(rl), mu = sum_i l_hat_i log(T l_hat_i) (terms with
//    l_hat_i = 0 count 0; sum(rl) = 0 gives mu = 0). 0 means the losses are exactly in the
//    proportions the ray asks for; it is computed for LS runs as well, for comparison;
//  - NaN marks a value that does not exist (no expert, no ray, no point); the JSON writer turns it
//    into null.
//
// Thread safety: plain values; the functions keep no state.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/store/records.h"
#include "results/store/result_set.h"

namespace pwemoe::results {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

struct ReportOptions {
  double reference = 0;  // hypervolume reference, every coordinate, raw accuracies
  // Each hypervolume is exact when that will take at most this long, else a seeded Monte Carlo
  // estimate (results/front/hv_choose.h: 1% relative half-width, 99% confidence, seed 1),
  // listed in ReportData::hv_estimates so that the report says which numbers are estimates.
  double hv_exact_seconds = 10;
};

// A hypervolume of the report that is an estimate, not the exact value.
struct HvEstimateNote {
  std::string what;       // "run ls/a+b/seed0", "run ls/a+b/seed0, normalised", "subset a+b, ..."
  double value = kNoValue;
  double lo = kNoValue;   // the interval at `confidence`
  double hi = kNoValue;
  uint64_t samples = 0;
  double confidence = 0;
};

// One ray of a run, evaluated on all of the run's tasks.
struct RayPoint {
  int64_t ray_index = 0;               // index into the subset's ray set
  std::string label;                   // e.g. "grid", "grid+one-hot", "equal"
  std::vector<double> ray;             // [T]
  std::vector<double> accuracy;        // [T] in [0, 1]
  std::vector<double> mean_loss;       // [T]
  double mu = kNoValue;                // ray alignment of (ray, mean_loss), >= 0
  bool on_front = false;               // non-dominated among the run's rays
};

// Quantiles of a run's mu over its interior rays with a finite mu (report_mu.h).
struct MuQuantiles {
  int64_t rays = 0;         // interior rays with a finite mu
  double min = kNoValue;    // all NaN when rays == 0
  double median = kNoValue;
  double p90 = kNoValue;    // the 90% quantile
  double max = kNoValue;
};

// One training run (one variant, one task subset, one seed).
struct RunSummary {
  std::string run_name;                // "ls/clothing+digits/seed0"
  std::string variant;                 // "LS" or "EPO" ("" when only evaluations are present)
  std::string subset_key;              // "clothing+digits"
  std::vector<std::string> tasks;      // [T]
  uint64_t seed = 0;
  bool trained = false;                // its training record is present
  double train_seconds = kNoValue;     // wall time of the training unit
  double eval_seconds = 0;             // summed wall time of its evaluation units
  std::vector<RayPoint> rays;          // by ray_index
  int64_t incomplete_rays = 0;         // rays evaluated on some tasks only (left out)
  std::vector<size_t> front;           // indices into `rays` of the non-dominated ones, ascending
  double hypervolume = kNoValue;               // raw accuracies, ReportOptions::reference
  double hypervolume_normalized = kNoValue;    // accuracies / expert accuracies, reference 0
  double mu_mean = kNoValue;           // over the interior rays (every coordinate > 0): a ray
  double mu_max = kNoValue;            // with a zero coordinate has mu = log T whatever the
                                       // losses; NaN without interior rays
  MuQuantiles mu_quantiles;            // MuDistribution(*this) (report_mu.h)
  // The T x T exact 2-D hypervolumes of every pair of tasks, PairHypervolumes(*this,
  // ReportOptions::reference) (report_pairs.h).
  std::vector<std::vector<double>> pair_hypervolume;
  // Weighted task arithmetic of the same subset compared with this run's rays (0 when the subset
  // has no weighted-task-arithmetic points). Dominance is pareto.h's (at least as good on every
  // task and better on one; equal vectors do not dominate each other):
  int64_t wta_points = 0;              // weighted-TA points with all T accuracies
  int64_t wta_dominated = 0;           // of those, dominated by some point of this front
  int64_t front_dominated_by_wta = 0;  // front points dominated by some weighted-TA point
  // Each ray with a weighted-TA point at the same ray_index (pairs present in both), its accuracy
  // vector against that point's (CompareMaximized, report_util.h); the four counts add up to
  // rays_compared_with_wta:
  int64_t rays_compared_with_wta = 0;
  int64_t rays_dominating_wta = 0;     // the ray dominates weighted TA
  int64_t rays_equal_to_wta = 0;       // the same accuracy on every task
  int64_t rays_dominated_by_wta = 0;   // weighted TA dominates the ray
  int64_t rays_incomparable_to_wta = 0;  // better on one task, worse on another
  // Training curve (empty when not trained): one entry per logged step.
  std::vector<int64_t> steps;
  std::vector<double> total_loss;
  std::vector<std::vector<double>> losses;  // [S][T]
  std::vector<double> epo_mu;               // [S] EPO only, else empty
  std::vector<double> final_losses;         // [T] mean over the last 10% of logged steps
};

// A baseline model placed in a subset's accuracy space.
struct BaselinePoint {
  std::string method;                  // "pretrained" | "expert" | "simple-average" |
                                       // "task-arithmetic" | "weighted-task-arithmetic"
  std::string name;                    // "expert:digits", "task-arithmetic:0.3", ...
  double lambda = kNoValue;
  int64_t ray_index = -1;              // weighted task arithmetic: the ray; else -1
  std::vector<double> ray;             // [T] or empty
  std::vector<double> accuracy;        // [T] in the subset's task order; NaN where not evaluated
  std::vector<double> mean_loss;       // [T] idem
};

// One task subset: its runs and baselines on the same axes.
struct SubsetSummary {
  std::string key;                     // tasks joined by '+'
  std::vector<std::string> tasks;      // [T]
  std::vector<size_t> runs;            // indices into ReportData::runs, by run name
  // pretrained; the expert of each of the subset's tasks (evaluated on the subset's tasks); the
  // simple average, the task arithmetic sweep and the weighted task arithmetic rows of this
  // subset; ordered by method (the order above), then lambda, then ray_index, then name.
  // Placement rules: results/report_subsets.h.
  std::vector<BaselinePoint> baselines;
  std::vector<double> expert_accuracy; // [T] each task's own expert on it; NaN when missing
  double wta_hypervolume = kNoValue;             // of the weighted-TA points with all T values
  double wta_hypervolume_normalized = kNoValue;
  double ta_sweep_hypervolume = kNoValue;         // of the task-arithmetic sweep's points
};

struct ReportData {
  StoreHeader header;
  ReportOptions options;
  std::string experiment_name;         // [experiment].name from the TOML, or "" when absent
  std::string precision = "fp32";      // [compute].precision from the TOML (fp32 when absent)
  int64_t units_done = 0;
  int64_t units_failed = 0;
  std::vector<FailureRecord> failures;
  std::vector<SessionRecord> sessions;  // every orchestrator invocation, in order
  std::vector<RunSummary> runs;        // by run name
  std::vector<SubsetSummary> subsets;  // by number of tasks, then key
  std::vector<HvEstimateNote> hv_estimates;  // empty when every hypervolume is exact
};

// Builds the report's numbers from the records. InvalidArgument naming the run (or baseline
// unit) when records contradict each other (a ray index evaluated with two different rays, an
// evaluation whose ray length differs from the run's tasks, a non-finite accuracy); partial
// results (missing units, failures) are not errors: they are reported as what is present.
Status BuildReport(const StoreHeader& header, const ResultSet& records,
                   const ReportOptions& options, ReportData* out);

}  // namespace pwemoe::results

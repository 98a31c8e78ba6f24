// The report's machine-readable outputs, from a ReportData (report_model.h):
//
// fronts.csv: one row per (run, ray) and per (subset, baseline model), wide format with a fixed
// set of columns over the union of the report's tasks, so that pandas reads one DataFrame:
//   kind         "run" | "baseline"
//   subset       the subset key ("clothing+digits")
//   run, variant, seed, label, on_front (1/0), mu        run rows; empty for baselines
//   method, name, lambda                                  baseline rows; empty for runs
//   ray_index    the ray (baselines without a ray: -1)
//   ray_<task>, accuracy_<task>, mean_loss_<task>         one column per task of any subset;
//                empty where the task is not in the row's subset or was not evaluated
// Tasks are ordered by first appearance over the subsets taken from the largest to the smallest
// (ties by key), so the full task list comes first. Numbers are written with 17 significant digits
// (they read back bit for bit); NaN is an empty cell. Strings are quoted as in RFC 4180 when they
// hold a comma, a quote or a line break. E.g.
//   df = pandas.read_csv("fronts.csv")
//   df[(df.kind == "run") & (df.subset == "clothing+digits")].plot.scatter(
//       x="accuracy_clothing", y="accuracy_digits")
//
// summary.json: every number of the report's tables, per subset and per run nested in its subset,
// plus the provenance (store header, sessions, failures) and the options; NaN and infinities are
// null. task_table is MakeTaskTable (report_task_table.h; [T] arrays in the subset's task order),
// mu_quantiles MuDistribution (report_mu.h), pair_hypervolume PairHypervolumes (report_pairs.h,
// the symmetric matrix with the 1-D hypervolumes on its diagonal), wta the comparison with
// weighted task arithmetic (report_model.h: dominance as in pareto.h; the four rays_* counts at
// the same ray add up to rays_compared_with_wta), tables the subset's tables as report.md and
// report.html show them (report_subset_tables.h), each {corner, columns: [heading], rows:
// [{label, cells}], note} with cells unformatted: a number, a string, {part, whole} for a count
// out of a total, null when missing. Layout (format "pwemoe-report-summary", format_version 2):
//   {format, format_version, experiment_name, options: {reference},
//    header: {config_hash, software_version, command_line, num_units, experiment_toml},
//    units: {total, done, failed}, failures: [{unit_id, description, message, time}],
//    sessions: [{start_time, command_line, software_version, ranks, hosts}],
//    subsets: [{key, tasks, expert_accuracy, wta_hypervolume, wta_hypervolume_normalized,
//               ta_sweep_hypervolume,
//               task_table: {expert, wta_best, wta_equal_ray,
//                            runs: [{run_name, best, equal_ray}]},
//               tables: {runs, tasks, mu, baselines, weighted_ta},
//               baselines: [{method, name, lambda, ray_index, ray, accuracy, mean_loss}],
//               runs: [{run_name, variant, seed, trained, train_seconds, eval_seconds,
//                       num_rays, incomplete_rays, front, hypervolume, hypervolume_normalized,
//                       mu_mean, mu_max,
//                       mu_quantiles: {interior_rays, min, median, p90, max},
//                       pair_hypervolume: [[T values] x T],
//                       wta: {points, points_dominated_by_front, front_dominated_by_wta,
//                             rays_compared_with_wta, rays_dominating_wta, rays_equal_to_wta,
//                             rays_dominated_by_wta, rays_incomparable_to_wta},
//                       final_losses,
//                       rays: [{ray_index, label, ray, accuracy, mean_loss, mu, on_front}],
//                       curve: {steps, total_loss, losses, epo_mu}}]}]}
//
// Both files are written atomically (a temporary file in the same folder, flushed and renamed):
// `path` is either the previous complete file or the new one.
//
// Thread safety: pure functions of the ReportData; concurrent calls on distinct paths are safe.
#pragma once

#include <string>

#include "pwemoe/util/status.h"
#include "results/report/report_model.h"

namespace pwemoe::results {

// The fronts.csv text of `report` (see above).
std::string FrontsCsv(const ReportData& report);

// The summary.json text of `report` (see above), indented by 2.
std::string SummaryJson(const ReportData& report);

// Write FrontsCsv / SummaryJson to `path` atomically. IoError naming `path` on failure (a
// missing folder, no space, no permission); `path` is unchanged then.
Status WriteFrontsCsv(const ReportData& report, const std::string& path);
Status WriteSummaryJson(const ReportData& report, const std::string& path);

}  // namespace pwemoe::results

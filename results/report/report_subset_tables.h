// The report's tables (report_table.h), each defined once here from a ReportData and rendered by
// report.md, report.html and summary.json:
//   runs         per task subset, its runs side by side (SortedRuns order) and two baseline
//                columns (weighted task arithmetic, the task arithmetic sweep): variant, trained,
//                front points / rays, incomplete rays (only when a run has some), hypervolume raw
//                and normalised, mu mean and max, training and evaluation seconds, the final
//                training loss per task, and the comparison with weighted task arithmetic;
//   tasks        the per-task accuracy table (MakeTaskTable, report_task_table.h), one row per
//                task: each run's best and equal-ray accuracy, the expert, weighted TA;
//   mu           each run's mu quantiles over its interior rays (report_mu.h);
//   baselines    one row per baseline model but weighted task arithmetic: method, lambda, ray,
//                the accuracy on each task and the mean;
//   weighted_ta  the same for the weighted-task-arithmetic points;
//   failures, sessions   of the whole report.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <string>
#include <vector>

#include "results/report/report_model.h"
#include "results/report/report_table.h"

namespace pwemoe::results {

// The tables of one task subset. A subset without runs has runs, tasks and mu without rows.
struct SubsetTables {
  ReportTable runs;
  ReportTable tasks;
  ReportTable mu;
  ReportTable baselines;
  ReportTable weighted_ta;
};

// The subset's runs: LS, EPO, then other variants; by seed, then name.
std::vector<const RunSummary*> SortedRuns(const ReportData& data, const SubsetSummary& subset);

// A run's heading: "<variant> seed <N>", or its name when it has no variant.
std::string RunLabel(const RunSummary& run);

SubsetTables MakeSubsetTables(const ReportData& data, const SubsetSummary& subset);

// One row per failed unit: unit id, work, message, time.
ReportTable FailuresTable(const ReportData& data);

// One row per session, numbered from 1: start time, version, ranks, hosts, command line.
ReportTable SessionsTable(const ReportData& data);

}  // namespace pwemoe::results

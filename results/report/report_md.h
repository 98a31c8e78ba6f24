// report.md: the report as GitHub-flavoured Markdown, from a ReportData (report_model.h).
//
// Sections: a title with the experiment name; a summary (units done / total, runs, failures with
// their messages); per task subset a table of its runs side by side (LS first, then EPO, then any
// other variant; by seed) with hypervolume raw and normalised, front points / rays, mu mean and
// max, training and evaluation seconds, the final per-task training losses and the comparison
// with weighted task arithmetic, a generated sentence (which variant has the larger hypervolume
// and by how much, and whether each run's front dominates all / some / none of the weighted task
// arithmetic points), the per-task accuracy table (report_task_table.h: one row per task, each
// run's best and equal-ray accuracy, the expert, weighted task arithmetic's best and equal ray),
// with 3 and more tasks the pairwise 2-D hypervolumes (report_pairs.h: up to 8 tasks each run's
// whole matrix, beyond its 5 weakest pairs and its strongest), the runs' mu quantiles over the
// interior rays (report_mu.h: min, median, 90%, max), and a baselines table (pretrained, experts, simple average, the task
// arithmetic sweep, weighted task arithmetic summarised by its hypervolume; columns: the subset's
// tasks and the mean accuracy); then the provenance (version, command line, sessions) and the
// configuration TOML in a fenced block.
//
// Formats: accuracies as percentages with one decimal; hypervolumes and mu with 4 significant
// digits; seconds with one decimal; a missing value (NaN) as "–".
//
// Thread safety: a pure function of the ReportData.
#pragma once

#include <string>

#include "results/report/report_model.h"

namespace pwemoe::results {

// The Markdown text of `report` (see above); never fails.
std::string RenderMarkdown(const ReportData& report);

}  // namespace pwemoe::results

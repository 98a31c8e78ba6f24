// report.md: the report as GitHub-flavoured Markdown, from a ReportData (report_model.h).
//
// Sections: a title with the experiment name; a summary (units done / total, runs, failures with
// their messages); per task subset a generated sentence (which variant has the larger
// hypervolume and by how much, and whether each run's front dominates all / some / none of the
// weighted task arithmetic points), the subset's runs, then its tables (report_subset_tables.h):
// the runs side by side, the per-task accuracy, with 3 and more tasks the pairwise 2-D
// hypervolumes (report_pairs.h: up to 8 tasks each run's whole matrix, beyond its 5 weakest
// pairs and its strongest), the runs' mu quantiles, and the baselines but weighted task
// arithmetic, with a line giving the hypervolumes of the task arithmetic sweep and of weighted
// task arithmetic; then the provenance (version, command line, the sessions table) and the
// configuration TOML in a fenced block.
//
// Formats: the table cells as FormatCell gives them (report_table.h: accuracies as percentages
// with 2 decimals, hypervolumes and mu with 4 significant digits, seconds with 1 decimal, a
// missing value as kMissingMark "–"), '|' escaped.
//
// Thread safety: a pure function of the ReportData.
#pragma once

#include <string>

#include "results/report/report_model.h"

namespace pwemoe::results {

// The Markdown text of `report` (see above); never fails.
std::string RenderMarkdown(const ReportData& report);

}  // namespace pwemoe::results

// report.html: one self-contained HTML5 page of a ReportData (report_model.h) for a browser.
//
// The page has inline CSS and inline SVG charts (svg_plot.h) and nothing else: no script, no
// font, image or style sheet from elsewhere, no URL but the SVG namespace. It is also well-formed
// XML (every element closed, only the five XML entities), so XML tools can read it.
//
// Content, in order: the experiment's name and progress (units done / planned, the failures
// table); per task subset the experts' accuracies and the subset's tables and charts: the runs
// side by side, the per-task accuracy (report_subset_tables.h, the same tables as report.md's
// and summary.json's, cells as FormatCell gives them, report_table.h), the accuracy plots (2
// tasks: the accuracy plane; 3 tasks: the three pairwise planes; 4 and more: parallel
// coordinates, whose axis names turn when they would overlap and whose lines fade the more there
// are) with the runs' rays and fronts and the baselines, with 3 and more tasks a heat map of each
// run's pairwise hypervolumes (report_pairs.h) on a colour scale shared by the subset's runs, the
// runs' mu histogram and quantiles table (report_mu.h), the baselines table (weighted task
// arithmetic's in a collapsed block), each run's rays, and each run's training curves (per-task
// and total loss; EPO's mu); last the provenance (version, command, the sessions table) and the
// experiment's TOML. A table has class "<ReportTable::name>" ("runs", "tasks", "mu",
// "baselines", "weighted_ta", "failures", "sessions"); a run's column heading has class "ls",
// "epo" or "run" and the run's full name as its title. Wide tables and charts (many tasks)
// scroll sideways in their own box; subset keys and run names longer than kLongName characters
// are shortened in chart titles (report_charts.h), in full in tooltips.
//
// Data points in the charts are SVG elements with class "pt" plus "ls", "epo" or "run" (other
// variants) and data-run="<run name>", or "pt baseline <method>"; one element per drawn ray or
// baseline point per chart, with a <title> tooltip of its values. A ray or baseline with a NaN
// accuracy on one of a chart's tasks is not drawn in that chart (the tables show "–").
//
// Deterministic: the same ReportData gives the same bytes.
//
// Thread safety: pure functions; WriteHtmlReport races with concurrent writers of the same path
// like any rename.
#pragma once

#include <string>

#include "pwemoe/util/status.h"
#include "results/report/report_model.h"

namespace pwemoe::results {

// The whole page.
std::string RenderHtml(const ReportData& data);

// Writes RenderHtml(data) to `path` atomically (pwemoe/util/files.h: a temporary file beside
// it, synced and renamed over it), so that readers see the old file or the new one, never a
// partial one. IoError naming `path` on failure (the temporary file is removed).
Status WriteHtmlReport(const ReportData& data, const std::string& path);

}  // namespace pwemoe::results

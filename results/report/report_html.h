// report.html: one self-contained HTML5 page of a ReportData (report_model.h) for a browser.
//
// The page has inline CSS and inline SVG charts (svg_plot.h) and nothing else: no script, no
// font, image or style sheet from elsewhere, no URL but the SVG namespace. It is also well-formed
// XML (every element closed, only the five XML entities), so XML tools can read it.
//
// Content, in order: the experiment's name and progress (units done / planned, failures with
// their messages); per task subset a table of its runs side by side (LS and EPO: hypervolume raw
// and normalised, front points / rays, EPO ray alignment mu, seconds, the comparison with
// weighted task arithmetic), the per-task accuracy table (report_task_table.h: each run's best
// and equal-ray accuracy, the expert, weighted task arithmetic; one row per task), the accuracy
// plots (2 tasks: the accuracy plane; 3 tasks: the three pairwise planes; 4 and more: parallel
// coordinates, whose axis names turn when they would overlap and whose lines fade the more there
// are) with the runs' rays and fronts and the baselines, with 3 and more tasks a heat map of each
// run's pairwise hypervolumes (report_pairs.h) on a colour scale shared by the subset's runs, the
// runs' mu histogram and quantiles (report_mu.h), the baselines table with per-task accuracies,
// each run's rays, and each run's training curves (per-task and total loss; EPO's mu); last the
// provenance (version, command, sessions) and the experiment's TOML. Wide tables and charts
// (many tasks) scroll sideways in their own box; subset keys and run names longer than
// kLongName characters are shortened in titles and headings (report_charts.h), in full in
// tooltips.
//
// Data points in the charts are SVG elements with class "pt" plus "ls", "epo" or "run" (other
// variants) and data-run="<run name>", or "pt baseline <method>"; one element per drawn ray or
// baseline point per chart, with a <title> tooltip of its values. A ray or baseline with a NaN
// accuracy on one of a chart's tasks is not drawn in that chart (the tables show "n/a").
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

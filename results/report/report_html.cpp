#include "results/report/report_html.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "pwemoe/util/files.h"
#include "results/report/report_charts.h"
#include "results/report/report_subset_tables.h"
#include "results/report/report_table.h"
#include "results/report/svg_plot.h"

namespace pwemoe::results {
namespace {

// Plain CSS: no fonts or images from elsewhere. The run columns' headers use darker shades than
// the charts' LS and EPO colours, so that those colours on screen come from the charts alone.
constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif;
       font-size: 14px; color: #1a1a1a; background: #ffffff; margin: 24px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 8px 0; }
h2, p, summary { overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 8px 0; border-bottom: 1px solid #cccccc; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px 0; }
table { border-collapse: collapse; margin: 6px 0 12px 0; font-size: 13px; }
th, td { border: 1px solid #d0d0d0; padding: 3px 8px; vertical-align: top; }
th { background: #f2f2f2; text-align: left; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.ls { color: #17527d; } th.epo { color: #a01c1c; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
figure { margin: 0; }
figure > svg { display: block; }
figcaption { font-size: 12px; color: #555555; max-width: 560px; }
pre { background: #f7f7f7; border: 1px solid #dddddd; padding: 8px; overflow-x: auto;
      font-size: 12px; }
.scroll { overflow-x: auto; max-width: 100%; }
.fail { color: #b00020; }
.muted { color: #666666; }
details { margin: 6px 0; }
summary { cursor: pointer; }
)";

std::string E(const std::string& text) { return EscapeXml(text); }

std::string Cell(const std::string& text, bool num = false) {
  return std::string(num ? "<td class=\"num\">" : "<td>") + E(text) + "</td>";
}

std::string Count(int64_t part, int64_t whole) {
  return std::to_string(part) + " / " + std::to_string(whole);
}

std::string VariantClass(const std::string& variant) {
  return variant == "LS" ? "ls" : variant == "EPO" ? "epo" : "run";
}

// A cell of a ReportTable (report_table.h): numbers right-aligned, code and errors marked up.
std::string TableCellHtml(const TableCell& c) {
  const std::string text = E(FormatCell(c));
  if (c.missing || IsNumeric(c)) return "<td class=\"num\">" + text + "</td>";
  if (c.kind == CellKind::kCode) return "<td><code>" + text + "</code></td>";
  if (c.kind == CellKind::kError) return "<td class=\"fail\">" + text + "</td>";
  return "<td>" + text + "</td>";
}

// A ReportTable, in a box that scrolls sideways when `scroll`, with its note under it.
std::string TableHtml(const ReportTable& t, bool scroll = false) {
  std::string out = "<table class=\"" + E(t.name) + "\"><tr><th>" + E(t.corner) + "</th>";
  for (const TableColumn& c : t.columns) {
    if (c.run_name.empty()) {
      out += "<th>" + E(c.heading) + "</th>";
    } else {
      out += "<th class=\"" + VariantClass(c.variant) + "\"" +
             (c.heading == c.run_name ? "" : " title=\"" + E(c.run_name) + "\"") + ">" +
             E(c.heading) + "</th>";
    }
  }
  out += "</tr>\n";
  for (const TableRow& row : t.rows) {
    out += "<tr><th>" + E(row.label) + "</th>";
    for (const TableCell& c : row.cells) out += TableCellHtml(c);
    out += "</tr>\n";
  }
  out += "</table>\n";
  if (scroll) out = "<div class=\"scroll\">\n" + out + "</div>\n";
  return out + (t.note.empty() ? "" : "<p class=\"muted\">" + E(t.note) + "</p>\n");
}

std::string Header(const ReportData& data) {
  const std::string name = data.experiment_name.empty() ? "(unnamed experiment)"
                                                        : data.experiment_name;
  std::string out = "<h1>pwemoe report: " + E(name) + "</h1>\n<p>Units done: <b>" +
                    E(Count(data.units_done, data.header.num_units)) + "</b>";
  out += data.units_failed > 0
             ? "; <span class=\"fail\">failed: " + std::to_string(data.units_failed) + "</span>"
             : "; no failures";
  out += ". Compute precision: <b>" + E(data.precision) + "</b>";
  out += ". Hypervolume reference point: " + E(SvgNumber(data.options.reference)) +
         " in every coordinate (normalised: accuracies divided by each task's expert). " +
         (data.hv_estimates.empty()
              ? std::string("Every hypervolume is exact.")
              : std::to_string(data.hv_estimates.size()) +
                    " hypervolumes are Monte Carlo estimates (intervals in summary.json and "
                    "report.md); the rest are exact.") +
         "</p>\n";
  if (!data.failures.empty()) out += TableHtml(FailuresTable(data));
  return out;
}

std::string Contents(const ReportData& data) {
  std::string out = "<p>Task subsets:";
  for (const SubsetSummary& s : data.subsets) {
    out += " <a href=\"#subset-" + E(s.key) + "\">" + E(s.key) + "</a>";
  }
  return out + " · <a href=\"#provenance\">provenance</a></p>\n";
}

std::string BaselinesSection(const SubsetTables& tables) {
  std::string out = "<h3>Baselines</h3>\n";
  if (tables.baselines.rows.empty()) {
    out += "<p class=\"muted\">No pretrained, expert, average or task-arithmetic rows.</p>\n";
  } else {
    out += TableHtml(tables.baselines, true);
  }
  if (!tables.weighted_ta.rows.empty()) {
    out += "<details><summary>weighted task arithmetic: " +
           std::to_string(tables.weighted_ta.rows.size()) + " points</summary>\n" +
           TableHtml(tables.weighted_ta, true) + "</details>\n";
  }
  return out;
}

std::string RaysTable(const RunSummary& run) {
  std::string out = "<details><summary>" + E(ShortRunName(run)) + ": " +
                    std::to_string(run.rays.size()) +
                    " rays</summary>\n<div class=\"scroll\">\n<table class=\"rays\">"
                    "<tr><th>ray</th><th>label</th><th>preference</th>";
  for (const std::string& t : run.tasks) out += "<th>" + E(t) + " (%)</th>";
  out += "<th>μ</th><th>front</th></tr>\n";
  for (const RayPoint& p : run.rays) {
    out += "<tr>" + Cell(std::to_string(p.ray_index), true) + Cell(p.label) +
           Cell(FormatRay(p.ray), true);
    for (size_t i = 0; i < run.tasks.size(); ++i) {
      out += TableCellHtml(AccuracyCell(i < p.accuracy.size() ? p.accuracy[i] : kNoValue));
    }
    out += TableCellHtml(MeasureCell(p.mu)) + Cell(p.on_front ? "yes" : "") + "</tr>\n";
  }
  return out + "</table>\n</div>\n</details>\n";
}

std::string Figure(const std::string& svg, const std::string& caption = "") {
  return "<figure>\n" + svg + (caption.empty() ? "" : "<figcaption>" + E(caption) + "</figcaption>\n") +
         "</figure>\n";
}

std::string AccuracyCharts(const ReportData& data, const SubsetSummary& subset) {
  const size_t t = subset.tasks.size();
  if (t < 2) return "";  // one task: the tables say it all
  std::string out = "<div class=\"charts\">\n";
  if (t == 2 || t == 3) {
    for (size_t i = 0; i < t; ++i) {
      for (size_t j = i + 1; j < t; ++j) out += Figure(AccuracyPlaneSvg(data, subset, i, j));
    }
    out += "</div>\n<p class=\"muted\">Filled markers: rays on the run's Pareto front; hollow: "
           "dominated rays. Numbers: ray index";
    out += t == 3 ? " (shown for the rays non-dominated in that plane; the line joins them)."
                  : " (the line joins the front).";
    return out + " Labels that would cover others are left out; hover a marker for its values."
                 "</p>\n";
  }
  out += "<div class=\"scroll\">\n" + Figure(ParallelAccuracySvg(data, subset)) + "</div>\n";
  return out + "</div>\n<p class=\"muted\">One line per ray and per baseline model; bold lines: "
               "rays on the run's Pareto front (with many lines each kind is drawn fainter, so "
               "that dense bundles show). Hover a line for its values.</p>\n";
}

std::string TaskTableSection(const SubsetTables& tables) {
  if (tables.tasks.rows.empty()) return "";
  return "<h3>Per-task accuracy</h3>\n" + TableHtml(tables.tasks, true);
}

// The heat maps of the runs' pairwise hypervolumes, on one colour scale (3 or more tasks).
std::string PairsSection(const ReportData& data, const SubsetSummary& subset) {
  if (subset.tasks.size() < 3 || subset.runs.empty()) return "";
  std::vector<std::vector<std::vector<double>>> pairs;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t r : subset.runs) {
    pairs.push_back(data.runs[r].pair_hypervolume);
    for (size_t i = 0; i < pairs.back().size(); ++i) {
      for (size_t j = 0; j < pairs.back()[i].size(); ++j) {
        const double v = pairs.back()[i][j];
        if (i != j && std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      }
    }
  }
  if (!(lo <= hi)) lo = hi = kNoValue;
  std::string out = "<h3>Pairwise hypervolume</h3>\n<div class=\"charts\">\n";
  for (size_t k = 0; k < subset.runs.size(); ++k) {
    out += "<div class=\"scroll\">\n" +
           Figure(PairHypervolumeSvg(data.runs[subset.runs[k]], pairs[k], lo, hi)) + "</div>\n";
  }
  return out + "</div>\n<p class=\"muted\">Cell (row, column): the exact 2-D hypervolume of the "
               "run's rays on those two tasks (reference " + E(SvgNumber(data.options.reference)) +
               "); dark cells are the pairs the run trades off worst. One colour scale for all "
               "runs of this subset. The grey diagonal is the 1-D hypervolume (best accuracy "
               "minus the reference), in its tooltip.</p>\n";
}

// Each run's mu over its interior rays: a histogram and the quantiles.
std::string MuSection(const ReportData& data, const SubsetSummary& subset,
                      const SubsetTables& tables) {
  if (subset.runs.empty()) return "";
  std::string out = "<h3>Ray alignment μ</h3>\n";
  const std::string histogram = MuHistogramSvg(data, subset);
  if (!histogram.empty()) out += "<div class=\"charts\">\n" + Figure(histogram) + "</div>\n";
  return out + TableHtml(tables.mu);
}

std::string TrainingCharts(const ReportData& data, const SubsetSummary& subset) {
  std::string charts;
  for (size_t i : subset.runs) {
    const RunSummary& run = data.runs[i];
    const std::string loss = LossCurveSvg(run);
    if (loss.empty()) continue;
    const std::string mu = EpoMuSvg(run);
    charts += "<figure>\n" + loss + mu + "<figcaption>";
    const int64_t window = SmoothingWindow(run.steps.size());
    if (window > 1) {
      charts += "Faint: every logged step; bold: centred moving average over " +
                std::to_string(window) + " logged steps. ";
    }
    charts += "Final losses (mean of the last 10% of steps):";
    for (size_t t = 0; t < run.tasks.size() && t < run.final_losses.size(); ++t) {
      charts += " " + E(run.tasks[t]) + " " + E(FormatMeasure(run.final_losses[t]));
    }
    charts += ".</figcaption>\n</figure>\n";
  }
  if (charts.empty()) return "<p class=\"muted\">No training curves (no run trained).</p>\n";
  return "<h3>Training</h3>\n<div class=\"charts\">\n" + charts + "</div>\n";
}

std::string SubsetSection(const ReportData& data, const SubsetSummary& subset) {
  std::string out = "<section id=\"subset-" + E(subset.key) + "\">\n<h2>" +
                    E(std::to_string(subset.tasks.size()) + " tasks: " + subset.key) + "</h2>\n";
  out += "<p>Experts:";
  for (size_t i = 0; i < subset.tasks.size(); ++i) {
    out += " " + E(subset.tasks[i]) + " " +
           E(FormatCell(AccuracyCell(i < subset.expert_accuracy.size() ? subset.expert_accuracy[i]
                                                                        : kNoValue))) +
           "%" + (i + 1 < subset.tasks.size() ? "," : ".");
  }
  out += "</p>\n";
  const SubsetTables tables = MakeSubsetTables(data, subset);
  if (subset.runs.empty()) {
    out += "<p class=\"muted\">No runs evaluated on this subset.</p>\n";
  } else {
    out += TableHtml(tables.runs, true);
  }
  out += TaskTableSection(tables);
  out += AccuracyCharts(data, subset);
  out += PairsSection(data, subset);
  out += MuSection(data, subset, tables);
  out += BaselinesSection(tables);
  if (!subset.runs.empty()) {
    out += "<h3>Rays</h3>\n";
    for (size_t i : subset.runs) out += RaysTable(data.runs[i]);
  }
  out += TrainingCharts(data, subset);
  return out + "</section>\n";
}

std::string Provenance(const ReportData& data) {
  std::string out = "<section id=\"provenance\">\n<h2>Provenance</h2>\n<table>";
  out += "<tr><th>software version</th>" + Cell(data.header.software_version) + "</tr>\n";
  out += "<tr><th>configuration hash</th>" + Cell(data.header.config_hash) + "</tr>\n";
  out += "<tr><th>command</th><td><code>" + E(data.header.command_line) + "</code></td></tr>\n";
  out += "</table>\n<h3>Sessions</h3>\n";
  if (data.sessions.empty()) {
    out += "<p class=\"muted\">No session records.</p>\n";
  } else {
    out += TableHtml(SessionsTable(data));
  }
  out += "<h3>Experiment configuration</h3>\n<pre>" + E(data.header.experiment_toml) + "</pre>\n";
  return out + "</section>\n";
}

}  // namespace

std::string RenderHtml(const ReportData& data) {
  const std::string name = data.experiment_name.empty() ? "pwemoe report"
                                                        : "pwemoe report: " + data.experiment_name;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                    "<title>" + E(name) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += Header(data);
  out += Contents(data);
  for (const SubsetSummary& subset : data.subsets) out += SubsetSection(data, subset);
  out += Provenance(data);
  return out + "</body>\n</html>\n";
}

Status WriteHtmlReport(const ReportData& data, const std::string& path) {
  return WriteFileAtomically(path, RenderHtml(data));
}

}  // namespace pwemoe::results

#include "results/report/report_html.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "pwemoe/util/files.h"
#include "results/report/report_charts.h"
#include "results/report/report_task_table.h"
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

// A table heading of a run: its (short) name, the full name as a tooltip when shortened.
std::string RunHeading(const RunSummary& run, const std::string& attrs) {
  const std::string name = ShortRunName(run);
  return "<th class=\"" + VariantClass(run.variant) + "\"" + attrs +
         (name == run.run_name ? "" : " title=\"" + E(run.run_name) + "\"") + ">" + E(name) +
         "</th>";
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
  if (!data.failures.empty()) {
    out += "<table class=\"failures\"><tr><th>unit</th><th>what</th><th>error</th>"
           "<th>time</th></tr>\n";
    for (const FailureRecord& f : data.failures) {
      out += "<tr>" + Cell(std::to_string(f.unit_id), true) + Cell(f.description) +
             "<td class=\"fail\">" + E(f.message) + "</td>" + Cell(f.time) + "</tr>\n";
    }
    out += "</table>\n";
  }
  return out;
}

std::string Contents(const ReportData& data) {
  std::string out = "<p>Task subsets:";
  for (const SubsetSummary& s : data.subsets) {
    out += " <a href=\"#subset-" + E(s.key) + "\">" + E(s.key) + "</a>";
  }
  return out + " · <a href=\"#provenance\">provenance</a></p>\n";
}

// One row of the runs table: a label and one cell per run, then the two baseline columns.
std::string RunRow(const std::string& label, const std::vector<std::string>& cells,
                   const std::string& wta = "", const std::string& ta = "") {
  std::string out = "<tr><th>" + E(label) + "</th>";
  for (const std::string& c : cells) out += Cell(c, true);
  return out + Cell(wta, true) + Cell(ta, true) + "</tr>\n";
}

std::string RunsTable(const ReportData& data, const SubsetSummary& subset) {
  std::vector<const RunSummary*> runs;
  for (size_t i : subset.runs) runs.push_back(&data.runs[i]);
  auto row = [&](auto value) {
    std::vector<std::string> cells;
    for (const RunSummary* r : runs) cells.push_back(value(*r));
    return cells;
  };
  std::string out = "<table class=\"runs\"><tr><th></th>";
  for (const RunSummary* r : runs) {
    out += RunHeading(*r, "");
  }
  out += "<th>weighted TA</th><th>task arithmetic (λ sweep)</th></tr>\n";
  out += RunRow("variant", row([](const RunSummary& r) { return r.variant; }));
  out += RunRow("trained", row([](const RunSummary& r) {
    return std::string(r.trained ? "yes" : "no");
  }));
  out += RunRow("front points / rays", row([](const RunSummary& r) {
    return Count(static_cast<int64_t>(r.front.size()), static_cast<int64_t>(r.rays.size())) +
           (r.incomplete_rays > 0 ? " (+" + std::to_string(r.incomplete_rays) + " incomplete)"
                                  : "");
  }));
  out += RunRow("hypervolume", row([](const RunSummary& r) { return Fixed(r.hypervolume, 5); }),
                Fixed(subset.wta_hypervolume, 5), Fixed(subset.ta_sweep_hypervolume, 5));
  out += RunRow("hypervolume, normalised",
                row([](const RunSummary& r) { return Fixed(r.hypervolume_normalized, 5); }),
                Fixed(subset.wta_hypervolume_normalized, 5));
  out += RunRow("μ mean (ray alignment)", row([](const RunSummary& r) { return Fixed(r.mu_mean, 4); }));
  out += RunRow("μ max", row([](const RunSummary& r) { return Fixed(r.mu_max, 4); }));
  out += RunRow("training seconds", row([](const RunSummary& r) { return Fixed(r.train_seconds, 1); }));
  out += RunRow("evaluation seconds", row([](const RunSummary& r) { return Fixed(r.eval_seconds, 1); }));
  out += RunRow("weighted-TA points dominated by the front", row([](const RunSummary& r) {
    return r.wta_points > 0 ? Count(r.wta_dominated, r.wta_points) : "n/a";
  }));
  out += RunRow("front points dominated by weighted TA", row([](const RunSummary& r) {
    return r.wta_points > 0 ? Count(r.front_dominated_by_wta, static_cast<int64_t>(r.front.size()))
                            : "n/a";
  }));
  out += RunRow("rays at least as good as weighted TA (same ray)", row([](const RunSummary& r) {
    return r.rays_compared_with_wta > 0 ? Count(r.rays_beating_wta, r.rays_compared_with_wta)
                                        : "n/a";
  }));
  return out + "</table>\n";
}

std::string Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? "n/a" : Percent(sum / static_cast<double>(v.size()));
}

std::string BaselineRows(const SubsetSummary& subset, bool weighted) {
  std::string out = "<table class=\"baselines\"><tr><th>method</th><th>name</th><th>λ</th>"
                    "<th>ray</th>";
  for (const std::string& t : subset.tasks) out += "<th>" + E(t) + " (%)</th>";
  out += "<th>mean (%)</th></tr>\n";
  for (const BaselinePoint& b : subset.baselines) {
    if ((b.method == "weighted-task-arithmetic") != weighted) continue;
    std::string ray;
    if (b.ray_index >= 0) ray = std::to_string(b.ray_index) + ": ";
    for (size_t i = 0; i < b.ray.size(); ++i) ray += (i ? " " : "") + Fixed(b.ray[i], 3);
    out += "<tr>" + Cell(b.method) + Cell(b.name) +
           Cell(std::isfinite(b.lambda) ? SvgNumber(b.lambda) : "", true) + Cell(ray, true);
    for (size_t i = 0; i < subset.tasks.size(); ++i) {
      out += Cell(Percent(i < b.accuracy.size() ? b.accuracy[i] : kNoValue), true);
    }
    out += Cell(b.accuracy.size() == subset.tasks.size() ? Mean(b.accuracy) : "n/a", true) +
           "</tr>\n";
  }
  return out + "</table>\n";
}

std::string BaselinesSection(const SubsetSummary& subset) {
  size_t weighted = 0;
  for (const BaselinePoint& b : subset.baselines) weighted += b.method == "weighted-task-arithmetic";
  std::string out = "<h3>Baselines</h3>\n";
  if (subset.baselines.size() == weighted) {
    out += "<p class=\"muted\">No pretrained, expert, average or task-arithmetic rows.</p>\n";
  } else {
    out += "<div class=\"scroll\">\n" + BaselineRows(subset, false) + "</div>\n";
  }
  if (weighted > 0) {
    out += "<details><summary>weighted task arithmetic: " + std::to_string(weighted) +
           " points</summary>\n<div class=\"scroll\">\n" + BaselineRows(subset, true) +
           "</div>\n</details>\n";
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
    std::string ray;
    for (size_t i = 0; i < p.ray.size(); ++i) ray += (i ? " " : "") + Fixed(p.ray[i], 3);
    out += "<tr>" + Cell(std::to_string(p.ray_index), true) + Cell(p.label) + Cell(ray, true);
    for (size_t i = 0; i < run.tasks.size(); ++i) {
      out += Cell(Percent(i < p.accuracy.size() ? p.accuracy[i] : kNoValue), true);
    }
    out += Cell(Fixed(p.mu, 4), true) + Cell(p.on_front ? "yes" : "") + "</tr>\n";
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

// One row per task: each run's best and equal-ray accuracy, the expert, weighted TA.
std::string TaskTableSection(const ReportData& data, const SubsetSummary& subset) {
  if (subset.runs.empty()) return "";
  const TaskTable table = MakeTaskTable(data, subset);
  std::string out = "<h3>Per-task accuracy</h3>\n<div class=\"scroll\">\n<table class=\"tasks\">"
                    "<tr><th rowspan=\"2\">task (%)</th>";
  for (const TaskTableRun& r : table.runs) {
    const RunSummary& run = data.runs[r.run];
    out += RunHeading(run, " colspan=\"2\"");
  }
  out += "<th rowspan=\"2\">expert</th><th colspan=\"2\">weighted TA</th></tr>\n<tr>";
  for (size_t k = 0; k <= table.runs.size(); ++k) out += "<th>best</th><th>equal ray</th>";
  out += "</tr>\n";
  for (size_t t = 0; t < table.tasks.size(); ++t) {
    out += "<tr><th>" + E(table.tasks[t]) + "</th>";
    for (const TaskTableRun& r : table.runs) {
      out += Cell(Percent(r.best[t]), true) + Cell(Percent(r.equal[t]), true);
    }
    out += Cell(Percent(table.expert[t]), true) + Cell(Percent(table.wta_best[t]), true) +
           Cell(Percent(table.wta_equal[t]), true) + "</tr>\n";
  }
  return out + "</table>\n</div>\n<p class=\"muted\">best: the highest accuracy on the task over "
               "the run's rays (weighted TA: over its rays); equal ray: at the preference (1/T, "
               "..., 1/T); expert: the task's own fine-tuned model.</p>\n";
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
std::string MuSection(const ReportData& data, const SubsetSummary& subset) {
  if (subset.runs.empty()) return "";
  std::string out = "<h3>Ray alignment μ</h3>\n";
  const std::string histogram = MuHistogramSvg(data, subset);
  if (!histogram.empty()) out += "<div class=\"charts\">\n" + Figure(histogram) + "</div>\n";
  out += "<table class=\"mu\"><tr><th>run</th><th>interior rays</th><th>min</th><th>median</th>"
         "<th>90%</th><th>max</th></tr>\n";
  for (size_t r : subset.runs) {
    const RunSummary& run = data.runs[r];
    const MuQuantiles& q = run.mu_quantiles;
    out += "<tr>" + RunHeading(run, "") +
           Cell(std::to_string(q.rays), true) + Cell(Fixed(q.min, 4), true) +
           Cell(Fixed(q.median, 4), true) + Cell(Fixed(q.p90, 4), true) +
           Cell(Fixed(q.max, 4), true) + "</tr>\n";
  }
  return out + "</table>\n<p class=\"muted\">μ of each ray's test losses (0: exactly in the "
               "ray's proportions), over the rays with every coordinate above 0; quantiles "
               "interpolate linearly between the sorted values.</p>\n";
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
      charts += " " + E(run.tasks[t]) + " " + E(Fixed(run.final_losses[t], 4));
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
           E(Percent(i < subset.expert_accuracy.size() ? subset.expert_accuracy[i] : kNoValue)) +
           "%" + (i + 1 < subset.tasks.size() ? "," : ".");
  }
  out += "</p>\n";
  if (subset.runs.empty()) {
    out += "<p class=\"muted\">No runs evaluated on this subset.</p>\n";
  } else {
    out += RunsTable(data, subset);
  }
  out += TaskTableSection(data, subset);
  out += AccuracyCharts(data, subset);
  out += PairsSection(data, subset);
  out += MuSection(data, subset);
  out += BaselinesSection(subset);
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
    out += "<table><tr><th>#</th><th>start (UTC)</th><th>version</th><th>ranks</th>"
           "<th>hosts</th><th>command</th></tr>\n";
    for (size_t i = 0; i < data.sessions.size(); ++i) {
      const SessionRecord& s = data.sessions[i];
      std::string hosts;
      for (size_t h = 0; h < s.hosts.size(); ++h) hosts += (h ? ", " : "") + s.hosts[h];
      out += "<tr>" + Cell(std::to_string(i + 1), true) + Cell(s.start_time) +
             Cell(s.software_version) + Cell(std::to_string(s.ranks), true) + Cell(hosts) +
             "<td><code>" + E(s.command_line) + "</code></td></tr>\n";
    }
    out += "</table>\n";
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

// summary.json (report_tables.h).
#include <cmath>

#include <nlohmann/json.hpp>

#include "pwemoe/util/files.h"
#include "results/report/report_subset_tables.h"
#include "results/report/report_table.h"
#include "results/report/report_tables.h"
#include "results/report/report_task_table.h"

namespace pwemoe::results {

namespace {

// Keys stay in the order written (report_tables.h lists them), which reads better than sorted.
using json = nlohmann::ordered_json;

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json Nums(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(Num(x));
  return a;
}

json Header(const StoreHeader& h) {
  return {{"config_hash", h.config_hash},       {"software_version", h.software_version},
          {"command_line", h.command_line},     {"num_units", h.num_units},
          {"experiment_toml", h.experiment_toml}};
}

json Sessions(const std::vector<SessionRecord>& sessions) {
  json a = json::array();
  for (const SessionRecord& s : sessions) {
    a.push_back({{"start_time", s.start_time}, {"command_line", s.command_line},
                 {"software_version", s.software_version}, {"ranks", s.ranks},
                 {"hosts", s.hosts}});
  }
  return a;
}

json Failures(const std::vector<FailureRecord>& failures) {
  json a = json::array();
  for (const FailureRecord& f : failures) {
    a.push_back({{"unit_id", f.unit_id}, {"description", f.description},
                 {"message", f.message}, {"time", f.time}});
  }
  return a;
}

json Rays(const RunSummary& r) {
  json a = json::array();
  for (const RayPoint& p : r.rays) {
    a.push_back({{"ray_index", p.ray_index}, {"label", p.label}, {"ray", Nums(p.ray)},
                 {"accuracy", Nums(p.accuracy)}, {"mean_loss", Nums(p.mean_loss)},
                 {"mu", Num(p.mu)}, {"on_front", p.on_front}});
  }
  return a;
}

json Curve(const RunSummary& r) {
  json losses = json::array();
  for (const std::vector<double>& l : r.losses) losses.push_back(Nums(l));
  return {{"steps", r.steps}, {"total_loss", Nums(r.total_loss)}, {"losses", losses},
          {"epo_mu", Nums(r.epo_mu)}};
}

json Matrix(const std::vector<std::vector<double>>& m) {
  json a = json::array();
  for (const std::vector<double>& row : m) a.push_back(Nums(row));
  return a;
}

json MuQuantilesJson(const RunSummary& r) {
  const MuQuantiles& q = r.mu_quantiles;
  return {{"interior_rays", q.rays}, {"min", Num(q.min)}, {"median", Num(q.median)},
          {"p90", Num(q.p90)}, {"max", Num(q.max)}};
}

json TaskTableJson(const ReportData& report, const SubsetSummary& s) {
  const TaskTable t = MakeTaskTable(report, s);
  json runs = json::array();
  for (const TaskTableRun& r : t.runs) {
    runs.push_back({{"run_name", report.runs[r.run].run_name}, {"best", Nums(r.best)},
                    {"equal_ray", Nums(r.equal)}});
  }
  return {{"expert", Nums(t.expert)}, {"wta_best", Nums(t.wta_best)},
          {"wta_equal_ray", Nums(t.wta_equal)}, {"runs", runs}};
}

json Run(const RunSummary& r) {
  return {{"run_name", r.run_name},
          {"variant", r.variant},
          {"seed", r.seed},
          {"trained", r.trained},
          {"train_seconds", Num(r.train_seconds)},
          {"eval_seconds", Num(r.eval_seconds)},
          {"num_rays", r.rays.size()},
          {"incomplete_rays", r.incomplete_rays},
          {"front", r.front},
          {"hypervolume", Num(r.hypervolume)},
          {"hypervolume_normalized", Num(r.hypervolume_normalized)},
          {"mu_mean", Num(r.mu_mean)},
          {"mu_max", Num(r.mu_max)},
          {"mu_quantiles", MuQuantilesJson(r)},
          {"pair_hypervolume", Matrix(r.pair_hypervolume)},
          {"wta",
           {{"points", r.wta_points},
            {"points_dominated_by_front", r.wta_dominated},
            {"front_dominated_by_wta", r.front_dominated_by_wta},
            {"rays_compared_with_wta", r.rays_compared_with_wta},
            {"rays_dominating_wta", r.rays_dominating_wta},
            {"rays_equal_to_wta", r.rays_equal_to_wta},
            {"rays_dominated_by_wta", r.rays_dominated_by_wta},
            {"rays_incomparable_to_wta", r.rays_incomparable_to_wta}}},
          {"final_losses", Nums(r.final_losses)},
          {"rays", Rays(r)},
          {"curve", Curve(r)}};
}

// A cell of a ReportTable: its value unformatted; null when missing.
json TableCellJson(const TableCell& c) {
  if (c.missing) return nullptr;
  switch (c.kind) {
    case CellKind::kText:
    case CellKind::kCode:
    case CellKind::kError: return c.text;
    case CellKind::kAccuracy:
    case CellKind::kMeasure:
    case CellKind::kSeconds:
    case CellKind::kParameter: return Num(c.value);
    case CellKind::kCount: return c.part;
    case CellKind::kOutOf: return {{"part", c.part}, {"whole", c.whole}};
  }
  return nullptr;
}

json TableJson(const ReportTable& t) {
  json columns = json::array();
  for (const TableColumn& c : t.columns) columns.push_back(c.heading);
  json rows = json::array();
  for (const TableRow& row : t.rows) {
    json cells = json::array();
    for (const TableCell& c : row.cells) cells.push_back(TableCellJson(c));
    rows.push_back({{"label", row.label}, {"cells", cells}});
  }
  return {{"corner", t.corner}, {"columns", columns}, {"rows", rows}, {"note", t.note}};
}

// The subset's tables as report.md and report.html show them (report_subset_tables.h).
json TablesJson(const ReportData& report, const SubsetSummary& s) {
  const SubsetTables t = MakeSubsetTables(report, s);
  json out;
  for (const ReportTable* table : {&t.runs, &t.tasks, &t.mu, &t.baselines, &t.weighted_ta}) {
    out[table->name] = TableJson(*table);
  }
  return out;
}

json Baselines(const SubsetSummary& s) {
  json a = json::array();
  for (const BaselinePoint& b : s.baselines) {
    a.push_back({{"method", b.method}, {"name", b.name}, {"lambda", Num(b.lambda)},
                 {"ray_index", b.ray_index}, {"ray", Nums(b.ray)},
                 {"accuracy", Nums(b.accuracy)}, {"mean_loss", Nums(b.mean_loss)}});
  }
  return a;
}

json Subset(const ReportData& report, const SubsetSummary& s) {
  json runs = json::array();
  for (size_t r : s.runs) runs.push_back(Run(report.runs[r]));
  return {{"key", s.key},
          {"tasks", s.tasks},
          {"expert_accuracy", Nums(s.expert_accuracy)},
          {"wta_hypervolume", Num(s.wta_hypervolume)},
          {"wta_hypervolume_normalized", Num(s.wta_hypervolume_normalized)},
          {"ta_sweep_hypervolume", Num(s.ta_sweep_hypervolume)},
          {"task_table", TaskTableJson(report, s)},
          {"tables", TablesJson(report, s)},
          {"baselines", Baselines(s)},
          {"runs", runs}};
}

// The hypervolumes that are estimates: what, value, interval, samples, confidence.
json HvEstimates(const std::vector<HvEstimateNote>& estimates) {
  json out = json::array();
  for (const HvEstimateNote& e : estimates) {
    out.push_back({{"what", e.what},
                   {"value", Num(e.value)},
                   {"lo", Num(e.lo)},
                   {"hi", Num(e.hi)},
                   {"samples", e.samples},
                   {"confidence", Num(e.confidence)}});
  }
  return out;
}

}  // namespace

std::string SummaryJson(const ReportData& report) {
  json subsets = json::array();
  for (const SubsetSummary& s : report.subsets) subsets.push_back(Subset(report, s));
  json j = {{"format", "pwemoe-report-summary"},
            {"format_version", 2},
            {"experiment_name", report.experiment_name},
            {"precision", report.precision},
            {"options",
             {{"reference", Num(report.options.reference)},
              {"hv_exact_seconds", Num(report.options.hv_exact_seconds)}}},
            {"hypervolume_estimates", HvEstimates(report.hv_estimates)},
            {"header", Header(report.header)},
            {"units",
             {{"total", report.header.num_units},
              {"done", report.units_done},
              {"failed", report.units_failed}}},
            {"failures", Failures(report.failures)},
            {"sessions", Sessions(report.sessions)},
            {"subsets", subsets}};
  // Invalid UTF-8 in a name (from a foreign file) is replaced rather than thrown on.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Status WriteSummaryJson(const ReportData& report, const std::string& path) {
  return WriteFileAtomically(path, SummaryJson(report));
}

}  // namespace pwemoe::results

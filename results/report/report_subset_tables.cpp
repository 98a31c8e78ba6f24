#include "results/report/report_subset_tables.h"

#include <algorithm>
#include <functional>
#include <tuple>

#include "pwemoe/util/strings.h"
#include "results/report/report_task_table.h"

namespace pwemoe::results {
namespace {

constexpr char kWeightedTa[] = "weighted-task-arithmetic";

int VariantRank(const std::string& v) { return v == "LS" ? 0 : v == "EPO" ? 1 : 2; }

TableColumn RunColumn(const RunSummary& r, const std::string& suffix = "") {
  return {RunLabel(r) + suffix, r.run_name, r.variant};
}

// The runs table: one cell per run from `value`, then the two baseline columns' cells.
struct RunsTableBuilder {
  const std::vector<const RunSummary*>& runs;
  ReportTable* table;

  void Row(const std::string& label, const std::function<TableCell(const RunSummary&)>& value,
           TableCell wta = TextCell(""), TableCell ta = TextCell("")) {
    TableRow row{label, {}};
    for (const RunSummary* r : runs) row.cells.push_back(value(*r));
    row.cells.push_back(std::move(wta));
    row.cells.push_back(std::move(ta));
    table->rows.push_back(std::move(row));
  }
};

void RunRows(const SubsetSummary& s, RunsTableBuilder* b) {
  b->Row("variant", [](const RunSummary& r) { return TextCell(r.variant); });
  b->Row("trained", [](const RunSummary& r) { return TextCell(r.trained ? "yes" : "no"); });
  b->Row("front points / rays", [](const RunSummary& r) {
    return OutOfCell(static_cast<int64_t>(r.front.size()), static_cast<int64_t>(r.rays.size()),
                     false);
  });
  if (std::any_of(b->runs.begin(), b->runs.end(),
                  [](const RunSummary* r) { return r->incomplete_rays > 0; })) {
    b->Row("incomplete rays (left out)",
           [](const RunSummary& r) { return CountCell(r.incomplete_rays); });
  }
  b->Row("hypervolume", [](const RunSummary& r) { return MeasureCell(r.hypervolume); },
         MeasureCell(s.wta_hypervolume), MeasureCell(s.ta_sweep_hypervolume));
  b->Row("hypervolume (normalised)",
         [](const RunSummary& r) { return MeasureCell(r.hypervolume_normalized); },
         MeasureCell(s.wta_hypervolume_normalized));
  b->Row("μ mean (ray alignment)", [](const RunSummary& r) { return MeasureCell(r.mu_mean); });
  b->Row("μ max", [](const RunSummary& r) { return MeasureCell(r.mu_max); });
  b->Row("training seconds", [](const RunSummary& r) { return SecondsCell(r.train_seconds); });
  b->Row("evaluation seconds", [](const RunSummary& r) { return SecondsCell(r.eval_seconds); });
  for (size_t t = 0; t < s.tasks.size(); ++t) {
    b->Row("final training loss " + s.tasks[t], [t](const RunSummary& r) {
      return t < r.final_losses.size() ? MeasureCell(r.final_losses[t]) : MissingCell();
    });
  }
}

// The comparison with weighted task arithmetic (report_model.h's counts).
void WtaRows(RunsTableBuilder* b) {
  b->Row("weighted-TA points dominated by the front",
         [](const RunSummary& r) { return OutOfCell(r.wta_dominated, r.wta_points); });
  b->Row("front points dominated by weighted TA", [](const RunSummary& r) {
    return r.wta_points > 0
               ? OutOfCell(r.front_dominated_by_wta, static_cast<int64_t>(r.front.size()), false)
               : MissingCell();
  });
  const std::pair<const char*, int64_t RunSummary::*> rays[] = {
      {"rays dominating weighted TA at the same ray", &RunSummary::rays_dominating_wta},
      {"rays equal to weighted TA at the same ray", &RunSummary::rays_equal_to_wta},
      {"rays dominated by weighted TA at the same ray", &RunSummary::rays_dominated_by_wta},
      {"rays incomparable to weighted TA at the same ray", &RunSummary::rays_incomparable_to_wta}};
  for (const auto& [label, count] : rays) {
    b->Row(label, [count = count](const RunSummary& r) {
      return OutOfCell(r.*count, r.rays_compared_with_wta);
    });
  }
}

ReportTable RunsTable(const SubsetSummary& s, const std::vector<const RunSummary*>& runs) {
  ReportTable table;
  table.name = "runs";
  if (runs.empty()) return table;
  for (const RunSummary* r : runs) table.columns.push_back(RunColumn(*r));
  table.columns.push_back({"weighted TA", "", ""});
  table.columns.push_back({"task arithmetic (λ sweep)", "", ""});
  RunsTableBuilder b{runs, &table};
  RunRows(s, &b);
  WtaRows(&b);
  table.note = "Dominated: at least as good on every task and better on one; equal accuracies "
               "dominate neither way. Same ray: weighted task arithmetic at the run's ray index.";
  return table;
}

ReportTable TasksTable(const ReportData& data, const SubsetSummary& s,
                       const std::vector<const RunSummary*>& runs) {
  ReportTable table;
  table.name = "tasks";
  table.corner = "task (accuracy %)";
  if (runs.empty()) return table;
  const TaskTable t = MakeTaskTable(data, s);
  std::vector<const TaskTableRun*> columns;
  for (const RunSummary* r : runs) {
    for (const TaskTableRun& c : t.runs) {
      if (&data.runs[c.run] != r) continue;
      columns.push_back(&c);
      table.columns.push_back(RunColumn(*r, " best"));
      table.columns.push_back(RunColumn(*r, " equal ray"));
    }
  }
  for (const char* h : {"expert", "weighted TA best", "weighted TA equal ray"}) {
    table.columns.push_back({h, "", ""});
  }
  for (size_t k = 0; k < t.tasks.size(); ++k) {
    TableRow row{t.tasks[k], {}};
    for (const TaskTableRun* c : columns) {
      row.cells.push_back(AccuracyCell(c->best[k]));
      row.cells.push_back(AccuracyCell(c->equal[k]));
    }
    for (double v : {t.expert[k], t.wta_best[k], t.wta_equal[k]}) {
      row.cells.push_back(AccuracyCell(v));
    }
    table.rows.push_back(std::move(row));
  }
  table.note = "best: the highest accuracy on the task over the run's rays (weighted TA: over "
               "its rays); equal ray: at the preference (1/T, ..., 1/T); expert: the task's own "
               "fine-tuned model.";
  return table;
}

ReportTable MuTable(const std::vector<const RunSummary*>& runs) {
  ReportTable table;
  table.name = "mu";
  table.corner = "run";
  if (runs.empty()) return table;
  for (const char* h : {"interior rays", "min", "median", "90%", "max"}) {
    table.columns.push_back({h, "", ""});
  }
  for (const RunSummary* r : runs) {
    const MuQuantiles& q = r->mu_quantiles;
    table.rows.push_back({RunLabel(*r),
                          {CountCell(q.rays), MeasureCell(q.min), MeasureCell(q.median),
                           MeasureCell(q.p90), MeasureCell(q.max)}});
  }
  table.note = "μ of each ray's test losses (0: exactly in the ray's proportions), over the rays "
               "with every coordinate above 0; quantiles interpolate linearly between the sorted "
               "values.";
  return table;
}

// The baseline models of `s` that are (weighted) or are not weighted task arithmetic.
ReportTable BaselinesTable(const SubsetSummary& s, bool weighted) {
  ReportTable table;
  table.name = weighted ? "weighted_ta" : "baselines";
  table.corner = "baseline (accuracy %)";
  for (const char* h : {"method", "λ", "ray"}) table.columns.push_back({h, "", ""});
  for (const std::string& t : s.tasks) table.columns.push_back({t, "", ""});
  table.columns.push_back({"mean", "", ""});
  for (const BaselinePoint& b : s.baselines) {
    if ((b.method == kWeightedTa) != weighted) continue;
    TableRow row{b.name, {TextCell(b.method), ParameterCell(b.lambda)}};
    const std::string index = b.ray_index >= 0 ? std::to_string(b.ray_index) + ": " : "";
    row.cells.push_back(TextCell(index + FormatRay(b.ray)));
    double sum = 0;
    for (size_t i = 0; i < s.tasks.size(); ++i) {
      const double a = i < b.accuracy.size() ? b.accuracy[i] : kNoValue;
      row.cells.push_back(AccuracyCell(a));
      sum += a;
    }
    row.cells.push_back(AccuracyCell(s.tasks.empty() ? kNoValue
                                                     : sum / static_cast<double>(s.tasks.size())));
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace

std::vector<const RunSummary*> SortedRuns(const ReportData& data, const SubsetSummary& subset) {
  std::vector<const RunSummary*> runs;
  for (size_t r : subset.runs) runs.push_back(&data.runs[r]);
  std::sort(runs.begin(), runs.end(), [](const RunSummary* a, const RunSummary* b) {
    return std::make_tuple(VariantRank(a->variant), a->variant, a->seed, a->run_name) <
           std::make_tuple(VariantRank(b->variant), b->variant, b->seed, b->run_name);
  });
  return runs;
}

std::string RunLabel(const RunSummary& run) {
  if (run.variant.empty()) return run.run_name;
  return run.variant + " seed " + std::to_string(run.seed);
}

SubsetTables MakeSubsetTables(const ReportData& data, const SubsetSummary& subset) {
  const std::vector<const RunSummary*> runs = SortedRuns(data, subset);
  SubsetTables t;
  t.runs = RunsTable(subset, runs);
  t.tasks = TasksTable(data, subset, runs);
  t.mu = MuTable(runs);
  t.baselines = BaselinesTable(subset, false);
  t.weighted_ta = BaselinesTable(subset, true);
  return t;
}

ReportTable FailuresTable(const ReportData& data) {
  ReportTable table;
  table.name = "failures";
  table.corner = "unit";
  for (const char* h : {"work", "message", "time"}) table.columns.push_back({h, "", ""});
  for (const FailureRecord& f : data.failures) {
    table.rows.push_back({std::to_string(f.unit_id),
                          {TextCell(f.description), ErrorCell(f.message), TextCell(f.time)}});
  }
  return table;
}

ReportTable SessionsTable(const ReportData& data) {
  ReportTable table;
  table.name = "sessions";
  table.corner = "session";
  for (const char* h : {"started (UTC)", "version", "ranks", "hosts", "command line"}) {
    table.columns.push_back({h, "", ""});
  }
  for (size_t i = 0; i < data.sessions.size(); ++i) {
    const SessionRecord& s = data.sessions[i];
    table.rows.push_back({std::to_string(i + 1),
                          {TextCell(s.start_time), TextCell(s.software_version),
                           CountCell(s.ranks), TextCell(Join(s.hosts, ", ")),
                           CodeCell(s.command_line)}});
  }
  return table;
}

}  // namespace pwemoe::results

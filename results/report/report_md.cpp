#include "results/report/report_md.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <tuple>

#include "pwemoe/util/strings.h"
#include "results/report/report_task_table.h"

namespace pwemoe::results {

namespace {

constexpr char kMissing[] = "–";

std::string Printf(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string Pct(double v) { return std::isfinite(v) ? Printf("%.1f", 100 * v) : kMissing; }
// 4 significant digits, trailing zeros kept (0.5640).
std::string Sig4(double v) { return std::isfinite(v) ? Printf("%#.4g", v) : kMissing; }
std::string Sec(double v) { return std::isfinite(v) ? Printf("%.1f", v) : kMissing; }
std::string OutOf(int64_t x, int64_t y) {
  return y > 0 ? std::to_string(x) + " / " + std::to_string(y) : kMissing;
}

// A table cell: '|' escaped, line breaks as spaces.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

// The longest run of backticks in s.
size_t LongestBackticks(const std::string& s) {
  size_t best = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

// An inline code span that survives backticks in s.
std::string Code(const std::string& s) {
  const std::string ticks(LongestBackticks(s) + 1, '`');
  return ticks + (ticks.size() > 1 ? " " + s + " " : s) + ticks;
}

void TableRow(const std::vector<std::string>& cells, std::ostringstream* out) {
  *out << "|";
  for (const std::string& c : cells) *out << " " << c << " |";
  *out << "\n";
}

void TableHeader(const std::vector<std::string>& cells, std::ostringstream* out) {
  TableRow(cells, out);
  *out << "|";
  for (size_t i = 0; i < cells.size(); ++i) *out << (i == 0 ? "---|" : "---:|");
  *out << "\n";
}

int VariantRank(const std::string& v) { return v == "LS" ? 0 : v == "EPO" ? 1 : 2; }

// The subset's runs: LS, EPO, others; by seed, then name.
std::vector<const RunSummary*> SortedRuns(const ReportData& report, const SubsetSummary& s) {
  std::vector<const RunSummary*> runs;
  for (size_t r : s.runs) runs.push_back(&report.runs[r]);
  std::sort(runs.begin(), runs.end(), [](const RunSummary* a, const RunSummary* b) {
    return std::make_tuple(VariantRank(a->variant), a->variant, a->seed, a->run_name) <
           std::make_tuple(VariantRank(b->variant), b->variant, b->seed, b->run_name);
  });
  return runs;
}

std::string RunLabel(const RunSummary& r) {
  if (r.variant.empty()) return Cell(r.run_name);
  return r.variant + " seed " + std::to_string(r.seed);
}

// Which hypervolumes are exact and which are estimated, with the estimates' intervals.
void HvMethodLines(const ReportData& report, std::ostringstream* out) {
  if (report.hv_estimates.empty()) {
    *out << "- every hypervolume is exact\n";
    return;
  }
  *out << "- " << report.hv_estimates.size()
       << " hypervolumes are Monte Carlo estimates (exact would take over "
       << Sig4(report.options.hv_exact_seconds) << " s each); the rest are exact:\n";
  for (const HvEstimateNote& e : report.hv_estimates) {
    *out << "  - " << e.what << ": " << Sig4(e.value) << ", " << Sig4(100 * e.confidence)
         << "% interval [" << Sig4(e.lo) << ", " << Sig4(e.hi) << "], " << e.samples
         << " samples\n";
  }
}

void Summary(const ReportData& report, std::ostringstream* out) {
  *out << "## Summary\n\n";
  *out << "- units done: " << report.units_done << " of " << report.header.num_units
       << ", failed: " << report.units_failed << "\n";
  *out << "- runs: " << report.runs.size() << " on " << report.subsets.size()
       << " task subsets\n";
  *out << "- compute precision: " << report.precision << "\n";
  *out << "- hypervolume: of the maximised test accuracies, reference " << report.options.reference
       << " in every task; normalised: each accuracy divided by its task's expert, reference 0\n";
  *out << "- mu: EPO's ray alignment of each ray's mean test losses (0: losses in the ray's "
          "proportions)\n";
  HvMethodLines(report, out);
  *out << "\n";
  if (report.failures.empty()) return;
  *out << "### Failures\n\n";
  TableHeader({"unit", "work", "message", "time"}, out);
  for (const FailureRecord& f : report.failures) {
    TableRow({std::to_string(f.unit_id), Cell(f.description), Cell(f.message), Cell(f.time)},
             out);
  }
  *out << "\n";
}

// Mean hypervolume per variant (finite values only), and the runs counted.
std::map<std::string, std::pair<double, int>> VariantHypervolumes(
    const std::vector<const RunSummary*>& runs) {
  std::map<std::string, std::pair<double, int>> hv;
  for (const RunSummary* r : runs) {
    if (!std::isfinite(r->hypervolume)) continue;
    auto& [sum, n] = hv[r->variant.empty() ? r->run_name : r->variant];
    sum += r->hypervolume;
    ++n;
  }
  for (auto& [v, sn] : hv) sn.first /= sn.second;
  return hv;
}

std::string HypervolumeSentence(const std::vector<const RunSummary*>& runs) {
  const auto hv = VariantHypervolumes(runs);
  if (hv.empty()) return "No run has a hypervolume yet.";
  std::vector<std::pair<std::string, std::pair<double, int>>> ranked(hv.begin(), hv.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  const auto& [best, best_hv] = ranked[0];
  const std::string mean =
      best_hv.second > 1 ? " (mean of " + std::to_string(best_hv.second) + " runs)" : "";
  if (ranked.size() == 1) return "Only " + best + " has a hypervolume: " + Sig4(best_hv.first) + mean + ".";
  std::string s = best + " has the larger hypervolume" + mean + ": " + Sig4(best_hv.first);
  for (size_t i = 1; i < ranked.size(); ++i) {
    const double other = ranked[i].second.first;
    const double gain = other > 0 ? 100 * (best_hv.first / other - 1) : NAN;
    s += (i == 1 ? " against " : ", ") + Sig4(other) + " for " + ranked[i].first +
         (std::isfinite(gain) ? " (" + Printf("%+.2f", gain) + "%)" : "");
  }
  return s + ".";
}

std::string WtaSentence(const std::vector<const RunSummary*>& runs) {
  std::vector<std::string> parts;
  for (const RunSummary* r : runs) {
    if (r->wta_points == 0) continue;
    const std::string how =
        r->wta_dominated == r->wta_points ? "all " + std::to_string(r->wta_points)
        : r->wta_dominated == 0           ? "none of the " + std::to_string(r->wta_points)
                                          : "some (" + std::to_string(r->wta_dominated) + " of " +
                                                std::to_string(r->wta_points) + ")";
    parts.push_back("the front of " + RunLabel(*r) + " dominates " + how);
  }
  if (parts.empty()) return "";
  std::string s = "Weighted task arithmetic points (weakly dominated): " + Join(parts, "; ") + ".";
  return s;
}

void RunTable(const std::vector<const RunSummary*>& runs, const std::vector<std::string>& tasks,
              std::ostringstream* out) {
  std::vector<std::string> head = {""};
  for (const RunSummary* r : runs) head.push_back(RunLabel(*r));
  TableHeader(head, out);
  auto row = [&](const std::string& name, auto value) {
    std::vector<std::string> cells = {name};
    for (const RunSummary* r : runs) cells.push_back(value(*r));
    TableRow(cells, out);
  };
  row("hypervolume", [](const RunSummary& r) { return Sig4(r.hypervolume); });
  row("hypervolume (normalised)", [](const RunSummary& r) { return Sig4(r.hypervolume_normalized); });
  row("front points / rays", [](const RunSummary& r) {
    return std::to_string(r.front.size()) + " / " + std::to_string(r.rays.size());
  });
  if (std::any_of(runs.begin(), runs.end(), [](const RunSummary* r) { return r->incomplete_rays > 0; }))
    row("incomplete rays (left out)", [](const RunSummary& r) { return std::to_string(r.incomplete_rays); });
  row("mu mean", [](const RunSummary& r) { return Sig4(r.mu_mean); });
  row("mu max", [](const RunSummary& r) { return Sig4(r.mu_max); });
  row("training seconds", [](const RunSummary& r) { return Sec(r.train_seconds); });
  row("evaluation seconds", [](const RunSummary& r) { return Sec(r.eval_seconds); });
  for (size_t t = 0; t < tasks.size(); ++t) {
    row("final training loss " + Cell(tasks[t]), [t](const RunSummary& r) {
      return t < r.final_losses.size() ? Sig4(r.final_losses[t]) : std::string(kMissing);
    });
  }
  row("weighted TA points dominated by the front",
      [](const RunSummary& r) { return OutOf(r.wta_dominated, r.wta_points); });
  row("front points dominated by weighted TA", [](const RunSummary& r) {
    return r.wta_points > 0 ? OutOf(r.front_dominated_by_wta, static_cast<int64_t>(r.front.size()))
                            : std::string(kMissing);
  });
  row("rays beating weighted TA at the same ray",
      [](const RunSummary& r) { return OutOf(r.rays_beating_wta, r.rays_compared_with_wta); });
  *out << "\n";
}

std::string BaselineLabel(const BaselinePoint& b) {
  if (b.method == "task-arithmetic") return "task arithmetic λ=" + Printf("%g", b.lambda);
  if (b.method == "simple-average") return "simple average";
  return Cell(b.name);
}

void BaselineTable(const SubsetSummary& s, std::ostringstream* out) {
  std::vector<std::string> head = {"baseline (accuracy %)"};
  for (const std::string& t : s.tasks) head.push_back(Cell(t));
  head.push_back("mean");
  head.push_back("hypervolume");
  TableHeader(head, out);
  int ta = 0, wta = 0;
  for (const BaselinePoint& b : s.baselines) {
    if (b.method == "weighted-task-arithmetic") { ++wta; continue; }
    if (b.method == "task-arithmetic") ++ta;
    std::vector<std::string> cells = {BaselineLabel(b)};
    double sum = 0;
    for (double a : b.accuracy) {
      cells.push_back(Pct(a));
      sum += a;
    }
    cells.push_back(Pct(sum / static_cast<double>(b.accuracy.size())));
    cells.push_back("");
    TableRow(cells, out);
  }
  const std::vector<std::string> blank(s.tasks.size() + 1, "");
  auto summary = [&](const std::string& name, const std::string& hv) {
    std::vector<std::string> cells = {name};
    cells.insert(cells.end(), blank.begin(), blank.end());
    cells.push_back(hv);
    TableRow(cells, out);
  };
  if (ta > 0) summary("task arithmetic sweep (" + std::to_string(ta) + " λ)", Sig4(s.ta_sweep_hypervolume));
  if (wta > 0) {
    summary("weighted task arithmetic (" + std::to_string(wta) + " rays)",
            Sig4(s.wta_hypervolume) + " (normalised " + Sig4(s.wta_hypervolume_normalized) + ")");
  }
  *out << "\n";
}

// One row per task: each run's best and equal-ray accuracy, the expert, weighted TA.
void TaskAccuracyTable(const ReportData& report, const SubsetSummary& s,
                       const std::vector<const RunSummary*>& runs, std::ostringstream* out) {
  const TaskTable table = MakeTaskTable(report, s);
  std::vector<const TaskTableRun*> columns;
  std::vector<std::string> head = {"task (accuracy %)"};
  for (const RunSummary* r : runs) {
    for (const TaskTableRun& c : table.runs) {
      if (&report.runs[c.run] != r) continue;
      columns.push_back(&c);
      head.push_back(RunLabel(*r) + " best");
      head.push_back(RunLabel(*r) + " equal ray");
    }
  }
  head.insert(head.end(), {"expert", "weighted TA best", "weighted TA equal ray"});
  *out << "Per-task accuracy: best = the highest over the rays, equal ray = at (1/T, ..., 1/T).\n\n";
  TableHeader(head, out);
  for (size_t t = 0; t < table.tasks.size(); ++t) {
    std::vector<std::string> cells = {Cell(table.tasks[t])};
    for (const TaskTableRun* c : columns) {
      cells.push_back(Pct(c->best[t]));
      cells.push_back(Pct(c->equal[t]));
    }
    cells.push_back(Pct(table.expert[t]));
    cells.push_back(Pct(table.wta_best[t]));
    cells.push_back(Pct(table.wta_equal[t]));
    TableRow(cells, out);
  }
  *out << "\n";
}

void MuTable(const std::vector<const RunSummary*>& runs, std::ostringstream* out) {
  *out << "Ray alignment mu over the interior rays (every coordinate > 0):\n\n";
  TableHeader({"run", "interior rays", "min", "median", "90%", "max"}, out);
  for (const RunSummary* r : runs) {
    const MuQuantiles& q = r->mu_quantiles;
    TableRow({RunLabel(*r), std::to_string(q.rays), Sig4(q.min), Sig4(q.median), Sig4(q.p90),
              Sig4(q.max)},
             out);
  }
  *out << "\n";
}

// Up to kPairTableTasks tasks each run's whole matrix of 2-D hypervolumes; beyond, its weakest
// pairs and its strongest (summary.json and report.html have every pair).
constexpr size_t kPairTableTasks = 8;
constexpr size_t kWeakestPairs = 5;

void PairHypervolumeTables(const ReportData& report, const std::vector<const RunSummary*>& runs,
                      std::ostringstream* out) {
  *out << "Pairwise 2-D hypervolumes (the rays' accuracies on two tasks, reference "
       << report.options.reference << "; diagonal: best accuracy minus the reference):\n\n";
  bool listed = false;
  for (const RunSummary* r : runs) {
    const std::vector<std::vector<double>>& m = r->pair_hypervolume;
    const size_t t = r->tasks.size();
    if (t <= kPairTableTasks) {
      std::vector<std::string> head = {RunLabel(*r)};
      for (const std::string& task : r->tasks) head.push_back(Cell(task));
      TableHeader(head, out);
      for (size_t i = 0; i < t; ++i) {
        std::vector<std::string> cells = {Cell(r->tasks[i])};
        for (size_t j = 0; j < t; ++j) cells.push_back(Sig4(m[i][j]));
        TableRow(cells, out);
      }
      *out << "\n";
      continue;
    }
    std::vector<std::tuple<double, size_t, size_t>> pairs;
    for (size_t i = 0; i < t; ++i) {
      for (size_t j = i + 1; j < t; ++j) {
        if (std::isfinite(m[i][j])) pairs.emplace_back(m[i][j], i, j);
      }
    }
    std::sort(pairs.begin(), pairs.end());
    auto pair = [&](const std::tuple<double, size_t, size_t>& p) {
      return Cell(r->tasks[std::get<1>(p)]) + " × " + Cell(r->tasks[std::get<2>(p)]) + " " +
             Sig4(std::get<0>(p));
    };
    listed = true;
    *out << "- " << RunLabel(*r) << ": ";
    if (pairs.empty()) {
      *out << "no rays\n";
      continue;
    }
    std::vector<std::string> weakest;
    for (size_t k = 0; k < pairs.size() && k < kWeakestPairs; ++k) weakest.push_back(pair(pairs[k]));
    *out << "weakest pairs " << Join(weakest, ", ") << "; strongest " << pair(pairs.back())
         << " (of " << pairs.size() << " pairs)\n";
  }
  if (listed) *out << "\n";
}

void SubsetSection(const ReportData& report, const SubsetSummary& s, std::ostringstream* out) {
  *out << "## " << Cell(s.key) << " (" << s.tasks.size() << " tasks)\n\n";
  const std::vector<const RunSummary*> runs = SortedRuns(report, s);
  if (runs.empty()) {
    *out << "No training runs on this subset.\n\n";
  } else {
    *out << HypervolumeSentence(runs);
    const std::string wta = WtaSentence(runs);
    *out << (wta.empty() ? "" : " " + wta) << "\n\n";
    std::vector<std::string> names;
    for (const RunSummary* r : runs) names.push_back(Code(r->run_name));
    *out << "Runs: " << Join(names, ", ") << ".\n\n";
    RunTable(runs, s.tasks, out);
    TaskAccuracyTable(report, s, runs, out);
    if (s.tasks.size() >= 3) PairHypervolumeTables(report, runs, out);
    MuTable(runs, out);
  }
  if (s.baselines.empty()) {
    *out << "No baselines evaluated on this subset.\n\n";
    return;
  }
  BaselineTable(s, out);
}

void Provenance(const ReportData& report, std::ostringstream* out) {
  const StoreHeader& h = report.header;
  *out << "## Provenance\n\n";
  *out << "- software version: " << Cell(h.software_version) << "\n";
  *out << "- configuration hash: " << Code(h.config_hash) << "\n";
  *out << "- created by: " << Code(h.command_line) << "\n\n";
  if (report.sessions.empty()) {
    *out << "No session records.\n\n";
    return;
  }
  TableHeader({"session", "started (UTC)", "version", "ranks", "hosts", "command line"}, out);
  for (size_t i = 0; i < report.sessions.size(); ++i) {
    const SessionRecord& s = report.sessions[i];
    TableRow({std::to_string(i + 1), Cell(s.start_time), Cell(s.software_version),
              std::to_string(s.ranks), Cell(Join(s.hosts, ", ")), Cell(Code(s.command_line))},
             out);
  }
  *out << "\n";
}

void Configuration(const ReportData& report, std::ostringstream* out) {
  const std::string& toml = report.header.experiment_toml;
  const std::string fence(std::max<size_t>(3, LongestBackticks(toml) + 1), '`');
  *out << "## Configuration\n\n" << fence << "toml\n" << toml;
  if (!toml.empty() && toml.back() != '\n') *out << "\n";
  *out << fence << "\n";
}

}  // namespace

std::string RenderMarkdown(const ReportData& report) {
  std::ostringstream out;
  out << "# pwemoe report" << (report.experiment_name.empty() ? "" : ": " + report.experiment_name)
      << "\n\n";
  Summary(report, &out);
  for (const SubsetSummary& s : report.subsets) SubsetSection(report, s, &out);
  Provenance(report, &out);
  Configuration(report, &out);
  return out.str();
}

}  // namespace pwemoe::results

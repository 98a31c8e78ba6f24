#include "results/report/report_md.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

#include "pwemoe/util/strings.h"
#include "results/report/report_subset_tables.h"
#include "results/report/report_table.h"

namespace pwemoe::results {

namespace {

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

void MdRow(const std::vector<std::string>& cells, std::ostringstream* out) {
  *out << "|";
  for (const std::string& c : cells) *out << " " << c << " |";
  *out << "\n";
}

void MdHeader(const std::vector<std::string>& cells, std::ostringstream* out) {
  MdRow(cells, out);
  *out << "|";
  for (size_t i = 0; i < cells.size(); ++i) *out << (i == 0 ? "---|" : "---:|");
  *out << "\n";
}

// A cell of a ReportTable: formatted (report_table.h), code as a code span, escaped.
std::string MdCell(const TableCell& c) {
  return Cell(c.kind == CellKind::kCode && !c.missing ? Code(c.text) : FormatCell(c));
}

// A ReportTable (report_table.h) with its note under it.
void MdTable(const ReportTable& t, std::ostringstream* out) {
  std::vector<std::string> head = {Cell(t.corner)};
  for (const TableColumn& c : t.columns) head.push_back(Cell(c.heading));
  MdHeader(head, out);
  for (const TableRow& row : t.rows) {
    std::vector<std::string> cells = {Cell(row.label)};
    for (const TableCell& c : row.cells) cells.push_back(MdCell(c));
    MdRow(cells, out);
  }
  *out << "\n";
  if (!t.note.empty()) *out << t.note << "\n\n";
}

// Which hypervolumes are exact and which are estimated, with the estimates' intervals.
void HvMethodLines(const ReportData& report, std::ostringstream* out) {
  if (report.hv_estimates.empty()) {
    *out << "- every hypervolume is exact\n";
    return;
  }
  *out << "- " << report.hv_estimates.size()
       << " hypervolumes are Monte Carlo estimates (exact would take over "
       << FormatMeasure(report.options.hv_exact_seconds) << " s each); the rest are exact:\n";
  for (const HvEstimateNote& e : report.hv_estimates) {
    *out << "  - " << e.what << ": " << FormatMeasure(e.value) << ", "
         << FormatMeasure(100 * e.confidence) << "% interval [" << FormatMeasure(e.lo) << ", "
         << FormatMeasure(e.hi) << "], " << e.samples
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
  MdTable(FailuresTable(report), out);
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
  if (ranked.size() == 1) {
    return "Only " + best + " has a hypervolume: " + FormatMeasure(best_hv.first) + mean + ".";
  }
  std::string s =
      best + " has the larger hypervolume" + mean + ": " + FormatMeasure(best_hv.first);
  for (size_t i = 1; i < ranked.size(); ++i) {
    const double other = ranked[i].second.first;
    const double gain = other > 0 ? 100 * (best_hv.first / other - 1) : NAN;
    s += (i == 1 ? " against " : ", ") + FormatMeasure(other) + " for " + ranked[i].first +
         (std::isfinite(gain) ? " (" + FormatPercentChange(gain) + ")" : "");
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
    parts.push_back("the front of " + Cell(RunLabel(*r)) + " dominates " + how);
  }
  if (parts.empty()) return "";
  return "Weighted task arithmetic points dominated (at least as good on every task, better on "
         "one): " + Join(parts, "; ") + ".";
}

// The hypervolumes of the task arithmetic sweep and of weighted task arithmetic, "" without
// either.
std::string BaselineHypervolumes(const SubsetSummary& s) {
  int ta = 0, wta = 0;
  for (const BaselinePoint& b : s.baselines) {
    ta += b.method == "task-arithmetic";
    wta += b.method == "weighted-task-arithmetic";
  }
  std::vector<std::string> parts;
  if (ta > 0) {
    parts.push_back("task arithmetic sweep (" + std::to_string(ta) + " λ) " +
                    FormatMeasure(s.ta_sweep_hypervolume));
  }
  if (wta > 0) {
    parts.push_back("weighted task arithmetic (" + std::to_string(wta) + " rays) " +
                    FormatMeasure(s.wta_hypervolume) + " (normalised " +
                    FormatMeasure(s.wta_hypervolume_normalized) + ")");
  }
  return parts.empty() ? "" : "Hypervolume: " + Join(parts, "; ") + ".\n\n";
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
      std::vector<std::string> head = {Cell(RunLabel(*r))};
      for (const std::string& task : r->tasks) head.push_back(Cell(task));
      MdHeader(head, out);
      for (size_t i = 0; i < t; ++i) {
        std::vector<std::string> cells = {Cell(r->tasks[i])};
        for (size_t j = 0; j < t; ++j) cells.push_back(FormatMeasure(m[i][j]));
        MdRow(cells, out);
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
             FormatMeasure(std::get<0>(p));
    };
    listed = true;
    *out << "- " << Cell(RunLabel(*r)) << ": ";
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
  const SubsetTables tables = MakeSubsetTables(report, s);
  if (runs.empty()) {
    *out << "No training runs on this subset.\n\n";
  } else {
    *out << HypervolumeSentence(runs);
    const std::string wta = WtaSentence(runs);
    *out << (wta.empty() ? "" : " " + wta) << "\n\n";
    std::vector<std::string> names;
    for (const RunSummary* r : runs) names.push_back(Code(r->run_name));
    *out << "Runs: " << Join(names, ", ") << ".\n\n";
    MdTable(tables.runs, out);
    MdTable(tables.tasks, out);
    if (s.tasks.size() >= 3) PairHypervolumeTables(report, runs, out);
    MdTable(tables.mu, out);
  }
  if (s.baselines.empty()) {
    *out << "No baselines evaluated on this subset.\n\n";
    return;
  }
  if (!tables.baselines.rows.empty()) MdTable(tables.baselines, out);
  *out << BaselineHypervolumes(s);
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
  MdTable(SessionsTable(report), out);
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

// fronts.csv (report_tables.h); summary.json is in report_json.cpp.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "pwemoe/util/files.h"
#include "results/report/report_tables.h"

namespace pwemoe::results {

namespace {

const char* const kFixedColumns[] = {"kind",   "subset", "run",    "variant",   "seed",
                                     "label",  "on_front", "mu",   "method",    "name",
                                     "lambda", "ray_index"};
constexpr size_t kNumFixed = sizeof(kFixedColumns) / sizeof(kFixedColumns[0]);

std::string Number(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string Quoted(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Every task of the report, the largest subset's first.
std::vector<std::string> AllTasks(const ReportData& report) {
  std::vector<const SubsetSummary*> subsets;
  for (const SubsetSummary& s : report.subsets) subsets.push_back(&s);
  std::stable_sort(subsets.begin(), subsets.end(), [](const SubsetSummary* a, const SubsetSummary* b) {
    return a->tasks.size() > b->tasks.size();
  });
  std::vector<std::string> tasks;
  for (const SubsetSummary* s : subsets) {
    for (const std::string& t : s->tasks) {
      if (std::find(tasks.begin(), tasks.end(), t) == tasks.end()) tasks.push_back(t);
    }
  }
  return tasks;
}

// Writes the task columns of one row: values [T] of the subset's `tasks`, placed in `all` order.
void TaskCells(const std::vector<std::string>& all, const std::vector<std::string>& tasks,
               const std::vector<double>& values, std::vector<std::string>* cells) {
  for (const std::string& t : all) {
    auto it = std::find(tasks.begin(), tasks.end(), t);
    const size_t i = static_cast<size_t>(it - tasks.begin());
    cells->push_back(it != tasks.end() && i < values.size() ? Number(values[i]) : "");
  }
}

void Row(const std::vector<std::string>& cells, std::ostringstream* out) {
  for (size_t i = 0; i < cells.size(); ++i) *out << (i ? "," : "") << Quoted(cells[i]);
  *out << "\n";
}

void RunRows(const std::vector<std::string>& all, const RunSummary& r, std::ostringstream* out) {
  for (const RayPoint& p : r.rays) {
    std::vector<std::string> cells = {"run", r.subset_key, r.run_name, r.variant,
                                      std::to_string(r.seed), p.label, p.on_front ? "1" : "0",
                                      Number(p.mu), "", "", "", std::to_string(p.ray_index)};
    TaskCells(all, r.tasks, p.ray, &cells);
    TaskCells(all, r.tasks, p.accuracy, &cells);
    TaskCells(all, r.tasks, p.mean_loss, &cells);
    Row(cells, out);
  }
}

void BaselineRows(const std::vector<std::string>& all, const SubsetSummary& s,
                  std::ostringstream* out) {
  for (const BaselinePoint& b : s.baselines) {
    std::vector<std::string> cells = {"baseline", s.key, "", "", "", "", "", "", b.method, b.name,
                                      Number(b.lambda), std::to_string(b.ray_index)};
    TaskCells(all, s.tasks, b.ray, &cells);
    TaskCells(all, s.tasks, b.accuracy, &cells);
    TaskCells(all, s.tasks, b.mean_loss, &cells);
    Row(cells, out);
  }
}

}  // namespace

std::string FrontsCsv(const ReportData& report) {
  const std::vector<std::string> all = AllTasks(report);
  std::vector<std::string> header(kFixedColumns, kFixedColumns + kNumFixed);
  for (const char* prefix : {"ray_", "accuracy_", "mean_loss_"}) {
    for (const std::string& t : all) header.push_back(prefix + t);
  }
  std::ostringstream out;
  Row(header, &out);
  for (const SubsetSummary& s : report.subsets) {
    for (size_t r : s.runs) RunRows(all, report.runs[r], &out);
    BaselineRows(all, s, &out);
  }
  return out.str();
}

Status WriteFrontsCsv(const ReportData& report, const std::string& path) {
  return WriteFileAtomically(path, FrontsCsv(report));
}

}  // namespace pwemoe::results

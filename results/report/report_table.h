// The table model of the report: every table that report.md, report.html and summary.json show is
// one ReportTable, built once (report_subset_tables.h) and only rendered by the writers. A cell
// holds a value and its kind; FormatCell is the one place where numbers become text:
//   accuracy    a percentage with 2 decimals ("81.23" for 0.81234)
//   measure     a hypervolume, mu, loss or other real number: 4 significant digits, trailing
//               zeros kept ("0.5640")
//   seconds     1 decimal
//   count       an integer
//   out of      "part / whole"
//   parameter   a lambda: the shortest form ("%g": "0.3")
//   ray         (FormatRay) each coordinate with 3 decimals
//   text, code, error   text as is (the writers mark code and errors up)
// and a missing value (NaN, a count out of nothing) is kMissingMark in every format.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pwemoe::results {

// What a missing value looks like in report.md and report.html.
constexpr char kMissingMark[] = "–";

enum class CellKind { kText, kCode, kError, kAccuracy, kMeasure, kSeconds, kCount, kOutOf,
                      kParameter };

struct TableCell {
  CellKind kind = CellKind::kText;
  std::string text;      // kText, kCode, kError
  double value = 0;      // kAccuracy, kMeasure, kSeconds, kParameter; NaN: missing
  int64_t part = 0;      // kCount, kOutOf
  int64_t whole = 0;     // kOutOf
  bool missing = false;  // shown as kMissingMark whatever the kind
};

// A column after the label column. A run's column names the run, so that report.html can colour
// it by variant and give the full name as a tooltip.
struct TableColumn {
  std::string heading;
  std::string run_name;  // "" when the column is not one run's
  std::string variant;   // the run's variant, else ""
};

struct TableRow {
  std::string label;
  std::vector<TableCell> cells;  // one per column
};

struct ReportTable {
  std::string name;    // "runs", "tasks", ...: summary.json's key and report.html's class
  std::string corner;  // heading of the label column
  std::vector<TableColumn> columns;
  std::vector<TableRow> rows;
  std::string note;    // shown under the table; "" for none
};

// Cells of each kind. A non-finite value makes a missing cell.
TableCell TextCell(const std::string& text);
TableCell CodeCell(const std::string& text);
TableCell ErrorCell(const std::string& text);
TableCell AccuracyCell(double accuracy);
TableCell MeasureCell(double value);
TableCell SecondsCell(double seconds);
TableCell ParameterCell(double value);
TableCell CountCell(int64_t count);
// "part / whole"; missing when whole <= 0 and `empty_is_missing`.
TableCell OutOfCell(int64_t part, int64_t whole, bool empty_is_missing = true);
TableCell MissingCell();

// Whether the cell holds a number (report.html aligns those right).
bool IsNumeric(const TableCell& cell);

// The cell's text in report.md and report.html (see above), not yet escaped for either.
std::string FormatCell(const TableCell& cell);

// A ray's coordinates with 3 decimals, separated by spaces ("0.500 0.500").
std::string FormatRay(const std::vector<double>& ray);

// A real number with 4 significant digits, trailing zeros kept; kMissingMark when not finite.
// The same text as FormatCell(MeasureCell(v)), for the report's sentences.
std::string FormatMeasure(double v);

// A relative change in percent with its sign and 2 decimals ("+1.25%"), for the report's
// sentences; kMissingMark when not finite.
std::string FormatPercentChange(double percent);

}  // namespace pwemoe::results

#include "results/report/report_table.h"

#include <cmath>
#include <cstdio>

namespace pwemoe::results {
namespace {

std::string Printf(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

TableCell ValueCell(CellKind kind, double v) {
  TableCell c;
  c.kind = kind;
  c.value = v;
  c.missing = !std::isfinite(v);
  return c;
}

TableCell StringCell(CellKind kind, const std::string& text) {
  TableCell c;
  c.kind = kind;
  c.text = text;
  return c;
}

}  // namespace

TableCell TextCell(const std::string& text) { return StringCell(CellKind::kText, text); }
TableCell CodeCell(const std::string& text) { return StringCell(CellKind::kCode, text); }
TableCell ErrorCell(const std::string& text) { return StringCell(CellKind::kError, text); }
TableCell AccuracyCell(double accuracy) { return ValueCell(CellKind::kAccuracy, accuracy); }
TableCell MeasureCell(double value) { return ValueCell(CellKind::kMeasure, value); }
TableCell SecondsCell(double seconds) { return ValueCell(CellKind::kSeconds, seconds); }
TableCell ParameterCell(double value) { return ValueCell(CellKind::kParameter, value); }

TableCell CountCell(int64_t count) {
  TableCell c;
  c.kind = CellKind::kCount;
  c.part = count;
  return c;
}

TableCell OutOfCell(int64_t part, int64_t whole, bool empty_is_missing) {
  TableCell c;
  c.kind = CellKind::kOutOf;
  c.part = part;
  c.whole = whole;
  c.missing = empty_is_missing && whole <= 0;
  return c;
}

TableCell MissingCell() {
  TableCell c;
  c.missing = true;
  return c;
}

bool IsNumeric(const TableCell& cell) {
  return cell.kind != CellKind::kText && cell.kind != CellKind::kCode &&
         cell.kind != CellKind::kError;
}

std::string FormatCell(const TableCell& cell) {
  if (cell.missing) return kMissingMark;
  switch (cell.kind) {
    case CellKind::kText:
    case CellKind::kCode:
    case CellKind::kError: return cell.text;
    case CellKind::kAccuracy: return Printf("%.2f", 100 * cell.value);
    case CellKind::kMeasure: return Printf("%#.4g", cell.value);
    case CellKind::kSeconds: return Printf("%.1f", cell.value);
    case CellKind::kParameter: return Printf("%g", cell.value);
    case CellKind::kCount: return std::to_string(cell.part);
    case CellKind::kOutOf: return std::to_string(cell.part) + " / " + std::to_string(cell.whole);
  }
  return kMissingMark;
}

std::string FormatRay(const std::vector<double>& ray) {
  std::string out;
  for (size_t i = 0; i < ray.size(); ++i) out += (i ? " " : "") + Printf("%.3f", ray[i]);
  return out;
}

std::string FormatMeasure(double v) { return FormatCell(MeasureCell(v)); }

std::string FormatPercentChange(double percent) {
  return std::isfinite(percent) ? Printf("%+.2f", percent) + "%" : kMissingMark;
}

}  // namespace pwemoe::results

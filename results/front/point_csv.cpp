#include "results/front/point_csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "pwemoe/util/csv.h"

namespace pwemoe::results {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The value of `field` (of `line`) trimmed, or InvalidArgument naming the column of the field's
// first non-blank character in the line (an opening quote, for a quoted value).
Status ParseValue(const std::string& line, const CsvField& field, double* value) {
  size_t at = field.begin;
  while (at < line.size() && IsBlank(line[at])) ++at;
  const std::string column = "column " + std::to_string(at + 1) + ": ";
  const std::string& text = field.text;
  size_t begin = 0, end = text.size();
  while (begin < end && IsBlank(text[begin])) ++begin;
  while (end > begin && IsBlank(text[end - 1])) --end;
  const std::string trimmed = text.substr(begin, end - begin);
  if (trimmed.empty()) return Status::InvalidArgument(column + "empty value");
  char* stop = nullptr;
  errno = 0;
  *value = std::strtod(trimmed.c_str(), &stop);
  if (stop != trimmed.c_str() + trimmed.size()) {
    return Status::InvalidArgument(column + "'" + trimmed + "' is not a number");
  }
  if (!std::isfinite(*value)) {
    return Status::InvalidArgument(column + "'" + trimmed + "' is not finite");
  }
  return Status::Ok();
}

bool SkippedLine(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && IsBlank(line[i])) ++i;
  return i == line.size() || line[i] == '#';
}

}  // namespace

Status ParseNumberRow(const std::string& text, std::vector<double>* values) {
  values->clear();
  std::vector<CsvField> fields;
  if (!SplitCsvRecord(text, &fields)) {
    return Status::InvalidArgument("column " + std::to_string(fields.back().begin + 1) +
                                   ": unterminated quote");
  }
  for (const CsvField& field : fields) {
    double v = 0;
    PWEMOE_RETURN_IF_ERROR(ParseValue(text, field, &v));
    values->push_back(v);
  }
  return Status::Ok();
}

Status ReadPointsCsv(std::istream& in, const std::string& source,
                     std::vector<std::vector<double>>* points) {
  points->clear();
  std::string line;
  size_t line_no = 0, first_line = 0;
  std::vector<double> row;
  while (std::getline(in, line)) {
    ++line_no;
    if (SkippedLine(line)) continue;
    const std::string where = source + ": line " + std::to_string(line_no);
    Status st = ParseNumberRow(line, &row);
    if (!st.ok()) return Status::InvalidArgument(where + ", " + st.message());
    if (!points->empty() && row.size() != points->front().size()) {
      return Status::InvalidArgument(where + ": " + std::to_string(row.size()) + " values, line " +
                                     std::to_string(first_line) + " has " +
                                     std::to_string(points->front().size()));
    }
    if (points->empty()) first_line = line_no;
    points->push_back(row);
  }
  if (in.bad()) return Status::IoError(source + ": read failed after line " + std::to_string(line_no));
  return Status::Ok();
}

}  // namespace pwemoe::results

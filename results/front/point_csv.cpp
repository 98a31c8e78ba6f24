#include "results/front/point_csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace pwemoe::results {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The value of text[begin, end) trimmed, or InvalidArgument naming its column.
Status ParseValue(const std::string& text, size_t begin, size_t end, double* value) {
  while (begin < end && IsBlank(text[begin])) ++begin;
  while (end > begin && IsBlank(text[end - 1])) --end;
  const std::string column = "column " + std::to_string(begin + 1) + ": ";
  const std::string field = text.substr(begin, end - begin);
  if (field.empty()) return Status::InvalidArgument(column + "empty value");
  char* stop = nullptr;
  errno = 0;
  *value = std::strtod(field.c_str(), &stop);
  if (stop != field.c_str() + field.size()) {
    return Status::InvalidArgument(column + "'" + field + "' is not a number");
  }
  if (!std::isfinite(*value)) {
    return Status::InvalidArgument(column + "'" + field + "' is not finite");
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
  size_t begin = 0;
  while (true) {
    const size_t comma = text.find(',', begin);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    double v = 0;
    PWEMOE_RETURN_IF_ERROR(ParseValue(text, begin, end, &v));
    values->push_back(v);
    if (comma == std::string::npos) return Status::Ok();
    begin = comma + 1;
  }
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

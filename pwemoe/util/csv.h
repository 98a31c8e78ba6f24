// Splitting one CSV record (RFC 4180, without line breaks inside a field): the one splitter of
// every CSV file pwemoe reads (image lists, pwemoe-hv's points).
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pwemoe {

// One field of a record.
struct CsvField {
  std::string text;  // the field's characters, quotes removed; blanks kept (callers trim)
  size_t begin = 0;  // the offset in the line of the field's first character
};

// Splits `line` into *fields (at least one) at its commas. A '"' opens a quoted stretch, in which
// commas are text and "" is one '"'; the next lone '"' closes it. False when a quoted stretch is
// still open at the end of the line.
bool SplitCsvRecord(const std::string& line, std::vector<CsvField>* fields);

}  // namespace pwemoe

// Reading points as comma-separated numbers, one point a line (the input of pwemoe-hv).
//
// Format: each line is "v1,v2,...,vd", a CSV record (pwemoe/util/csv.h: a value may be quoted,
// "0.5"; spaces and tabs around values allowed, "\r\n" line ends accepted); blank lines and lines
// whose first non-blank character is '#' are skipped; every point has the same number of values;
// values are finite decimal numbers (strtod syntax).
//
// Thread safety: pure functions over their arguments (the stream is the caller's).
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::results {

// Parses one row "v1,...,vk" into *values. InvalidArgument "column C: ..." naming the 1-based
// character column where the bad value starts (an empty value, not a number, not finite, a quote
// left open).
Status ParseNumberRow(const std::string& text, std::vector<double>* values);

// Reads every point of `in` into *points. InvalidArgument "<source>: line L, column C: ..." for a
// bad value, or "<source>: line L: k values, line M has d" for a row of the wrong length;
// IoError when the stream fails. `source` names the input in messages ("-" for stdin, a path).
Status ReadPointsCsv(std::istream& in, const std::string& source,
                     std::vector<std::vector<double>>* points);

}  // namespace pwemoe::results

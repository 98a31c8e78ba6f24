// Field-by-field comparison of two result stores' contents (a header and a ResultSet each), for
// the round-trip tests and the results_compare tool.
//
// Numbers compare bit for bit, except that any two NaNs are equal; strings and vectors exactly.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "results/store/records.h"
#include "results/store/result_set.h"

namespace pwemoe::results::testing {

struct CompareOptions {
  bool ignore_timing = false;        // every `seconds`, FailureRecord::time and the sessions
  bool ignore_command_line = false;  // StoreHeader::command_line
  bool ignore_header = false;        // the whole StoreHeader (runs of configurations that differ
                                     // only in how the work was laid out, e.g. ranks_per_group)
};

// The first difference, in unit id order after the header, as "<where>: <field>: <a> vs <b>"
// (e.g. "unit 7 (eval): accuracy[2]: 0.5 vs 0.625", "header: config_hash: ..."); "" when equal.
std::string FirstDifference(const StoreHeader& header_a, const ResultSet& a,
                            const StoreHeader& header_b, const ResultSet& b,
                            const CompareOptions& options = {});

}  // namespace pwemoe::results::testing

// Random, valid records for the result-store property tests: every record type, NaN and infinite
// numbers, empty and scalar tensors, '/' in run and tensor names, rays of several widths, evals
// of untrained runs, failures of units that later succeed.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "results/store/records.h"
#include "results/store/result_set.h"

namespace pwemoe::results::testing {

// One record of any type (exactly one member is set).
struct AnyRecord {
  std::vector<TrainRecord> train;
  std::vector<EvalRecord> eval;
  std::vector<BaselineRecord> baseline;
  std::vector<FailureRecord> failure;
  std::vector<SessionRecord> session;
};

// A random experiment's records in a random arrival order (unit ids unique per result; some
// failures repeat a unit id that also gets a result; a few session records in between). Every record passes Validate, and
// WriteResultsHdf5 accepts them all. Evaluation records have at least one row unless
// `allow_empty_eval`.
std::vector<AnyRecord> RandomRecords(uint64_t seed, bool allow_empty_eval = false);

// `set` as ReadResults gives it back from the file (h5_reader.h): tensors sorted by link name,
// evaluation rows by ray index, an evaluation without rows reduced to its unit id and seconds.
ResultSet AsReadBack(const ResultSet& set);

}  // namespace pwemoe::results::testing

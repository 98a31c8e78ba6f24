// The record-level readers of a results file, below ReadResults / ReadRunRouters (h5_reader.h):
// /runs (training records, evaluation tables, routers), /baselines and /failures, each turned
// back into the records WriteResultsHdf5 laid out (see h5_reader.h for what the file does not
// keep). Errors are Corrupt naming the object path in the file, or IoError from HDF5; callers
// add the file's name. /runs is read in h5_run_reader.cpp, /baselines and /failures in
// h5_table_reader.cpp.
//
// Thread safety: callers hold h5::LockHdf5() (pwemoe/h5/check.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/store/h5_node.h"
#include "results/store/records.h"

namespace pwemoe::results {

// The records found under /runs. Evaluation records have seconds 0 (only /units holds them).
struct RunRecords {
  std::vector<TrainRecord> train;       // in link-name order
  std::map<int64_t, EvalRecord> eval;   // by unit id
};

// Every run group below `root` ("/runs"). Each record read is checked with Validate (an invalid
// one is Corrupt); an evaluation unit whose rows sit in two tables is Corrupt.
Status ReadRuns(const Node& root, RunRecords* out);

// The routers of the trained run `run_name` (or its link name): "final" when step is -1, else
// "step_<step>"; tensors sorted by link name. NotFound listing the trained runs, or the run's
// checkpoint steps.
Status ReadRouters(const Node& root, const std::string& run_name, int64_t step,
                   std::vector<NamedTensor>* out, std::vector<std::string>* tasks);

// /baselines grouped back into records by unit id (seconds 0: only /units holds them).
Status ReadBaselines(const Node& root, std::map<int64_t, BaselineRecord>* out);

// /failures, by unit id.
Status ReadFailures(const Node& root, std::map<int64_t, FailureRecord>* out);

// /sessions, in file order; empty when the file has no /sessions (written before sessions were
// recorded).
Status ReadSessions(const Node& root, std::vector<SessionRecord>* out);

}  // namespace pwemoe::results

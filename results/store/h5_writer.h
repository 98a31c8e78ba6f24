// Lays out a store's records as the HDF5 file that users read (SCHEMA.md).
//
// The file is written to "<path>.tmp-<pid>", flushed to disk and renamed over `path`, so that
// `path` is always either the previous complete file or the new complete one. The content is a
// function of the header and the ResultSet only (records sorted by unit id, no timestamps in
// object headers), so the same records in any arrival order give a byte-identical file.
//
// Thread safety: takes the process-wide HDF5 lock (pwemoe/h5/check.h) for the whole write.
#pragma once

#include <string>

#include "pwemoe/util/status.h"
#include "results/store/records.h"
#include "results/store/result_set.h"

namespace pwemoe::results {

// The HDF5 schema version written as the root attribute "schema_version".
constexpr int64_t kSchemaVersion = 1;

// The root attribute `eval_samples` (SCHEMA.md): the rule by which evaluations choose their test
// samples under [eval] sample_cap (pwemoe/eval/sample_subset.h, StratifiedSubset).
inline constexpr const char* kEvalSamplesRule =
    "sample_cap = 0: every test sample; sample_cap > 0: a class-stratified subset of min(cap, N) "
    "samples of each task's test file (per class floor(cap n_c / N), leftovers to the largest "
    "remainders, chosen by a SplitMix64 shuffle per class from the seed 0x5057454d6f45), the same "
    "for every ray, run and baseline";

// "ls/clothing+digits/seed0" -> "ls__clothing+digits__seed0": '/' becomes "__" so that a name
// is one HDF5 link name.
std::string LinkName(const std::string& name);

// Writes `header` and `results` to `path` atomically (see above). InvalidArgument when two names
// map to the same link name; IoError naming `path` (with the HDF5 call, file and line) when
// writing fails, in which case `path` is unchanged and the temporary file removed.
Status WriteResultsHdf5(const std::string& path, const StoreHeader& header,
                        const ResultSet& results);

}  // namespace pwemoe::results

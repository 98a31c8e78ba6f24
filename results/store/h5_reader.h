// Reading a results file written by WriteResultsHdf5 (SCHEMA.md, schema_version 1) back into
// records: for comparing runs (tests' results_compare), for pwemoe-export --results and reports.
//
// What the file does not keep, and how it reads back:
//  - tensor order: router tensors come back sorted by link name (HDF5's name order), not in the
//    order the record listed them;
//  - evaluation rows: a unit's rows come back sorted by ray_index (the file's order);
//  - NaN padding: a ray column that is NaN for every row of an evaluation unit, and the trailing
//    NaN entries of a baseline row's ray, are taken as the writer's padding and dropped (a
//    baseline row without a ray has an empty ray, as written);
//  - baseline subsets are split at '+' (the file joins them with '+'; "" is no subset);
//  - LS runs: epo_alpha empty, epo_mu NaN, epo_mode "" (the file has no EPO columns for them);
//  - an evaluation unit without rows appears only in /units: it reads back as an EvalRecord with
//    its unit id and seconds and nothing else.
// Everything else (every number bit for bit, NaN included; every string) reads back as written,
// so ReadResults(WriteResultsHdf5(h, s)) equals (h, s) up to the list above.
//
// Errors name the file and the object at fault: NotFound when the file (or the run, or the
// checkpoint) does not exist, listing what does; IoError when it cannot be read; Corrupt
// "<file>: <object path>: <problem>" when it is not an HDF5 file, is truncated, or its content
// does not match the schema. Malformed files never crash the reader: dataset sizes are checked
// against the file size before anything is allocated.
//
// Thread safety: each call takes the process-wide HDF5 lock (pwemoe/h5/check.h) while it
// reads; concurrent calls are safe and serialized.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/store/records.h"
#include "results/store/result_set.h"

namespace pwemoe::results {

// Reads the whole file: the header (root attributes) into *header and every record into *out
// (both replaced on success, unspecified on failure). Besides the schema's layout it checks
// that /units agrees with the records (each unit once, of the kind listed), the root counts
// units_done / units_failed, and schema_version (Corrupt for another version).
Status ReadResults(const std::string& h5_path, StoreHeader* header, ResultSet* out);

// Reads only the root attributes into *header.
Status ReadStoreHeader(const std::string& h5_path, StoreHeader* header);

// The routers of one trained run: its final routers (step -1) or the checkpoint at `step`, into
// *out (sorted by name) and the run's tasks, in ray order, into *tasks. `run_name` is the run's
// name ("ls/a+b/seed0"; its link name works too). NotFound naming the file and listing the
// trained runs when there is no such trained run, or listing the run's checkpoint steps when
// there is no checkpoint at `step`; Corrupt / IoError as above.
Status ReadRunRouters(const std::string& h5_path, const std::string& run_name, int64_t step,
                      std::vector<NamedTensor>* out, std::vector<std::string>* tasks);

}  // namespace pwemoe::results

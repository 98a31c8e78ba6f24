// The records of the result store: one per finished work unit (a training run, an evaluation of
// a block of rays on one task, a baseline evaluation) or failed one, plus the store's header.
//
// Plain values without LibTorch: tensors are a name, a shape and row-major float values. The
// orchestrator fills them from worker results; the journal (journal.h) persists them and the
// HDF5 writer (h5_writer.h) lays them out as SCHEMA.md describes.
//
// Thread safety: plain values; the Validate functions keep no state.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::results {

// What identifies a store: records from another configuration never mix with these.
struct StoreHeader {
  std::string config_hash;       // hash of the resolved experiment configuration
  std::string experiment_toml;   // the resolved configuration (config::ToToml: overrides applied)
  std::string software_version;  // PWEMOE_VERSION of the writer
  std::string command_line;      // the command that created the store
  int64_t num_units = 0;         // units in the plan
};

// One named float32 tensor, row-major; values.size() is the product of shape (1 for a scalar).
struct NamedTensor {
  std::string name;  // e.g. "layers.3.mlp.router.fc1.weight"
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// The router parameters at one training step.
struct RouterCheckpoint {
  int64_t step = 0;
  std::vector<NamedTensor> tensors;
};

// One logged training step of a run over T tasks.
struct TrainStep {
  int64_t step = 0;
  double lr = 0;
  std::vector<double> ray;           // [T] the preference ray sampled at this step
  std::vector<double> losses;        // [T] per-task losses
  std::vector<double> loss_weights;  // [T] the weights the update applied to the losses
  double total_loss = 0;
  // EPO only (empty / NaN / "" for LS):
  std::vector<double> epo_alpha;  // [T]
  double epo_mu = std::numeric_limits<double>::quiet_NaN();
  std::string epo_mode;  // e.g. "balance", "descent"
};

// A finished training unit.
struct TrainRecord {
  int64_t unit_id = 0;
  std::string run_name;  // "ls/clothing+digits/seed0"
  std::string variant;   // "LS" or "EPO"
  std::vector<std::string> tasks;  // the run's T tasks, in ray order
  uint64_t seed = 0;
  std::vector<TrainStep> steps;                // in step order
  std::vector<RouterCheckpoint> checkpoints;   // intermediate routers, by step
  std::vector<NamedTensor> final_router;       // the trained router parameters
  double seconds = 0;                          // wall time of the unit
};

// A finished evaluation unit: k rays of one run evaluated on one task.
struct EvalRecord {
  int64_t unit_id = 0;
  std::string run_name;
  std::string task;
  std::vector<int64_t> ray_index;        // [k] index into the subset's ray set
  std::vector<std::string> ray_label;    // [k] e.g. "grid-3" ("" allowed)
  std::vector<std::vector<double>> rays; // [k][T]
  std::vector<double> accuracy;          // [k] in [0, 1]
  std::vector<double> mean_loss;         // [k]
  std::vector<int64_t> count;            // [k] test samples evaluated per ray
  double seconds = 0;
};

// One row of a baseline evaluation: one model (per ray for preference-weighted methods).
struct BaselineRow {
  int64_t ray_index = -1;    // -1 when the method takes no ray
  std::vector<double> ray;   // empty when the method takes no ray
  double accuracy = 0;
  double mean_loss = 0;
  int64_t count = 0;
};

// A finished baseline unit: one method on one task, one or more rows.
struct BaselineRecord {
  int64_t unit_id = 0;
  std::string method;  // "pretrained", "expert", "simple-average", "task-arithmetic", ...
  std::string name;    // full label, e.g. "task-arithmetic:0.3", "expert:digits"
  double lambda = std::numeric_limits<double>::quiet_NaN();  // NaN when not applicable
  std::vector<std::string> subset;  // the merged tasks; empty for all / not applicable
  std::string task;                 // the task evaluated
  std::vector<BaselineRow> rows;
  double seconds = 0;
};

// A unit that failed (bad data, NaN, ...); independent units go on.
struct FailureRecord {
  int64_t unit_id = 0;
  std::string description;  // DescribeUnit's line, e.g. "eval ls/a+b/seed0 rays 0-7 on task a"
  std::string message;      // Status::ToString() of the failure
  std::string time;         // UTC ISO 8601; ResultStore::Append fills it when empty
};

// One invocation of the orchestrator on the store (the first run, then every resume): where and
// when the numbers were computed. Informational: it takes no unit id and never makes a unit done.
struct SessionRecord {
  std::string start_time;          // UTC ISO 8601
  std::string command_line;        // the invocation's command line
  std::string software_version;    // PWEMOE_VERSION of the invocation
  int64_t ranks = 0;               // MPI ranks (workers)
  std::vector<std::string> hosts;  // distinct host names of the ranks, sorted
};

// Validation before a record is journaled: InvalidArgument naming the unit and the field when
// a record is inconsistent (empty names, vectors of mismatched length, a tensor whose values do
// not match its shape, a negative unit id).
Status Validate(const StoreHeader& header);
Status Validate(const TrainRecord& record);
Status Validate(const EvalRecord& record);
Status Validate(const BaselineRecord& record);
Status Validate(const FailureRecord& record);
Status Validate(const SessionRecord& record);

}  // namespace pwemoe::results

// UnitRunner: executes one work unit of an experiment with pwemoe/ and returns its result as a
// results record (results/store/records.h), the form the coordinator journals. One per worker process.
//
// Units are given by explicit specs (the orchestrator translates its plan's units into them), so
// this module knows the experiment configuration but not the plan or the protocol.
//
// Caches (what a worker keeps between units; docs/DESIGN.md, "Work units and scheduling"): loaded model
// pools and their upscaled models per task subset (least recently used first out, at most
// `max_cached_subsets` of each; the pretrained model alone and a single expert's pool, which the
// pretrained and expert baselines load, count as subsets), heads per task, and opened datasets
// per file. Nothing else survives a unit: router parameters come inside each evaluation spec.
// The parts live in worker/unit_cache.h, group_training.h and unit_records.h.
//
// Determinism: for a configuration and a LibTorch thread count, a unit's numbers (everything but
// the `seconds` fields) are bitwise identical whichever rank runs it and whatever ran before it
// on that rank. Training numbers are identical for the same group size (tasks are split over the
// group's ranks; when ranks outnumber a subset's tasks, each task's batch is split into slices,
// which changes the summation order, hence "for the same group size").
//
// Thread safety: a UnitRunner is used by one thread at a time. It does not set LibTorch's thread
// count: the caller sets it (torch::set_num_threads) on the thread that runs units.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "comm/group_comm.h"
#include "config/experiment_config.h"
#include "pwemoe/rays.h"
#include "pwemoe/util/status.h"
#include "results/store/records.h"

namespace pwemoe::worker {

// One training run: routers of `tasks` trained with `variant` from `seed` (router initialisation,
// rays and batches) with the configuration's [upscale] and [train] settings.
struct TrainSpec {
  int64_t unit_id = 0;
  std::string run_name;           // "ls/clothing+digits/seed0"
  config::Variant variant = config::Variant::kLs;
  std::vector<int> tasks;         // indices into config.tasks, the run's ray order
  uint64_t seed = 0;
};

// Rays [ray_index] of a subset's evaluation set, with their indices in that set and labels.
struct RayBlock {
  std::vector<int64_t> index;
  std::vector<std::string> label;  // e.g. "grid", "one-hot+grid"
  std::vector<Ray> rays;           // each of length tasks.size()
};

// One evaluation unit: a trained run's routers merged at each ray of the block, evaluated on one
// task of its subset.
struct EvalSpec {
  int64_t unit_id = 0;
  std::string run_name;
  std::vector<int> tasks;  // the run's subset, ray order
  int task = 0;            // the task evaluated: an index into config.tasks, one of `tasks`
  RayBlock rays;
  std::vector<results::NamedTensor> routers;  // the run's final routers (TrainRecord::final_router)
};

enum class BaselineMethod { kPretrained, kExpert, kSimpleAverage, kTaskArithmetic, kWeightedTaskArithmetic };

// One baseline unit: one merged model (one per ray for weighted task arithmetic) evaluated on
// `task`. Merges use the pool of `tasks` (the subset). Pretrained and expert ignore `tasks`: they
// load only the pretrained model, or the pretrained model and that expert, which gives the same
// parameters as any pool holding them. Record: method "pretrained", "expert", "simple-average",
// "task-arithmetic" or "weighted-task-arithmetic"; name "pretrained", "expert:<task>",
// "simple-average", "task-arithmetic:<lambda>", "weighted-task-arithmetic:<lambda>" (%g);
// lambda NaN unless a task-arithmetic method; subset the names of `tasks` (empty for pretrained
// and expert); rows with ray_index -1 and no ray, except weighted task arithmetic (one per ray).
struct BaselineSpec {
  int64_t unit_id = 0;
  BaselineMethod method = BaselineMethod::kPretrained;
  std::vector<int> tasks;  // the merged subset (indices into config.tasks); empty: not applicable
  int task = 0;            // evaluated task, index into config.tasks
  int expert = -1;         // kExpert: index into config.tasks
  double lambda = 0;       // the two task-arithmetic methods
  RayBlock rays;           // kWeightedTaskArithmetic only
};

class UnitRunner {
 public:
  // Keeps a copy of the configuration. `device` is where models run ("cpu", or "cuda:<k>" in a
  // CUDA build). No file is read until a unit needs it.
  UnitRunner(const config::ExperimentConfig& config, std::string device, int max_cached_subsets = 2);
  ~UnitRunner();
  UnitRunner(const UnitRunner&) = delete;
  UnitRunner& operator=(const UnitRunner&) = delete;

  // Trains one run together with the other ranks of `group` (size 1: alone). Collective: every
  // rank of the group calls it with the same spec. Tasks are split over the group's ranks (and
  // batches over ranks when ranks outnumber tasks); each step one AllReduceSum of the T x (1 + P)
  // loss/gradient buffer plus one error flag, so a rank whose own part fails (unreadable data,
  // NaN) makes every rank of the group stop at the same step instead of blocking the others.
  // On group rank 0, *out receives every step's record (LS: epo_alpha empty, epo_mu NaN,
  // epo_mode ""), the checkpoints every train.save_interval steps before the last step, and the
  // final routers (float32, moe::RoutersToTensorMap key names, sorted by name); other ranks leave
  // it unspecified. Routers start from moe::InitRouters with spec.seed ([upscale] depth and
  // init_lambda). With a group of one (or of at most T ranks) the numbers are bitwise those of
  // train::Train on the same problem.
  // Errors: loading and training errors with "run R" as context; on a rank whose own part did
  // not fail but another's did, Aborted "run R: stopped at step S: another rank of the group
  // failed" (S = 0 also when another rank could not load). A group communicator error is returned
  // as is (the group is then unusable). InvalidArgument for a null group (not collective).
  Status RunTraining(const TrainSpec& spec, comm::GroupComm* group, results::TrainRecord* out);

  // Evaluates a block of rays of a trained run on one task (merge and unload at each ray, then
  // test accuracy and mean loss over eval.sample_cap samples, eval.batch_size at a time).
  // Corrupt naming the run when the routers do not fit the subset's upscaled model (a missing,
  // extra or misshapen tensor); InvalidArgument for a bad spec (a task outside the subset, a ray
  // block of mismatched lengths, a ray off the simplex or of another length than the subset).
  // Every error has the context "run R, evaluation on task 'T'".
  // *out: ray_index, ray_label and rays from the block; accuracy, mean_loss, count per ray.
  Status RunEvaluation(const EvalSpec& spec, results::EvalRecord* out);

  // Evaluates one baseline (eval/baselines.h) on one task: one row, or one per ray for
  // weighted task arithmetic (record fields: see BaselineSpec). Errors as RunEvaluation, with the
  // context "baseline NAME on task 'T'"; InvalidArgument for a task or expert index out of range
  // or a merge with an empty subset.
  Status RunBaseline(const BaselineSpec& spec, results::BaselineRecord* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pwemoe::worker

// The inside of UnitRunner (unit_runner.h), shared by its unit_*.cpp files: the configuration,
// the device, the caches, one method per kind of unit, and the checks of unit specs.
//
// Thread safety: as UnitRunner, one thread at a time.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "config/experiment_config.h"
#include "pwemoe/eval/evaluate.h"
#include "pwemoe/eval/ray_eval.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/train/trainer.h"
#include "worker/unit_cache.h"
#include "worker/unit_runner.h"

namespace pwemoe::worker {

struct UnitRunner::Impl {
  // `device_text` as UnitRunner's; an unparsable one makes every unit fail with device_status.
  Impl(const config::ExperimentConfig& config, const std::string& device_text, int max_subsets);

  Status Train(const TrainSpec& spec, comm::GroupComm* group, results::TrainRecord* out);
  Status Evaluate(const EvalSpec& spec, results::EvalRecord* out);
  Status Baseline(const BaselineSpec& spec, results::BaselineRecord* out);

  // This rank's training state for `spec`: loads (or finds) the pool, the upscaled model, the
  // heads and training data, and initialises the routers from spec.seed. Errors without context.
  Status PrepareTraining(const TrainSpec& spec, train::TrainState* state);

  // The evaluation of spec's rays on its task; errors without context.
  Status EvaluateBlock(const EvalSpec& spec, std::vector<eval::RayResult>* out);

  // The baseline's rows (one, or one per ray); errors without context.
  Status BaselineRows(const BaselineSpec& spec, std::vector<results::BaselineRow>* out);

  // Moves every tensor of *params to the device (nothing on the CPU). Internal on failure.
  Status ParamsToDevice(io::TensorMap* params);

  // Routers on the device from the spec's tensors; Corrupt when they do not fit `model`.
  Status SpecRouters(const EvalSpec& spec, const moe::UpscaledModel& model,
                     std::vector<moe::Router>* out);

  const config::ExperimentConfig config;
  Status device_status;  // InvalidArgument when the device text did not parse (set by `device`)
  const torch::Device device;
  UnitCache cache;  // refers to `config`
};

// Checks a subset (non-empty, indices into config.tasks, no repeats) and gives its task names.
// InvalidArgument naming the offending index otherwise.
Status CheckSubset(const config::ExperimentConfig& config, const std::vector<int>& tasks,
                   std::vector<std::string>* names);

// The name of config.tasks[task], or "#<task>" for an index out of range (for messages).
std::string TaskLabel(const config::ExperimentConfig& config, int task);

// Checks that `task` is one of `tasks`. InvalidArgument otherwise.
Status CheckTaskInSubset(int task, const std::vector<int>& tasks);

// Checks a ray block: index, label and rays of one length, non-negative indices. Ray lengths
// and values are checked where the rays are used. InvalidArgument otherwise.
Status CheckRayBlock(const RayBlock& block);

// The compute precision of units on `device`: config.compute.precision, "auto" resolved by
// model::ChoosePrecision (the orchestrator resolves it before the run; tests may not).
model::Precision PrecisionOf(const config::ExperimentConfig& config, const torch::Device& device);

// The [eval] batch size and sample cap, and the precision on `device`.
eval::EvalOptions EvalOptionsOf(const config::ExperimentConfig& config, const torch::Device& device);

// The [train] options of a run of `spec`, and the precision on `device`.
train::TrainOptions TrainOptionsOf(const config::ExperimentConfig& config, const TrainSpec& spec,
                                   const torch::Device& device);

// Seconds since `start` on the steady clock.
double SecondsSince(std::chrono::steady_clock::time_point start);

}  // namespace pwemoe::worker

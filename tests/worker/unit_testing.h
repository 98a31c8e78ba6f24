// A tiny experiment on disk for the UnitRunner tests: a random tiny CLIP pretrained model, three
// experts, heads and datasets, an experiment TOML over them, and reference computations straight
// from the pwemoe/ libraries (what a unit must equal).
#pragma once

#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "pwemoe/eval/evaluate.h"
#include "pwemoe/io/hf_config.h"
#include "pwemoe/moe/pool.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/train/train_loop.h"
#include "results/store/records.h"
#include "worker/unit_runner.h"

namespace pwemoe::worker::testing {

struct Experiment {
  std::string root;  // every file below it
  config::ExperimentConfig config;
  io::ClipVisionConfig clip;
};

// Writes root/pre, root/experts/<task>, root/heads/<task>.safetensors,
// root/data/<task>/{train,test}.h5 (12 and 8 images) for tasks "a", "b", "c", and root/exp.toml
// ([train] 4 steps, batch 4, lr 0.05, save_interval 2; [eval] batch_size 3; init_lambda 0.25),
// then loads the experiment. Fails the test on error.
Experiment MakeExperiment();

// Writes a head for the experiment's models whose logits overflow (every loss is NaN) and
// returns its path.
std::string WriteOverflowHead(const Experiment& e);

// The pool of `tasks` (indices into config.tasks) with heads, loaded from the files.
moe::ModelPool LoadPool(const Experiment& e, const std::vector<int>& tasks);

// train::Train on the problem of `spec` built from the files, as a reference.
train::TrainResult ReferenceTraining(const Experiment& e, const TrainSpec& spec);

// Routers for `tasks`, initialised from `seed` and moved off their initial values, as NamedTensors.
std::vector<results::NamedTensor> SomeRouters(const Experiment& e, const std::vector<int>& tasks,
                                              uint64_t seed);

// EvaluateModel of `params` on config.tasks[task]'s test data with its head ([eval] options).
eval::EvalResult Evaluate(const Experiment& e, const io::TensorMap& params, int task);

// A ray block of the given rays, indices from `first`, labels "ray-<index>".
RayBlock Block(const std::vector<Ray>& rays, int64_t first);

}  // namespace pwemoe::worker::testing

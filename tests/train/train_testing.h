// Tiny random PWE MoE training problems for the pwemoe/train tests: a random CLIP vision model
// (image 8, patch 4, hidden 8, 2 layers), experts = pretrained + small random task vectors, one
// random 3-class head per task, and in-memory training data whose labels are each expert's own
// predictions (so routers can learn to pick the right expert: a learnable toy problem).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "pwemoe/moe/pool.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/train/trainer.h"

namespace pwemoe::train::testing {

struct TinySetup {
  TrainProblem problem;
  std::vector<moe::Router> routers;  // freshly initialised, two hidden layers
  moe::ModelPool pool;
};

// A problem with `num_tasks` tasks and `examples` training images per task, all from `seed`.
// `tau_scale` is the standard deviation of the task vectors' entries.
TinySetup MakeTinySetup(int64_t num_tasks, uint64_t seed, int64_t examples = 16,
                        double tau_scale = 0.3);

// Per-task mean cross-entropy over each task's whole data, merged (and unloaded) at `ray`.
std::vector<double> FullLosses(const TrainProblem& problem, const std::vector<moe::Router>& routers,
                               const std::vector<double>& ray);

// True when every tensor of a and b is bitwise equal (same shapes and dtypes).
bool RoutersEqual(const std::vector<moe::Router>& a, const std::vector<moe::Router>& b);

}  // namespace pwemoe::train::testing

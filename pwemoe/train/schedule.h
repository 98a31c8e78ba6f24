// The per-step quantities of router training that every rank of a training group must agree on
// without talking to the others: the preference ray of step t, each task's minibatch indices at
// step t, and the learning rate of step t. Each is a pure function of (options, step, task), so a
// rank computes the same ray and the same batch for a task whichever rank owns that task.
//
// Randomness: one std::mt19937_64 per (seed, step, stream), seeded by SplitMix64 mixing of the
// three, so draws of different steps and tasks are independent of one another and of the order in
// which they are made. Results are reproducible for a seed on a given standard library (the
// gamma and uniform-integer distributions are the library's).
//
// Thread safety: every function is pure and thread-safe. No LibTorch.
#pragma once

#include <cstdint>
#include <vector>

#include "pwemoe/rays.h"

namespace pwemoe::train {

// SplitMix64 mixing of (seed, a, b) into one 64-bit generator seed. Pure; distinct inputs give
// distinct outputs with overwhelming probability.
uint64_t MixSeed(uint64_t seed, uint64_t a, uint64_t b);

// The ray of step `step`: `fixed_ray` when it is non-empty (used as given), else one draw from
// Dirichlet(alpha, ..., alpha) over `num_tasks` tasks (gamma draws normalised, as
// pwemoe::DirichletRays) from the generator seeded by MixSeed(seed, step, a ray-stream tag).
// Preconditions (checked by ValidateTrainOptions): num_tasks >= 1, alpha > 0.
Ray StepRay(int64_t num_tasks, double alpha, uint64_t seed, int64_t step,
            const std::vector<double>& fixed_ray);

// The minibatch of task `task` at step `step`: `batch_size` indices drawn uniformly WITH
// replacement from [0, dataset_size), from the generator seeded by MixSeed(seed, step, task).
// Sampling with replacement keeps each step's batch a function of (seed, step, task) alone (an
// epoch permutation would tie it to earlier steps). Preconditions: dataset_size >= 1,
// batch_size >= 1, task >= 0.
std::vector<int64_t> BatchIndices(uint64_t seed, int64_t step, int64_t task,
                                  int64_t dataset_size, int64_t batch_size);

// The learning rate of step t (0-based) under the reference's schedule: PyTorch's
// CosineAnnealingLR(T_max = steps, eta_min = 0.1 lr) stepped once after each optimiser step, so
// step t runs at the scheduler's value after t steps (its closed form):
//   lr_t = 0.1 lr + 0.9 lr (1 + cos(pi t / steps)) / 2,
// lr at step 0, never quite 0.1 lr (the last step, steps - 1, is one step short of it); lr itself
// when steps == 1. Precondition: 0 <= step < steps.
double CosineLr(double lr, int64_t step, int64_t steps);

}  // namespace pwemoe::train

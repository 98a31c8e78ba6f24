// Router training for PWE MoE (docs/DESIGN.md, "What the system does", item 3), split so that a
// training group of ranks can share one step without this library knowing MPI:
//
//   (a) ComputeTaskGradients: for the tasks a rank owns, merge once at the step's ray, then per
//       owned task one minibatch, its cross-entropy loss_i and the gradient g_i of loss_i with
//       respect to every router parameter. Result: a T x (1 + P) float buffer, row i =
//       [loss_i, g_i], zero rows for tasks not owned.
//   (b) the caller sums the buffers of the group element-wise (MPI_Allreduce; nothing in one
//       process): each row then comes from exactly one rank, so the sum is exact.
//   (c) ApplyStep: every rank combines the same summed buffer identically (LS: sum r_i g_i; EPO:
//       C = G G^T, EpoCombine, sum T alpha_i g_i), writes it into the routers' .grad, and takes one
//       Adam step at the step's cosine learning rate. All ranks' routers stay bitwise identical.
//
// The step's ray and each task's batch are pure functions of (seed, step, task) (schedule.h), so
// (a) does not depend on which rank owns which task.
//
// Determinism: for a seed and a LibTorch thread count, the same problem gives bitwise-identical
// buffers, records and routers.
// Thread safety: a TrainState is used by one thread at a time; the problem's model, heads and data
// are only read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/model/head.h"
#include "pwemoe/model/precision.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/train/task_data.h"
#include "pwemoe/util/status.h"

namespace pwemoe::train {

enum class Variant { kLs, kEpo };

// "LS" or "EPO".
const char* VariantName(Variant variant);

struct TrainOptions {
  Variant variant = Variant::kLs;
  int64_t steps = 2000;           // >= 1
  double lr = 1e-2;               // peak learning rate (step 0), > 0
  int64_t batch_size = 16;        // per task per step, >= 1
  double alpha = 1.0;             // Dirichlet concentration of the rays, > 0
  int64_t save_interval = 0;      // checkpoint every this many steps; 0: only the final one
  uint64_t seed = 0;              // rays and batches (schedule.h)
  double epo_eps = 1e-4;          // EPO's balance threshold on mu
  std::vector<double> fixed_ray;  // non-empty: this ray at every step (tests); on the simplex
  // Forwards and backwards through the merged model (model/precision.h); routers, gradients,
  // losses, Adam and EPO stay float32 or better.
  model::Precision precision = model::Precision::kFp32;
};

// What is trained; read-only during training (tensors are shared handles, not copies). Task i is
// model's task i, heads[i], data[i] and task_names[i].
struct TrainProblem {
  io::ClipVisionConfig config;
  moe::UpscaledModel model;
  std::vector<model::ClassificationHead> heads;
  std::vector<TaskData> data;
  std::vector<std::string> task_names;  // used in error messages and records
};

// One step's record. For LS, loss_weights = ray and the EPO fields are empty / 0.
struct StepRecord {
  int64_t step = 0;
  double lr = 0;
  std::vector<double> ray;
  std::vector<double> losses;        // per task
  std::vector<double> loss_weights;  // w: the minimised loss is sum_i w_i loss_i
  double total_loss = 0;             // sum_i w_i loss_i
  std::vector<double> epo_alpha;     // EPO: alpha on the simplex (loss_weights = T alpha)
  double epo_mu = 0;                 // EPO: non-uniformity mu
  std::string epo_mode;              // EPO: "balance", "descent" or "fallback"
};

// The trainer's state: its own copy of the routers (leaf tensors that require grad), their Adam
// optimiser and the next step to run. Move-only.
struct TrainState {
  TrainProblem problem;
  TrainOptions options;
  std::vector<moe::Router> routers;
  std::vector<torch::Tensor> params;  // moe::RouterParameters(routers)
  int64_t num_params = 0;             // P: total numel of params
  std::unique_ptr<torch::optim::Adam> optimizer;
  int64_t step = 0;  // the step ComputeTaskGradients and ApplyStep work on next
};

// Checks options and problem and builds the state from deep copies of `routers` (the caller's
// tensors are never modified). InvalidArgument naming the field for invalid options (a fixed ray
// not of length T or off the simplex included), a task count that differs between the model,
// heads, data and names, a task with no data, or routers that do not match the model's modules;
// Internal with LibTorch's message. *out replaced on success.
Status InitTrainState(const TrainProblem& problem, const TrainOptions& options,
                      const std::vector<moe::Router>& routers, TrainState* out);

// Row length of the gradient buffer: 1 + P.
int64_t BufferRowLength(const TrainState& state);

// Step (a) for state.step: merges at the step's ray, then for each task in `owned_tasks` (any
// order, each in [0, T), no repeats) reads its batch, computes loss_i and g_i, and writes row i of
// *buffer (resized to T * (1 + P) floats, zero elsewhere). Does not change the routers or the
// step. InvalidArgument for a bad task index; Numerical "step S, task 'NAME': loss is NaN/inf" or
// "...: gradient ... is not finite" for the first non-finite value; data errors with the step and
// task as context; Internal with LibTorch's message.
Status ComputeTaskGradients(TrainState* state, const std::vector<int64_t>& owned_tasks,
                            std::vector<float>* buffer);

// Rows [begin, end) of task `task`'s minibatch at a step: a part of BatchIndices(seed, step,
// task, N, batch_size), for training groups with more ranks than tasks (each task's batch is
// then split over several ranks).
struct TaskSlice {
  int64_t task = 0;
  int64_t begin = 0;  // 0 <= begin <= end <= batch_size
  int64_t end = 0;
};

// Step (a) for batch slices: merges at the step's ray (only when some slice is non-empty), then
// for each slice reads its rows of the batch and writes row `task` of *buffer (resized to
// T * (1 + P) floats, zero elsewhere and for empty slices) with [loss_s, g_s], where
// loss_s = (sum of the slice's per-example cross-entropies) / batch_size and g_s its gradient.
// So the sum of the rows of slices that partition [0, batch_size) is the task's full-batch mean
// loss and gradient, up to float rounding (ComputeTaskGradients computes those directly and is
// not bitwise equal to such a sum). Does not change the routers or the step. InvalidArgument for
// a task index out of range or repeated, or a range outside [0, batch_size); other errors as
// ComputeTaskGradients, their context naming the slice's rows.
Status ComputeSliceGradients(TrainState* state, const std::vector<TaskSlice>& slices,
                             std::vector<float>* buffer);

// Step (c) for state.step with the group-summed buffer: combines (LS or EPO), sets the router
// params' .grad, takes one Adam step at CosineLr, fills *record and advances state.step.
// InvalidArgument for a buffer of the wrong size or when every step has run; Numerical naming
// the step and task for a non-finite loss or gradient in the buffer; errors from EpoCombine with
// the step as context. The routers are untouched on error.
Status ApplyStep(TrainState* state, const std::vector<float>& buffer, StepRecord* record);

}  // namespace pwemoe::train

// The whole training run in one process: every step of trainer.h with this process owning every
// task, per-step records, router checkpoints at the save interval and the final routers.
//
// Thread safety: Train keeps no state between calls; concurrent calls on distinct problems are
// safe (the problem is only read; the caller's routers are copied, never modified).
#pragma once

#include <cstdint>
#include <vector>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/train/trainer.h"
#include "pwemoe/util/status.h"

namespace pwemoe::train {

// The routers after `step` completed steps, as moe::RoutersToTensorMap gives them (fusion_bench
// key names, detached contiguous CPU copies): what moe::SaveRouters writes.
struct RouterCheckpoint {
  int64_t step = 0;
  io::TensorMap routers;
};

struct TrainResult {
  std::vector<StepRecord> records;             // one per step, in order
  std::vector<RouterCheckpoint> checkpoints;   // ascending steps; the last is the final routers
  std::vector<moe::Router> routers;            // the final routers (leaf tensors)
};

// True when the routers after `completed` steps are checkpointed: every save_interval steps
// (when > 0) and after the last step.
bool IsCheckpointStep(const TrainOptions& options, int64_t completed);

// The state's routers as a checkpoint at state.step completed steps. Errors as
// moe::RoutersToTensorMap.
Status MakeCheckpoint(const TrainState& state, RouterCheckpoint* out);

// What a training loop keeps after each step: appends `record` to result->records and, when
// IsCheckpointStep(state.options, state.step), the state's routers to result->checkpoints. Train
// and the group training loop both keep their steps through it. Errors as MakeCheckpoint (the
// record is kept, no checkpoint is added).
Status KeepStep(const TrainState& state, StepRecord record, TrainResult* result);

// InitTrainState, then every step (ComputeTaskGradients over all tasks, ApplyStep), each kept
// with KeepStep. Errors as those functions (a NaN or Inf loss or
// gradient: Numerical naming the step and the task); *out replaced only on success.
Status Train(const TrainProblem& problem, const TrainOptions& options,
             const std::vector<moe::Router>& routers, TrainResult* out);

}  // namespace pwemoe::train

// Router training over a group of ranks (docs/DESIGN.md, "Work units and scheduling"): which part of each
// step a rank computes, and the step loop that sums the parts over the group. Part of
// UnitRunner (unit_runner.h); knows GroupComm, not MPI.
//
// Every step each rank computes its part (train::ComputeTaskGradients for whole tasks,
// train::ComputeSliceGradients for batch slices) into a T x (1 + P) buffer with one trailing
// error flag, the group sums the buffers in rank order (one AllReduceSum), and every rank applies
// the same summed buffer (train::ApplyStep), so routers stay identical without broadcasts. A rank
// whose part fails zeroes its rows and raises the flag; every rank then stops at that step.
//
// Thread safety: the functions keep no state; each call uses its state and group alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "comm/group_comm.h"
#include "pwemoe/train/train_loop.h"
#include "pwemoe/train/trainer.h"
#include "pwemoe/util/status.h"

namespace pwemoe::worker {

// What one rank computes at every step: whole tasks, or (when ranks outnumber tasks) one slice
// of one task's batch. Exactly one of the two is non-empty, except for the empty share of a
// rank whose slice has no rows (batch_size smaller than that task's slice count).
struct RankShare {
  std::vector<int64_t> tasks;
  std::vector<train::TaskSlice> slices;
};

// Share of `rank` in a group of `group_size` over `num_tasks` tasks of `batch_size` rows:
//  - group_size <= num_tasks: the tasks i with i % group_size == rank (whole batches);
//  - group_size > num_tasks: task i = rank % num_tasks, split into n_i slices, n_i the number
//    of ranks r with r % num_tasks == i; the rank's slice k = rank / num_tasks holds rows
//    [k * B / n_i, (k + 1) * B / n_i) (integer division), so the slices partition the batch.
// Pure. Preconditions: num_tasks >= 1, batch_size >= 1, 0 <= rank < group_size.
RankShare GroupShare(int64_t num_tasks, int64_t batch_size, int group_size, int rank);

// Replaces buffer[0..n) by its group sum (GroupComm::AllReduceSum). For a group that needs
// device memory the values go through a float32 tensor on `device` (Internal when `device` is
// the CPU). Errors of the group as they are.
Status GroupSum(comm::GroupComm* group, const torch::Device& device, std::vector<float>* buffer);

// Collective: every rank reports `own` (its result of a phase, such as loading); all ranks learn
// whether any failed. Returns `own` when it failed; Aborted "<context>: stopped at step <step>:
// another rank of the group failed" when only others did; a group error as it is; OK when none
// failed.
Status AgreeOnStatus(comm::GroupComm* group, const torch::Device& device, const Status& own,
                     const std::string& context, int64_t step);

// Collective: runs every remaining step of `state` with the group (the loop above). When `keep`,
// *out receives what train::Train gives (each step kept with train::KeepStep: every step's
// record, the checkpoints at train::IsCheckpointStep, the last being the final routers; and the
// final routers); otherwise *out is left as it is. A checkpoint error goes to the group with the
// next step, or after the last step is returned by this rank alone. With group_size <= T the
// result is bitwise that of train::Train. Errors of this rank's part and of ApplyStep with
// `context`; Aborted as AgreeOnStatus when another rank's part failed; group errors as they are.
// On error the state is at the failing step.
Status TrainWithGroup(train::TrainState* state, comm::GroupComm* group,
                      const torch::Device& device, bool keep, const std::string& context,
                      train::TrainResult* out);

}  // namespace pwemoe::worker

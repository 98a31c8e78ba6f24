#include "worker/group_training.h"

#include <algorithm>
#include <utility>

namespace pwemoe::worker {
namespace {

Status Stopped(const std::string& context, int64_t step) {
  return Status::Aborted(context + ": stopped at step " + std::to_string(step) +
                         ": another rank of the group failed");
}

// This rank's part of the current step, into `rows` (T * (1 + P) floats).
Status ComputeShare(train::TrainState* state, const RankShare& share, std::vector<float>* rows) {
  if (!share.slices.empty()) return train::ComputeSliceGradients(state, share.slices, rows);
  return train::ComputeTaskGradients(state, share.tasks, rows);
}

// One step: this rank's part (or `pending`, an error of this rank since the last step, in its
// place), the group sum with the error flag, then ApplyStep.
Status GroupStep(train::TrainState* state, comm::GroupComm* group, const torch::Device& device,
                 const RankShare& share, const std::string& context, const Status& pending,
                 train::StepRecord* record) {
  const size_t n = static_cast<size_t>(state->problem.model.num_tasks *
                                       train::BufferRowLength(*state));
  std::vector<float> rows;
  const Status own = pending.ok() ? ComputeShare(state, share, &rows) : pending;
  std::vector<float> buffer(n + 1, 0.0f);
  if (own.ok() && rows.size() == n) {
    std::copy(rows.begin(), rows.end(), buffer.begin());
  } else {
    buffer[n] = 1.0f;
  }
  PWEMOE_RETURN_IF_ERROR(GroupSum(group, device, &buffer));
  if (!own.ok()) return own.WithContext(context);
  if (buffer[n] != 0.0f) return Stopped(context, state->step);
  buffer.resize(n);
  Status st = train::ApplyStep(state, buffer, record);
  return st.ok() ? st : st.WithContext(context);
}

}  // namespace

RankShare GroupShare(int64_t num_tasks, int64_t batch_size, int group_size, int rank) {
  RankShare share;
  if (group_size <= num_tasks) {
    for (int64_t i = rank; i < num_tasks; i += group_size) share.tasks.push_back(i);
    return share;
  }
  const int64_t task = rank % num_tasks;
  const int64_t slices = (group_size - 1 - task) / num_tasks + 1;
  const int64_t k = rank / num_tasks;
  const int64_t begin = k * batch_size / slices, end = (k + 1) * batch_size / slices;
  if (end > begin) share.slices.push_back({task, begin, end});
  return share;
}

Status GroupSum(comm::GroupComm* group, const torch::Device& device, std::vector<float>* buffer) {
  if (!group->device_memory()) return group->AllReduceSum(buffer->data(), buffer->size());
  if (device.is_cpu()) {
    return Status::Internal("group sum: the group needs device memory but the unit runs on the CPU");
  }
  try {
    const int64_t n = static_cast<int64_t>(buffer->size());
    torch::Tensor on_device = torch::from_blob(buffer->data(), {n}, torch::kFloat32).to(device);
    PWEMOE_RETURN_IF_ERROR(group->AllReduceSum(on_device.data_ptr<float>(), buffer->size()));
    torch::Tensor back = on_device.to(torch::kCPU);
    std::copy(back.data_ptr<float>(), back.data_ptr<float>() + n, buffer->begin());
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("group sum: ") + e.what_without_backtrace());
  }
  return Status::Ok();
}

Status AgreeOnStatus(comm::GroupComm* group, const torch::Device& device, const Status& own,
                     const std::string& context, int64_t step) {
  std::vector<float> flag = {own.ok() ? 0.0f : 1.0f};
  PWEMOE_RETURN_IF_ERROR(GroupSum(group, device, &flag));
  if (!own.ok()) return own;
  return flag[0] != 0.0f ? Stopped(context, step) : Status::Ok();
}

Status TrainWithGroup(train::TrainState* state, comm::GroupComm* group, const torch::Device& device,
                      bool keep, const std::string& context, train::TrainResult* out) {
  const RankShare share = GroupShare(state->problem.model.num_tasks, state->options.batch_size,
                                     group->size(), group->rank());
  train::TrainResult result;
  Status pending;  // a checkpoint error, reported to the group with the next step
  while (state->step < state->options.steps) {
    train::StepRecord record;
    PWEMOE_RETURN_IF_ERROR(GroupStep(state, group, device, share, context, pending, &record));
    if (keep) pending = train::KeepStep(*state, std::move(record), &result);
  }
  if (!pending.ok()) return pending.WithContext(context);
  if (keep) {
    result.routers = state->routers;
    *out = std::move(result);
  }
  return Status::Ok();
}

}  // namespace pwemoe::worker

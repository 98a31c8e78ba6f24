#include "pwemoe/train/train_loop.h"

#include <numeric>
#include <utility>

#include "pwemoe/moe/router_io.h"

namespace pwemoe::train {

bool IsCheckpointStep(const TrainOptions& options, int64_t completed) {
  if (completed == options.steps) return true;
  return options.save_interval > 0 && completed > 0 && completed % options.save_interval == 0;
}

Status MakeCheckpoint(const TrainState& state, RouterCheckpoint* out) {
  RouterCheckpoint cp;
  cp.step = state.step;
  PWEMOE_RETURN_IF_ERROR(moe::RoutersToTensorMap(state.routers, &cp.routers));
  *out = std::move(cp);
  return Status::Ok();
}

Status KeepStep(const TrainState& state, StepRecord record, TrainResult* result) {
  result->records.push_back(std::move(record));
  if (!IsCheckpointStep(state.options, state.step)) return Status::Ok();
  RouterCheckpoint cp;
  PWEMOE_RETURN_IF_ERROR(MakeCheckpoint(state, &cp));
  result->checkpoints.push_back(std::move(cp));
  return Status::Ok();
}

Status Train(const TrainProblem& problem, const TrainOptions& options,
             const std::vector<moe::Router>& routers, TrainResult* out) {
  TrainState state;
  PWEMOE_RETURN_IF_ERROR(InitTrainState(problem, options, routers, &state));
  std::vector<int64_t> all(static_cast<size_t>(problem.model.num_tasks));
  std::iota(all.begin(), all.end(), int64_t{0});
  TrainResult result;
  std::vector<float> buffer;
  while (state.step < options.steps) {
    PWEMOE_RETURN_IF_ERROR(ComputeTaskGradients(&state, all, &buffer));
    StepRecord record;
    PWEMOE_RETURN_IF_ERROR(ApplyStep(&state, buffer, &record));
    PWEMOE_RETURN_IF_ERROR(KeepStep(state, std::move(record), &result));
  }
  result.routers = std::move(state.routers);
  *out = std::move(result);
  return Status::Ok();
}

}  // namespace pwemoe::train

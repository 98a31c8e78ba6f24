// UnitRunner's training units: load this rank's problem, agree with the group that every rank
// could, train with the group (group_training.h), and make the record on rank 0.
#include <utility>

#include "pwemoe/train/task_data.h"
#include "worker/group_training.h"
#include "worker/unit_records.h"
#include "worker/unit_runner_impl.h"

namespace pwemoe::worker {
namespace {

// The record of a finished run from rank 0's result. Checkpoints are the intermediate ones: the
// final routers go into final_router.
Status MakeTrainRecord(const TrainSpec& spec, const train::TrainOptions& options,
                       std::vector<std::string> names, const train::TrainResult& result,
                       results::TrainRecord* out) {
  results::TrainRecord r;
  r.unit_id = spec.unit_id;
  r.run_name = spec.run_name;
  r.variant = train::VariantName(options.variant);
  r.tasks = std::move(names);
  r.seed = spec.seed;
  for (const train::StepRecord& s : result.records) r.steps.push_back(ToTrainStep(s, options.variant));
  for (const train::RouterCheckpoint& cp : result.checkpoints) {
    if (cp.step >= options.steps) continue;
    results::RouterCheckpoint c{cp.step, {}};
    PWEMOE_RETURN_IF_ERROR(ToNamedTensors(cp.routers, &c.tensors));
    r.checkpoints.push_back(std::move(c));
  }
  PWEMOE_RETURN_IF_ERROR(RoutersToNamed(result.routers, &r.final_router));
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace

Status UnitRunner::Impl::PrepareTraining(const TrainSpec& spec, train::TrainState* state) {
  PWEMOE_RETURN_IF_ERROR(device_status);
  train::TrainProblem problem;
  PWEMOE_RETURN_IF_ERROR(CheckSubset(config, spec.tasks, &problem.task_names));
  PWEMOE_RETURN_IF_ERROR(cache.Config(&problem.config));
  std::shared_ptr<const moe::UpscaledModel> model;
  PWEMOE_RETURN_IF_ERROR(cache.Upscaled(spec.tasks, &model));
  problem.model = *model;
  for (int i : spec.tasks) {
    std::shared_ptr<const model::ClassificationHead> head;
    PWEMOE_RETURN_IF_ERROR(cache.Head(i, &head));
    problem.heads.push_back(*head);
    std::shared_ptr<const data::Dataset> dataset;
    PWEMOE_RETURN_IF_ERROR(cache.Dataset(config.tasks[i].train_data, &dataset));
    problem.data.push_back(train::DatasetTaskData(dataset));
  }
  const moe::RouterInit init{config.upscale.router_hidden_layers, config.upscale.init_lambda,
                             spec.seed, torch::kFloat32};
  std::vector<moe::Router> routers;
  PWEMOE_RETURN_IF_ERROR(moe::InitRouters(moe::ModuleNames(*model), model->num_tasks, init,
                                          &routers));
  if (!device.is_cpu()) {
    std::vector<moe::Router> moved;
    PWEMOE_RETURN_IF_ERROR(moe::RoutersTo(routers, device, &moved));
    routers = std::move(moved);
  }
  return train::InitTrainState(problem, TrainOptionsOf(config, spec, device), routers, state);
}

Status UnitRunner::Impl::Train(const TrainSpec& spec, comm::GroupComm* group,
                               results::TrainRecord* out) {
  const auto start = std::chrono::steady_clock::now();
  const std::string context = "run " + spec.run_name;
  if (group == nullptr) return Status::InvalidArgument(context + ": no training group");
  train::TrainState state;
  const Status loaded = PrepareTraining(spec, &state);
  PWEMOE_RETURN_IF_ERROR(AgreeOnStatus(group, device, loaded.WithContext(context), context, 0));
  const bool keep = group->rank() == 0;
  train::TrainResult result;
  PWEMOE_RETURN_IF_ERROR(TrainWithGroup(&state, group, device, keep, context, &result));
  if (!keep) return Status::Ok();
  std::vector<std::string> names = state.problem.task_names;
  Status st = MakeTrainRecord(spec, state.options, std::move(names), result, out);
  if (!st.ok()) return st.WithContext(context);
  out->seconds = SecondsSince(start);
  return Status::Ok();
}

}  // namespace pwemoe::worker

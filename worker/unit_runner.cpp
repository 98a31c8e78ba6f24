// UnitRunner: the public face (unit_runner.h) over its Impl, plus the checks of unit specs.
#include "worker/unit_runner.h"

#include <exception>
#include <functional>
#include <set>
#include <utility>

#include "worker/unit_runner_impl.h"

namespace pwemoe::worker {
namespace {

// The device named by `text`; the CPU, with *status InvalidArgument, when it does not parse.
torch::Device ParseDevice(const std::string& text, Status* status) {
  try {
    return torch::Device(text);
  } catch (const std::exception&) {
    *status = Status::InvalidArgument("unit runner: device '" + text +
                                      "' is not a LibTorch device (cpu, cuda:<k>)");
    return torch::Device(torch::kCPU);
  }
}

// Runs `unit`, turning an escaping exception into Internal with `what` as context.
Status Guarded(const std::string& what, const std::function<Status()>& unit) {
  try {
    return unit();
  } catch (const std::exception& e) {
    return Status::Internal(what + ": unexpected exception: " + e.what());
  }
}

}  // namespace

UnitRunner::Impl::Impl(const config::ExperimentConfig& cfg, const std::string& device_text,
                       int max_subsets)
    : config(cfg), device(ParseDevice(device_text, &device_status)),
      cache(config, device, max_subsets) {}

Status CheckSubset(const config::ExperimentConfig& config, const std::vector<int>& tasks,
                   std::vector<std::string>* names) {
  if (tasks.empty()) return Status::InvalidArgument("the unit has no task");
  std::set<int> seen;
  names->clear();
  for (int i : tasks) {
    if (i < 0 || i >= static_cast<int>(config.tasks.size()) || !seen.insert(i).second) {
      return Status::InvalidArgument("task index " + std::to_string(i) + " is out of range [0, " +
                                     std::to_string(config.tasks.size()) + ") or repeated");
    }
    names->push_back(config.tasks[i].name);
  }
  return Status::Ok();
}

std::string TaskLabel(const config::ExperimentConfig& config, int task) {
  if (task < 0 || task >= static_cast<int>(config.tasks.size())) {
    return "#" + std::to_string(task);
  }
  return config.tasks[task].name;
}

Status CheckTaskInSubset(int task, const std::vector<int>& tasks) {
  for (int i : tasks) {
    if (i == task) return Status::Ok();
  }
  return Status::InvalidArgument("evaluated task index " + std::to_string(task) +
                                 " is not in the unit's subset");
}

Status CheckRayBlock(const RayBlock& block) {
  if (block.label.size() != block.index.size() || block.rays.size() != block.index.size()) {
    return Status::InvalidArgument("ray block: " + std::to_string(block.index.size()) +
                                   " indices, " + std::to_string(block.label.size()) +
                                   " labels and " + std::to_string(block.rays.size()) +
                                   " rays");
  }
  for (int64_t i : block.index) {
    if (i < 0) return Status::InvalidArgument("ray block: negative ray index");
  }
  return Status::Ok();
}

model::Precision PrecisionOf(const config::ExperimentConfig& config, const torch::Device& device) {
  model::Precision precision = model::Precision::kFp32;
  std::string note;  // the orchestrator logs the choice once (run_setup.cpp)
  if (!model::ChoosePrecision(config.compute.precision, device, &precision, &note).ok()) {
    return model::Precision::kFp32;  // unreachable: the configuration was validated
  }
  return precision;
}

eval::EvalOptions EvalOptionsOf(const config::ExperimentConfig& config, const torch::Device& device) {
  eval::EvalOptions options;
  options.batch_size = config.eval.batch_size;
  options.sample_cap = config.eval.sample_cap;
  options.precision = PrecisionOf(config, device);
  return options;
}

train::TrainOptions TrainOptionsOf(const config::ExperimentConfig& config, const TrainSpec& spec,
                                   const torch::Device& device) {
  train::TrainOptions o;
  o.precision = PrecisionOf(config, device);
  o.variant = spec.variant == config::Variant::kEpo ? train::Variant::kEpo : train::Variant::kLs;
  o.steps = config.train.steps;
  o.lr = config.train.lr;
  o.batch_size = config.train.batch_size;
  o.alpha = config.train.alpha;
  o.save_interval = config.train.save_interval;
  o.seed = spec.seed;
  o.epo_eps = config.train.epo_eps;
  return o;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

UnitRunner::UnitRunner(const config::ExperimentConfig& config, std::string device,
                       int max_cached_subsets)
    : impl_(std::make_unique<Impl>(config, device, max_cached_subsets)) {}

UnitRunner::~UnitRunner() = default;

Status UnitRunner::RunTraining(const TrainSpec& spec, comm::GroupComm* group,
                               results::TrainRecord* out) {
  return Guarded("run " + spec.run_name, [&] { return impl_->Train(spec, group, out); });
}

Status UnitRunner::RunEvaluation(const EvalSpec& spec, results::EvalRecord* out) {
  return Guarded("run " + spec.run_name, [&] { return impl_->Evaluate(spec, out); });
}

Status UnitRunner::RunBaseline(const BaselineSpec& spec, results::BaselineRecord* out) {
  return Guarded("baseline unit " + std::to_string(spec.unit_id),
                 [&] { return impl_->Baseline(spec, out); });
}

}  // namespace pwemoe::worker

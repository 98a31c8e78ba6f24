// InitTrainState: option and problem checks, router copies, the Adam optimiser.
#include <cmath>
#include <string>

#include "pwemoe/train/trainer.h"

namespace pwemoe::train {
namespace {

Status ValidateOptions(const TrainOptions& o, int64_t num_tasks) {
  auto bad = [](const std::string& what) {
    return Status::InvalidArgument("train options: " + what);
  };
  if (o.steps < 1) return bad("steps must be >= 1, got " + std::to_string(o.steps));
  if (!(o.lr > 0) || !std::isfinite(o.lr)) return bad("lr must be finite and > 0");
  if (o.batch_size < 1) return bad("batch_size must be >= 1");
  if (!(o.alpha > 0) || !std::isfinite(o.alpha)) return bad("alpha must be finite and > 0");
  if (o.save_interval < 0) return bad("save_interval must be >= 0");
  if (!std::isfinite(o.epo_eps)) return bad("epo_eps must be finite");
  if (o.fixed_ray.empty()) return Status::Ok();
  if (static_cast<int64_t>(o.fixed_ray.size()) != num_tasks) {
    return bad("fixed_ray has " + std::to_string(o.fixed_ray.size()) + " entries, expected " +
               std::to_string(num_tasks));
  }
  double sum = 0;
  for (double r : o.fixed_ray) {
    if (!(r >= 0) || !std::isfinite(r)) return bad("fixed_ray entries must be finite and >= 0");
    sum += r;
  }
  if (std::abs(sum - 1.0) > 1e-6) return bad("fixed_ray must sum to 1");
  return Status::Ok();
}

Status ValidateProblem(const TrainProblem& p) {
  const int64_t t = p.model.num_tasks;
  if (t < 1) return Status::InvalidArgument("train problem: the model has no task");
  if (static_cast<int64_t>(p.heads.size()) != t || static_cast<int64_t>(p.data.size()) != t ||
      static_cast<int64_t>(p.task_names.size()) != t) {
    return Status::InvalidArgument("train problem: heads, data and task_names must have " +
                                   std::to_string(t) + " entries each");
  }
  for (int64_t i = 0; i < t; ++i) {
    if (p.data[i].size < 1 || !p.data[i].read) {
      return Status::InvalidArgument("train problem: task '" + p.task_names[i] +
                                     "' has no training data");
    }
  }
  return Status::Ok();
}

Status ValidateRouters(const moe::UpscaledModel& model, const std::vector<moe::Router>& routers) {
  if (routers.size() != model.modules.size()) {
    return Status::InvalidArgument("train problem: " + std::to_string(routers.size()) +
                                   " routers for " + std::to_string(model.modules.size()) +
                                   " upscaled modules");
  }
  for (size_t m = 0; m < routers.size(); ++m) {
    PWEMOE_RETURN_IF_ERROR(moe::ValidateRouter(routers[m]));
    if (routers[m].module != model.modules[m].name || routers[m].num_tasks != model.num_tasks) {
      return Status::InvalidArgument("train problem: router " + std::to_string(m) + " ('" +
                                     routers[m].module + "') does not belong to module '" +
                                     model.modules[m].name + "' with T = " +
                                     std::to_string(model.num_tasks));
    }
  }
  return Status::Ok();
}

}  // namespace

const char* VariantName(Variant variant) { return variant == Variant::kLs ? "LS" : "EPO"; }

int64_t BufferRowLength(const TrainState& state) { return 1 + state.num_params; }

Status InitTrainState(const TrainProblem& problem, const TrainOptions& options,
                      const std::vector<moe::Router>& routers, TrainState* out) {
  PWEMOE_RETURN_IF_ERROR(ValidateProblem(problem));
  PWEMOE_RETURN_IF_ERROR(ValidateOptions(options, problem.model.num_tasks));
  PWEMOE_RETURN_IF_ERROR(ValidateRouters(problem.model, routers));
  try {
    TrainState state;
    state.problem = problem;
    state.options = options;
    state.routers = routers;
    for (auto& router : state.routers) {
      for (auto& p : router.params) p = p.detach().clone().set_requires_grad(true);
    }
    state.params = moe::RouterParameters(state.routers);
    for (const auto& p : state.params) state.num_params += p.numel();
    state.optimizer = std::make_unique<torch::optim::Adam>(
        state.params, torch::optim::AdamOptions(options.lr));
    *out = std::move(state);
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("init training: ") + e.what_without_backtrace());
  }
  return Status::Ok();
}

}  // namespace pwemoe::train

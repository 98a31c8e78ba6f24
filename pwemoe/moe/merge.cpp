#include "pwemoe/moe/merge.h"

#include <utility>

#include "pwemoe/moe/merge_dtype.h"

namespace pwemoe::moe {

namespace {

// W0 + tau^T w with tau viewed as [T, numel]: one addmv into a fresh tensor.
torch::Tensor MergeParam(const UpscaledParam& p, const torch::Tensor& w) {
  const int64_t t = p.task_vectors.size(0);
  torch::Tensor merged = torch::addmv(p.base.reshape({-1}), p.task_vectors.view({t, -1}).t(),
                                      w.to(p.task_vectors.scalar_type()));
  return merged.view(p.base.sizes());
}

Status CheckWeights(const UpscaledModel& model, const std::vector<torch::Tensor>& weights) {
  if (weights.size() != model.modules.size()) {
    return Status::InvalidArgument("merge: " + std::to_string(weights.size()) +
                                   " weight vectors for " + std::to_string(model.modules.size()) +
                                   " upscaled modules");
  }
  for (size_t m = 0; m < weights.size(); ++m) {
    const torch::Tensor& w = weights[m];
    if (!w.defined() || w.dim() != 1 || w.size(0) != model.num_tasks ||
        !torch::isFloatingType(w.scalar_type())) {
      return Status::InvalidArgument("merge: module '" + model.modules[m].name +
                                     "': weights must be a 1-D floating tensor of length " +
                                     std::to_string(model.num_tasks));
    }
  }
  return Status::Ok();
}

Status CheckRouters(const UpscaledModel& model, const std::vector<Router>& routers) {
  if (routers.size() != model.modules.size()) {
    return Status::InvalidArgument("merge: " + std::to_string(routers.size()) + " routers for " +
                                   std::to_string(model.modules.size()) + " upscaled modules");
  }
  for (size_t m = 0; m < routers.size(); ++m) {
    if (routers[m].module != model.modules[m].name || routers[m].num_tasks != model.num_tasks) {
      return Status::InvalidArgument(
          "merge: router " + std::to_string(m) + " ('" + routers[m].module +
          "', T = " + std::to_string(routers[m].num_tasks) + ") does not belong to module '" +
          model.modules[m].name + "' (T = " + std::to_string(model.num_tasks) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Status MergeWithWeights(const UpscaledModel& model, const std::vector<torch::Tensor>& weights,
                        TensorMap* out) {
  PWEMOE_RETURN_IF_ERROR(CheckWeights(model, weights));
  TensorMap merged = model.fixed;
  try {
    for (size_t m = 0; m < model.modules.size(); ++m) {
      for (const UpscaledParam& p : model.modules[m].params) {
        merged[p.key] = MergeParam(p, weights[m]);
      }
    }
  } catch (const std::exception& e) {
    return Status::Internal("merge: " + internal::ExceptionText(e));
  }
  *out = std::move(merged);
  return Status::Ok();
}

Status MergeRouted(const UpscaledModel& model, const std::vector<Router>& routers,
                   const torch::Tensor& ray, TensorMap* out) {
  PWEMOE_RETURN_IF_ERROR(CheckRouters(model, routers));
  std::vector<torch::Tensor> weights(routers.size());
  for (size_t m = 0; m < routers.size(); ++m) {
    PWEMOE_RETURN_IF_ERROR(RouterWeights(routers[m], ray, &weights[m]));
  }
  return MergeWithWeights(model, weights, out);
}

Status MergeAndUnload(const UpscaledModel& model, const std::vector<Router>& routers,
                      const torch::Tensor& ray, TensorMap* out) {
  torch::NoGradGuard no_grad;
  return MergeRouted(model, routers, ray, out);
}

}  // namespace pwemoe::moe

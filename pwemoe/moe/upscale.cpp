#include "pwemoe/moe/upscale.h"

#include <cmath>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "pwemoe/moe/merge_dtype.h"
#include "pwemoe/moe/weighted_merge.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::moe {

namespace {

Status BuildModule(const ModelPool& pool, const ModuleKeys& group, UpscaledModule* out) {
  out->name = group.module;
  for (const std::string& key : group.keys) {
    UpscaledParam p;
    p.key = key;
    const torch::Tensor& pre = pool.pretrained.at(key);
    p.base = pre.detach().to(internal::WorkDType(pre.scalar_type()));
    PWEMOE_RETURN_IF_ERROR(StackedTaskVectors(pool, key, &p.task_vectors));
    out->params.push_back(std::move(p));
  }
  return Status::Ok();
}

// Every pretrained key outside `upscaled`: task arithmetic for merged keys, as-is otherwise.
Status BuildFixed(const ModelPool& pool, const std::set<std::string>& upscaled, double init_lambda,
                  TensorMap* fixed) {
  const std::vector<double> coefficients =
      TaskArithmeticCoefficients(pool.num_tasks(), init_lambda);
  for (const auto& [key, pre] : pool.pretrained) {
    if (upscaled.count(key) != 0) continue;
    const bool merged = pool.experts[0].count(key) != 0 && torch::isFloatingType(pre.scalar_type());
    if (merged && init_lambda != 0) {
      PWEMOE_RETURN_IF_ERROR(WeightedMergeKey(pool, key, coefficients, &(*fixed)[key]));
    } else if (torch::isFloatingType(pre.scalar_type())) {
      (*fixed)[key] = pre.detach().to(internal::WorkDType(pre.scalar_type()));
    } else {
      (*fixed)[key] = pre;
    }
  }
  return Status::Ok();
}

}  // namespace

Status UpscaleModel(const ModelPool& pool, const std::vector<std::string>& patterns,
                    double init_lambda, UpscaledModel* out) {
  if (!std::isfinite(init_lambda)) {
    return Status::InvalidArgument("upscale: init_lambda must be finite");
  }
  PWEMOE_RETURN_IF_ERROR(ValidateModelPool(pool));
  std::vector<ModuleKeys> groups;
  PWEMOE_RETURN_IF_ERROR(SelectModules(patterns, MergedKeys(pool), &groups));
  UpscaledModel model;
  model.num_tasks = pool.num_tasks();
  std::set<std::string> upscaled;
  try {
    torch::NoGradGuard no_grad;
    for (const ModuleKeys& group : groups) {
      model.modules.emplace_back();
      PWEMOE_RETURN_IF_ERROR(BuildModule(pool, group, &model.modules.back()));
      upscaled.insert(group.keys.begin(), group.keys.end());
    }
    PWEMOE_RETURN_IF_ERROR(BuildFixed(pool, upscaled, init_lambda, &model.fixed));
  } catch (const std::exception& e) {
    return Status::Internal("upscale: " + internal::ExceptionText(e));
  }
  *out = std::move(model);
  return Status::Ok();
}

std::vector<std::string> ModuleNames(const UpscaledModel& model) {
  std::vector<std::string> names;
  for (const UpscaledModule& m : model.modules) names.push_back(m.name);
  return names;
}

Status Upscale(const ModelPool& pool, const UpscaleOptions& options, UpscaledModel* model,
               std::vector<Router>* routers) {
  UpscaledModel m;
  PWEMOE_RETURN_IF_ERROR(UpscaleModel(pool, options.patterns, options.init_lambda, &m));
  std::vector<Router> r;
  RouterInit init{options.router_hidden_layers, options.init_lambda, options.seed,
                  options.router_dtype};
  PWEMOE_RETURN_IF_ERROR(InitRouters(ModuleNames(m), m.num_tasks, init, &r));
  spdlog::info(
      "upscale: {} modules ({}) with {}-hidden-layer routers over {} tasks: {} trainable "
      "parameters",
      m.modules.size(), Join(options.patterns, ", "), options.router_hidden_layers, m.num_tasks,
      TrainableParamCount(r));
  *model = std::move(m);
  *routers = std::move(r);
  return Status::Ok();
}

Status UpscaledModelTo(const UpscaledModel& model, const torch::Device& device,
                       UpscaledModel* out) {
  UpscaledModel moved;
  moved.num_tasks = model.num_tasks;
  try {
    for (const auto& [key, t] : model.fixed) moved.fixed[key] = t.to(device);
    for (const UpscaledModule& m : model.modules) {
      UpscaledModule mm{m.name, {}};
      for (const UpscaledParam& p : m.params) {
        mm.params.push_back({p.key, p.base.to(device), p.task_vectors.to(device)});
      }
      moved.modules.push_back(std::move(mm));
    }
  } catch (const std::exception& e) {
    return Status::Internal("upscale: moving to " + device.str() + ": " +
                            internal::ExceptionText(e));
  }
  *out = std::move(moved);
  return Status::Ok();
}

}  // namespace pwemoe::moe

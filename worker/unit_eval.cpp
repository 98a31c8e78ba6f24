// UnitRunner's evaluation units: a trained run's routers merged at each ray of a block and
// evaluated on one task (eval::EvaluateRays).
#include <utility>

#include "pwemoe/eval/ray_eval.h"
#include "pwemoe/moe/router_io.h"
#include "worker/unit_records.h"
#include "worker/unit_runner_impl.h"

namespace pwemoe::worker {

Status UnitRunner::Impl::SpecRouters(const EvalSpec& spec, const moe::UpscaledModel& model,
                                     std::vector<moe::Router>* out) {
  const moe::RouterLayout layout{moe::ModuleNames(model), model.num_tasks,
                                 config.upscale.router_hidden_layers};
  std::vector<moe::Router> routers;
  PWEMOE_RETURN_IF_ERROR(RoutersFromNamed("routers", spec.routers, layout, &routers));
  if (device.is_cpu()) {
    *out = std::move(routers);
    return Status::Ok();
  }
  return moe::RoutersTo(routers, device, out);
}

Status UnitRunner::Impl::EvaluateBlock(const EvalSpec& spec, std::vector<eval::RayResult>* out) {
  std::vector<std::string> names;
  PWEMOE_RETURN_IF_ERROR(CheckSubset(config, spec.tasks, &names));
  PWEMOE_RETURN_IF_ERROR(CheckTaskInSubset(spec.task, spec.tasks));
  PWEMOE_RETURN_IF_ERROR(CheckRayBlock(spec.rays));
  PWEMOE_RETURN_IF_ERROR(device_status);
  io::ClipVisionConfig clip;
  PWEMOE_RETURN_IF_ERROR(cache.Config(&clip));
  std::shared_ptr<const moe::UpscaledModel> model;
  PWEMOE_RETURN_IF_ERROR(cache.Upscaled(spec.tasks, &model));
  std::vector<moe::Router> routers;
  PWEMOE_RETURN_IF_ERROR(SpecRouters(spec, *model, &routers));
  std::shared_ptr<const model::ClassificationHead> head;
  PWEMOE_RETURN_IF_ERROR(cache.Head(spec.task, &head));
  std::shared_ptr<const data::Dataset> dataset;
  PWEMOE_RETURN_IF_ERROR(cache.Dataset(config.tasks[spec.task].test_data, &dataset));
  return eval::EvaluateRays(clip, *model, routers, spec.rays.rays,
                            {{config.tasks[spec.task].name, head.get(), dataset.get()}},
                            EvalOptionsOf(config, device), out);
}

Status UnitRunner::Impl::Evaluate(const EvalSpec& spec, results::EvalRecord* out) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<eval::RayResult> results;
  Status st = EvaluateBlock(spec, &results);
  if (!st.ok()) {
    return st.WithContext("run " + spec.run_name + ", evaluation on task '" +
                          TaskLabel(config, spec.task) + "'");
  }
  results::EvalRecord r;
  r.unit_id = spec.unit_id;
  r.run_name = spec.run_name;
  r.task = config.tasks[spec.task].name;
  r.ray_index = spec.rays.index;
  r.ray_label = spec.rays.label;
  r.rays = spec.rays.rays;
  for (const eval::RayResult& ray : results) {
    r.accuracy.push_back(ray.tasks[0].accuracy);
    r.mean_loss.push_back(ray.tasks[0].mean_loss);
    r.count.push_back(ray.tasks[0].count);
  }
  r.seconds = SecondsSince(start);
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace pwemoe::worker

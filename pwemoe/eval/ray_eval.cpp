#include "pwemoe/eval/ray_eval.h"

#include "pwemoe/eval/ray_check.h"

namespace pwemoe::eval {

Status EvaluateOnTasks(const io::ClipVisionConfig& config, const io::TensorMap& params,
                       const std::vector<EvalTask>& tasks, const EvalOptions& options,
                       std::vector<EvalResult>* out) {
  std::vector<EvalResult> results;
  for (const EvalTask& task : tasks) {
    if (task.head == nullptr || task.dataset == nullptr) {
      return Status::InvalidArgument("task '" + task.name + "': no head or no dataset");
    }
    EvalResult r;
    Status st = EvaluateModel(config, params, *task.head, *task.dataset, options.batch_size,
                              options.sample_cap, options.precision, &r);
    if (!st.ok()) return st.WithContext("task '" + task.name + "'");
    results.push_back(r);
  }
  *out = std::move(results);
  return Status::Ok();
}

torch::Tensor RayTensor(const Ray& ray) {
  return torch::tensor(ray, torch::TensorOptions().dtype(torch::kFloat64));
}

Status EvaluateRays(const io::ClipVisionConfig& config, const moe::UpscaledModel& model,
                    const std::vector<moe::Router>& routers, const std::vector<Ray>& rays,
                    const std::vector<EvalTask>& tasks, const EvalOptions& options,
                    std::vector<RayResult>* out) {
  for (size_t k = 0; k < rays.size(); ++k) {
    PWEMOE_RETURN_IF_ERROR(ValidateRay(rays[k], model.num_tasks, "ray " + std::to_string(k)));
  }
  std::vector<RayResult> results;
  for (size_t k = 0; k < rays.size(); ++k) {
    const std::string context = "ray " + std::to_string(k);
    io::TensorMap merged;
    Status st = moe::MergeAndUnload(model, routers, RayTensor(rays[k]), &merged);
    if (!st.ok()) return st.WithContext(context);
    RayResult r{rays[k], {}};
    st = EvaluateOnTasks(config, merged, tasks, options, &r.tasks);
    if (!st.ok()) return st.WithContext(context);
    results.push_back(std::move(r));
  }
  *out = std::move(results);
  return Status::Ok();
}

}  // namespace pwemoe::eval

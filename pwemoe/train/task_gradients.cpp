// ComputeTaskGradients: step (a) of a training step (trainer.h).
#include <algorithm>
#include <cmath>
#include <string>

#include "pwemoe/model/clip_vit.h"
#include "pwemoe/moe/merge.h"
#include "pwemoe/train/schedule.h"
#include "pwemoe/train/trainer.h"

namespace pwemoe::train {
namespace {

std::string Where(const TrainState& s, int64_t task) {
  return "step " + std::to_string(s.step) + ", task '" + s.problem.task_names[task] + "'";
}

Status CheckOwned(const TrainState& s, const std::vector<int64_t>& owned) {
  std::vector<bool> seen(s.problem.model.num_tasks, false);
  for (int64_t i : owned) {
    if (i < 0 || i >= s.problem.model.num_tasks || seen[i]) {
      return Status::InvalidArgument("task gradients: task index " + std::to_string(i) +
                                     " out of range or repeated");
    }
    seen[i] = true;
  }
  return Status::Ok();
}

// loss_i: the mean cross-entropy of task i's batch under the merged parameters.
Status TaskLoss(const TrainState& s, const io::TensorMap& merged, int64_t task,
                torch::Tensor* loss) {
  const TrainProblem& p = s.problem;
  std::vector<int64_t> idx = BatchIndices(s.options.seed, s.step, task, p.data[task].size,
                                          s.options.batch_size);
  torch::Tensor pixels, labels, embeds, logits;
  Status st = p.data[task].read(idx, &pixels, &labels);
  if (!st.ok()) return st.WithContext(Where(s, task));
  pixels = pixels.to(merged.at(model::kPatchEmbedding).options());
  st = model::ClipVisionForward(p.config, merged, pixels, &embeds);
  if (st.ok()) st = model::HeadLogits(p.heads[task], embeds, &logits);
  if (!st.ok()) return st.WithContext(Where(s, task));
  *loss = torch::nn::functional::cross_entropy(logits, labels.to(logits.device()));
  return Status::Ok();
}

// Writes [loss, g] of `task` into `row` (1 + P floats), checking every value is finite.
Status TaskRow(TrainState* s, const io::TensorMap& merged, int64_t task, float* row) {
  torch::Tensor loss;
  PWEMOE_RETURN_IF_ERROR(TaskLoss(*s, merged, task, &loss));
  const double loss_value = loss.item<double>();
  if (!std::isfinite(loss_value)) {
    return Status::Numerical(Where(*s, task) + ": loss is " + std::to_string(loss_value));
  }
  std::vector<torch::Tensor> grads = torch::autograd::grad(
      {loss}, s->params, /*grad_outputs=*/{}, /*retain_graph=*/true, /*create_graph=*/false,
      /*allow_unused=*/true);
  row[0] = static_cast<float>(loss_value);
  int64_t offset = 1;
  for (size_t k = 0; k < grads.size(); ++k) {
    const int64_t n = s->params[k].numel();
    torch::Tensor g = grads[k].defined() ? grads[k] : torch::zeros_like(s->params[k]);
    g = g.detach().to(torch::kCPU, torch::kFloat32).contiguous().reshape({-1});
    if (!torch::isfinite(g).all().item<bool>()) {
      return Status::Numerical(Where(*s, task) + ": gradient of router parameter " +
                               std::to_string(k) + " is not finite");
    }
    std::copy(g.data_ptr<float>(), g.data_ptr<float>() + n, row + offset);
    offset += n;
  }
  return Status::Ok();
}

}  // namespace

Status ComputeTaskGradients(TrainState* state, const std::vector<int64_t>& owned_tasks,
                            std::vector<float>* buffer) {
  PWEMOE_RETURN_IF_ERROR(CheckOwned(*state, owned_tasks));
  if (state->step >= state->options.steps) {
    return Status::InvalidArgument("task gradients: all " + std::to_string(state->options.steps) +
                                   " steps have run");
  }
  const int64_t t = state->problem.model.num_tasks;
  const int64_t row = BufferRowLength(*state);
  std::vector<float> out(static_cast<size_t>(t * row), 0.0f);
  if (!owned_tasks.empty()) {
    try {
      const Ray ray = StepRay(t, state->options.alpha, state->options.seed, state->step,
                              state->options.fixed_ray);
      io::TensorMap merged;
      PWEMOE_RETURN_IF_ERROR(moe::MergeRouted(state->problem.model, state->routers,
                                              torch::tensor(ray, torch::kFloat64), &merged));
      for (int64_t i : owned_tasks) {
        PWEMOE_RETURN_IF_ERROR(TaskRow(state, merged, i, out.data() + i * row));
      }
    } catch (const c10::Error& e) {
      return Status::Internal("task gradients: step " + std::to_string(state->step) + ": " +
                              e.what_without_backtrace());
    }
  }
  *buffer = std::move(out);
  return Status::Ok();
}

}  // namespace pwemoe::train

// ComputeTaskGradients and ComputeSliceGradients: step (a) of a training step (trainer.h).
#include <algorithm>
#include <cmath>
#include <string>

#include "pwemoe/model/clip_vit.h"
#include "pwemoe/moe/merge.h"
#include "pwemoe/train/schedule.h"
#include "pwemoe/train/trainer.h"

namespace pwemoe::train {
namespace {

// What one rank computes for one task at a step: rows [begin, end) of the task's batch; `whole`
// when that is the whole batch taken as one (its loss is the mean, ComputeTaskGradients).
struct Part {
  int64_t task = 0;
  int64_t begin = 0;
  int64_t end = 0;
  bool whole = true;
};

std::string Where(const TrainState& s, const Part& part) {
  std::string where = "step " + std::to_string(s.step) + ", task '" +
                      s.problem.task_names[part.task] + "'";
  if (part.whole) return where;
  return where + ", batch rows " + std::to_string(part.begin) + "-" + std::to_string(part.end);
}

Status CheckParts(const TrainState& s, const std::vector<Part>& parts) {
  std::vector<bool> seen(s.problem.model.num_tasks, false);
  for (const Part& part : parts) {
    const int64_t i = part.task;
    if (i < 0 || i >= s.problem.model.num_tasks || seen[i]) {
      return Status::InvalidArgument("task gradients: task index " + std::to_string(i) +
                                     " out of range or repeated");
    }
    seen[i] = true;
    if (part.begin < 0 || part.begin > part.end || part.end > s.options.batch_size) {
      return Status::InvalidArgument(
          "task gradients: task " + std::to_string(i) + ": batch rows " +
          std::to_string(part.begin) + "-" + std::to_string(part.end) + " are outside [0, " +
          std::to_string(s.options.batch_size) + "]");
    }
  }
  return Status::Ok();
}

// The part's loss under the merged parameters: the mean cross-entropy of the whole batch, or for
// a slice the sum of its rows' cross-entropies divided by the batch size.
Status PartLoss(const TrainState& s, const io::TensorMap& merged, const Part& part,
                torch::Tensor* loss) {
  const TrainProblem& p = s.problem;
  std::vector<int64_t> idx = BatchIndices(s.options.seed, s.step, part.task,
                                          p.data[part.task].size, s.options.batch_size);
  if (!part.whole) idx = std::vector<int64_t>(idx.begin() + part.begin, idx.begin() + part.end);
  torch::Tensor pixels, labels, embeds, logits;
  Status st = p.data[part.task].read(idx, &pixels, &labels);
  if (!st.ok()) return st.WithContext(Where(s, part));
  pixels = pixels.to(merged.at(model::kClassEmbedding).options());
  st = model::ClipVisionForward(p.config, merged, pixels, &embeds);
  if (st.ok()) st = model::HeadLogits(p.heads[part.task], embeds, &logits);
  if (!st.ok()) return st.WithContext(Where(s, part));
  labels = labels.to(logits.device());
  if (part.whole) {
    *loss = torch::nn::functional::cross_entropy(logits, labels);
    return Status::Ok();
  }
  namespace F = torch::nn::functional;
  *loss = F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kSum)) /
          static_cast<double>(s.options.batch_size);
  return Status::Ok();
}

// Writes [loss, g] of `part` into `row` (1 + P floats), checking every value is finite.
Status PartRow(TrainState* s, const io::TensorMap& merged, const Part& part, float* row) {
  torch::Tensor loss;
  PWEMOE_RETURN_IF_ERROR(PartLoss(*s, merged, part, &loss));
  const double loss_value = loss.item<double>();
  if (!std::isfinite(loss_value)) {
    return Status::Numerical(Where(*s, part) + ": loss is " + std::to_string(loss_value));
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
      return Status::Numerical(Where(*s, part) + ": gradient of router parameter " +
                               std::to_string(k) + " is not finite");
    }
    std::copy(g.data_ptr<float>(), g.data_ptr<float>() + n, row + offset);
    offset += n;
  }
  return Status::Ok();
}

// Step (a) for `parts`: one merge at the step's ray when some part has rows, then one buffer row
// per non-empty part.
Status ComputeParts(TrainState* state, const std::vector<Part>& parts, std::vector<float>* buffer) {
  PWEMOE_RETURN_IF_ERROR(CheckParts(*state, parts));
  if (state->step >= state->options.steps) {
    return Status::InvalidArgument("task gradients: all " + std::to_string(state->options.steps) +
                                   " steps have run");
  }
  const int64_t t = state->problem.model.num_tasks;
  const int64_t row = BufferRowLength(*state);
  std::vector<float> out(static_cast<size_t>(t * row), 0.0f);
  const bool any_rows = std::any_of(parts.begin(), parts.end(),
                                    [](const Part& p) { return p.end > p.begin; });
  if (any_rows) {
    try {
      const Ray ray = StepRay(t, state->options.alpha, state->options.seed, state->step,
                              state->options.fixed_ray);
      io::TensorMap merged, compute;
      PWEMOE_RETURN_IF_ERROR(moe::MergeRouted(state->problem.model, state->routers,
                                              torch::tensor(ray, torch::kFloat64), &merged));
      PWEMOE_RETURN_IF_ERROR(model::CastForCompute(merged, state->options.precision, &compute));
      merged.clear();  // `compute` holds what the forwards need (the float32 merge via autograd)
      for (const Part& part : parts) {
        if (part.end == part.begin) continue;
        PWEMOE_RETURN_IF_ERROR(PartRow(state, compute, part, out.data() + part.task * row));
      }
    } catch (const c10::Error& e) {
      return Status::Internal("task gradients: step " + std::to_string(state->step) + ": " +
                              e.what_without_backtrace());
    }
  }
  *buffer = std::move(out);
  return Status::Ok();
}

}  // namespace

Status ComputeTaskGradients(TrainState* state, const std::vector<int64_t>& owned_tasks,
                            std::vector<float>* buffer) {
  std::vector<Part> parts;
  for (int64_t i : owned_tasks) parts.push_back({i, 0, state->options.batch_size, true});
  return ComputeParts(state, parts, buffer);
}

Status ComputeSliceGradients(TrainState* state, const std::vector<TaskSlice>& slices,
                             std::vector<float>* buffer) {
  std::vector<Part> parts;
  for (const TaskSlice& s : slices) parts.push_back({s.task, s.begin, s.end, false});
  return ComputeParts(state, parts, buffer);
}

}  // namespace pwemoe::train

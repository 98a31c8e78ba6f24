// ApplyStep: step (c) of a training step (trainer.h): combine, set .grad, Adam.
#include <cmath>
#include <string>

#include "pwemoe/train/epo.h"
#include "pwemoe/train/schedule.h"
#include "pwemoe/train/trainer.h"

namespace pwemoe::train {
namespace {

// Checks every buffer value is finite; the error names the step and the task of the first bad row.
Status CheckBuffer(const TrainState& s, const std::vector<float>& buffer) {
  const int64_t row = BufferRowLength(s);
  for (int64_t i = 0; i < s.problem.model.num_tasks; ++i) {
    for (int64_t k = 0; k < row; ++k) {
      if (std::isfinite(buffer[i * row + k])) continue;
      return Status::Numerical("step " + std::to_string(s.step) + ", task '" +
                               s.problem.task_names[i] + "': " +
                               (k == 0 ? "loss" : "gradient") + " is not finite");
    }
  }
  return Status::Ok();
}

// The loss weights of this step (LS: the ray; EPO: T alpha), with the EPO fields of *record.
Status LossWeights(const TrainState& s, const std::vector<float>& buffer, StepRecord* record) {
  if (s.options.variant == Variant::kLs) {
    record->loss_weights = LsWeights(record->ray);
    return Status::Ok();
  }
  EpoInput in;
  in.gram = GramOfGradients(buffer, s.problem.model.num_tasks, BufferRowLength(s));
  in.ray = record->ray;
  in.losses = record->losses;
  in.eps = s.options.epo_eps;
  EpoResult epo;
  Status st = EpoCombine(in, &epo);
  if (!st.ok()) return st.WithContext("step " + std::to_string(s.step));
  record->loss_weights = epo.loss_weights;
  record->epo_alpha = epo.alpha;
  record->epo_mu = epo.mu;
  record->epo_mode = EpoModeName(epo.mode);
  return Status::Ok();
}

// Writes sum_i w_i g_i (accumulated in double) into each router parameter's .grad.
void SetCombinedGradient(TrainState* s, const std::vector<float>& buffer,
                         const std::vector<double>& w) {
  const int64_t t = s->problem.model.num_tasks;
  const int64_t row = BufferRowLength(*s);
  std::vector<float> combined(static_cast<size_t>(s->num_params));
  for (int64_t k = 0; k < s->num_params; ++k) {
    double sum = 0;
    for (int64_t i = 0; i < t; ++i) sum += w[i] * static_cast<double>(buffer[i * row + 1 + k]);
    combined[k] = static_cast<float>(sum);
  }
  int64_t offset = 0;
  for (auto& p : s->params) {
    torch::Tensor g = torch::from_blob(combined.data() + offset, p.sizes(), torch::kFloat32);
    p.mutable_grad() = g.to(p.options().requires_grad(false)).clone();
    offset += p.numel();
  }
}

}  // namespace

Status ApplyStep(TrainState* state, const std::vector<float>& buffer, StepRecord* record) {
  const int64_t t = state->problem.model.num_tasks;
  if (state->step >= state->options.steps) {
    return Status::InvalidArgument("apply step: all " + std::to_string(state->options.steps) +
                                   " steps have run");
  }
  if (static_cast<int64_t>(buffer.size()) != t * BufferRowLength(*state)) {
    return Status::InvalidArgument("apply step: buffer has " + std::to_string(buffer.size()) +
                                   " values, expected " +
                                   std::to_string(t * BufferRowLength(*state)));
  }
  PWEMOE_RETURN_IF_ERROR(CheckBuffer(*state, buffer));
  StepRecord rec;
  rec.step = state->step;
  rec.lr = CosineLr(state->options.lr, state->step, state->options.steps);
  rec.ray = StepRay(t, state->options.alpha, state->options.seed, state->step,
                    state->options.fixed_ray);
  for (int64_t i = 0; i < t; ++i) rec.losses.push_back(buffer[i * BufferRowLength(*state)]);
  PWEMOE_RETURN_IF_ERROR(LossWeights(*state, buffer, &rec));
  for (int64_t i = 0; i < t; ++i) rec.total_loss += rec.loss_weights[i] * rec.losses[i];
  try {
    SetCombinedGradient(state, buffer, rec.loss_weights);
    for (auto& group : state->optimizer->param_groups()) {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(rec.lr);
    }
    state->optimizer->step();
  } catch (const c10::Error& e) {
    return Status::Internal("apply step " + std::to_string(state->step) + ": " +
                            e.what_without_backtrace());
  }
  ++state->step;
  *record = std::move(rec);
  return Status::Ok();
}

}  // namespace pwemoe::train

#include "pwemoe/model/zeroshot.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "pwemoe/io/tensor_messages.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::model {

namespace {

// Rows of `x` ([N, D], float64) divided by their L2 norms; false (and `bad` set to the first such
// row) when a norm is zero or not finite.
bool NormalizeRows(const torch::Tensor& x, torch::Tensor* out, int64_t* bad) {
  torch::Tensor norms = x.norm(2, {1}, /*keepdim=*/true);
  torch::Tensor ok = torch::isfinite(norms) & (norms > 0);
  if (!ok.all().item<bool>()) {
    *bad = torch::nonzero(ok.logical_not()).select(1, 0)[0].item<int64_t>();
    return false;
  }
  *out = x / norms;
  return true;
}

}  // namespace

Status ZeroShotHead(const ClipTextModel& model, const torch::Tensor& prompt_ids,
                    int64_t num_classes, int64_t batch_size, const ZeroShotProgress& progress,
                    ClassificationHead* out) {
  if (num_classes < 1 || batch_size < 1) {
    return Status::InvalidArgument("zero-shot head: num_classes " + std::to_string(num_classes) +
                                   " and batch_size " + std::to_string(batch_size) +
                                   " must be positive");
  }
  if (!prompt_ids.defined() || prompt_ids.dim() != 2 || prompt_ids.size(0) < num_classes ||
      prompt_ids.size(0) % num_classes != 0) {
    return Status::InvalidArgument(
        "zero-shot head: prompt_ids " +
        (prompt_ids.defined() ? io::ShapeString(prompt_ids.sizes()) : std::string("undefined")) +
        ", expected [num_classes * templates, length] with num_classes " +
        std::to_string(num_classes));
  }
  const int64_t total = prompt_ids.size(0), templates = total / num_classes;
  try {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> parts;
    for (int64_t begin = 0; begin < total; begin += batch_size) {
      const int64_t end = std::min(total, begin + batch_size);
      torch::Tensor embeds;
      Status st = ClipTextForward(model.config, model.params, prompt_ids.slice(0, begin, end),
                                  &embeds);
      if (!st.ok()) {
        return st.WithContext("zero-shot head: prompts " + std::to_string(begin) + ".." +
                              std::to_string(end - 1) + " (row r of the batch is prompt " +
                              std::to_string(begin) + " + r)");
      }
      parts.push_back(embeds.to(torch::kCPU, torch::kFloat64));
      if (progress) progress(end, total);
    }
    torch::Tensor unit;
    int64_t bad = 0;
    if (!NormalizeRows(torch::cat(parts), &unit, &bad)) {
      return Status::Numerical("zero-shot head: the embedding of prompt " + std::to_string(bad) +
                               " (class " + std::to_string(bad / templates) + ", template " +
                               std::to_string(bad % templates) + ") has a zero or non-finite norm");
    }
    torch::Tensor mean = unit.reshape({num_classes, templates, unit.size(1)}).mean(1);
    torch::Tensor weight;
    if (!NormalizeRows(mean, &weight, &bad)) {
      return Status::Numerical("zero-shot head: the mean embedding of class " +
                               std::to_string(bad) + " has a zero or non-finite norm");
    }
    const double scale = std::exp(model.logit_scale);
    if (!std::isfinite(scale) || !(scale > 0)) {
      return Status::Numerical("zero-shot head: exp(logit_scale " +
                               FormatDouble(model.logit_scale) + ") is not finite and positive");
    }
    ClassificationHead head;
    head.weight = weight.to(torch::kFloat32).contiguous();
    head.logit_scale = scale;
    *out = std::move(head);
  } catch (const std::exception& e) {
    return Status::Internal("zero-shot head: " + io::ExceptionText(e));
  }
  return Status::Ok();
}

}  // namespace pwemoe::model

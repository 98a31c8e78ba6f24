#include "pwemoe/eval/evaluate.h"

#include <algorithm>
#include <exception>
#include <string>

#include "pwemoe/eval/sample_subset.h"
#include "pwemoe/model/clip_vit.h"

namespace pwemoe::eval {
namespace {

std::string Text(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) return c10->what_without_backtrace();
  return e.what();
}

// The checks EvaluateModel promises, before any tensor work.
Status CheckInputs(const io::ClipVisionConfig& config, const model::ClassificationHead& head,
                   const data::Dataset& dataset, int64_t batch_size, int64_t sample_cap) {
  if (batch_size < 1) {
    return Status::InvalidArgument("batch size must be >= 1, got " + std::to_string(batch_size));
  }
  if (sample_cap < 0) {
    return Status::InvalidArgument("sample cap must be >= 0, got " + std::to_string(sample_cap));
  }
  if (!dataset.is_open()) return Status::InvalidArgument("evaluate: the dataset is not open");
  const data::DatasetInfo& info = dataset.info();
  if (info.height != config.image_size || info.width != config.image_size ||
      info.channels != config.num_channels) {
    return Status::InvalidArgument(
        info.path + ": images are " + std::to_string(info.height) + "x" +
        std::to_string(info.width) + "x" + std::to_string(info.channels) + ", the model expects " +
        std::to_string(config.image_size) + "x" + std::to_string(config.image_size) + "x" +
        std::to_string(config.num_channels));
  }
  if (head.projection_dim() != config.projection_dim) {
    return Status::InvalidArgument(info.path + ": the head's width " +
                                   std::to_string(head.projection_dim()) +
                                   " differs from the model's projection_dim " +
                                   std::to_string(config.projection_dim));
  }
  for (size_t i = 0; i < dataset.labels().size(); ++i) {
    if (dataset.labels()[i] >= head.num_classes()) {
      return Status::InvalidArgument(
          info.path + ": label " + std::to_string(dataset.labels()[i]) + " of sample " +
          std::to_string(i) + " is not below the head's " + std::to_string(head.num_classes()) +
          " classes");
    }
  }
  return Status::Ok();
}

// Adds one batch's correct predictions and per-sample losses (in sample order) to the totals.
// With `kept` not null, appends the batch's embeddings and logits (float32, CPU) to it.
Status AccumulateBatch(const io::ClipVisionConfig& config, const io::TensorMap& params,
                       const model::ClassificationHead& head, const torch::Tensor& pixels,
                       const torch::Tensor& labels, int64_t* correct, double* loss_sum,
                       std::vector<torch::Tensor>* kept) {
  torch::Tensor embeds, logits;
  PWEMOE_RETURN_IF_ERROR(model::ClipVisionForward(config, params, pixels, &embeds));
  PWEMOE_RETURN_IF_ERROR(model::HeadLogits(head, embeds, &logits));
  if (kept != nullptr) {
    kept[0].push_back(embeds.to(torch::kCPU, torch::kFloat32));
    kept[1].push_back(logits.to(torch::kCPU, torch::kFloat32));
  }
  const torch::Tensor target = labels.to(logits.device());
  const torch::Tensor losses = torch::nn::functional::cross_entropy(
      logits, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  const torch::Tensor cpu_losses = losses.to(torch::kCPU, torch::kFloat64).contiguous();
  const double* l = cpu_losses.data_ptr<double>();
  for (int64_t i = 0; i < cpu_losses.numel(); ++i) *loss_sum += l[i];
  *correct += logits.argmax(1).eq(target).sum().item<int64_t>();
  return Status::Ok();
}

}  // namespace

Status EvaluateModel(const io::ClipVisionConfig& config, const io::TensorMap& params,
                     const model::ClassificationHead& head, const data::Dataset& dataset,
                     int64_t batch_size, int64_t sample_cap, model::Precision precision,
                     EvalResult* out, EvalOutputs* outputs) {
  PWEMOE_RETURN_IF_ERROR(CheckInputs(config, head, dataset, batch_size, sample_cap));
  PWEMOE_RETURN_IF_ERROR(model::ValidateClipVisionParams(config, params));
  io::TensorMap compute;
  {
    torch::NoGradGuard no_grad;
    PWEMOE_RETURN_IF_ERROR(model::CastForCompute(params, precision, &compute));
  }
  const int64_t n = dataset.info().size;
  const bool capped = sample_cap > 0 && sample_cap < n;
  const std::vector<int64_t> subset =
      capped ? StratifiedSubset(dataset.labels(), sample_cap, kSampleSubsetSeed) : std::vector<int64_t>();
  const int64_t count = capped ? sample_cap : n;
  try {
    torch::NoGradGuard no_grad;
    const torch::Tensor& ref = params.at(model::kClassEmbedding);
    int64_t correct = 0;
    double loss_sum = 0.0;
    std::vector<torch::Tensor> kept[2];  // embeddings, logits (with `outputs`)
    for (int64_t begin = 0; begin < count; begin += batch_size) {
      const int64_t size = std::min(batch_size, count - begin);
      torch::Tensor pixels, labels;
      if (capped) {
        const auto first = subset.begin() + begin;
        PWEMOE_RETURN_IF_ERROR(data::ReadIndices(dataset, std::vector<int64_t>(first, first + size),
                                                 &pixels, &labels));
      } else {
        PWEMOE_RETURN_IF_ERROR(data::ReadBatch(dataset, begin, size, &pixels, &labels));
      }
      pixels = pixels.to(ref.device(), ref.scalar_type());
      PWEMOE_RETURN_IF_ERROR(AccumulateBatch(config, compute, head, pixels, labels, &correct,
                                             &loss_sum, outputs != nullptr ? kept : nullptr));
    }
    if (outputs != nullptr) {
      std::vector<int64_t> all(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
      const std::vector<int64_t>& picked = capped ? subset : all;
      torch::Tensor indices = torch::tensor(picked, torch::kInt64);
      torch::Tensor file_labels = torch::tensor(dataset.labels(), torch::kInt64);
      *outputs = {indices, file_labels.index_select(0, indices), torch::cat(kept[0]),
                  torch::cat(kept[1])};
    }
    out->count = count;
    out->correct = correct;
    out->accuracy = static_cast<double>(correct) / static_cast<double>(count);
    out->mean_loss = loss_sum / static_cast<double>(count);
  } catch (const std::exception& e) {
    return Status::Internal("evaluate " + dataset.info().path + ": " + Text(e));
  }
  return Status::Ok();
}

}  // namespace pwemoe::eval

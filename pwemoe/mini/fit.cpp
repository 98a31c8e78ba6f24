#include "pwemoe/mini/fit.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>

#include "pwemoe/data/dataset.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/io/tensor_messages.h"

namespace pwemoe::mini {
namespace {

namespace F = torch::nn::functional;
using io::ExceptionText;

// Learning rate at `step` of `budget`: linear warm-up to lr, then cosine decay to 0.
double LrAt(const FitBudget& budget, int64_t step) {
  const int64_t warm = static_cast<int64_t>(budget.warmup * static_cast<double>(budget.steps));
  if (step < warm) return budget.lr * static_cast<double>(step + 1) / static_cast<double>(warm);
  const double t = static_cast<double>(step - warm) / static_cast<double>(budget.steps - warm);
  return 0.5 * budget.lr * (1.0 + std::cos(M_PI * t));
}

// The minibatch index tensors of a whole fit: epochs of seeded permutations, cut in batches.
class BatchOrder {
 public:
  BatchOrder(int64_t n, int64_t batch, uint64_t seed)
      : n_(n), batch_(std::min(batch, n)), gen_(at::detail::createCPUGenerator(seed)) {}
  torch::Tensor Next() {
    if (!perm_.defined() || pos_ + batch_ > n_) {
      perm_ = torch::randperm(n_, gen_, torch::TensorOptions().dtype(torch::kInt64));
      pos_ = 0;
    }
    torch::Tensor idx = perm_.slice(0, pos_, pos_ + batch_);
    pos_ += batch_;
    return idx;
  }

 private:
  int64_t n_, batch_, pos_ = 0;
  at::Generator gen_;
  torch::Tensor perm_;
};

// loss_fn(indices, &loss, &correct) for one minibatch.
using BatchLoss = std::function<Status(const torch::Tensor&, torch::Tensor*, int64_t*)>;

// The optimisation loop shared by every fit: AdamW over `params`, LrAt, progress, report.
Status RunFit(const std::vector<torch::Tensor>& params, int64_t n, const FitBudget& budget,
              uint64_t seed, const BatchLoss& loss_fn, const FitProgress& progress,
              FitReport* report) {
  const auto start = std::chrono::steady_clock::now();
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(budget.lr)
                                      .weight_decay(budget.weight_decay));
  BatchOrder order(n, budget.batch_size, seed);
  const int64_t tenth = std::max<int64_t>(1, budget.steps / 10);
  const int64_t every = std::max<int64_t>(1, budget.steps / 4);
  double first = 0, last = 0, since = 0;
  int64_t correct_last = 0, seen_last = 0, since_n = 0;
  for (int64_t step = 0; step < budget.steps; ++step) {
    for (auto& group : opt.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(LrAt(budget, step));
    }
    const torch::Tensor idx = order.Next();
    torch::Tensor loss;
    int64_t correct = 0;
    PWEMOE_RETURN_IF_ERROR(loss_fn(idx, &loss, &correct));
    const double value = loss.item<double>();
    if (!std::isfinite(value)) {
      return Status::Numerical("step " + std::to_string(step) + ": loss is " +
                               std::to_string(value));
    }
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (step < tenth) first += value / static_cast<double>(tenth);
    if (step >= budget.steps - tenth) {
      last += value / static_cast<double>(tenth);
      correct_last += correct;
      seen_last += idx.size(0);
    }
    since += value;
    ++since_n;
    if (progress && ((step + 1) % every == 0 || step + 1 == budget.steps)) {
      progress(step + 1, since / static_cast<double>(since_n));
      since = 0;
      since_n = 0;
    }
  }
  report->first_loss = first;
  report->final_loss = last;
  report->final_accuracy = seen_last ? static_cast<double>(correct_last) / seen_last : 0.0;
  report->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::Ok();
}

// Cosine logits exp(log_scale) * normalize(x) . normalize(rows)^T.
torch::Tensor CosineLogits(const torch::Tensor& x, const torch::Tensor& rows,
                           const torch::Tensor& log_scale) {
  return log_scale.exp() * torch::matmul(F::normalize(x, F::NormalizeFuncOptions().dim(1)),
                                         F::normalize(rows, F::NormalizeFuncOptions().dim(1)).t());
}

int64_t Correct(const torch::Tensor& logits, const torch::Tensor& labels) {
  return logits.argmax(1).eq(labels).sum().item<int64_t>();
}

Status CheckLabels(const torch::Tensor& labels, int64_t num_classes, const char* what) {
  if (labels.numel() > 0 && labels.max().item<int64_t>() >= num_classes) {
    return Status::InvalidArgument(std::string(what) + ": a label is " +
                                   std::to_string(labels.max().item<int64_t>()) + " but the head has " +
                                   std::to_string(num_classes) + " classes");
  }
  return Status::Ok();
}

// Writes the trained rows (normalised) and scale into *head.
void StoreCosineHead(const torch::Tensor& rows, const torch::Tensor& log_scale,
                     model::ClassificationHead* head) {
  torch::NoGradGuard guard;
  head->weight = F::normalize(rows.detach(), F::NormalizeFuncOptions().dim(1)).contiguous();
  head->logit_scale = log_scale.exp().item<double>();
}

}  // namespace

Status LoadSplit(const std::string& path, Split* out) {
  data::Dataset dataset;
  PWEMOE_RETURN_IF_ERROR(data::OpenDataset(path, &dataset));
  Split split;
  PWEMOE_RETURN_IF_ERROR(data::ReadBatch(dataset, 0, dataset.info().size, &split.pixels, &split.labels));
  split.classes = dataset.info().classes;
  *out = std::move(split);
  return Status::Ok();
}

io::TensorMap RandomClipParams(const io::ClipVisionConfig& config, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard guard;
  io::TensorMap params;
  for (const auto& [key, shape] : model::ClipVisionParamShapes(config)) {
    const auto ends_with = [&key](const std::string& s) {
      return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0;
    };
    const bool norm = key.find("norm") != std::string::npos ||
                      key.find("layrnorm") != std::string::npos;
    torch::Tensor t;
    if (norm) {
      t = ends_with(".weight") ? torch::ones(shape) : torch::zeros(shape);
    } else if (ends_with(".bias")) {
      t = torch::zeros(shape);
    } else if (key == model::kClassEmbedding) {
      t = torch::randn(shape, gen) / std::sqrt(static_cast<double>(config.hidden_size));
    } else if (key == model::kPositionEmbedding) {
      t = 0.02 * torch::randn(shape, gen);
    } else {
      const int64_t fan_in = torch::empty(shape).numel() / shape[0];
      t = torch::randn(shape, gen) / std::sqrt(static_cast<double>(fan_in));
    }
    params[key] = t.to(torch::kFloat32).contiguous();
  }
  return params;
}

Status FitClassifier(const io::ClipVisionConfig& config, io::TensorMap* params,
                     const std::vector<std::string>& trainable, model::ClassificationHead* head,
                     bool train_head, const Split& data, const FitBudget& budget, uint64_t seed,
                     const FitProgress& progress, FitReport* report) {
  PWEMOE_RETURN_IF_ERROR(CheckLabels(data.labels, head->num_classes(), "fit"));
  std::vector<torch::Tensor> leaves;
  try {
    for (const std::string& key : trainable) {
      auto it = params->find(key);
      if (it == params->end()) {
        return Status::InvalidArgument("fit: trainable tensor '" + key + "' is not in the model");
      }
      it->second = it->second.detach().clone().requires_grad_(true);
      leaves.push_back(it->second);
    }
    torch::Tensor rows, log_scale;
    if (train_head) {
      rows = head->weight.detach().clone().requires_grad_(true);
      log_scale = torch::tensor(std::log(head->logit_scale)).requires_grad_(true);
      leaves.push_back(rows);
      leaves.push_back(log_scale);
    }
    const BatchLoss loss_fn = [&](const torch::Tensor& idx, torch::Tensor* loss,
                                  int64_t* correct) -> Status {
      const torch::Tensor x = data.pixels.index_select(0, idx);
      const torch::Tensor y = data.labels.index_select(0, idx);
      torch::Tensor embeds, logits;
      PWEMOE_RETURN_IF_ERROR(model::ClipVisionForward(config, *params, x, &embeds));
      if (train_head) {
        logits = CosineLogits(embeds, rows, log_scale);
      } else {
        PWEMOE_RETURN_IF_ERROR(model::HeadLogits(*head, embeds, &logits));
      }
      *loss = F::cross_entropy(logits, y);
      *correct = Correct(logits.detach(), y);
      return Status::Ok();
    };
    PWEMOE_RETURN_IF_ERROR(RunFit(leaves, data.size(), budget, seed, loss_fn, progress, report));
    for (const std::string& key : trainable) (*params)[key] = (*params)[key].detach();
    if (train_head) StoreCosineHead(rows, log_scale, head);
  } catch (const std::exception& e) {
    return Status::Internal("fit: " + ExceptionText(e));
  }
  return Status::Ok();
}

Status NormalizedFeatures(const io::ClipVisionConfig& config, const io::TensorMap& params,
                          const Split& data, torch::Tensor* out) {
  torch::NoGradGuard guard;
  std::vector<torch::Tensor> parts;
  constexpr int64_t kBatch = 512;
  try {
    for (int64_t b = 0; b < data.size(); b += kBatch) {
      torch::Tensor embeds;
      PWEMOE_RETURN_IF_ERROR(model::ClipVisionForward(
          config, params, data.pixels.slice(0, b, std::min(b + kBatch, data.size())), &embeds));
      parts.push_back(F::normalize(embeds, F::NormalizeFuncOptions().dim(1)));
    }
    *out = torch::cat(parts);
  } catch (const std::exception& e) {
    return Status::Internal("features: " + ExceptionText(e));
  }
  return Status::Ok();
}

Status FitProbe(const torch::Tensor& features, const torch::Tensor& labels, int64_t num_classes,
                double logit_scale, const FitBudget& budget, uint64_t seed,
                model::ClassificationHead* head, FitReport* report) {
  PWEMOE_RETURN_IF_ERROR(CheckLabels(labels, num_classes, "probe"));
  try {
    at::Generator gen = at::detail::createCPUGenerator(seed);
    torch::Tensor rows = torch::randn({num_classes, features.size(1)}, gen).requires_grad_(true);
    torch::Tensor log_scale = torch::tensor(std::log(logit_scale)).requires_grad_(true);
    const BatchLoss loss_fn = [&](const torch::Tensor& idx, torch::Tensor* loss,
                                  int64_t* correct) -> Status {
      const torch::Tensor y = labels.index_select(0, idx);
      const torch::Tensor logits = CosineLogits(features.index_select(0, idx), rows, log_scale);
      *loss = F::cross_entropy(logits, y);
      *correct = Correct(logits.detach(), y);
      return Status::Ok();
    };
    PWEMOE_RETURN_IF_ERROR(
        RunFit({rows, log_scale}, labels.size(0), budget, seed, loss_fn, nullptr, report));
    StoreCosineHead(rows, log_scale, head);
  } catch (const std::exception& e) {
    return Status::Internal("probe: " + ExceptionText(e));
  }
  return Status::Ok();
}

}  // namespace pwemoe::mini

// Supervised fitting of the built-in benchmark's models (LibTorch): the random initialisation of
// a tiny CLIP vision transformer, whole dataset splits in memory, and one classifier fit used for
// all three stages of the benchmark (recipe.h):
//   pretraining  every vision parameter + projection + a temporary cosine head, all trained;
//   probes       a cosine head (unit rows, learned logit scale) on frozen normalised features;
//   experts      the vision tower only, with the task's frozen head and the pretrained projection.
// The loss is the cross-entropy of logits = s * W . normalize(visual_projection(pooled)) exactly as
// model::HeadLogits computes them for evaluation.
//
// Determinism: for a seed and a LibTorch thread count, results are bitwise reproducible (the
// minibatch order comes from a seeded generator, never the global one).
// Thread safety: functions keep no state; the caller's tensors are modified only where stated.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/mini/recipe.h"
#include "pwemoe/model/head.h"
#include "pwemoe/util/status.h"

namespace pwemoe::mini {

// A dataset split in memory: pixels float32 [N, C, H, W] (model inputs), labels int64 [N].
struct Split {
  torch::Tensor pixels;
  torch::Tensor labels;
  std::vector<std::string> classes;
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// Reads the whole dataset file at `path` (data::OpenDataset + ReadBatch). Errors name the file.
Status LoadSplit(const std::string& path, Split* out);

// Fresh random parameters for `config` in Hugging Face layout (with the projection), float32:
// linear and patch weights ~ N(0, 1/fan_in), embeddings ~ N(0, 0.02^2) (class embedding
// N(0, 1/D)), layer norms gain 1 bias 0, biases 0. Deterministic for `seed`.
io::TensorMap RandomClipParams(const io::ClipVisionConfig& config, uint64_t seed);

// What a fit measured: the mean loss over its first and last 10% of steps, the accuracy over the
// last 10% of steps' minibatches, and its wall time.
struct FitReport {
  double first_loss = 0;
  double final_loss = 0;
  double final_accuracy = 0;
  double seconds = 0;
};

// Called every few steps with (completed steps, mean loss since the last call).
using FitProgress = std::function<void(int64_t, double)>;

// Trains, with AdamW (warm-up then cosine decay to 0, recipe.h), the keys `trainable` of *params
// (replaced in *params by the trained tensors; the others are read only) and, when `train_head`
// is true, *head (weight rows are kept unnormalised while training and normalised at the end, the
// logit scale learned in log space). Minibatches of budget.batch_size drawn without replacement
// from `data`, reshuffled every epoch from `seed`. InvalidArgument naming the key for a trainable
// key not in *params, or for a head whose class count is below a label of `data`; Numerical
// naming the step when the loss stops being finite; Internal with LibTorch's message. On error
// *params and *head may hold partially trained tensors.
Status FitClassifier(const io::ClipVisionConfig& config, io::TensorMap* params,
                     const std::vector<std::string>& trainable, model::ClassificationHead* head,
                     bool train_head, const Split& data, const FitBudget& budget, uint64_t seed,
                     const FitProgress& progress, FitReport* report);

// normalize(visual_projection(pooled)) of every image of `data` (no gradient), in batches:
// float32 [N, projection_dim]. Errors as model::ClipVisionForward.
Status NormalizedFeatures(const io::ClipVisionConfig& config, const io::TensorMap& params,
                          const Split& data, torch::Tensor* out);

// A linear probe: a cosine head fitted on fixed normalised `features` [N, d] and `labels` (AdamW
// on the rows and the log scale, full-batch when budget.batch_size >= N). The head's rows are
// unit vectors and logit_scale the learned scale, starting from `logit_scale`. Errors as
// FitClassifier.
Status FitProbe(const torch::Tensor& features, const torch::Tensor& labels, int64_t num_classes,
                double logit_scale, const FitBudget& budget, uint64_t seed,
                model::ClassificationHead* head, FitReport* report);

}  // namespace pwemoe::mini

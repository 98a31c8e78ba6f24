// Evaluating one plain model (a name -> tensor map in Hugging Face layout, e.g. a merge-and-unload
// result or a baseline merge) on one task: CLIP vision forward, the task's frozen head, then top-1
// accuracy and mean cross-entropy over the dataset or its capped subset (docs/DESIGN.md, "Evaluate").
//
// Deterministic: batches are read in file order, per-sample losses are summed in sample order in
// double precision, so a result depends only on the inputs, the device and LibTorch's thread
// count, never on the batch size beyond the rounding of the forward itself.
//
// Thread safety: no function keeps state; parameters, head and dataset are only read (concurrent
// evaluations over shared inputs are safe).
#pragma once

#include <cstdint>

#include "pwemoe/data/dataset.h"
#include "pwemoe/io/hf_config.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/model/head.h"
#include "pwemoe/model/precision.h"
#include "pwemoe/util/status.h"

namespace pwemoe::eval {

// The outcome on one task. accuracy = correct / count; mean_loss = (sum of per-sample
// cross-entropies) / count, natural log.
struct EvalResult {
  double accuracy = 0.0;
  double mean_loss = 0.0;
  int64_t count = 0;
  int64_t correct = 0;
};

// How much of each dataset is evaluated and in what pieces.
struct EvalOptions {
  int64_t batch_size = 128;  // >= 1; the last batch may be partial
  int64_t sample_cap = 0;    // evaluate a class-stratified min(cap, N) samples; 0: all N
  model::Precision precision = model::Precision::kFp32;  // of the forward (precision.h)
};

// Per-sample outputs of an evaluation, in the order of the samples evaluated (file order).
struct EvalOutputs {
  torch::Tensor indices;       // int64 [n]: the samples' indices in the dataset file
  torch::Tensor labels;        // int64 [n]
  torch::Tensor image_embeds;  // float32 [n, projection_dim]: the projected, unnormalised embeds
  torch::Tensor logits;        // float32 [n, classes]: the head's logits
};

// Evaluates `params` (validated with model::ValidateClipVisionParams(config, params), projection
// included) with `head` on the samples of `dataset` that StratifiedSubset(labels, sample_cap,
// kSampleSubsetSeed) picks (sample_subset.h: all N when sample_cap == 0 or >= N, read in file
// order), `batch_size` at a time, under torch::NoGradGuard, on the parameters' device,
// the forward in `precision` (model::CastForCompute once per call; the head, the losses and the
// argmax in the parameters' dtype). *out (and *outputs when not null: every sample's embedding
// and logits, on the CPU) is replaced on success, untouched on error.
// InvalidArgument for batch_size < 1, sample_cap < 0, a closed dataset, image size or channel
// count other than the config's, a head whose width is not config.projection_dim, or a dataset
// label >= the head's class count (each naming the dataset file); errors of
// ValidateClipVisionParams, ReadBatch, ClipVisionForward and HeadLogits as they are; Internal
// with LibTorch's message for a LibTorch failure.
Status EvaluateModel(const io::ClipVisionConfig& config, const io::TensorMap& params,
                     const model::ClassificationHead& head, const data::Dataset& dataset,
                     int64_t batch_size, int64_t sample_cap, model::Precision precision,
                     EvalResult* out, EvalOutputs* outputs = nullptr);

}  // namespace pwemoe::eval

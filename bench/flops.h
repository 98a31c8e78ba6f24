// Analytic FLOP counts of the CLIP vision forward and of one router-training step, from the
// config alone (one multiply-add = 2 FLOPs). Only the matrix products are counted (patch
// embedding, Q/K/V/out projections, attention scores and weighted sums, MLP, visual projection);
// layer norms, softmax, activations, the classification head and the merge itself are left out
// (each under 1% of the total at ViT-B/32 size), so achieved GFLOP/s figures are slight
// underestimates.
#pragma once

#include <cstdint>

#include "pwemoe/io/hf_config.h"

namespace pwemoe::bench {

// FLOPs of model::ClipVisionForward on `batch` images: with N = (image/patch)^2 patches,
// L = N + 1 tokens, D = hidden, I = intermediate, C = channels, P = patch, R = projection_dim,
//   batch * (2 N D C P^2  +  layers * (8 L D^2 + 4 L^2 D + 4 L D I)  +  2 D R).
double ClipForwardFlops(const io::ClipVisionConfig& config, int64_t batch);

// FLOPs of one training step (train::ComputeTaskGradients over all tasks) with `num_tasks` tasks
// of `batch` images each, the MLPs upscaled: per task one forward (ClipForwardFlops), the backward
// of the activations through every layer and the projection (the same products as the forward,
// twice for the two activation-by-activation attention products; none for the patch embedding,
// whose input needs no gradient) and the weight gradients of the MLP weights only (4 L D I per
// layer and image; nothing else in the model requires grad).
double TrainStepFlops(const io::ClipVisionConfig& config, int64_t num_tasks, int64_t batch);

}  // namespace pwemoe::bench

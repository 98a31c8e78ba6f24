// Analytic FLOP counts of the CLIP vision forward and of one router-training step, from the
// config alone (one multiply-add = 2 FLOPs), of the products the code executes. Only the matrix products are counted (patch
// embedding, Q/K/V/out projections, attention scores and weighted sums, MLP, visual projection);
// layer norms, softmax, activations, the classification head and the merge itself are left out
// (each under 1% of the total at ViT-B/32 size), so achieved GFLOP/s figures are slight
// underestimates.
#pragma once

#include <cstdint>

#include "pwemoe/io/hf_config.h"

namespace pwemoe::bench {

// FLOPs of model::ClipVisionForward on `batch` images, as it computes them: with
// N = (image/patch)^2 patches, L = N + 1 tokens, D = hidden, I = intermediate, C = channels,
// P = patch, R = projection_dim, every layer but the last at every token,
//   8 L D^2 + 4 L^2 D + 4 L D I,
// the last at the class token only (the pooled output reads nothing else): keys and values of
// every token, the query, attention, output projection and MLP of one,
//   4 L D^2 + 4 D^2 + 4 L D + 4 D I,
// plus the patch embedding 2 N D C P^2 and the projection 2 D R, per image. (Hugging Face's
// forward computes the last layer at every token too: ClipFullForwardFlops.)
double ClipForwardFlops(const io::ClipVisionConfig& config, int64_t batch);

// The same forward with the last layer at every token (what transformers and PyTorch eager
// compute; the work images/s figures of both sides stand for).
double ClipFullForwardFlops(const io::ClipVisionConfig& config, int64_t batch);

// FLOPs of one training step (train::ComputeTaskGradients over all tasks) with `num_tasks` tasks
// of `batch` images each, the MLPs upscaled, as autograd runs it: per task one forward
// (ClipForwardFlops); the gradients of the activations wherever an upscaled MLP weight lies
// upstream: layers 1 .. last-1 entirely (the forward's products, the two attention products
// between activations twice), the last layer at what its class token used, and in layer 0 only
// fc2's input (nothing before layer 0's fc1 requires a gradient); the projection's input; and the
// weight gradients of the MLP weights (4 L D I per layer and image, 4 D I in the last layer).
double TrainStepFlops(const io::ClipVisionConfig& config, int64_t num_tasks, int64_t batch);

}  // namespace pwemoe::bench

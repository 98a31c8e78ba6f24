// An independent CLIP vision forward for the model tests, written with plain tensor arithmetic
// (explicit loops over patches, heads and layers; layer norm from mean and variance; softmax from
// exp and sum; patch embedding as one matmul per patch), and a random tiny-model builder whose
// shapes are spelled out here rather than taken from the library.
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/io/tensor_io.h"

namespace pwemoe::model::testing {

// A config with the given sizes (intermediate_size = 2 * hidden_size, layer_norm_eps 1e-5).
io::ClipVisionConfig TinyConfig(int64_t image_size, int64_t patch_size, int64_t channels,
                                int64_t hidden_size, int64_t heads, int64_t layers,
                                int64_t projection_dim, const std::string& act = "quick_gelu");

// Random parameters for `config` (float32 on the CPU, seeded by `seed`): weights ~ N(0, 1/fan_in),
// biases and embeddings ~ N(0, 0.1^2)..N(0, 1), layer-norm gains around 1.
io::TensorMap RandomParams(const io::ClipVisionConfig& config, uint64_t seed);

// The reference activation for a Hugging Face hidden_act name (quick_gelu, gelu, gelu_python,
// gelu_new, gelu_pytorch_tanh, relu, silu, swish), from its textbook formula.
torch::Tensor RefActivation(const std::string& act, const torch::Tensor& x);

// The reference forward in float64: pooled [B, D] (post_layernorm of the class token), and
// image_embeds [B, projection_dim] when `project`.
torch::Tensor RefClipVision(const io::ClipVisionConfig& config, const io::TensorMap& params,
                            const torch::Tensor& pixels, bool project);

}  // namespace pwemoe::model::testing

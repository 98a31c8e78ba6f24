// Tiny random CLIP vision models and model pools for the pwemoe/moe tests.
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/moe/pool.h"

namespace pwemoe::moe::testing {

// image 8, patch 4, 3 channels, hidden 8, 2 heads, 2 layers, intermediate 16, projection 6.
io::ClipVisionConfig TinyConfig();

// Random parameters of `config` with its projection (weights ~ N(0, 1/fan_in) roughly, layer-norm
// gains near 1), seeded, in `dtype`.
io::TensorMap RandomParams(const io::ClipVisionConfig& config, uint64_t seed,
                           torch::ScalarType dtype = torch::kFloat32);

// A pool of `num_tasks` experts over RandomParams(config, seed): each expert is the pretrained
// vision tower (no visual_projection, as vision-only checkpoints) plus N(0, 0.05^2) noise, with a
// random 3-class head of the projection width.
ModelPool RandomPool(const io::ClipVisionConfig& config, int64_t num_tasks, uint64_t seed,
                     torch::ScalarType dtype = torch::kFloat32);

// max |a - b| in float64.
double MaxAbsDiff(const torch::Tensor& a, const torch::Tensor& b);

// A fresh empty directory under the test temp dir.
std::string MakeTempDir(const std::string& stem);

}  // namespace pwemoe::moe::testing

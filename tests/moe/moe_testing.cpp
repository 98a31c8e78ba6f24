#include "moe_testing.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <vector>

#include "pwemoe/model/clip_vit.h"

namespace pwemoe::moe::testing {

io::ClipVisionConfig TinyConfig() {
  io::ClipVisionConfig c;
  c.image_size = 8;
  c.patch_size = 4;
  c.num_channels = 3;
  c.hidden_size = 8;
  c.num_attention_heads = 2;
  c.num_hidden_layers = 2;
  c.intermediate_size = 16;
  c.projection_dim = 6;
  return c;
}

io::TensorMap RandomParams(const io::ClipVisionConfig& config, uint64_t seed,
                           torch::ScalarType dtype) {
  torch::manual_seed(seed);
  io::TensorMap params;
  for (const auto& [key, shape] : model::ClipVisionParamShapes(config)) {
    torch::Tensor t = torch::randn(shape, torch::kFloat64);
    const bool norm =
        key.find("norm") != std::string::npos || key.find("layrnorm") != std::string::npos;
    if (norm && key.size() > 7 && key.substr(key.size() - 7) == ".weight") {
      t = 1.0 + 0.1 * t;
    } else if (shape.size() >= 2) {
      t = t / std::sqrt(static_cast<double>(t.numel() / shape[0]));
    } else {
      t = 0.1 * t;
    }
    params[key] = t.to(dtype);
  }
  return params;
}

ModelPool RandomPool(const io::ClipVisionConfig& config, int64_t num_tasks, uint64_t seed,
                     torch::ScalarType dtype) {
  ModelPool pool;
  pool.pretrained = RandomParams(config, seed, dtype);
  for (int64_t i = 0; i < num_tasks; ++i) {
    pool.tasks.push_back("task" + std::to_string(i));
    io::TensorMap expert;
    for (const auto& [key, t] : pool.pretrained) {
      if (key == model::kVisualProjection) continue;
      expert[key] = t + 0.05 * torch::randn(t.sizes(), t.options());
    }
    pool.experts.push_back(std::move(expert));
    model::ClassificationHead head;
    head.weight = torch::randn({3, config.projection_dim}, torch::TensorOptions().dtype(dtype));
    head.logit_scale = 10.0;
    pool.heads.push_back(head);
  }
  return pool;
}

double MaxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

std::string MakeTempDir(const std::string& stem) {
  std::string pattern = ::testing::TempDir() + stem + "_XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern;
  return std::string(name.data());
}

}  // namespace pwemoe::moe::testing

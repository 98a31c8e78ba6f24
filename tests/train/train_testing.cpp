#include "train_testing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "moe_testing.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/moe/merge.h"
#include "pwemoe/moe/upscale.h"

namespace pwemoe::train::testing {
namespace {

using moe::testing::TinyConfig;

io::TensorMap RandomParams(const io::ClipVisionConfig& config) {
  io::TensorMap params;
  for (const auto& [key, shape] : model::ClipVisionParamShapes(config)) {
    torch::Tensor t = torch::randn(shape, torch::kFloat64);
    const bool norm = key.find("norm") != std::string::npos;
    const bool weight = key.size() > 7 && key.substr(key.size() - 7) == ".weight";
    if (norm && weight) {
      t = 1.0 + 0.1 * t;
    } else if (shape.size() >= 2) {
      t = t / std::sqrt(static_cast<double>(t.numel() / shape[0]));
    } else {
      t = 0.1 * t;
    }
    params[key] = t.to(torch::kFloat32);
  }
  return params;
}

moe::ModelPool RandomPool(const io::ClipVisionConfig& config, int64_t num_tasks,
                          double tau_scale) {
  moe::ModelPool pool;
  pool.pretrained = RandomParams(config);
  for (int64_t i = 0; i < num_tasks; ++i) {
    pool.tasks.push_back("task" + std::to_string(i));
    io::TensorMap expert;
    for (const auto& [key, t] : pool.pretrained) {
      if (key == model::kVisualProjection) continue;
      expert[key] = t + tau_scale * torch::randn(t.sizes(), t.options());
    }
    pool.experts.push_back(std::move(expert));
    model::ClassificationHead head;
    head.weight = torch::randn({3, config.projection_dim});
    head.logit_scale = 10.0;
    pool.heads.push_back(head);
  }
  return pool;
}

// Labels = the expert's own argmax on the pixels (expert i's model with the pretrained projection).
torch::Tensor ExpertLabels(const moe::ModelPool& pool, const io::ClipVisionConfig& config,
                           int64_t task, const torch::Tensor& pixels) {
  io::TensorMap params = pool.experts[task];
  params[model::kVisualProjection] = pool.pretrained.at(model::kVisualProjection);
  torch::Tensor embeds, logits;
  EXPECT_TRUE(model::ClipVisionForward(config, params, pixels, &embeds).ok());
  EXPECT_TRUE(model::HeadLogits(pool.heads[task], embeds, &logits).ok());
  return logits.argmax(1).to(torch::kInt64);
}

}  // namespace

TinySetup MakeTinySetup(int64_t num_tasks, uint64_t seed, int64_t examples, double tau_scale) {
  torch::manual_seed(seed);
  TinySetup s;
  const io::ClipVisionConfig config = TinyConfig();
  s.pool = RandomPool(config, num_tasks, tau_scale);
  moe::UpscaleOptions options;
  options.seed = seed;
  moe::UpscaledModel model;
  Status st = moe::Upscale(s.pool, options, &model, &s.routers);
  EXPECT_TRUE(st.ok()) << st.ToString();
  s.problem.config = config;
  s.problem.model = model;
  s.problem.heads = s.pool.heads;
  s.problem.task_names = s.pool.tasks;
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < num_tasks; ++i) {
    torch::Tensor pixels = torch::randn({examples, 3, 8, 8});
    s.problem.data.push_back(TensorTaskData(pixels, ExpertLabels(s.pool, config, i, pixels)));
  }
  return s;
}

std::vector<double> FullLosses(const TrainProblem& problem, const std::vector<moe::Router>& routers,
                               const std::vector<double>& ray) {
  torch::NoGradGuard no_grad;
  io::TensorMap merged;
  EXPECT_TRUE(moe::MergeAndUnload(problem.model, routers, torch::tensor(ray), &merged).ok());
  std::vector<double> losses;
  for (size_t i = 0; i < problem.data.size(); ++i) {
    std::vector<int64_t> all(static_cast<size_t>(problem.data[i].size));
    for (size_t k = 0; k < all.size(); ++k) all[k] = static_cast<int64_t>(k);
    torch::Tensor pixels, labels, embeds, logits;
    EXPECT_TRUE(problem.data[i].read(all, &pixels, &labels).ok());
    EXPECT_TRUE(model::ClipVisionForward(problem.config, merged, pixels, &embeds).ok());
    EXPECT_TRUE(model::HeadLogits(problem.heads[i], embeds, &logits).ok());
    losses.push_back(torch::nn::functional::cross_entropy(logits, labels).item<double>());
  }
  return losses;
}

bool RoutersEqual(const std::vector<moe::Router>& a, const std::vector<moe::Router>& b) {
  if (a.size() != b.size()) return false;
  for (size_t m = 0; m < a.size(); ++m) {
    if (a[m].params.size() != b[m].params.size()) return false;
    for (size_t k = 0; k < a[m].params.size(); ++k) {
      if (!torch::equal(a[m].params[k], b[m].params[k])) return false;
    }
  }
  return true;
}

}  // namespace pwemoe::train::testing

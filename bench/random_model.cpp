#include "random_model.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <utility>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/moe/pool.h"

namespace pwemoe::bench {
namespace {

bool IsLayerNormWeight(const std::string& key) {
  const bool norm =
      key.find("norm") != std::string::npos || key.find("layrnorm") != std::string::npos;
  return norm && key.size() > 7 && key.compare(key.size() - 7, 7, ".weight") == 0;
}

// The pool of BenchPoolDir() with its first `num_tasks` experts and heads, upscaled with the
// defaults.
Status LoadBenchModel(const std::string& dir, int64_t num_tasks, BenchModel* out) {
  BenchModel built;
  PWEMOE_RETURN_IF_ERROR(io::LoadClipVisionConfig(dir + "/pretrained", &built.config));
  moe::PoolSpec spec;
  spec.pretrained = dir + "/pretrained";
  for (int64_t i = 0; i < num_tasks; ++i) {
    const std::string name = "task" + std::to_string(i);
    spec.tasks.push_back({name, dir + "/experts/" + name, dir + "/heads/" + name + ".safetensors"});
  }
  {
    moe::ModelPool pool;
    PWEMOE_RETURN_IF_ERROR(moe::LoadModelPool(spec, &pool));
    built.heads = pool.heads;
    moe::UpscaleOptions options;  // defaults: every mlp, 2 hidden layers, init_lambda 0.3
    PWEMOE_RETURN_IF_ERROR(moe::Upscale(pool, options, &built.model, &built.routers));
  }
  *out = std::move(built);
  return Status::Ok();
}

}  // namespace

std::string BenchPoolDir() {
  const char* dir = std::getenv("PWEMOE_BENCH_POOL");
  return dir == nullptr ? "" : dir;
}

Status BenchVitParams(io::ClipVisionConfig* config, io::TensorMap* params) {
  const std::string dir = BenchPoolDir();
  if (dir.empty()) {
    *config = VitB32Config();
    *params = RandomVitParams(*config, /*seed=*/0);
    return Status::Ok();
  }
  PWEMOE_RETURN_IF_ERROR(io::LoadClipVisionConfig(dir + "/pretrained", config));
  PWEMOE_RETURN_IF_ERROR(io::LoadTensors(dir + "/pretrained", params));
  return model::ValidateClipVisionParams(*config, *params);
}

io::ClipVisionConfig VitB32Config() {
  io::ClipVisionConfig c;
  c.hidden_size = 768;
  c.intermediate_size = 3072;
  c.num_hidden_layers = 12;
  c.num_attention_heads = 12;
  c.image_size = 224;
  c.patch_size = 32;
  c.num_channels = 3;
  c.hidden_act = "quick_gelu";
  c.projection_dim = 512;
  return c;
}

io::TensorMap RandomVitParams(const io::ClipVisionConfig& config, uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  io::TensorMap params;
  for (const auto& [key, shape] : model::ClipVisionParamShapes(config)) {
    torch::Tensor t = torch::randn(shape);
    if (IsLayerNormWeight(key)) {
      t.mul_(0.1).add_(1.0);
    } else if (shape.size() >= 2) {
      t.div_(std::sqrt(static_cast<double>(t.numel() / shape[0])));
    } else {
      t.mul_(0.1);
    }
    params[key] = t;
  }
  return params;
}

Status BuildBenchModel(const io::ClipVisionConfig& config, int64_t num_tasks, uint64_t seed,
                       BenchModel* out) {
  BenchModel built;
  built.config = config;
  {
    torch::NoGradGuard no_grad;
    moe::ModelPool pool;
    pool.pretrained = RandomVitParams(config, seed);
    for (int64_t i = 0; i < num_tasks; ++i) {
      pool.tasks.push_back("task" + std::to_string(i));
      io::TensorMap expert;
      for (const auto& [key, t] : pool.pretrained) {
        if (key == model::kVisualProjection) continue;  // vision-only experts
        expert[key] = key.find(".mlp.") == std::string::npos ? t : t + 0.01 * torch::randn_like(t);
      }
      pool.experts.push_back(std::move(expert));
    }
    moe::UpscaleOptions options;  // defaults: every mlp, 2 hidden layers, init_lambda 0.3
    options.seed = seed;
    PWEMOE_RETURN_IF_ERROR(moe::Upscale(pool, options, &built.model, &built.routers));
  }  // the pool (and with it every expert) is freed here
  *out = std::move(built);
  return Status::Ok();
}

Status SharedBenchModel(int64_t num_tasks, const torch::Device& device,
                        std::shared_ptr<const BenchModel>* out) {
  static std::map<std::pair<int64_t, std::string>, std::shared_ptr<const BenchModel>> cache;
  const std::pair<int64_t, std::string> key(num_tasks, device.str());
  auto it = cache.find(key);
  if (it == cache.end()) {
    auto model = std::make_shared<BenchModel>();
    const std::string dir = BenchPoolDir();
    if (dir.empty()) {
      PWEMOE_RETURN_IF_ERROR(BuildBenchModel(VitB32Config(), num_tasks, /*seed=*/0, model.get()));
    } else {
      PWEMOE_RETURN_IF_ERROR(LoadBenchModel(dir, num_tasks, model.get()));
    }
    if (!device.is_cpu()) {
      moe::UpscaledModel moved;
      std::vector<moe::Router> routers;
      PWEMOE_RETURN_IF_ERROR(moe::UpscaledModelTo(model->model, device, &moved));
      PWEMOE_RETURN_IF_ERROR(moe::RoutersTo(model->routers, device, &routers));
      model->model = std::move(moved);
      model->routers = std::move(routers);
    }
    it = cache.emplace(key, std::move(model)).first;
  }
  *out = it->second;
  return Status::Ok();
}

std::vector<model::ClassificationHead> RandomHeads(const io::ClipVisionConfig& config,
                                                   int64_t num_tasks, int64_t classes,
                                                   uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  std::vector<model::ClassificationHead> heads;
  for (int64_t i = 0; i < num_tasks; ++i) {
    model::ClassificationHead head;
    torch::Tensor w = torch::randn({classes, config.projection_dim});
    head.weight = w / w.norm(2, {1}, /*keepdim=*/true);
    head.logit_scale = 100.0;
    heads.push_back(head);
  }
  return heads;
}

std::vector<train::TaskData> RandomTaskData(const io::ClipVisionConfig& config,
                                            int64_t num_tasks, int64_t examples, int64_t classes,
                                            uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  std::vector<train::TaskData> data;
  for (int64_t i = 0; i < num_tasks; ++i) {
    torch::Tensor pixels = torch::randn(
        {examples, config.num_channels, config.image_size, config.image_size});
    torch::Tensor labels = torch::randint(classes, {examples}, torch::kInt64);
    data.push_back(train::TensorTaskData(pixels, labels));
  }
  return data;
}

std::vector<std::string> TaskNames(int64_t num_tasks) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < num_tasks; ++i) names.push_back("task" + std::to_string(i));
  return names;
}

}  // namespace pwemoe::bench

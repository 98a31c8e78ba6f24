#include "unit_testing.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "eval_testing.h"
#include "pwemoe/data/dataset.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/moe/router_io.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/train/task_data.h"
#include "worker/unit_records.h"

namespace pwemoe::worker::testing {
namespace fs = std::filesystem;
namespace et = pwemoe::eval::testing;

namespace {

const std::vector<std::string> kTasks = {"a", "b", "c"};

const char* kToml = R"([experiment]
name = "units"
output_dir = "ROOT/runs"

[model]
pretrained = "ROOT/pre"
experts = "ROOT/experts/{task}"
heads = "ROOT/heads/{task}.safetensors"

[tasks]
names = ["a", "b", "c"]
train_data = "ROOT/data/{task}/train.h5"
test_data = "ROOT/data/{task}/test.h5"

[upscale]
init_lambda = 0.25
router_hidden_layers = 2

[train]
steps = 4
batch_size = 4
lr = 0.05
save_interval = 2

[eval]
batch_size = 3
)";

void SaveModelFolder(const std::string& dir, const io::TensorMap& params,
                     const io::ClipVisionConfig& config) {
  fs::create_directories(dir);
  ASSERT_TRUE(io::SaveTensors(dir + "/model.safetensors", params).ok()) << dir;
  ASSERT_TRUE(io::WriteClipVisionConfig(dir + "/config.json", config).ok()) << dir;
}

std::shared_ptr<data::Dataset> Open(const std::string& path) {
  auto dataset = std::make_shared<data::Dataset>();
  Status st = data::OpenDataset(path, dataset.get());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return dataset;
}

}  // namespace

Experiment MakeExperiment() {
  Experiment e;
  e.root = et::MakeTempDir("pwemoe_units");
  e.clip = et::TinyConfig();
  moe::ModelPool pool = et::RandomPool(e.clip, 3, 71);
  SaveModelFolder(e.root + "/pre", pool.pretrained, e.clip);
  fs::create_directories(e.root + "/heads");
  for (size_t i = 0; i < kTasks.size(); ++i) {
    const std::string& t = kTasks[i];
    SaveModelFolder(e.root + "/experts/" + t, pool.experts[i], e.clip);
    EXPECT_TRUE(model::SaveHead(e.root + "/heads/" + t + ".safetensors", pool.heads[i]).ok());
    fs::create_directories(e.root + "/data/" + t);
    et::WriteDataset(e.root + "/data/" + t + "/train.h5", e.clip, 12, 3, 80 + i);
    et::WriteDataset(e.root + "/data/" + t + "/test.h5", e.clip, 8, 3, 90 + i);
  }
  std::string text = kToml;
  for (size_t pos; (pos = text.find("ROOT")) != std::string::npos;) text.replace(pos, 4, e.root);
  std::ofstream(e.root + "/exp.toml") << text;
  Status st = config::LoadExperiment(e.root + "/exp.toml", {}, &e.config);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return e;
}

std::string WriteOverflowHead(const Experiment& e) {
  model::ClassificationHead head = et::RandomHead(e.clip, 3, 5);
  head.weight = head.weight * 1e30;
  head.logit_scale = 1e30;
  const std::string path = e.root + "/heads/overflow.safetensors";
  EXPECT_TRUE(model::SaveHead(path, head).ok());
  return path;
}

moe::ModelPool LoadPool(const Experiment& e, const std::vector<int>& tasks) {
  moe::PoolSpec spec;
  spec.pretrained = e.config.model.pretrained;
  for (int i : tasks) {
    const config::TaskSpec& t = e.config.tasks[i];
    spec.tasks.push_back({t.name, t.expert, t.head});
  }
  moe::ModelPool pool;
  Status st = moe::LoadModelPool(spec, &pool);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return pool;
}

train::TrainResult ReferenceTraining(const Experiment& e, const TrainSpec& spec) {
  const moe::ModelPool pool = LoadPool(e, spec.tasks);
  moe::UpscaleOptions upscale;
  upscale.init_lambda = e.config.upscale.init_lambda;
  upscale.router_hidden_layers = e.config.upscale.router_hidden_layers;
  upscale.seed = spec.seed;
  train::TrainProblem problem;
  std::vector<moe::Router> routers;
  EXPECT_TRUE(moe::Upscale(pool, upscale, &problem.model, &routers).ok());
  problem.config = e.clip;
  problem.heads = pool.heads;
  problem.task_names = pool.tasks;
  for (int i : spec.tasks) {
    problem.data.push_back(train::DatasetTaskData(Open(e.config.tasks[i].train_data)));
  }
  train::TrainOptions options;
  options.variant = spec.variant == config::Variant::kEpo ? train::Variant::kEpo
                                                          : train::Variant::kLs;
  options.steps = e.config.train.steps;
  options.lr = e.config.train.lr;
  options.batch_size = e.config.train.batch_size;
  options.alpha = e.config.train.alpha;
  options.save_interval = e.config.train.save_interval;
  options.seed = spec.seed;
  options.epo_eps = e.config.train.epo_eps;
  std::string note;  // the precision as the units choose it on the CPU
  EXPECT_TRUE(model::ChoosePrecision(e.config.compute.precision, torch::kCPU, &options.precision, &note).ok());
  train::TrainResult result;
  Status st = train::Train(problem, options, routers, &result);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return result;
}

std::vector<results::NamedTensor> SomeRouters(const Experiment& e, const std::vector<int>& tasks,
                                              uint64_t seed) {
  const moe::ModelPool pool = LoadPool(e, tasks);
  moe::UpscaledModel model;
  EXPECT_TRUE(moe::UpscaleModel(pool, {"mlp"}, 0.25, &model).ok());
  std::vector<moe::Router> routers;
  EXPECT_TRUE(moe::InitRouters(moe::ModuleNames(model), model.num_tasks,
                               {2, 0.25, seed, torch::kFloat32}, &routers).ok());
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  for (torch::Tensor& p : moe::RouterParameters(routers)) p.add_(0.3 * torch::randn_like(p));
  std::vector<results::NamedTensor> named;
  EXPECT_TRUE(RoutersToNamed(routers, &named).ok());
  return named;
}

eval::EvalResult Evaluate(const Experiment& e, const io::TensorMap& params, int task) {
  model::ClassificationHead head;
  EXPECT_TRUE(model::LoadHead(e.config.tasks[task].head, &head).ok());
  auto dataset = Open(e.config.tasks[task].test_data);
  eval::EvalResult result;
  model::Precision precision = model::Precision::kFp32;  // as the units choose it on the CPU
  std::string note;
  EXPECT_TRUE(model::ChoosePrecision(e.config.compute.precision, torch::kCPU, &precision, &note).ok());
  Status st = eval::EvaluateModel(e.clip, params, head, *dataset, e.config.eval.batch_size,
                                  e.config.eval.sample_cap, precision, &result);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return result;
}

RayBlock Block(const std::vector<Ray>& rays, int64_t first) {
  RayBlock block;
  for (size_t k = 0; k < rays.size(); ++k) {
    block.index.push_back(first + static_cast<int64_t>(k));
    block.label.push_back("ray-" + std::to_string(first + k));
    block.rays.push_back(rays[k]);
  }
  return block;
}

}  // namespace pwemoe::worker::testing

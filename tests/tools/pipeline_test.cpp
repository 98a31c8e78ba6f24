// The whole single-process pipeline on files, the way the orchestrator will drive it: a model pool,
// heads and datasets loaded from disk, routers trained with LS and with EPO on the training files,
// saved, exported by pwemoe-export at a ray and evaluated by pwemoe-eval. The tools' numbers must
// equal the in-process evaluation of the trained routers at that ray.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pwemoe/data/dataset.h"
#include "pwemoe/eval/ray_eval.h"
#include "pwemoe/moe/pool.h"
#include "pwemoe/moe/router_io.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/train/train_loop.h"
#include "tool_testing.h"

namespace pwemoe::tools {
namespace {

struct Loaded {
  moe::ModelPool pool;
  moe::UpscaledModel model;
  std::vector<moe::Router> routers;
  std::vector<std::shared_ptr<data::Dataset>> train, test;
};

// Loads everything of the tree from its files, as a worker does.
void LoadFromFiles(const testing::Tree& tree, Loaded* out) {
  moe::PoolSpec spec;
  spec.pretrained = tree.root + "/pre";
  for (const std::string& t : testing::kTasks) {
    spec.tasks.push_back({t, tree.root + "/experts/" + t, tree.root + "/heads/" + t + ".safetensors"});
    for (const char* split : {"train", "test"}) {
      auto dataset = std::make_shared<data::Dataset>();
      const std::string path = tree.root + "/data/" + t + "/" + split + ".h5";
      ASSERT_TRUE(data::OpenDataset(path, dataset.get()).ok()) << path;
      (std::string(split) == "train" ? out->train : out->test).push_back(dataset);
    }
  }
  Status st = moe::LoadModelPool(spec, &out->pool);
  ASSERT_TRUE(st.ok()) << st.ToString();
  moe::UpscaleOptions options;
  options.init_lambda = 0.25;  // as the tree's experiment
  st = moe::Upscale(out->pool, options, &out->model, &out->routers);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

class Pipeline : public ::testing::TestWithParam<train::Variant> {};

TEST_P(Pipeline, TrainFromFilesThenExportAndEvaluateAgree) {
  torch::set_num_threads(1);
  const testing::Tree tree = testing::MakeTree();
  Loaded loaded;
  ASSERT_NO_FATAL_FAILURE(LoadFromFiles(tree, &loaded));

  train::TrainProblem problem;
  problem.config = tree.config;
  problem.model = loaded.model;
  problem.heads = loaded.pool.heads;
  problem.task_names = testing::kTasks;
  for (const auto& d : loaded.train) problem.data.push_back(train::DatasetTaskData(d));
  train::TrainOptions options;
  options.variant = GetParam();
  options.steps = 6;
  options.lr = 0.05;
  options.batch_size = 3;
  options.save_interval = 3;
  train::TrainResult result;
  Status st = train::Train(problem, options, loaded.routers, &result);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(result.records.size(), 6u);
  for (const train::StepRecord& r : result.records) {
    EXPECT_TRUE(std::isfinite(r.total_loss)) << "step " << r.step;
  }
  ASSERT_EQ(result.checkpoints.size(), 2u);
  EXPECT_EQ(result.checkpoints.back().step, 6);

  // The trained routers moved off their initialisation.
  bool moved = false;
  const auto before = moe::RouterParameters(loaded.routers);
  const auto after = moe::RouterParameters(result.routers);
  for (size_t i = 0; i < before.size(); ++i) moved |= !torch::equal(before[i], after[i]);
  EXPECT_TRUE(moved);

  const std::string routers = tree.root + "/trained.safetensors";
  ASSERT_TRUE(moe::SaveRouters(routers, result.routers).ok());
  const std::string out = tree.root + "/export";
  testing::ToolRun run = testing::RunTool(
      "pwemoe-export", "--experiment " + tree.experiment + " --routers " + routers +
                           " --ray 0.5,0.25,0.25 --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::vector<eval::EvalTask> tasks;
  for (size_t i = 0; i < testing::kTasks.size(); ++i) {
    tasks.push_back({testing::kTasks[i], &loaded.pool.heads[i], loaded.test[i].get()});
  }
  eval::EvalOptions eval_options;
  eval_options.batch_size = 3;
  std::vector<eval::RayResult> want;
  st = eval::EvaluateRays(tree.config, loaded.model, result.routers, {{0.5, 0.25, 0.25}}, tasks,
                          eval_options, &want);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(want.size(), 1u);
  for (size_t i = 0; i < testing::kTasks.size(); ++i) {
    const std::string& t = testing::kTasks[i];
    run = testing::RunTool("pwemoe-eval", "--model " + out + " --head " + tree.root + "/heads/" + t +
                                              ".safetensors --data " + tree.root + "/data/" + t +
                                              "/test.h5 --batch-size 3 --precision fp32");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const nlohmann::json got = nlohmann::json::parse(run.out);
    EXPECT_EQ(got.at("accuracy").get<double>(), want[0].tasks[i].accuracy) << t;
    EXPECT_DOUBLE_EQ(got.at("mean_loss").get<double>(), want[0].tasks[i].mean_loss) << t;
    EXPECT_EQ(got.at("count").get<int64_t>(), want[0].tasks[i].count) << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, Pipeline,
                         ::testing::Values(train::Variant::kLs, train::Variant::kEpo),
                         [](const auto& info) { return std::string(train::VariantName(info.param)); });

}  // namespace
}  // namespace pwemoe::tools

#include "tool_testing.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eval_testing.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/moe/merge.h"
#include "pwemoe/moe/router_io.h"
#include "pwemoe/moe/upscale.h"

namespace pwemoe::tools::testing {
namespace fs = std::filesystem;
namespace et = pwemoe::eval::testing;

namespace {

void SaveModelFolder(const std::string& dir, const io::TensorMap& params,
                     const io::ClipVisionConfig& config) {
  fs::create_directories(dir);
  ASSERT_TRUE(io::SaveTensors(dir + "/model.safetensors", params).ok()) << dir;
  ASSERT_TRUE(io::WriteClipVisionConfig(dir + "/config.json", config).ok()) << dir;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kExperiment = R"([experiment]
name = "tools"
output_dir = "ROOT/runs"

[model]
pretrained = "ROOT/pre"
experts = "ROOT/experts/{task}"
heads = "ROOT/heads/{task}.safetensors"

[tasks]
names = ["task0", "task1", "task2"]
train_data = "ROOT/data/{task}/train.h5"
test_data = "ROOT/data/{task}/test.h5"

[upscale]
init_lambda = 0.25
router_hidden_layers = 2
)";

}  // namespace

Tree MakeTree() {
  Tree tree;
  tree.root = et::MakeTempDir("pwemoe_tools");
  tree.config = et::TinyConfig();
  moe::ModelPool pool = et::RandomPool(tree.config, 3, 31);
  SaveModelFolder(tree.root + "/pre", pool.pretrained, tree.config);
  fs::create_directories(tree.root + "/heads");
  for (size_t i = 0; i < kTasks.size(); ++i) {
    SaveModelFolder(tree.root + "/experts/" + kTasks[i], pool.experts[i], tree.config);
    EXPECT_TRUE(model::SaveHead(tree.root + "/heads/" + kTasks[i] + ".safetensors", pool.heads[i]).ok());
    fs::create_directories(tree.root + "/data/" + kTasks[i]);
    et::WriteDataset(tree.root + "/data/" + kTasks[i] + "/train.h5", tree.config, 4, 3, 40 + i);
    et::WriteDataset(tree.root + "/data/" + kTasks[i] + "/test.h5", tree.config, 8, 3, 50 + i);
  }
  std::string text = kExperiment;
  for (size_t pos; (pos = text.find("ROOT")) != std::string::npos;) text.replace(pos, 4, tree.root);
  tree.experiment = tree.root + "/exp.toml";
  std::ofstream(tree.experiment) << text;
  return tree;
}

namespace {

void Upscaled(const Tree& tree, const std::vector<std::string>& tasks, moe::UpscaledModel* model) {
  moe::PoolSpec spec;
  spec.pretrained = tree.root + "/pre";
  for (const std::string& t : tasks) spec.tasks.push_back({t, tree.root + "/experts/" + t, ""});
  moe::ModelPool pool;
  Status st = moe::LoadModelPool(spec, &pool);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(moe::UpscaleModel(pool, {"mlp"}, 0.25, model).ok());
}

}  // namespace

void WriteRouters(const Tree& tree, const std::vector<std::string>& tasks, const std::string& path) {
  moe::UpscaledModel model;
  Upscaled(tree, tasks, &model);
  std::vector<moe::Router> routers;
  ASSERT_TRUE(moe::InitRouters(moe::ModuleNames(model), static_cast<int64_t>(tasks.size()),
                               {2, 0.25, 3, torch::kFloat32}, &routers).ok());
  torch::NoGradGuard g;
  torch::manual_seed(6);
  for (torch::Tensor& p : moe::RouterParameters(routers)) p.add_(0.3 * torch::randn_like(p));
  ASSERT_TRUE(moe::SaveRouters(path, routers).ok());
}

io::TensorMap MergeInProcess(const Tree& tree, const std::vector<std::string>& tasks,
                             const std::string& routers_path, const Ray& ray) {
  moe::UpscaledModel model;
  Upscaled(tree, tasks, &model);
  std::vector<moe::Router> routers;
  const moe::RouterLayout layout{moe::ModuleNames(model), static_cast<int64_t>(tasks.size()), 2};
  EXPECT_TRUE(moe::LoadRouters(routers_path, layout, &routers).ok());
  io::TensorMap merged;
  EXPECT_TRUE(moe::MergeAndUnload(model, routers,
                                  torch::tensor(ray, torch::TensorOptions().dtype(torch::kFloat64)),
                                  &merged).ok());
  return merged;
}

ToolRun RunTool(const std::string& tool, const std::string& args) {
  const std::string dir = et::MakeTempDir("pwemoe_tool_run");
  const std::string cmd = std::string(PWEMOE_BINARY_DIR) + "/bin/" + tool + " " + args + " >" +
                          dir + "/out 2>" + dir + "/err";
  const int status = std::system(cmd.c_str());
  ToolRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadText(dir + "/out");
  run.err = ReadText(dir + "/err");
  return run;
}

}  // namespace pwemoe::tools::testing

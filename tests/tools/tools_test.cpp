#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "pwemoe/data/dataset.h"
#include "pwemoe/eval/evaluate.h"
#include "pwemoe/eval/export.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/model/head.h"
#include "pwemoe/util/cpu_features.h"
#include "tool_testing.h"

namespace pwemoe::tools {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class Tools : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    tree_ = testing::MakeTree();
    routers_ = tree_.root + "/routers.safetensors";
    testing::WriteRouters(tree_, testing::kTasks, routers_);
  }

  // pwemoe-export of all tasks at `ray` into `out`.
  testing::ToolRun Export(const std::string& ray, const std::string& out,
                          const std::string& extra = "") {
    return testing::RunTool("pwemoe-export", "--experiment " + tree_.experiment + " --routers " +
                                                 routers_ + " --ray " + ray + " --out " + out + " " +
                                                 extra);
  }

  // Every exported tensor equals the in-process merge bit for bit, and nothing else is there.
  void ExpectBitExact(const std::string& out, const io::TensorMap& merged) {
    io::TensorMap loaded;
    ASSERT_TRUE(io::LoadTensors(out, &loaded).ok());
    const io::TensorMap want = eval::VisionModelKeys(merged);
    ASSERT_EQ(loaded.size(), want.size());
    for (const auto& [key, t] : want) {
      ASSERT_TRUE(loaded.count(key)) << key;
      EXPECT_EQ(loaded[key].scalar_type(), t.scalar_type()) << key;
      EXPECT_TRUE(torch::equal(loaded[key], t)) << key;
    }
  }

  testing::Tree tree_;
  std::string routers_;
};

TEST_F(Tools, ExportThenReloadIsBitExact) {
  const std::string out = tree_.root + "/export";
  testing::ToolRun run = Export("0.2,0.3,0.5", out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectBitExact(out, testing::MergeInProcess(tree_, testing::kTasks, routers_, {0.2, 0.3, 0.5}));
  io::ClipVisionConfig config;
  ASSERT_TRUE(io::LoadClipVisionConfig(out, &config).ok());
  EXPECT_EQ(config.hidden_size, tree_.config.hidden_size);
  EXPECT_EQ(config.projection_dim, tree_.config.projection_dim);
  EXPECT_EQ(config.num_hidden_layers, tree_.config.num_hidden_layers);
  // No temporary folder is left next to the output.
  for (const auto& entry : fs::directory_iterator(tree_.root)) {
    EXPECT_EQ(entry.path().filename().string().find(".export.tmp"), std::string::npos);
  }
}

TEST_F(Tools, ExportOfATaskSubsetInGivenOrder) {
  const std::string subset_routers = tree_.root + "/routers2.safetensors";
  testing::WriteRouters(tree_, {"task2", "task0"}, subset_routers);
  const std::string out = tree_.root + "/export2";
  testing::ToolRun run = testing::RunTool(
      "pwemoe-export", "--experiment " + tree_.experiment + " --routers " + subset_routers +
                           " --tasks task2,task0 --ray 0.7,0.3 --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectBitExact(out, testing::MergeInProcess(tree_, {"task2", "task0"}, subset_routers, {0.7, 0.3}));
}

TEST_F(Tools, EvalOfTheExportMatchesInProcess) {
  const std::string out = tree_.root + "/export";
  ASSERT_EQ(Export("1,0,0", out).exit_code, 0);
  const std::string head = tree_.root + "/heads/task1.safetensors";
  const std::string data = tree_.root + "/data/task1/test.h5";
  testing::ToolRun run = testing::RunTool(
      "pwemoe-eval",
      "--model " + out + " --head " + head + " --data " + data + " --batch-size 3 --precision fp32");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json got = nlohmann::json::parse(run.out);
  EXPECT_EQ(got.at("precision").get<std::string>(), "fp32");

  io::ClipVisionConfig config;
  io::TensorMap params;
  model::ClassificationHead h;
  data::Dataset dataset;
  ASSERT_TRUE(io::LoadClipVisionConfig(out, &config).ok());
  ASSERT_TRUE(io::LoadTensors(out, &params).ok());
  ASSERT_TRUE(model::LoadHead(head, &h).ok());
  ASSERT_TRUE(data::OpenDataset(data, &dataset).ok());
  eval::EvalResult want;
  ASSERT_TRUE(eval::EvaluateModel(config, params, h, dataset, 3, 0, model::Precision::kFp32, &want).ok());
  EXPECT_EQ(got.at("accuracy").get<double>(), want.accuracy);
  EXPECT_DOUBLE_EQ(got.at("mean_loss").get<double>(), want.mean_loss);
  EXPECT_EQ(got.at("count").get<int64_t>(), 8);
  EXPECT_EQ(got.at("model").get<std::string>(), out);
  EXPECT_EQ(got.at("data").get<std::string>(), data);

  run = testing::RunTool("pwemoe-eval", "--model " + out + " --head " + head + " --data " + data +
                                            " --sample-cap 5");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out).at("count").get<int64_t>(), 5);
  // The default is auto: bf16 where the CPU has bfloat16 instructions, else fp32.
  EXPECT_EQ(nlohmann::json::parse(run.out).at("precision").get<std::string>(),
            CpuHasBf16Instructions() ? "bf16" : "fp32");

  run = testing::RunTool("pwemoe-eval", "--model " + out + " --head " + head + " --data " + data +
                                            " --precision bf16");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json bf16 = nlohmann::json::parse(run.out);
  EXPECT_EQ(bf16.at("precision").get<std::string>(), "bf16");
  EXPECT_NEAR(bf16.at("mean_loss").get<double>(), want.mean_loss, 0.05 * want.mean_loss + 0.01);

  run = testing::RunTool("pwemoe-eval", "--model " + out + " --head " + head + " --data " + data +
                                            " --precision fp16");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--precision: precision 'fp16' is not one of auto, bf16, fp32"));
}

// --save-outputs: every evaluated sample's index, label, embedding and logits, equal to the
// library's forward on those samples, and consistent with the printed accuracy.
TEST_F(Tools, EvalSavesPerSampleOutputs) {
  const std::string out = tree_.root + "/export";
  ASSERT_EQ(Export("0,1,0", out).exit_code, 0);
  const std::string head = tree_.root + "/heads/task1.safetensors";
  const std::string data = tree_.root + "/data/task1/test.h5";
  const std::string saved = tree_.root + "/outputs.safetensors";
  testing::ToolRun run = testing::RunTool(
      "pwemoe-eval", "--model " + out + " --head " + head + " --data " + data +
                         " --sample-cap 5 --precision fp32 --save-outputs " + saved);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json got = nlohmann::json::parse(run.out);
  io::TensorMap o;
  ASSERT_TRUE(io::LoadTensors(saved, &o).ok());
  ASSERT_EQ(o.at("indices").numel(), 5);
  ASSERT_EQ(o.at("logits").size(0), 5);
  const int64_t correct = o.at("logits").argmax(1).eq(o.at("labels")).sum().item<int64_t>();
  EXPECT_EQ(correct, got.at("correct").get<int64_t>());

  io::ClipVisionConfig config;
  io::TensorMap params;
  data::Dataset dataset;
  ASSERT_TRUE(io::LoadClipVisionConfig(out, &config).ok());
  ASSERT_TRUE(io::LoadTensors(out, &params).ok());
  ASSERT_TRUE(data::OpenDataset(data, &dataset).ok());
  const torch::Tensor idx = o.at("indices");
  std::vector<int64_t> indices(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
  torch::Tensor pixels, labels, embeds;
  ASSERT_TRUE(data::ReadIndices(dataset, indices, &pixels, &labels).ok());
  ASSERT_TRUE(model::ClipVisionForward(config, params, pixels, &embeds).ok());
  EXPECT_TRUE(torch::equal(labels, o.at("labels")));
  EXPECT_TRUE(torch::allclose(embeds, o.at("image_embeds"), 1e-5, 1e-6));
  EXPECT_EQ(o.at("image_embeds").size(1), config.projection_dim);
}

TEST_F(Tools, BadRayExitsTwoNamingIt) {
  for (const char* ray : {"0.5,0.6,0.1", "0.5,0.5", "-0.5,1,0.5", "a,b,c", "0.5,,0.5"}) {
    SCOPED_TRACE(ray);
    const std::string out = tree_.root + "/bad";
    testing::ToolRun run = Export(ray, out);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(run.err, HasSubstr("--ray"));
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST_F(Tools, RoutersOfAnotherTaskCountExitTwo) {
  const std::string two = tree_.root + "/routers2.safetensors";
  testing::WriteRouters(tree_, {"task0", "task1"}, two);
  testing::ToolRun run = testing::RunTool(
      "pwemoe-export", "--experiment " + tree_.experiment + " --routers " + two +
                           " --ray 0.2,0.3,0.5 --out " + tree_.root + "/x");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--routers"));
  EXPECT_FALSE(fs::exists(tree_.root + "/x"));
}

TEST_F(Tools, MissingFilesAreNamed) {
  const std::string missing = tree_.root + "/nope.safetensors";
  testing::ToolRun run = testing::RunTool(
      "pwemoe-export", "--experiment " + tree_.experiment + " --routers " + missing +
                           " --ray 0.2,0.3,0.5 --out " + tree_.root + "/x");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr(missing));

  const std::string out = tree_.root + "/export";
  ASSERT_EQ(Export("0,1,0", out).exit_code, 0);
  const std::string data = tree_.root + "/data/task0/test.h5";
  run = testing::RunTool("pwemoe-eval",
                         "--model " + out + " --head " + missing + " --data " + data);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(missing));
  const std::string no_data = tree_.root + "/none.h5";
  run = testing::RunTool("pwemoe-eval", "--model " + out + " --head " + tree_.root +
                                            "/heads/task0.safetensors --data " + no_data);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(no_data));
  const std::string no_model = tree_.root + "/no-model";
  run = testing::RunTool("pwemoe-eval", "--model " + no_model + " --head " + missing +
                                            " --data " + data);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(no_model));
}

TEST_F(Tools, UsageErrorsExitTwo) {
  EXPECT_EQ(testing::RunTool("pwemoe-eval", "--model x --head y").exit_code, 2);
  EXPECT_EQ(testing::RunTool("pwemoe-eval", "--model x --head y --data z --batch-size 0").exit_code, 2);
  EXPECT_EQ(testing::RunTool("pwemoe-eval", "--modle x").exit_code, 2);
  EXPECT_EQ(testing::RunTool("pwemoe-export", "--experiment x --ray 1,0").exit_code, 2);
  // A non-empty output folder is refused before any work.
  fs::create_directories(tree_.root + "/full");
  std::ofstream(tree_.root + "/full/keep") << "x";
  testing::ToolRun run = Export("0.2,0.3,0.5", tree_.root + "/full");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--out"));
}

void ExpectHelpLists(const std::string& tool,
                     const std::vector<std::pair<std::string, std::string>>& flags) {
  testing::ToolRun run = testing::RunTool(tool, "--help");
  ASSERT_EQ(run.exit_code, 0);
  for (const auto& [flag, def] : flags) {
    const size_t at = run.out.find("  " + flag + " ");
    ASSERT_NE(at, std::string::npos) << tool << " " << flag;
    const std::string line = run.out.substr(at, run.out.find('\n', at) - at);
    EXPECT_THAT(line, HasSubstr("(default: " + def + ")")) << tool << " " << flag;
  }
}

TEST(ToolHelp, ListsEveryFlagWithItsDefault) {
  ExpectHelpLists("pwemoe-eval", {{"--model", "none"}, {"--head", "none"}, {"--data", "none"},
                                  {"--batch-size", "128"}, {"--sample-cap", "0"},
                                  {"--threads", "1"}, {"--log-level", "info"}});
  ExpectHelpLists("pwemoe-export",
                  {{"--experiment", "none"}, {"--routers", "none"}, {"--ray", "none"},
                   {"--tasks", "none"}, {"--results", "none"}, {"--run", "none"},
                   {"--checkpoint", "final"}, {"--out", "none"}, {"--set", "none"},
                   {"--threads", "1"}, {"--log-level", "info"}});
}

}  // namespace
}  // namespace pwemoe::tools

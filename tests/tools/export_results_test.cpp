// pwemoe-export --results: the experiment, task subset and routers of a run read from a results
// file (written through ResultStore, its experiment_toml the resolved configuration) give the
// same merged model as --experiment/--routers/--tasks; unknown runs and checkpoints exit 2
// naming what exists; --results with the other mode's flags is a usage error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "pwemoe/io/tensor_io.h"
#include "results/store/result_store.h"
#include "tool_testing.h"

namespace pwemoe::tools {
namespace {

using ::testing::HasSubstr;

const char* kRun = "ls/task2+task0/seed0";

std::vector<results::NamedTensor> Named(const io::TensorMap& tensors) {
  std::vector<results::NamedTensor> out;
  for (const auto& [name, t] : tensors) {
    const torch::Tensor c = t.to(torch::kFloat32).contiguous();
    results::NamedTensor n{name, c.sizes().vec(), {}};
    n.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    out.push_back(std::move(n));
  }
  return out;
}

class ExportFromResults : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    tree_ = testing::MakeTree();
    routers_ = tree_.root + "/routers.safetensors";
    testing::WriteRouters(tree_, {"task2", "task0"}, routers_);
    // The checkpoint: other router values, also kept as a router file for the comparison.
    io::TensorMap final_tensors, checkpoint;
    ASSERT_TRUE(io::LoadTensors(routers_, &final_tensors).ok());
    for (const auto& [name, t] : final_tensors) checkpoint[name] = t * 0.5 - 0.01;
    checkpoint_ = tree_.root + "/checkpoint.safetensors";
    ASSERT_TRUE(io::SaveTensors(checkpoint_, checkpoint).ok());

    config::ExperimentConfig cfg;
    Status st = config::LoadExperiment(tree_.experiment, {}, &cfg);
    ASSERT_TRUE(st.ok()) << st.ToString();
    results::StoreHeader header;
    header.config_hash = "tools-test";
    header.experiment_toml = config::ToToml(cfg);
    header.num_units = 1;
    std::unique_ptr<results::ResultStore> store;
    st = results::ResultStore::Open(tree_.root + "/results", header, false, &store);
    ASSERT_TRUE(st.ok()) << st.ToString();
    results::TrainRecord train;
    train.unit_id = 0;
    train.run_name = kRun;
    train.variant = "LS";
    train.tasks = {"task2", "task0"};
    train.checkpoints.push_back({5, Named(checkpoint)});
    train.final_router = Named(final_tensors);
    ASSERT_TRUE(store->Append(train).ok());
    ASSERT_TRUE(store->WriteHdf5().ok());
    results_ = store->hdf5_path();
  }

  testing::ToolRun FromResults(const std::string& run, const std::string& out,
                               const std::string& extra = "") {
    return testing::RunTool("pwemoe-export", "--results " + results_ + " --run " + run +
                                                 " --ray 0.7,0.3 --out " + out + " " + extra);
  }

  testing::ToolRun FromRouters(const std::string& routers, const std::string& out) {
    return testing::RunTool("pwemoe-export", "--experiment " + tree_.experiment + " --routers " +
                                                 routers + " --tasks task2,task0 --ray 0.7,0.3" +
                                                 " --out " + out);
  }

  // Both exports hold the same tensors, bit for bit.
  void ExpectSameModel(const std::string& a, const std::string& b) {
    io::TensorMap ta, tb;
    ASSERT_TRUE(io::LoadTensors(a + "/model.safetensors", &ta).ok()) << a;
    ASSERT_TRUE(io::LoadTensors(b + "/model.safetensors", &tb).ok()) << b;
    ASSERT_EQ(ta.size(), tb.size());
    for (const auto& [key, t] : ta) {
      ASSERT_TRUE(tb.count(key)) << key;
      EXPECT_EQ(t.scalar_type(), tb[key].scalar_type()) << key;
      EXPECT_TRUE(torch::equal(t, tb[key])) << key;
    }
  }

  testing::Tree tree_;
  std::string routers_, checkpoint_, results_;
};

TEST_F(ExportFromResults, FinalRoutersGiveTheModelOfTheRouterFile) {
  testing::ToolRun run = FromResults(kRun, tree_.root + "/a");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = FromRouters(routers_, tree_.root + "/b");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectSameModel(tree_.root + "/a", tree_.root + "/b");
}

TEST_F(ExportFromResults, CheckpointGivesTheModelOfItsRouters) {
  testing::ToolRun run = FromResults(kRun, tree_.root + "/a", "--checkpoint 5");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = FromRouters(checkpoint_, tree_.root + "/b");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectSameModel(tree_.root + "/a", tree_.root + "/b");
}

TEST_F(ExportFromResults, UnknownRunOrCheckpointExitsTwoListingWhatExists) {
  testing::ToolRun run = FromResults("epo/task2+task0/seed0", tree_.root + "/a");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--run"));
  EXPECT_THAT(run.err, HasSubstr(std::string("trained runs: ") + kRun));
  run = FromResults(kRun, tree_.root + "/a", "--checkpoint 7");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--checkpoint"));
  EXPECT_THAT(run.err, HasSubstr("checkpoint steps: 5"));
}

TEST_F(ExportFromResults, OtherModeFlagsAreUsageErrors) {
  const std::string out = " --ray 0.7,0.3 --out " + tree_.root + "/a";
  for (const std::string& args :
       {"--results " + results_ + " --run " + kRun + " --experiment " + tree_.experiment + out,
        "--results " + results_ + " --run " + kRun + " --routers " + routers_ + out,
        "--results " + results_ + " --run " + kRun + " --tasks task2,task0" + out,
        "--results " + results_ + out,
        "--experiment " + tree_.experiment + " --routers " + routers_ + " --run " + kRun + out,
        "--results " + results_ + " --run " + kRun + " --checkpoint -1" + out}) {
    testing::ToolRun run = testing::RunTool("pwemoe-export", args);
    EXPECT_EQ(run.exit_code, 2) << args << "\n" << run.err;
  }
  testing::ToolRun run = testing::RunTool(
      "pwemoe-export", "--results " + tree_.root + "/missing.h5 --run " + kRun + out);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("missing.h5"));
}

}  // namespace
}  // namespace pwemoe::tools

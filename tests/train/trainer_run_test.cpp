// Whole runs (Train): determinism, learning on a toy problem, checkpoints.
#include <gtest/gtest.h>

#include <limits>
#include <numeric>

#include "pwemoe/moe/router_io.h"
#include "pwemoe/train/train_loop.h"
#include "train_testing.h"

namespace pwemoe::train {
namespace {

using testing::FullLosses;
using testing::MakeTinySetup;
using testing::RoutersEqual;

class TrainerRun : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

TrainResult RunTraining(const testing::TinySetup& s, const TrainOptions& options) {
  TrainResult result;
  Status st = Train(s.problem, options, s.routers, &result);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return result;
}

void ExpectSameRecords(const std::vector<StepRecord>& a, const std::vector<StepRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].ray, b[k].ray);
    EXPECT_EQ(a[k].losses, b[k].losses);
    EXPECT_EQ(a[k].loss_weights, b[k].loss_weights);
    EXPECT_EQ(a[k].total_loss, b[k].total_loss);
    EXPECT_EQ(a[k].epo_alpha, b[k].epo_alpha);
    EXPECT_EQ(a[k].epo_mode, b[k].epo_mode);
  }
}

TEST_F(TrainerRun, DeterministicForASeedAndDifferentAcrossSeeds) {
  auto s = MakeTinySetup(2, 11);
  for (Variant v : {Variant::kLs, Variant::kEpo}) {
    TrainOptions options;
    options.variant = v;
    options.steps = 4;
    options.batch_size = 4;
    options.seed = 3;
    TrainResult a = RunTraining(s, options);
    TrainResult b = RunTraining(s, options);
    ExpectSameRecords(a.records, b.records);
    EXPECT_TRUE(RoutersEqual(a.routers, b.routers)) << VariantName(v);
    options.seed = 4;
    TrainResult c = RunTraining(s, options);
    EXPECT_NE(a.records[0].ray, c.records[0].ray);
    EXPECT_FALSE(RoutersEqual(a.routers, c.routers)) << VariantName(v);
  }
}

double Sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

void ExpectLearns(Variant variant) {
  auto s = MakeTinySetup(2, 12, 16, 0.5);
  TrainOptions options;
  options.variant = variant;
  options.steps = 40;
  options.batch_size = 8;
  options.lr = 0.05;
  TrainResult result = RunTraining(s, options);
  for (const auto& ray : std::vector<std::vector<double>>{{1, 0}, {0.5, 0.5}, {0, 1}}) {
    const double before = Sum(FullLosses(s.problem, s.routers, ray));
    const double after = Sum(FullLosses(s.problem, result.routers, ray));
    EXPECT_LT(after, 0.9 * before) << VariantName(variant) << " ray " << ray[0];
  }
}

TEST_F(TrainerRun, LossDecreasesLs) { ExpectLearns(Variant::kLs); }
TEST_F(TrainerRun, LossDecreasesEpo) { ExpectLearns(Variant::kEpo); }

TEST_F(TrainerRun, CheckpointsAtTheIntervalAndFinal) {
  auto s = MakeTinySetup(2, 13, 8);
  TrainOptions options;
  options.steps = 5;
  options.batch_size = 2;
  options.save_interval = 2;
  TrainResult result = RunTraining(s, options);
  ASSERT_EQ(result.records.size(), 5u);
  ASSERT_EQ(result.checkpoints.size(), 3u);
  EXPECT_EQ(result.checkpoints[0].step, 2);
  EXPECT_EQ(result.checkpoints[1].step, 4);
  EXPECT_EQ(result.checkpoints[2].step, 5);
  io::TensorMap final_map;
  ASSERT_TRUE(moe::RoutersToTensorMap(result.routers, &final_map).ok());
  ASSERT_EQ(final_map.size(), result.checkpoints[2].routers.size());
  for (const auto& [key, t] : final_map) {
    EXPECT_TRUE(torch::equal(t, result.checkpoints[2].routers.at(key))) << key;
    EXPECT_FALSE(torch::equal(t, result.checkpoints[0].routers.at(key))) << key;
  }
  EXPECT_TRUE(IsCheckpointStep(options, 4));
  EXPECT_FALSE(IsCheckpointStep(options, 3));
  options.save_interval = 0;
  EXPECT_FALSE(IsCheckpointStep(options, 4));
  EXPECT_TRUE(IsCheckpointStep(options, 5));
}

TEST_F(TrainerRun, NanStopsTrainingNamingStepAndTask) {
  auto s = MakeTinySetup(2, 14, 8);
  s.problem.model.modules[1].params[0].task_vectors[0].view({-1})[3] =
      std::numeric_limits<float>::quiet_NaN();
  TrainOptions options;
  options.steps = 3;
  options.batch_size = 2;
  TrainResult result;
  Status st = Train(s.problem, options, s.routers, &result);
  ASSERT_EQ(st.code(), Status::Code::kNumerical);
  EXPECT_NE(st.message().find("step 0, task 'task0'"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace pwemoe::train

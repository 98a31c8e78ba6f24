#include "pwemoe/moe/weighted_merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "moe_testing.h"
#include "pwemoe/model/clip_vit.h"

namespace pwemoe::moe {
namespace {

using ::testing::HasSubstr;

class WeightedMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    pool_ = testing::RandomPool(testing::TinyConfig(), 3, 4);
  }

  // theta_pre + sum_i c_i tau_i for every merged key, the way the definition reads.
  void ExpectMerge(const std::vector<double>& c, const TensorMap& merged) {
    ASSERT_EQ(merged.size(), pool_.pretrained.size());
    for (const std::string& key : MergedKeys(pool_)) {
      const torch::Tensor& pre = pool_.pretrained[key];
      torch::Tensor want = pre.to(torch::kFloat64);
      for (int64_t i = 0; i < 3; ++i)
        want += c[i] * (pool_.experts[i][key] - pre).to(torch::kFloat64);
      EXPECT_LT(testing::MaxAbsDiff(merged.at(key), want), 1e-6) << key;
    }
    EXPECT_TRUE(torch::equal(merged.at(model::kVisualProjection),
                             pool_.pretrained[model::kVisualProjection]));
  }

  ModelPool pool_;
};

TEST_F(WeightedMergeTest, Coefficients) {
  EXPECT_EQ(SimpleAverageCoefficients(4), (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
  EXPECT_EQ(TaskArithmeticCoefficients(2, 0.3), (std::vector<double>{0.3, 0.3}));
  EXPECT_EQ(PreferenceTaskArithmeticCoefficients({0.25, 0.75}, 0.4),
            (std::vector<double>{0.1, 0.30000000000000004}));
}

TEST_F(WeightedMergeTest, BaselinesMatchTheirDefinitions) {
  for (const std::vector<double>& c :
       {SimpleAverageCoefficients(3), TaskArithmeticCoefficients(3, 0.3),
        PreferenceTaskArithmeticCoefficients({0.2, 0.5, 0.3}, 0.8)}) {
    TensorMap merged;
    ASSERT_TRUE(WeightedMerge(pool_, c, &merged).ok());
    ExpectMerge(c, merged);
  }
}

TEST_F(WeightedMergeTest, SpecialCoefficientsGiveExpertsAndTheirMeanWithoutRounding) {
  TensorMap merged;
  ASSERT_TRUE(WeightedMerge(pool_, {0.0, 1.0, 0.0}, &merged).ok());
  for (const auto& [key, t] : pool_.experts[1]) EXPECT_TRUE(torch::equal(merged[key], t)) << key;
  ASSERT_TRUE(WeightedMerge(pool_, {0.0, 0.0, 0.0}, &merged).ok());
  for (const auto& [key, t] : pool_.pretrained) EXPECT_TRUE(torch::equal(merged[key], t)) << key;
}

TEST_F(WeightedMergeTest, ResultIsAPlainModelThatRunsAndExportsBitExactly) {
  TensorMap merged, reloaded;
  ASSERT_TRUE(WeightedMerge(pool_, SimpleAverageCoefficients(3), &merged).ok());
  const io::ClipVisionConfig config = testing::TinyConfig();
  ASSERT_TRUE(model::ValidateClipVisionParams(config, merged).ok());
  torch::Tensor out;
  ASSERT_TRUE(model::ClipVisionForward(config, merged, torch::randn({2, 3, 8, 8}), &out).ok());
  const std::string path = testing::MakeTempDir("pwemoe_wm") + "/merged.safetensors";
  ASSERT_TRUE(io::SaveTensors(path, merged).ok());
  ASSERT_TRUE(io::LoadTensors(path, &reloaded).ok());
  ASSERT_EQ(reloaded.size(), merged.size());
  for (const auto& [key, t] : merged) EXPECT_TRUE(torch::equal(reloaded[key], t)) << key;
}

TEST_F(WeightedMergeTest, BadCoefficientsAreErrors) {
  TensorMap merged;
  EXPECT_THAT(WeightedMerge(pool_, {0.5, 0.5}, &merged).message(),
              HasSubstr("2 coefficients for 3 tasks"));
  EXPECT_THAT(WeightedMerge(pool_, {0.5, NAN, 0.1}, &merged).message(), HasSubstr("non-finite"));
  torch::Tensor t;
  EXPECT_THAT(WeightedMergeKey(pool_, model::kVisualProjection, {0.1, 0.1, 0.1}, &t).message(),
              HasSubstr("not a merged key"));
  EXPECT_TRUE(merged.empty());
}

}  // namespace
}  // namespace pwemoe::moe

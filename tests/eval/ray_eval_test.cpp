#include "pwemoe/eval/ray_eval.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "eval_testing.h"
#include "pwemoe/eval/ray_check.h"

namespace pwemoe::eval {
namespace {

using ::testing::HasSubstr;

TEST(RayCheck, ValidatesCountSignAndSum) {
  EXPECT_TRUE(ValidateRay({0.25, 0.75}, 2, "--ray").ok());
  EXPECT_TRUE(ValidateRay({1.0, 0.0, 0.0}, 3, "--ray").ok());
  for (const Ray& bad : std::vector<Ray>{{1.0}, {0.5, 0.6}, {-0.1, 1.1}, {NAN, 1.0}}) {
    Status st = ValidateRay(bad, 2, "--ray");
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(st.message(), HasSubstr("--ray"));
  }
}

TEST(RayCheck, Parses) {
  Ray r;
  ASSERT_TRUE(ParseRay("0.2,0.8", "--ray", &r).ok());
  EXPECT_EQ(r, (Ray{0.2, 0.8}));
  for (const char* bad : {"", "0.2,", "a,1", "0.5;0.5", "1,,0"}) {
    Status st = ParseRay(bad, "--ray", &r);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_THAT(st.message(), HasSubstr("--ray"));
  }
}

class RayEval : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    config_ = testing::TinyConfig();
    pool_ = testing::RandomPool(config_, 2, 11);
    moe::UpscaleOptions options;
    ASSERT_TRUE(moe::Upscale(pool_, options, &model_, &routers_).ok());
    torch::NoGradGuard g;
    torch::manual_seed(5);
    for (torch::Tensor& p : moe::RouterParameters(routers_)) p.add_(0.3 * torch::randn_like(p));
    const std::string dir = testing::MakeTempDir("pwemoe_ray_eval");
    for (int i = 0; i < 2; ++i) {
      testing::WriteDataset(dir + "/d" + std::to_string(i) + ".h5", config_, 6, 3, 20 + i);
      ASSERT_TRUE(data::OpenDataset(dir + "/d" + std::to_string(i) + ".h5", &data_[i]).ok());
    }
  }
  std::vector<EvalTask> Tasks() {
    return {{"task0", &pool_.heads[0], &data_[0]}, {"task1", &pool_.heads[1], &data_[1]}};
  }

  io::ClipVisionConfig config_;
  moe::ModelPool pool_;
  moe::UpscaledModel model_;
  std::vector<moe::Router> routers_;
  data::Dataset data_[2];
};

TEST_F(RayEval, EachRayEqualsEvaluatingItsMergedModel) {
  const std::vector<Ray> rays = {{1.0, 0.0}, {0.3, 0.7}};
  const EvalOptions options{4, 5};
  std::vector<RayResult> got;
  ASSERT_TRUE(EvaluateRays(config_, model_, routers_, rays, Tasks(), options, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  for (size_t k = 0; k < rays.size(); ++k) {
    EXPECT_EQ(got[k].ray, rays[k]);
    io::TensorMap merged;
    ASSERT_TRUE(moe::MergeAndUnload(model_, routers_, RayTensor(rays[k]), &merged).ok());
    ASSERT_EQ(got[k].tasks.size(), 2u);
    for (int t = 0; t < 2; ++t) {
      EvalResult want;
      ASSERT_TRUE(EvaluateModel(config_, merged, pool_.heads[t], data_[t], 4, 5, model::Precision::kFp32, &want).ok());
      EXPECT_EQ(got[k].tasks[t].count, 5);
      EXPECT_EQ(got[k].tasks[t].correct, want.correct);
      EXPECT_EQ(got[k].tasks[t].mean_loss, want.mean_loss);
    }
  }
}

TEST_F(RayEval, RejectsABadRayBeforeAnyWork) {
  std::vector<RayResult> got;
  Status st = EvaluateRays(config_, model_, routers_, {{0.5, 0.5}, {0.5, 0.6}}, Tasks(), {}, &got);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("ray 1"));
  EXPECT_TRUE(got.empty());
}

}  // namespace
}  // namespace pwemoe::eval

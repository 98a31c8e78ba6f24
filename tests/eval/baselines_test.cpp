#include "pwemoe/eval/baselines.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "eval_testing.h"
#include "pwemoe/model/clip_vit.h"

namespace pwemoe::eval {
namespace {

class Baselines : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    pool_ = testing::RandomPool(testing::TinyConfig(), 3, 9);
  }
  moe::ModelPool pool_;
};

TEST_F(Baselines, OneHotWeightedTaskArithmeticIsTheExpertExactly) {
  for (int64_t j = 0; j < 3; ++j) {
    Ray ray(3, 0.0);
    ray[j] = 1.0;
    io::TensorMap wta, expert;
    ASSERT_TRUE(BaselineParams(pool_, {BaselineKind::kWeightedTaskArithmetic, 0, 1.0, ray}, &wta).ok());
    ASSERT_TRUE(BaselineParams(pool_, {BaselineKind::kExpert, j, 0.0, {}}, &expert).ok());
    ASSERT_EQ(wta.size(), pool_.pretrained.size());
    for (const auto& [key, t] : pool_.experts[j]) {
      EXPECT_TRUE(torch::equal(wta.at(key), t)) << key;
      EXPECT_TRUE(torch::equal(expert.at(key), t)) << key;
    }
    // Keys the experts lack come from the pretrained model.
    EXPECT_TRUE(torch::equal(expert.at(model::kVisualProjection),
                             pool_.pretrained.at(model::kVisualProjection)));
  }
}

TEST_F(Baselines, SimpleAverageAndTaskArithmetic) {
  io::TensorMap avg, ta;
  ASSERT_TRUE(BaselineParams(pool_, {BaselineKind::kSimpleAverage, 0, 0.0, {}}, &avg).ok());
  ASSERT_TRUE(BaselineParams(pool_, {BaselineKind::kTaskArithmetic, 0, 0.4, {}}, &ta).ok());
  for (const auto& [key, pre] : pool_.experts[0]) {
    const torch::Tensor p = pool_.pretrained.at(key).to(torch::kFloat64);
    torch::Tensor sum = torch::zeros_like(p), tau = torch::zeros_like(p);
    for (const io::TensorMap& e : pool_.experts) {
      sum += e.at(key).to(torch::kFloat64);
      tau += e.at(key).to(torch::kFloat64) - p;
    }
    EXPECT_LT((avg.at(key).to(torch::kFloat64) - sum / 3).abs().max().item<double>(), 1e-6) << key;
    EXPECT_LT((ta.at(key).to(torch::kFloat64) - (p + 0.4 * tau)).abs().max().item<double>(), 1e-6)
        << key;
  }
}

TEST_F(Baselines, PretrainedIsThePoolsOwnMap) {
  io::TensorMap pre;
  ASSERT_TRUE(BaselineParams(pool_, {}, &pre).ok());
  for (const auto& [key, t] : pool_.pretrained) EXPECT_TRUE(pre.at(key).is_same(t)) << key;
}

TEST_F(Baselines, ListAndNames) {
  BaselineSet set;
  set.task_arithmetic = {0.3, 0.5};
  set.weighted_lambda = 0.8;
  const std::vector<Baseline> list = ListBaselines(set, 2, {{1.0, 0.0}, {0.5, 0.5}});
  std::vector<std::string> names;
  for (const Baseline& b : list) names.push_back(BaselineName(b, {"a", "b"}));
  EXPECT_EQ(names, (std::vector<std::string>{
                       "pretrained", "expert:a", "expert:b", "simple_average",
                       "task_arithmetic:0.3", "task_arithmetic:0.5",
                       "weighted_task_arithmetic:0.8:1,0", "weighted_task_arithmetic:0.8:0.5,0.5"}));
  std::vector<double> c;
  ASSERT_TRUE(BaselineCoefficients(list.back(), 2, &c).ok());
  EXPECT_EQ(c, (std::vector<double>{0.4, 0.4}));
}

TEST_F(Baselines, RejectsBadArguments) {
  io::TensorMap out;
  EXPECT_EQ(BaselineParams(pool_, {BaselineKind::kExpert, 3, 0.0, {}}, &out).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(BaselineParams(pool_, {BaselineKind::kWeightedTaskArithmetic, 0, 1.0, {0.5, 0.5}}, &out)
                .code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(BaselineParams(pool_, {BaselineKind::kTaskArithmetic, 0, NAN, {}}, &out).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace pwemoe::eval

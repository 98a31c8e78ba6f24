#include "pwemoe/moe/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pwemoe/model/clip_vit.h"
#include "pwemoe/moe/module_patterns.h"

namespace pwemoe::moe {
namespace {

using ::testing::HasSubstr;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

std::vector<std::string> Names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("m" + std::to_string(i));
  return names;
}

// Every tensor of parameter `index` across `routers`, flattened and concatenated.
torch::Tensor Gather(const std::vector<Router>& routers, size_t index) {
  std::vector<torch::Tensor> parts;
  for (const Router& r : routers) parts.push_back(r.params[index].detach().flatten());
  return torch::cat(parts).to(torch::kFloat64);
}

TEST_F(RouterTest, TwoHiddenLayersInitStatisticsAndBiases) {
  std::vector<Router> routers;
  RouterInit init{2, 0.3, 7, torch::kFloat32};
  ASSERT_TRUE(InitRouters(Names(200), 8, init, &routers).ok());
  ASSERT_EQ(routers.size(), 200u);
  const Router& r = routers[0];
  ASSERT_EQ(r.params.size(), 4u);
  EXPECT_EQ(r.params[0].sizes(), (std::vector<int64_t>{16, 8}));
  EXPECT_EQ(r.params[2].sizes(), (std::vector<int64_t>{8, 16}));
  for (size_t i : {0u, 2u}) {  // 25600 draws each: mean 0 +- 6e-5 (1 sigma), std 0.01 +- 0.5%
    torch::Tensor w = Gather(routers, i);
    EXPECT_NEAR(w.mean().item<double>(), 0.0, 3e-4);
    EXPECT_NEAR(w.std().item<double>(), 0.01, 3e-4);
  }
  EXPECT_TRUE(torch::equal(Gather(routers, 1), torch::zeros({200 * 16}, torch::kFloat64)));
  EXPECT_TRUE(torch::equal(routers[5].params[3], torch::full({8}, 0.3f)));
  for (const torch::Tensor& p : RouterParameters(routers)) {
    EXPECT_TRUE(p.requires_grad());
    EXPECT_TRUE(p.is_leaf());
    EXPECT_EQ(p.scalar_type(), torch::kFloat32);
  }
}

TEST_F(RouterTest, ZeroAndOneHiddenLayerInit) {
  std::vector<Router> one, zero;
  ASSERT_TRUE(InitRouters(Names(100), 6, {1, -0.25, 3, torch::kFloat64}, &one).ok());
  EXPECT_EQ(one[0].params[0].sizes(), (std::vector<int64_t>{6, 6}));
  EXPECT_NEAR(Gather(one, 0).std().item<double>(), 0.01, 5e-4);
  EXPECT_TRUE(torch::equal(one[9].params[1], torch::full({6}, -0.25, torch::kFloat64)));
  ASSERT_TRUE(InitRouters(Names(2), 3, {0, 0.4, 3, torch::kFloat32}, &zero).ok());
  ASSERT_EQ(zero[1].params.size(), 1u);
  EXPECT_TRUE(torch::equal(zero[1].params[0], torch::full({3}, 0.4f)));
}

TEST_F(RouterTest, InitIsDeterministicForASeed) {
  std::vector<Router> a, b, c;
  ASSERT_TRUE(InitRouters(Names(3), 4, {2, 0.3, 11, torch::kFloat32}, &a).ok());
  torch::manual_seed(999);  // the global generator plays no part
  ASSERT_TRUE(InitRouters(Names(3), 4, {2, 0.3, 11, torch::kFloat32}, &b).ok());
  ASSERT_TRUE(InitRouters(Names(3), 4, {2, 0.3, 12, torch::kFloat32}, &c).ok());
  for (size_t i = 0; i < RouterParameters(a).size(); ++i) {
    EXPECT_TRUE(torch::equal(RouterParameters(a)[i], RouterParameters(b)[i]));
  }
  EXPECT_FALSE(torch::equal(a[0].params[0], c[0].params[0]));
  EXPECT_FALSE(torch::equal(a[0].params[0], a[1].params[0]));  // each router draws its own
}

TEST_F(RouterTest, ParameterCounts) {
  EXPECT_EQ(RouterParamCount(0, 2), 2);
  EXPECT_EQ(RouterParamCount(1, 2), 6);
  EXPECT_EQ(RouterParamCount(2, 2), 22);
  EXPECT_EQ(RouterParamCount(2, 8), 4 * 64 + 3 * 8);
  EXPECT_EQ(RouterParamCount(3, 2), 0);
}

// ViT-B/32's MLPs with T = 2 and two hidden layers: 12 routers of 4T^2 + 3T = 22 -> 264. Only the
// module list is needed, taken from the key layout of a default (ViT-B/32) config.
TEST_F(RouterTest, VitB32MlpRoutersHave264Parameters) {
  std::vector<std::string> keys;
  for (const auto& entry : model::ClipVisionParamShapes(io::ClipVisionConfig{})) {
    keys.push_back(entry.first);
  }
  std::vector<ModuleKeys> modules;
  ASSERT_TRUE(SelectModules({"mlp"}, keys, &modules).ok());
  std::vector<std::string> names;
  for (const ModuleKeys& m : modules) names.push_back(m.module);
  std::vector<Router> routers;
  ASSERT_TRUE(InitRouters(names, 2, RouterInit{}, &routers).ok());
  EXPECT_EQ(routers.size(), 12u);
  EXPECT_EQ(TrainableParamCount(routers), 264);
  ASSERT_TRUE(InitRouters(names, 8, RouterInit{}, &routers).ok());
  EXPECT_EQ(TrainableParamCount(routers), 12 * (4 * 64 + 3 * 8));
}

TEST_F(RouterTest, WeightsFollowTheLayers) {
  std::vector<Router> routers;
  ASSERT_TRUE(InitRouters(Names(3), 3, {2, 0.3, 1, torch::kFloat64}, &routers).ok());
  Router& r2 = routers[0];
  {
    torch::NoGradGuard g;
    r2.params[1].copy_(torch::tensor({0.1, -0.5, 0.2, -0.1, 0.3, -0.4}, torch::kFloat64));
  }
  torch::Tensor ray = torch::tensor({0.2, 0.5, 0.3}, torch::kFloat32);
  torch::Tensor w;
  ASSERT_TRUE(RouterWeights(r2, ray, &w).ok());
  torch::Tensor r = ray.to(torch::kFloat64);
  torch::Tensor h = torch::clamp_min(torch::matmul(r2.params[0], r) + r2.params[1], 0.0);
  torch::Tensor want = torch::matmul(r2.params[2], h) + r2.params[3];
  EXPECT_LT((w - want).abs().max().item<double>(), 1e-15);
  EXPECT_TRUE(w.requires_grad());

  std::vector<Router> one;
  ASSERT_TRUE(InitRouters(Names(1), 3, {1, 0.3, 1, torch::kFloat64}, &one).ok());
  ASSERT_TRUE(RouterWeights(one[0], ray, &w).ok());
  want = torch::matmul(one[0].params[0], r) + one[0].params[1];
  EXPECT_LT((w - want).abs().max().item<double>(), 1e-15);

  std::vector<Router> zero;
  ASSERT_TRUE(InitRouters(Names(1), 3, {0, 0.3, 1, torch::kFloat64}, &zero).ok());
  ASSERT_TRUE(RouterWeights(zero[0], ray, &w).ok());
  EXPECT_TRUE(torch::equal(w, torch::full({3}, 0.3, torch::kFloat64)));
}

TEST_F(RouterTest, BadArgumentsAreErrors) {
  std::vector<Router> routers;
  EXPECT_THAT(InitRouters(Names(1), 2, {3, 0.3, 1, torch::kFloat32}, &routers).message(),
              HasSubstr("hidden_layers 3"));
  EXPECT_THAT(InitRouters(Names(1), 0, RouterInit{}, &routers).message(),
              HasSubstr("at least one task"));
  EXPECT_THAT(InitRouters({"a", "a"}, 2, RouterInit{}, &routers).message(),
              HasSubstr("repeated module name 'a'"));
  EXPECT_THAT(InitRouters(Names(1), 2, {2, 0.3, 1, torch::kInt64}, &routers).message(),
              HasSubstr("not floating point"));
  ASSERT_TRUE(InitRouters(Names(1), 2, RouterInit{}, &routers).ok());
  torch::Tensor w;
  EXPECT_THAT(RouterWeights(routers[0], torch::ones({3}), &w).message(),
              HasSubstr("router 'm0': the ray must be a 1-D floating tensor of length 2"));
  routers[0].params[2] = torch::zeros({3, 3});
  EXPECT_THAT(RouterWeights(routers[0], torch::ones({2}), &w).message(),
              HasSubstr("'gate.2.weight'"));
  EXPECT_FALSE(w.defined());
}

}  // namespace
}  // namespace pwemoe::moe

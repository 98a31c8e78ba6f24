#include "pwemoe/moe/merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moe_testing.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/model/head.h"
#include "pwemoe/moe/weighted_merge.h"

namespace pwemoe::moe {
namespace {

using ::testing::HasSubstr;

class Merge : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }

  // A T-task tiny pool upscaled at its MLPs with routers of `hidden` layers whose parameters are
  // moved off their initial values (as after training), so every router output matters.
  void Build(int64_t t, int hidden, torch::ScalarType dtype, double init_lambda = 0.3) {
    pool_ = testing::RandomPool(testing::TinyConfig(), t, 21, dtype);
    UpscaleOptions options;
    options.router_hidden_layers = hidden;
    options.init_lambda = init_lambda;
    options.router_dtype = dtype;
    ASSERT_TRUE(Upscale(pool_, options, &model_, &routers_).ok());
    torch::NoGradGuard g;
    torch::manual_seed(5);
    for (torch::Tensor& p : RouterParameters(routers_)) p.add_(0.3 * torch::randn_like(p));
  }

  ModelPool pool_;
  UpscaledModel model_;
  std::vector<Router> routers_;
};

torch::Tensor Pixels(int64_t batch, torch::ScalarType dtype) {
  const io::ClipVisionConfig c = testing::TinyConfig();
  torch::manual_seed(8);
  return torch::randn({batch, c.num_channels, c.image_size, c.image_size}).to(dtype);
}

TEST_F(Merge, MergedWeightsAreBasePlusWeightedTaskVectors) {
  Build(3, 2, torch::kFloat32);
  std::vector<torch::Tensor> weights = {torch::tensor({0.7f, -0.2f, 1.5f}),
                                        torch::tensor({0.1f, 0.4f, 0.0f})};
  TensorMap merged;
  ASSERT_TRUE(MergeWithWeights(model_, weights, &merged).ok());
  EXPECT_EQ(merged.size(), pool_.pretrained.size());
  for (size_t m = 0; m < model_.modules.size(); ++m) {
    for (const UpscaledParam& p : model_.modules[m].params) {
      SCOPED_TRACE(p.key);
      const torch::Tensor& pre = pool_.pretrained[p.key];
      torch::Tensor want = pre.clone();
      for (int64_t i = 0; i < 3; ++i) {
        want += weights[m][i].item<float>() * (pool_.experts[i][p.key] - pre);
      }
      EXPECT_EQ(merged[p.key].sizes(), pre.sizes());
      EXPECT_LT(testing::MaxAbsDiff(merged[p.key], want), 1e-6);
    }
  }
  // Non-upscaled tensors are the model's own, not copies.
  for (const auto& [key, t] : model_.fixed) EXPECT_TRUE(merged[key].is_same(t)) << key;
}

TEST_F(Merge, OneHotRouterOutputsReproduceEachExpert) {
  Build(3, 2, torch::kFloat32);
  for (int64_t j = 0; j < 3; ++j) {
    {
      torch::NoGradGuard g;
      for (Router& r : routers_) {
        r.params[2].zero_();
        r.params[3].copy_(torch::one_hot(torch::tensor(j), 3).to(torch::kFloat32));
      }
    }
    TensorMap merged;
    ASSERT_TRUE(MergeAndUnload(model_, routers_, torch::tensor({0.2, 0.3, 0.5}), &merged).ok());
    for (const UpscaledModule& m : model_.modules) {
      for (const UpscaledParam& p : m.params) {
        // pre + (expert - pre) in float32: the expert up to rounding of the last bit.
        EXPECT_TRUE(torch::allclose(merged[p.key], pool_.experts[j][p.key], 1e-6, 1e-7)) << p.key;
      }
    }
  }
}

TEST_F(Merge, MergedForwardEqualsRoutedForward) {
  for (int hidden : {0, 1, 2}) {
    SCOPED_TRACE(hidden);
    Build(3, hidden, torch::kFloat32);
    const io::ClipVisionConfig config = testing::TinyConfig();
    const torch::Tensor ray = torch::tensor({0.6, 0.1, 0.3});
    const torch::Tensor pixels = Pixels(4, torch::kFloat32);

    TensorMap routed, unloaded;
    ASSERT_TRUE(MergeRouted(model_, routers_, ray, &routed).ok());
    ASSERT_TRUE(MergeAndUnload(model_, routers_, ray, &unloaded).ok());
    ASSERT_TRUE(model::ValidateClipVisionParams(config, unloaded).ok());
    torch::Tensor routed_out, plain_out;
    ASSERT_TRUE(model::ClipVisionForward(config, routed, pixels, &routed_out).ok());
    ASSERT_TRUE(model::ClipVisionForward(config, unloaded, pixels, &plain_out).ok());
    EXPECT_TRUE(routed_out.requires_grad());
    EXPECT_FALSE(plain_out.requires_grad());
    for (const auto& [key, t] : unloaded) EXPECT_FALSE(t.requires_grad()) << key;
    EXPECT_LT(testing::MaxAbsDiff(routed_out, plain_out), 1e-6);
    EXPECT_GT(plain_out.abs().max().item<double>(), 0.1);
  }
}

// Routers with no hidden layer output init_lambda for every task, so the merge equals task
// arithmetic over the whole model: two independent code paths agree.
TEST_F(Merge, ConstantRoutersEqualTaskArithmetic) {
  Build(2, 0, torch::kFloat32, 0.4);
  for (Router& r : routers_) {
    torch::NoGradGuard g;
    r.params[0].fill_(0.4);
  }
  TensorMap merged, ta;
  ASSERT_TRUE(MergeAndUnload(model_, routers_, torch::tensor({0.5, 0.5}), &merged).ok());
  ASSERT_TRUE(WeightedMerge(pool_, TaskArithmeticCoefficients(2, 0.4), &ta).ok());
  ASSERT_EQ(merged.size(), ta.size());
  for (const auto& [key, t] : ta) EXPECT_LT(testing::MaxAbsDiff(merged[key], t), 1e-6) << key;
}

TEST_F(Merge, MismatchedRoutersAndRaysAreErrors) {
  Build(2, 2, torch::kFloat32);
  TensorMap merged;
  std::vector<Router> swapped = {routers_[1], routers_[0]};
  EXPECT_THAT(MergeRouted(model_, swapped, torch::tensor({0.5, 0.5}), &merged).message(),
              HasSubstr("does not belong to module 'vision_model.encoder.layers.0.mlp'"));
  EXPECT_THAT(MergeRouted(model_, {routers_[0]}, torch::tensor({0.5, 0.5}), &merged).message(),
              HasSubstr("1 routers for 2 upscaled modules"));
  EXPECT_THAT(MergeAndUnload(model_, routers_, torch::tensor({0.2, 0.3, 0.5}), &merged).message(),
              HasSubstr("length 2"));
  EXPECT_THAT(MergeWithWeights(model_, {torch::ones({2}), torch::ones({3})}, &merged).message(),
              HasSubstr("module 'vision_model.encoder.layers.1.mlp'"));
  EXPECT_TRUE(merged.empty());
}

// sum over tasks of the cross-entropy of task i's head on the routed merge for `ray`.
torch::Tensor Loss(const UpscaledModel& model, const std::vector<Router>& routers,
                   const ModelPool& pool, const torch::Tensor& ray, const torch::Tensor& pixels,
                   const torch::Tensor& labels) {
  TensorMap merged;
  EXPECT_TRUE(MergeRouted(model, routers, ray, &merged).ok());
  torch::Tensor embeds;
  EXPECT_TRUE(model::ClipVisionForward(testing::TinyConfig(), merged, pixels, &embeds).ok());
  torch::Tensor loss = torch::zeros({}, torch::kFloat64);
  for (const model::ClassificationHead& head : pool.heads) {
    torch::Tensor logits;
    EXPECT_TRUE(model::HeadLogits(head, embeds, &logits).ok());
    loss = loss + torch::nn::functional::cross_entropy(logits, labels);
  }
  return loss;
}

TEST_F(Merge, RouterGradientsMatchFiniteDifferences) {
  for (int hidden : {1, 2}) {
    SCOPED_TRACE(hidden);
    Build(3, hidden, torch::kFloat64);
    const torch::Tensor ray = torch::tensor({0.5, 0.2, 0.3}, torch::kFloat64);
    const torch::Tensor pixels = Pixels(3, torch::kFloat64);
    const torch::Tensor labels = torch::tensor({0, 2, 1}, torch::kInt64);
    if (hidden == 2) {  // every hidden unit active, so each probe sees a nonzero gradient
      torch::NoGradGuard g;
      for (Router& r : routers_) r.params[1].fill_(1.0);
    }
    for (torch::Tensor& p : RouterParameters(routers_)) p.mutable_grad() = torch::Tensor();
    Loss(model_, routers_, pool_, ray, pixels, labels).backward();

    // (router, parameter, flat index): both layers, weights and biases, both routers.
    const std::vector<std::array<int64_t, 3>> probes = {
        {0, 0, 1}, {1, 0, 4}, {0, 1, 2}, {1, hidden == 2 ? 2 : 1, 0}, {0, hidden == 2 ? 3 : 0, 2}};
    const double eps = 1e-6;
    for (const auto& [r, i, k] : probes) {
      torch::Tensor param = routers_[r].params[i];
      const double analytic = param.grad().flatten()[k].item<double>();
      torch::Tensor flat = param.detach().view({-1});
      const double saved = flat[k].item<double>();
      flat[k] = saved + eps;
      const double up = Loss(model_, routers_, pool_, ray, pixels, labels).item<double>();
      flat[k] = saved - eps;
      const double down = Loss(model_, routers_, pool_, ray, pixels, labels).item<double>();
      flat[k] = saved;
      const double numeric = (up - down) / (2 * eps);
      SCOPED_TRACE(::testing::Message() << "router " << r << " param " << i << " index " << k);
      EXPECT_GT(std::abs(analytic), 1e-6);  // the probe measures something
      EXPECT_NEAR(analytic, numeric, 1e-7 + 1e-5 * std::abs(numeric));
    }
  }
}

}  // namespace
}  // namespace pwemoe::moe

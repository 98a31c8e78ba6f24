#include "pwemoe/moe/upscale.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "moe_testing.h"
#include "pwemoe/model/clip_vit.h"

namespace pwemoe::moe {
namespace {

using ::testing::HasSubstr;

const char* const kMlp0 = "vision_model.encoder.layers.0.mlp";
const char* const kFc1W = "vision_model.encoder.layers.1.mlp.fc1.weight";
const char* const kQ = "vision_model.encoder.layers.0.self_attn.q_proj.weight";

class Upscaling : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

TEST_F(Upscaling, DefaultPatternUpscalesEachMlpAsOneModule) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 3, 1);
  UpscaledModel model;
  std::vector<Router> routers;
  Status st = Upscale(pool, UpscaleOptions{}, &model, &routers);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(model.num_tasks, 3);
  EXPECT_EQ(ModuleNames(model),
            (std::vector<std::string>{kMlp0, "vision_model.encoder.layers.1.mlp"}));
  ASSERT_EQ(model.modules[1].params.size(), 4u);
  const UpscaledParam& p = model.modules[1].params[1];
  EXPECT_EQ(p.key, kFc1W);
  EXPECT_TRUE(torch::equal(p.base, pool.pretrained[kFc1W]));
  EXPECT_EQ(p.task_vectors.sizes(), (std::vector<int64_t>{3, 16, 8}));
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::equal(p.task_vectors[i], pool.experts[i][kFc1W] - pool.pretrained[kFc1W]));
  }
  EXPECT_EQ(model.fixed.count(kFc1W), 0u);
  EXPECT_EQ(model.fixed.size() + 8, pool.pretrained.size());
  ASSERT_EQ(routers.size(), 2u);
  EXPECT_EQ(routers[0].module, kMlp0);
  EXPECT_EQ(TrainableParamCount(routers), 2 * RouterParamCount(2, 3));
}

TEST_F(Upscaling, NonUpscaledKeysAreMergedOnceByTaskArithmetic) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 3, 2);
  UpscaledModel model;
  ASSERT_TRUE(UpscaleModel(pool, {"mlp"}, 0.3, &model).ok());
  torch::Tensor want = pool.pretrained[kQ].clone();
  for (int64_t i = 0; i < 3; ++i) want += 0.3 * (pool.experts[i][kQ] - pool.pretrained[kQ]);
  EXPECT_LT(testing::MaxAbsDiff(model.fixed[kQ], want), 1e-6);
  // Pretrained-only keys are used as they are.
  EXPECT_TRUE(torch::equal(model.fixed[model::kVisualProjection],
                           pool.pretrained[model::kVisualProjection]));
  // init_lambda 0 skips the merge: the pretrained values themselves.
  ASSERT_TRUE(UpscaleModel(pool, {"mlp"}, 0.0, &model).ok());
  EXPECT_TRUE(torch::equal(model.fixed[kQ], pool.pretrained[kQ]));
}

TEST_F(Upscaling, PatternsChooseTheModules) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 2, 3);
  UpscaledModel model;
  ASSERT_TRUE(UpscaleModel(pool, {"self_attn", "layers.1.mlp"}, 0.3, &model).ok());
  EXPECT_EQ(ModuleNames(model),
            (std::vector<std::string>{"vision_model.encoder.layers.0.self_attn",
                                      "vision_model.encoder.layers.1.mlp",
                                      "vision_model.encoder.layers.1.self_attn"}));
  EXPECT_EQ(model.modules[0].params.size(), 8u);
  EXPECT_EQ(model.fixed.count(kQ), 0u);
  EXPECT_EQ(model.fixed.count("vision_model.encoder.layers.0.mlp.fc1.weight"), 1u);
}

TEST_F(Upscaling, ErrorsFromPatternsAndPoolArePassedOn) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 2, 3);
  UpscaledModel model;
  std::vector<Router> routers;
  UpscaleOptions options;
  options.patterns = {"mlp", "visual_projection"};
  Status st = Upscale(pool, options, &model, &routers);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'visual_projection' matches no module"));
  options.patterns = {"mlp"};
  options.router_hidden_layers = 5;
  EXPECT_THAT(Upscale(pool, options, &model, &routers).message(), HasSubstr("hidden_layers 5"));
  EXPECT_TRUE(model.modules.empty());
  pool.experts[1][kQ] = torch::zeros({3});
  EXPECT_THAT(UpscaleModel(pool, {"mlp"}, 0.3, &model).message(),
              HasSubstr("expert shape [3] differs from the pretrained shape [8, 8]"));
}

TEST_F(Upscaling, MovesToADevice) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 2, 3);
  UpscaledModel model, moved;
  ASSERT_TRUE(UpscaleModel(pool, {"mlp"}, 0.3, &model).ok());
  ASSERT_TRUE(UpscaledModelTo(model, torch::kCPU, &moved).ok());
  EXPECT_EQ(ModuleNames(moved), ModuleNames(model));
  EXPECT_TRUE(torch::equal(moved.modules[0].params[0].task_vectors,
                           model.modules[0].params[0].task_vectors));
}

}  // namespace
}  // namespace pwemoe::moe

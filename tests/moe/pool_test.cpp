#include "pwemoe/moe/pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "moe_testing.h"
#include "pwemoe/model/clip_vit.h"

namespace pwemoe::moe {
namespace {

using ::testing::HasSubstr;

const char* const kFc1W = "vision_model.encoder.layers.0.mlp.fc1.weight";
const char* const kFc2B = "vision_model.encoder.layers.1.mlp.fc2.bias";

class Pool : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

struct BadPoolCase {
  std::string name;
  std::function<void(ModelPool*)> mutate;
  Status::Code code;
  std::vector<std::string> message_parts;
};

std::vector<BadPoolCase> BadPoolCases() {
  return {
      {"expert key absent from the pretrained model",
       [](ModelPool* p) {
         p->experts[1]["vision_model.encoder.layers.0.mlp.fc3.weight"] = torch::zeros({2});
       },
       Status::Code::kNotFound,
       {"task 'task1'", "'vision_model.encoder.layers.0.mlp.fc3.weight'",
        "not in the pretrained model"}},
      {"key one expert lacks",
       [](ModelPool* p) { p->experts[2].erase(kFc2B); },
       Status::Code::kNotFound,
       {"task 'task2'", kFc2B, "missing", "task 'task0' has it"}},
      {"key only a later expert has",
       [](ModelPool* p) { p->experts[0].erase(kFc2B); },
       Status::Code::kNotFound,
       {"task 'task0'", kFc2B, "missing", "task 'task1' has it"}},
      {"shape mismatch",
       [](ModelPool* p) {
         p->experts[1][kFc1W] = torch::zeros({8, 16});
       },
       Status::Code::kInvalidArgument,
       {"task 'task1'", kFc1W, "expert shape [8, 16]", "pretrained shape [16, 8]"}},
      {"dtype mismatch",
       [](ModelPool* p) { p->experts[2][kFc2B] = p->experts[2][kFc2B].to(torch::kFloat64); },
       Status::Code::kInvalidArgument,
       {"task 'task2'", kFc2B, "Double", "Float"}},
      {"undefined expert tensor",
       [](ModelPool* p) { p->experts[0][kFc1W] = torch::Tensor(); },
       Status::Code::kInvalidArgument,
       {"task 'task0'", kFc1W, "undefined"}},
      {"no task",
       [](ModelPool* p) {
         *p = ModelPool{p->pretrained, {}, {}, {}};
       },
       Status::Code::kInvalidArgument,
       {"no task"}},
      {"repeated task name",
       [](ModelPool* p) { p->tasks[2] = "task0"; },
       Status::Code::kInvalidArgument,
       {"task 'task0' appears twice"}},
      {"experts not one per task",
       [](ModelPool* p) { p->experts.pop_back(); },
       Status::Code::kInvalidArgument,
       {"3 tasks but 2 experts"}},
      {"invalid head",
       [](ModelPool* p) { p->heads[1].logit_scale = -1; },
       Status::Code::kInvalidArgument,
       {"task 'task1' head", "logit_scale"}},
  };
}

TEST_F(Pool, ValidPoolPassesAndKeepsPretrainedOnlyKeysOutOfTheMergedKeys) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 3, 1);
  Status st = ValidateModelPool(pool);
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::vector<std::string> keys = MergedKeys(pool);
  EXPECT_EQ(keys.size(), pool.pretrained.size() - 1);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), model::kVisualProjection), 0);
  pool.heads.clear();  // merge-only pools carry no heads
  EXPECT_TRUE(ValidateModelPool(pool).ok());
}

TEST_F(Pool, EveryMismatchIsReportedNamingTaskTensorAndShapes) {
  for (const BadPoolCase& c : BadPoolCases()) {
    SCOPED_TRACE(c.name);
    ModelPool pool = testing::RandomPool(testing::TinyConfig(), 3, 1);
    c.mutate(&pool);
    Status st = ValidateModelPool(pool);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), c.code) << st.ToString();
    EXPECT_THAT(st.message(), HasSubstr("model pool: "));
    for (const std::string& part : c.message_parts) EXPECT_THAT(st.message(), HasSubstr(part));
  }
}

TEST_F(Pool, NonFloatingKeysAreCheckedButNotMerged) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 2, 1);
  const std::string ids = "vision_model.embeddings.position_ids";
  pool.pretrained[ids] = torch::arange(5).view({1, 5});
  for (auto& e : pool.experts) e[ids] = torch::arange(5).view({1, 5});
  ASSERT_TRUE(ValidateModelPool(pool).ok());
  std::vector<std::string> keys = MergedKeys(pool);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), ids), 0);
  pool.experts[1][ids] = torch::arange(5).view({1, 5}).to(torch::kInt32);
  EXPECT_THAT(ValidateModelPool(pool).message(), HasSubstr("Int"));
}

TEST_F(Pool, TaskVectorsAreFloat32Differences) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 3, 2);
  torch::Tensor tau, stacked;
  ASSERT_TRUE(TaskVector(pool, 1, kFc1W, &tau).ok());
  EXPECT_EQ(tau.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(tau, pool.experts[1][kFc1W] - pool.pretrained[kFc1W]));
  ASSERT_TRUE(StackedTaskVectors(pool, kFc1W, &stacked).ok());
  EXPECT_EQ(stacked.sizes(), (std::vector<int64_t>{3, 16, 8}));
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::equal(stacked[i], pool.experts[i][kFc1W] - pool.pretrained[kFc1W]));
  }
  // Half-precision checkpoints kept as they are give float32 task vectors.
  for (auto& [k, t] : pool.pretrained) t = t.to(torch::kFloat16);
  for (auto& e : pool.experts)
    for (auto& [k, t] : e) t = t.to(torch::kFloat16);
  ASSERT_TRUE(TaskVector(pool, 0, kFc1W, &tau).ok());
  EXPECT_EQ(tau.scalar_type(), torch::kFloat32);
}

TEST_F(Pool, TaskVectorOfAPretrainedOnlyKeyOrBadTaskIsAnError) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 2, 2);
  torch::Tensor tau;
  EXPECT_THAT(TaskVector(pool, 0, model::kVisualProjection, &tau).message(),
              HasSubstr("not a merged key"));
  EXPECT_THAT(TaskVector(pool, 2, kFc1W, &tau).message(), HasSubstr("out of range"));
  EXPECT_FALSE(tau.defined());
}

TEST_F(Pool, LoadsFromFilesAndRequiresHeadsForAllOrNone) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 2, 3);
  const std::string dir = testing::MakeTempDir("pwemoe_pool");
  PoolSpec spec;
  spec.pretrained = dir + "/pre.safetensors";
  ASSERT_TRUE(io::SaveTensors(spec.pretrained, pool.pretrained).ok());
  for (int64_t i = 0; i < 2; ++i) {
    PoolSpec::Task t{pool.tasks[i], dir + "/e" + std::to_string(i) + ".safetensors",
                     dir + "/h" + std::to_string(i) + ".safetensors"};
    ASSERT_TRUE(io::SaveTensors(t.expert, pool.experts[i]).ok());
    ASSERT_TRUE(model::SaveHead(t.head, pool.heads[i]).ok());
    spec.tasks.push_back(t);
  }
  ModelPool loaded;
  Status st = LoadModelPool(spec, &loaded);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(loaded.tasks, pool.tasks);
  EXPECT_TRUE(torch::equal(loaded.experts[1][kFc1W], pool.experts[1][kFc1W]));
  EXPECT_TRUE(torch::equal(loaded.heads[0].weight, pool.heads[0].weight));
  spec.tasks[1].head.clear();
  EXPECT_THAT(LoadModelPool(spec, &loaded).message(), HasSubstr("1 of 2 tasks name a head"));
  spec.tasks[0].head.clear();
  ASSERT_TRUE(LoadModelPool(spec, &loaded).ok());
  EXPECT_TRUE(loaded.heads.empty());
  spec.tasks[0].expert = dir + "/absent.safetensors";
  EXPECT_THAT(LoadModelPool(spec, &loaded).message(), HasSubstr("absent.safetensors"));
}

// The pairing of the TA8 models: a full CLIPModel pretrained checkpoint (text tower, projections,
// logit_scale, position_ids buffers) with vision-only experts, one saved with position_ids (an
// older transformers) and one without.
TEST_F(Pool, FullClipCheckpointPairsWithVisionOnlyExperts) {
  ModelPool pool = testing::RandomPool(testing::TinyConfig(), 2, 3);
  const std::string dir = testing::MakeTempDir("pwemoe_pool_clip");
  io::TensorMap pre = pool.pretrained;
  pre["text_model.embeddings.token_embedding.weight"] = torch::randn({10, 4});
  pre["text_model.embeddings.position_ids"] = torch::arange(7).unsqueeze(0);
  pre["text_projection.weight"] = torch::randn({4, 4});
  pre["logit_scale"] = torch::tensor(2.6592f);
  pre["vision_model.embeddings.position_ids"] = torch::arange(5).unsqueeze(0);
  io::TensorMap old_expert = pool.experts[0];
  old_expert["vision_model.embeddings.position_ids"] = torch::arange(5).unsqueeze(0);
  PoolSpec spec{dir + "/pre.safetensors", {{"task0", dir + "/e0.safetensors", ""}, {"task1", dir + "/e1.safetensors", ""}}};
  ASSERT_TRUE(io::SaveTensors(spec.pretrained, pre).ok());
  ASSERT_TRUE(io::SaveTensors(spec.tasks[0].expert, old_expert).ok());
  ASSERT_TRUE(io::SaveTensors(spec.tasks[1].expert, pool.experts[1]).ok());
  ModelPool loaded;
  Status st = LoadModelPool(spec, &loaded);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(loaded.pretrained.size(), pool.pretrained.size());
  for (const auto& [key, t] : pool.pretrained) EXPECT_TRUE(loaded.pretrained.count(key)) << key;
  for (const char* key : {"text_projection.weight", "logit_scale", "vision_model.embeddings.position_ids",
                          "text_model.embeddings.token_embedding.weight"}) {
    EXPECT_FALSE(loaded.pretrained.count(key)) << key;
  }
  EXPECT_EQ(loaded.experts[0].size(), pool.experts[0].size());
  EXPECT_EQ(MergedKeys(loaded), MergedKeys(pool));
}

}  // namespace
}  // namespace pwemoe::moe

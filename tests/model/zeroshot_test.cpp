// Zero-shot heads from the CLIP text tower against numpy (make_clip_text_golden.py): the head of
// the golden model from numpy's own token ids, batch-size independence, progress, and errors.
#include "pwemoe/model/zeroshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace pwemoe::model {
namespace {

using ::testing::HasSubstr;

const std::string kGolden = std::string(PWEMOE_TEST_DATA_DIR) + "/clip_text_golden";

class ZeroShot : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    Status st = LoadClipTextModel(kGolden, &model_);
    ASSERT_TRUE(st.ok()) << st.ToString();
    st = io::LoadTensors(kGolden + "/expected.safetensors", &expected_, {true});
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  ClipTextModel model_;
  io::TensorMap expected_;
};

TEST_F(ZeroShot, HeadMatchesNumpy) {
  const torch::Tensor& ids = expected_.at("prompt_ids");  // 4 classes x 4 templates
  std::vector<std::pair<int64_t, int64_t>> calls;
  ClassificationHead head;
  Status st = ZeroShotHead(model_, ids, 4, 5,
                           [&](int64_t done, int64_t total) { calls.push_back({done, total}); },
                           &head);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(head.weight.sizes(), (std::vector<int64_t>{4, 24}));
  EXPECT_EQ(head.weight.scalar_type(), torch::kFloat32);
  const double d = (head.weight.to(torch::kFloat64) - expected_.at("head_weight"))
                       .abs()
                       .max()
                       .item<double>();
  std::printf("zero-shot head weight vs numpy: max |diff| %.3g\n", d);
  EXPECT_LT(d, 1e-4);
  EXPECT_DOUBLE_EQ(head.logit_scale, expected_.at("head_logit_scale").item<double>());
  EXPECT_NEAR(head.logit_scale, 100.0, 0.01);  // exp(4.6052)
  EXPECT_TRUE(ValidateHead("head", head).ok());
  // Progress after every batch of 5: 5, 10, 15, 16 of 16.
  EXPECT_EQ(calls, (std::vector<std::pair<int64_t, int64_t>>{{5, 16}, {10, 16}, {15, 16},
                                                              {16, 16}}));
  // The classes differ: a head of identical rows would pass a loose comparison too easily.
  torch::Tensor gram = torch::matmul(head.weight, head.weight.t());
  EXPECT_LT((gram - torch::eye(4)).abs().max().item<double>(), 0.999);
}

TEST_F(ZeroShot, BatchSizeDoesNotChangeTheHead) {
  const torch::Tensor& ids = expected_.at("prompt_ids");
  ClassificationHead one, all;
  ASSERT_TRUE(ZeroShotHead(model_, ids, 4, 1, {}, &one).ok());
  ASSERT_TRUE(ZeroShotHead(model_, ids, 4, 1000, {}, &all).ok());
  EXPECT_LT((one.weight - all.weight).abs().max().item<double>(), 1e-6);
}

TEST_F(ZeroShot, BadArgumentsAreErrors) {
  const torch::Tensor& ids = expected_.at("prompt_ids");
  ClassificationHead head;
  head.logit_scale = 3;
  EXPECT_EQ(ZeroShotHead(model_, ids, 0, 8, {}, &head).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ZeroShotHead(model_, ids, 4, 0, {}, &head).code(), Status::Code::kInvalidArgument);
  Status st = ZeroShotHead(model_, ids, 3, 8, {}, &head);  // 16 rows are not 3 classes
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("prompt_ids [16, 16], expected [num_classes * templates"));
  EXPECT_EQ(ZeroShotHead(model_, ids.flatten(), 4, 8, {}, &head).code(),
            Status::Code::kInvalidArgument);
  // A prompt without the end token: the forward's error, with the batch's rows.
  torch::Tensor broken = ids.clone();
  broken[9].fill_(5);
  st = ZeroShotHead(model_, broken, 4, 8, {}, &head);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("zero-shot head: prompts 8..15"));
  EXPECT_THAT(st.message(), HasSubstr("input_ids row 1 holds no eos_token_id 63"));
  EXPECT_EQ(head.logit_scale, 3);  // untouched
  ClipTextModel hot = model_;
  hot.logit_scale = 1000;
  EXPECT_EQ(ZeroShotHead(hot, ids, 4, 8, {}, &head).code(), Status::Code::kNumerical);
}

TEST_F(ZeroShot, ZeroEmbeddingIsNumerical) {
  ClipTextModel zero = model_;
  zero.params[kTextProjection] = torch::zeros_like(zero.params[kTextProjection]);
  ClassificationHead head;
  Status st = ZeroShotHead(zero, expected_.at("prompt_ids"), 4, 8, {}, &head);
  EXPECT_EQ(st.code(), Status::Code::kNumerical);
  EXPECT_THAT(st.message(), HasSubstr("prompt 0 (class 0, template 0) has a zero or non-finite"));
}

}  // namespace
}  // namespace pwemoe::model

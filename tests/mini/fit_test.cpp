// pwemoe/mini/fit.h: initialisation, classifier fits and probes on small in-memory problems.
#include <gtest/gtest.h>

#include "pwemoe/mini/fit.h"
#include "pwemoe/model/clip_vit.h"

namespace pwemoe::mini {
namespace {

io::ClipVisionConfig Tiny() {
  io::ClipVisionConfig c;
  c.image_size = 8;
  c.patch_size = 4;
  c.num_channels = 1;
  c.hidden_size = 16;
  c.intermediate_size = 32;
  c.num_hidden_layers = 1;
  c.num_attention_heads = 2;
  c.projection_dim = 8;
  return c;
}

// Two classes told apart by which half of the image is bright.
Split HalvesProblem(int64_t n) {
  torch::manual_seed(3);
  Split s;
  s.labels = torch::arange(n) % 2;
  s.pixels = 0.1 * torch::randn({n, 1, 8, 8});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t col = s.labels[i].item<int64_t>() * 4;
    s.pixels[i].slice(2, col, col + 4).add_(1.0);
  }
  s.classes = {"left", "right"};
  return s;
}

bool SameMaps(const io::TensorMap& a, const io::TensorMap& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, t] : a) {
    if (!b.count(k) || !torch::equal(t, b.at(k))) return false;
  }
  return true;
}

TEST(Fit, RandomClipParamsAreValidAndSeeded) {
  const io::ClipVisionConfig c = Tiny();
  const io::TensorMap a = RandomClipParams(c, 1), b = RandomClipParams(c, 1), d = RandomClipParams(c, 2);
  ASSERT_TRUE(model::ValidateClipVisionParams(c, a).ok());
  EXPECT_TRUE(SameMaps(a, b));
  EXPECT_FALSE(SameMaps(a, d));
  EXPECT_TRUE(torch::equal(a.at("vision_model.post_layernorm.weight"), torch::ones({16})));
}

TEST(Fit, ClassifierLearnsAndTouchesOnlyTrainableKeys) {
  torch::set_num_threads(1);
  const io::ClipVisionConfig c = Tiny();
  const Split data = HalvesProblem(64);
  io::TensorMap params = RandomClipParams(c, 5);
  const io::TensorMap before = params;
  model::ClassificationHead head;
  head.weight = torch::nn::functional::normalize(torch::randn({2, 8}),
                                                 torch::nn::functional::NormalizeFuncOptions().dim(1));
  head.logit_scale = 10;
  const torch::Tensor head_before = head.weight.clone();
  std::vector<std::string> trainable;
  for (const auto& [k, shape] : model::ClipVisionParamShapes(c, false)) trainable.push_back(k);
  FitReport report;
  int calls = 0;
  Status st = FitClassifier(c, &params, trainable, &head, false, data, {60, 16, 3e-3, 0.0, 0.1}, 7,
                            [&calls](int64_t, double) { ++calls; }, &report);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_LT(report.final_loss, 0.5 * report.first_loss);
  EXPECT_GT(report.final_accuracy, 0.9);
  EXPECT_GT(calls, 0);
  EXPECT_TRUE(torch::equal(head.weight, head_before));
  EXPECT_TRUE(torch::equal(params.at(model::kVisualProjection), before.at(model::kVisualProjection)));
  EXPECT_FALSE(torch::equal(params.at(model::kPatchEmbedding), before.at(model::kPatchEmbedding)));
  EXPECT_FALSE(params.at(model::kPatchEmbedding).requires_grad());

  // The same fit again gives the same bits.
  io::TensorMap again = before;
  model::ClassificationHead head2{head_before, 10};
  ASSERT_TRUE(FitClassifier(c, &again, trainable, &head2, false, data, {60, 16, 3e-3, 0.0, 0.1}, 7,
                            nullptr, &report).ok());
  EXPECT_TRUE(SameMaps(params, again));
}

TEST(Fit, ProbeHasUnitRowsAndSeparatesSeparableFeatures) {
  torch::manual_seed(9);
  const torch::Tensor labels = torch::arange(90) % 3;
  torch::Tensor feats = torch::eye(3).index_select(0, labels) + 0.05 * torch::randn({90, 3});
  feats = torch::nn::functional::normalize(feats, torch::nn::functional::NormalizeFuncOptions().dim(1));
  model::ClassificationHead head;
  FitReport report;
  ASSERT_TRUE(FitProbe(feats, labels, 3, 10.0, {100, 128, 5e-2, 0.0, 0.05}, 1, &head, &report).ok());
  EXPECT_EQ(head.weight.sizes(), (std::vector<int64_t>{3, 3}));
  EXPECT_TRUE(torch::allclose(head.weight.norm(2, 1), torch::ones({3}), 1e-5, 1e-6));
  torch::Tensor logits;
  ASSERT_TRUE(model::HeadLogits(head, feats, &logits).ok());
  EXPECT_TRUE(torch::equal(logits.argmax(1), labels));
  EXPECT_GT(head.logit_scale, 0);
}

TEST(Fit, LabelBeyondTheHeadIsRefused) {
  const io::ClipVisionConfig c = Tiny();
  const Split data = HalvesProblem(8);
  io::TensorMap params = RandomClipParams(c, 5);
  model::ClassificationHead head{torch::randn({1, 8}), 1.0};
  FitReport report;
  Status st = FitClassifier(c, &params, {}, &head, false, data, {1, 4, 1e-3, 0, 0}, 0, nullptr, &report);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("1 classes"), std::string::npos) << st.message();
  st = FitClassifier(c, &params, {"no.such.key"}, &head, false, HalvesProblem(8), {1, 4, 1e-3, 0, 0},
                     0, nullptr, &report);
  EXPECT_FALSE(st.ok());
}

TEST(Fit, NonFiniteLossNamesTheStep) {
  const io::ClipVisionConfig c = Tiny();
  Split data = HalvesProblem(8);
  data.pixels[3].fill_(std::numeric_limits<float>::quiet_NaN());
  io::TensorMap params = RandomClipParams(c, 5);
  model::ClassificationHead head{torch::randn({2, 8}), 1.0};
  FitReport report;
  const Status st = FitClassifier(c, &params, {model::kPatchEmbedding}, &head, false, data,
                                  {4, 8, 1e-3, 0, 0}, 0, nullptr, &report);
  EXPECT_EQ(st.code(), Status::Code::kNumerical);
  EXPECT_NE(st.message().find("step 0"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace pwemoe::mini

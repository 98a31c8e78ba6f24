#include "pwemoe/model/clip_vit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "clip_reference.h"

namespace pwemoe::model {
namespace {

using ::testing::HasSubstr;
using testing::RandomParams;
using testing::RefClipVision;
using testing::TinyConfig;

class ClipVit : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

double MaxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

TensorMap ToDouble(const TensorMap& params) {
  TensorMap out;
  for (const auto& [k, v] : params) out[k] = v.to(torch::kFloat64);
  return out;
}

torch::Tensor Pixels(const ClipVisionConfig& c, int64_t batch, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randn({batch, c.num_channels, c.image_size, c.image_size});
}

// The forward of `c` on a random model and batch, in float32 against the float64 reference
// (1e-5) and in float64 against it (1e-10, which only the same math reaches).
void ExpectMatchesReference(const ClipVisionConfig& c, int64_t batch) {
  TensorMap params = RandomParams(c, 11);
  ASSERT_TRUE(ValidateClipVisionParams(c, params).ok());
  torch::Tensor pixels = Pixels(c, batch, 12);
  torch::Tensor want = RefClipVision(c, params, pixels, /*project=*/true);
  torch::Tensor want_pooled = RefClipVision(c, params, pixels, /*project=*/false);

  torch::Tensor embeds, pooled;
  Status st = ClipVisionForward(c, params, pixels, &embeds);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(ClipVisionPooled(c, params, pixels, &pooled).ok());
  EXPECT_EQ(embeds.sizes(), (std::vector<int64_t>{batch, c.projection_dim}));
  EXPECT_EQ(pooled.sizes(), (std::vector<int64_t>{batch, c.hidden_size}));
  EXPECT_EQ(embeds.scalar_type(), torch::kFloat32);
  EXPECT_LT(MaxAbsDiff(embeds, want), 1e-5);
  EXPECT_LT(MaxAbsDiff(pooled, want_pooled), 1e-5);

  torch::Tensor embeds64;
  ASSERT_TRUE(ClipVisionForward(c, ToDouble(params), pixels.to(torch::kFloat64), &embeds64).ok());
  EXPECT_LT(MaxAbsDiff(embeds64, want), 1e-10);
  // The outputs are not trivially small: the comparison means something.
  EXPECT_GT(want.abs().max().item<double>(), 0.1);
}

TEST_F(ClipVit, MatchesReferenceOnTinyModel) {
  ExpectMatchesReference(TinyConfig(8, 4, 3, 16, 2, 2, 8), 3);
}

TEST_F(ClipVit, MatchesReferenceWithOneChannelAndNinePatches) {
  ExpectMatchesReference(TinyConfig(12, 4, 1, 12, 3, 3, 5), 2);
}

TEST_F(ClipVit, MatchesReferenceWithOnePatchAndOneHead) {
  ExpectMatchesReference(TinyConfig(5, 5, 2, 8, 1, 1, 4), 1);
}

class ClipVitActivation : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

TEST_P(ClipVitActivation, MatchesReference) {
  ExpectMatchesReference(TinyConfig(8, 4, 3, 16, 2, 2, 8, GetParam()), 2);
}

INSTANTIATE_TEST_SUITE_P(EverySupported, ClipVitActivation,
                         ::testing::Values("quick_gelu", "gelu", "gelu_python", "gelu_new",
                                           "gelu_pytorch_tanh", "relu", "silu", "swish"));

TEST_F(ClipVit, ActivationsDifferFromEachOther) {
  // Guards the activation test: the choice of activation changes the output.
  ClipVisionConfig quick = TinyConfig(8, 4, 3, 16, 2, 2, 8, "quick_gelu");
  ClipVisionConfig gelu = TinyConfig(8, 4, 3, 16, 2, 2, 8, "gelu");
  TensorMap params = RandomParams(quick, 3);
  torch::Tensor pixels = Pixels(quick, 2, 4), a, b;
  ASSERT_TRUE(ClipVisionForward(quick, params, pixels, &a).ok());
  ASSERT_TRUE(ClipVisionForward(gelu, params, pixels, &b).ok());
  EXPECT_GT(MaxAbsDiff(a, b), 1e-3);
}

TEST_F(ClipVit, UnsupportedActivationIsAnError) {
  for (const char* act : {"mish", "prelu", "gelu_10", "no_such_act"}) {
    ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 1, 8, act);
    TensorMap params = RandomParams(TinyConfig(8, 4, 3, 16, 2, 1, 8), 1);
    Status st = ValidateClipVisionParams(c, params);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << act;
    EXPECT_THAT(st.message(), HasSubstr(std::string("'") + act + "'"));
    EXPECT_THAT(st.message(), HasSubstr("quick_gelu"));  // lists the supported ones
    torch::Tensor out;
    EXPECT_EQ(ClipVisionForward(c, params, Pixels(c, 1, 2), &out).code(),
              Status::Code::kInvalidArgument);
    EXPECT_FALSE(out.defined());
  }
}

TEST_F(ClipVit, IsDeterministicAndBatchIndependent) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 2, 8);
  TensorMap params = RandomParams(c, 5);
  torch::Tensor pixels = Pixels(c, 4, 6), a, b, one;
  ASSERT_TRUE(ClipVisionForward(c, params, pixels, &a).ok());
  ASSERT_TRUE(ClipVisionForward(c, params, pixels, &b).ok());
  EXPECT_TRUE(torch::equal(a, b));
  ASSERT_TRUE(ClipVisionForward(c, params, pixels.slice(0, 2, 3), &one).ok());
  // Up to float32 rounding: a batch of one runs other matrix kernels (a few ulp of the values).
  EXPECT_LT(MaxAbsDiff(one, a.slice(0, 2, 3)), 1e-6 * (1 + a.abs().max().item<double>()));
}

// Sum of embeds weighted by a fixed probe: a scalar loss for gradient checks.
double ProbeLoss(const ClipVisionConfig& c, const TensorMap& params, const torch::Tensor& pixels,
                 const torch::Tensor& probe, torch::Tensor* loss_out = nullptr) {
  torch::Tensor embeds;
  Status st = ClipVisionForward(c, params, pixels, &embeds);
  EXPECT_TRUE(st.ok()) << st.ToString();
  torch::Tensor loss = (embeds * probe).sum();
  if (loss_out != nullptr) *loss_out = loss;
  return loss.item<double>();
}

TEST_F(ClipVit, GradientOfMlpWeightMatchesFiniteDifferences) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 2, 8, "gelu");
  TensorMap params = ToDouble(RandomParams(c, 21));
  torch::Tensor pixels = Pixels(c, 2, 22).to(torch::kFloat64);
  torch::Tensor probe = torch::randn({2, c.projection_dim}, torch::kFloat64);
  for (const char* key : {"vision_model.encoder.layers.0.mlp.fc1.weight",
                          "vision_model.encoder.layers.1.mlp.fc2.weight"}) {
    TensorMap p = params;
    p[key] = params[key].clone().requires_grad_(true);
    torch::Tensor loss;
    ProbeLoss(c, p, pixels, probe, &loss);
    loss.backward();
    torch::Tensor grad = p[key].grad();
    ASSERT_TRUE(grad.defined()) << key;
    for (std::pair<int64_t, int64_t> ij : {std::make_pair(0, 0), std::make_pair(3, 5)}) {
      const double h = 1e-6;
      TensorMap plus = params, minus = params;
      plus[key] = params[key].clone();
      minus[key] = params[key].clone();
      plus[key].select(0, ij.first).select(0, ij.second).add_(h);
      minus[key].select(0, ij.first).select(0, ij.second).sub_(h);
      double fd =
          (ProbeLoss(c, plus, pixels, probe) - ProbeLoss(c, minus, pixels, probe)) / (2 * h);
      double g = grad[ij.first][ij.second].item<double>();
      EXPECT_NEAR(g, fd, 1e-6 * (1 + std::abs(fd)))
          << key << " [" << ij.first << "," << ij.second << "]";
      EXPECT_GT(std::abs(g), 1e-6) << key;  // a meaningful entry, not a trivially zero one
    }
  }
}

TEST_F(ClipVit, GradientReachesMergeCoefficientsThroughMergedWeights) {
  // The training use: W = W0 + w * tau for every MLP weight, gradient w.r.t. the coefficient w.
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 2, 8);
  TensorMap base = ToDouble(RandomParams(c, 31)), tau = ToDouble(RandomParams(c, 32));
  torch::Tensor pixels = Pixels(c, 2, 33).to(torch::kFloat64);
  torch::Tensor probe = torch::randn({2, c.projection_dim}, torch::kFloat64);
  auto merged = [&](const torch::Tensor& w) {
    TensorMap m = base;
    for (const auto& [k, v] : base) {
      if (k.find(".mlp.") != std::string::npos) m[k] = v + w * 0.1 * tau.at(k);
    }
    return m;
  };
  torch::Tensor w = torch::tensor(0.3, torch::kFloat64).requires_grad_(true);
  torch::Tensor loss;
  ProbeLoss(c, merged(w), pixels, probe, &loss);
  loss.backward();
  const double h = 1e-6;
  double fd = (ProbeLoss(c, merged(torch::tensor(0.3 + h, torch::kFloat64)), pixels, probe) -
               ProbeLoss(c, merged(torch::tensor(0.3 - h, torch::kFloat64)), pixels, probe)) /
              (2 * h);
  EXPECT_NEAR(w.grad().item<double>(), fd, 1e-6 * (1 + std::abs(fd)));
  EXPECT_GT(std::abs(fd), 1e-4);
}

TEST_F(ClipVit, EveryParameterReceivesAGradient) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 2, 8);
  TensorMap params = RandomParams(c, 41);
  for (auto& [k, v] : params) v.requires_grad_(true);
  torch::Tensor embeds;
  ASSERT_TRUE(ClipVisionForward(c, params, Pixels(c, 2, 42), &embeds).ok());
  (embeds * torch::randn_like(embeds)).sum().backward();
  for (const auto& [k, v] : params) {
    ASSERT_TRUE(v.grad().defined()) << k;
    EXPECT_TRUE(torch::isfinite(v.grad()).all().item<bool>()) << k;
    EXPECT_GT(v.grad().abs().max().item<double>(), 0.0) << k;
  }
}

// ---- validation ------------------------------------------------------------------------------

TEST_F(ClipVit, MissingKeyIsNamedWithItsShape) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 2, 8);
  TensorMap params = RandomParams(c, 1);
  params.erase("vision_model.encoder.layers.1.mlp.fc1.weight");
  Status st = ValidateClipVisionParams(c, params);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("'vision_model.encoder.layers.1.mlp.fc1.weight'"));
  EXPECT_THAT(st.message(), HasSubstr("[32, 16]"));
}

TEST_F(ClipVit, WrongShapeNamesKeyAndBothShapes) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 2, 8);
  TensorMap params = RandomParams(c, 1);
  params["vision_model.encoder.layers.0.self_attn.k_proj.weight"] = torch::zeros({16, 15});
  Status st = ValidateClipVisionParams(c, params);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'vision_model.encoder.layers.0.self_attn.k_proj.weight'"));
  EXPECT_THAT(st.message(), HasSubstr("[16, 15]"));
  EXPECT_THAT(st.message(), HasSubstr("[16, 16]"));
}

TEST_F(ClipVit, PositionEmbeddingMustMatchImageSize) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 1, 8);
  TensorMap params = RandomParams(TinyConfig(12, 4, 3, 16, 2, 1, 8), 1);  // 9 patches, not 4
  Status st = ValidateClipVisionParams(c, params);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("position_embedding.weight"));
  EXPECT_THAT(st.message(), HasSubstr("[10, 16]"));
  EXPECT_THAT(st.message(), HasSubstr("[5, 16]"));
}

TEST_F(ClipVit, MixedDtypeOrIntegerParametersAreErrors) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 1, 8);
  TensorMap params = RandomParams(c, 1);
  params["vision_model.post_layernorm.bias"] =
      params["vision_model.post_layernorm.bias"].to(torch::kFloat64);
  Status st = ValidateClipVisionParams(c, params);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'vision_model.post_layernorm.bias'"));
  EXPECT_THAT(st.message(), HasSubstr("Double"));
  EXPECT_THAT(st.message(), HasSubstr("Float"));

  TensorMap ints = RandomParams(c, 1);
  ints[kClassEmbedding] = torch::zeros({16}, torch::kInt64);
  st = ValidateClipVisionParams(c, ints);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("class_embedding"));
}

TEST_F(ClipVit, ExtraKeysAreIgnoredAndProjectionIsOptionalForPooled) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 1, 8);
  TensorMap params = RandomParams(c, 1);
  params["text_model.embeddings.token_embedding.weight"] = torch::zeros({3, 3});
  params["vision_model.embeddings.position_ids"] = torch::arange(5).unsqueeze(0);
  EXPECT_TRUE(ValidateClipVisionParams(c, params).ok());
  params.erase(kVisualProjection);
  EXPECT_EQ(ValidateClipVisionParams(c, params).code(), Status::Code::kNotFound);
  EXPECT_TRUE(ValidateClipVisionParams(c, params, /*with_projection=*/false).ok());
  torch::Tensor pooled;
  ASSERT_TRUE(ClipVisionPooled(c, params, Pixels(c, 1, 2), &pooled).ok());
  EXPECT_EQ(pooled.sizes(), (std::vector<int64_t>{1, 16}));
}

TEST_F(ClipVit, InvalidConfigsAreErrors) {
  struct Case {
    ClipVisionConfig config;
    const char* field;
  };
  std::vector<Case> cases;
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 1, 8);
  cases.push_back({c, "num_attention_heads"});
  cases.back().config.num_attention_heads = 3;
  cases.push_back({c, "patch_size"});
  cases.back().config.patch_size = 3;
  cases.push_back({c, "hidden_size"});
  cases.back().config.hidden_size = 0;
  cases.push_back({c, "layer_norm_eps"});
  cases.back().config.layer_norm_eps = -1;
  cases.push_back({c, "num_hidden_layers"});
  cases.back().config.num_hidden_layers = -2;
  for (const Case& k : cases) {
    Status st = ValidateClipVisionConfig(k.config);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << k.field;
    EXPECT_THAT(st.message(), HasSubstr(k.field));
  }
  EXPECT_TRUE(ValidateClipVisionConfig(c).ok());
}

TEST_F(ClipVit, BadPixelsAreErrors) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 1, 8);
  TensorMap params = RandomParams(c, 1);
  for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{
           {2, 3, 8, 9}, {2, 1, 8, 8}, {3, 8, 8}, {0, 3, 8, 8}, {2, 3, 12, 12}}) {
    torch::Tensor out;
    Status st = ClipVisionForward(c, params, torch::zeros(shape), &out);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << c10::IntArrayRef(shape);
    EXPECT_THAT(st.message(), HasSubstr("[B >= 1, 3, 8, 8]"));
    EXPECT_FALSE(out.defined());
  }
  torch::Tensor out;
  Status st = ClipVisionForward(c, params, torch::zeros({1, 3, 8, 8}, torch::kFloat64), &out);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("Double"));
}

TEST_F(ClipVit, UnvalidatedBrokenParametersGiveAnErrorNotACrash) {
  ClipVisionConfig c = TinyConfig(8, 4, 3, 16, 2, 2, 8);
  torch::Tensor pixels = Pixels(c, 1, 2), out;
  TensorMap missing = RandomParams(c, 1);
  missing.erase("vision_model.encoder.layers.1.mlp.fc2.bias");
  Status missing_st = ClipVisionForward(c, missing, pixels, &out);
  EXPECT_EQ(missing_st.code(), Status::Code::kInternal);
  EXPECT_THAT(missing_st.message(), HasSubstr("'vision_model.encoder.layers.1.mlp.fc2.bias'"));
  TensorMap wrong = RandomParams(c, 1);
  wrong["vision_model.encoder.layers.0.mlp.fc1.weight"] = torch::zeros({32, 7});
  Status st = ClipVisionForward(c, wrong, pixels, &out);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_THAT(st.message(), HasSubstr("CLIP vision forward"));
  EXPECT_FALSE(out.defined());
  EXPECT_EQ(ClipVisionForward(c, {}, pixels, &out).code(), Status::Code::kInternal);
}

// ---- ViT-B/32 shapes ---------------------------------------------------------------------------

// A tensor of `shape` that owns one element (zero strides): shapes at full size, memory at none.
torch::Tensor ShapeOnly(const std::vector<int64_t>& shape) {
  return torch::zeros({1}).expand(shape);
}

TEST_F(ClipVit, VitB32ShapesValidate) {
  ClipVisionConfig c;  // transformers' defaults are ViT-B/32
  ASSERT_EQ(c.hidden_size, 768);
  ASSERT_EQ(c.patch_size, 32);
  c.num_hidden_layers = 1;
  const std::string l = "vision_model.encoder.layers.0.";
  TensorMap params = {
      {"vision_model.embeddings.class_embedding", ShapeOnly({768})},
      {"vision_model.embeddings.patch_embedding.weight", ShapeOnly({768, 3, 32, 32})},
      {"vision_model.embeddings.position_embedding.weight", ShapeOnly({50, 768})},
      {"vision_model.pre_layrnorm.weight", ShapeOnly({768})},
      {"vision_model.pre_layrnorm.bias", ShapeOnly({768})},
      {l + "layer_norm1.weight", ShapeOnly({768})},
      {l + "layer_norm1.bias", ShapeOnly({768})},
      {l + "layer_norm2.weight", ShapeOnly({768})},
      {l + "layer_norm2.bias", ShapeOnly({768})},
      {l + "mlp.fc1.weight", ShapeOnly({3072, 768})},
      {l + "mlp.fc1.bias", ShapeOnly({3072})},
      {l + "mlp.fc2.weight", ShapeOnly({768, 3072})},
      {l + "mlp.fc2.bias", ShapeOnly({768})},
      {"vision_model.post_layernorm.weight", ShapeOnly({768})},
      {"vision_model.post_layernorm.bias", ShapeOnly({768})},
      {"visual_projection.weight", ShapeOnly({512, 768})},
  };
  for (const char* p : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
    params[l + "self_attn." + p + ".weight"] = ShapeOnly({768, 768});
    params[l + "self_attn." + p + ".bias"] = ShapeOnly({768});
  }
  Status st = ValidateClipVisionParams(c, params);
  EXPECT_TRUE(st.ok()) << st.ToString();

  TensorMap transposed = params;
  transposed[l + "mlp.fc2.weight"] = ShapeOnly({3072, 768});
  st = ValidateClipVisionParams(c, transposed);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'" + l +
                                      "mlp.fc2.weight' has shape [3072, 768], "
                                      "expected [768, 3072]"));

  TensorMap b16 = params;  // a ViT-B/16 checkpoint under a B/32 config
  b16["vision_model.embeddings.patch_embedding.weight"] = ShapeOnly({768, 3, 16, 16});
  EXPECT_THAT(ValidateClipVisionParams(c, b16).message(), HasSubstr("[768, 3, 32, 32]"));

  TensorMap two_layers = params;
  c.num_hidden_layers = 2;
  st = ValidateClipVisionParams(c, two_layers);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("vision_model.encoder.layers.1."));
}

TEST_F(ClipVit, VitB32ParameterCount) {
  ClipVisionConfig c;
  auto shapes = ClipVisionParamShapes(c);
  EXPECT_EQ(shapes.size(), 5u + 16u * 12u + 2u + 1u);
  int64_t total = 0;
  for (const auto& [key, shape] : shapes) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    total += n;
  }
  // CLIPVisionModel ViT-B/32: 87,456,000 parameters; visual_projection adds 512 * 768.
  EXPECT_EQ(total, 87456000 + 512 * 768);
  EXPECT_EQ(ClipVisionParamShapes(c, /*with_projection=*/false).size(), shapes.size() - 1);
}

}  // namespace
}  // namespace pwemoe::model

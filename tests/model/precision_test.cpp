// The bf16 compute path (pwemoe/model/precision.h) against fp32, and the allocator regression of
// the forward.
//
// The bound the bf16 tests hold, derived: bfloat16 keeps 8 significant bits, unit roundoff
// u = 2^-8. A product run in bf16 rounds both operands and its output, so its output carries a
// relative error of at most about 3u; accumulation is float32 (negligible against u). Along the
// path from the pixels to the image embedding there are P = 2 + 6 L such products (patch
// embedding; per layer the query (or key/value) projection, scores, weighted sum, output
// projection, fc1 and fc2; the visual projection), and everything between them (layer norms,
// softmax, residual sums) runs in float32. The layers are well conditioned (pre-LN, residual), so
// the P independent roundings add up like a random walk, not coherently: the relative error of the
// embedding is at most eps = 3u sqrt(P). The head normalises the embedding, and a unit vector
// moves by at most 2 |de| / |e|, so a logit s * <e/|e|, w> (|w| = 1) moves by at most 2 s eps,
// and, the rounding error having no preferred direction in the R = projection_dim dimensions, by
// at most 2 s eps * 3 / sqrt(R) (its projection on w is |de| / sqrt(R) on average; 3 standard
// deviations).
// The tests check both bounds per sample, and that argmax agrees wherever fp32's top-2 margin
// exceeds twice the logit bound (no perturbation within the bound can flip those).
#include "pwemoe/model/precision.h"

#include <sys/resource.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "clip_reference.h"
#include "pwemoe/model/clip_vit.h"
#include "pwemoe/model/head.h"
#include "pwemoe/util/allocator.h"
#include "pwemoe/util/cpu_features.h"

namespace pwemoe::model {
namespace {

using ::testing::HasSubstr;
using testing::RandomParams;
using testing::TinyConfig;

constexpr double kU = 1.0 / 256;  // bfloat16's unit roundoff, 2^-8

class PrecisionTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

torch::Tensor Pixels(const ClipVisionConfig& c, int64_t batch, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randn({batch, c.num_channels, c.image_size, c.image_size});
}

ClassificationHead UnitHead(int64_t classes, int64_t width, uint64_t seed) {
  torch::manual_seed(seed);
  torch::Tensor w = torch::randn({classes, width});
  return {w / w.norm(2, {1}, true), 100.0};
}

torch::Tensor Embeds(const ClipVisionConfig& c, const TensorMap& params, Precision p,
                     const torch::Tensor& pixels) {
  TensorMap compute;
  EXPECT_TRUE(CastForCompute(params, p, &compute).ok());
  torch::Tensor embeds;
  Status st = ClipVisionForward(c, compute, pixels, &embeds);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return embeds;
}

TEST_F(PrecisionTest, NamesParseAndUnknownNamesAreErrors) {
  struct Case {
    const char* name;
    bool ok;
    Precision want;
  };
  for (const Case& c : {Case{"fp32", true, Precision::kFp32}, Case{"bf16", true, Precision::kBf16},
                        Case{"auto", false, {}}, Case{"fp16", false, {}}, Case{"", false, {}}}) {
    Precision p = Precision::kFp32;
    Status st = ParsePrecision(c.name, &p);
    EXPECT_EQ(st.ok(), c.ok) << c.name;
    if (c.ok) {
      EXPECT_EQ(p, c.want);
      EXPECT_STREQ(PrecisionName(p), c.name);
    } else {
      EXPECT_THAT(st.message(), HasSubstr("is not one of fp32, bf16")) << c.name;
    }
  }
}

TEST_F(PrecisionTest, AutoIsBf16ExactlyWhereTheCpuHasBf16Instructions) {
  Precision p = Precision::kFp32;
  std::string note;
  ASSERT_TRUE(ChoosePrecision("auto", torch::kCPU, &p, &note).ok());
  EXPECT_EQ(p == Precision::kBf16, CpuHasBf16Instructions());
  EXPECT_EQ(note.empty(), CpuHasBf16Instructions()) << "the fallback is logged: " << note;
  ASSERT_TRUE(ChoosePrecision("fp32", torch::kCPU, &p, &note).ok());
  EXPECT_EQ(p, Precision::kFp32);
  EXPECT_TRUE(note.empty());
  ASSERT_TRUE(ChoosePrecision("bf16", torch::kCPU, &p, &note).ok());
  EXPECT_EQ(p, Precision::kBf16);
  EXPECT_EQ(note.empty(), CpuHasBf16Instructions()) << "an emulated bf16 is said: " << note;
  EXPECT_EQ(EmulatesBf16(torch::kCPU), !CpuHasBf16Instructions());
  Status st = ChoosePrecision("half", torch::kCPU, &p, &note);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'half' is not one of auto, bf16, fp32"));
}

// ProductLinear / ProductMatmul in bf16 round like a native bf16 product (oneDNN's, or a GPU's:
// bf16 operands, float32 accumulation, one rounding of the result): against the exact product of
// the same bf16 values (float64) rounded once to bf16, a result differs only where the float32
// sum lands on the other side of a rounding boundary, and then by one bf16 step (2^-8 relative,
// plus the float32 sum's own error). The gradients likewise. (LibTorch 1.13's own bf16 loop on a
// CPU without bfloat16 instructions rounds more often than that, so it is not the reference.)
TEST_F(PrecisionTest, Bf16ProductsRoundOnceAfterAFloat32Sum) {
  torch::manual_seed(21);
  const torch::Tensor x = torch::randn({37, 64}).to(torch::kBFloat16);
  const torch::Tensor w = torch::randn({48, 64}).div(8).to(torch::kBFloat16);
  const torch::Tensor b = torch::randn({48}).to(torch::kBFloat16);
  auto f64 = [](const torch::Tensor& t) { return t.to(torch::kFloat64); };
  auto compare = [](const torch::Tensor& got, const torch::Tensor& exact) {
    ASSERT_EQ(got.scalar_type(), torch::kBFloat16);
    const torch::Tensor g = got.to(torch::kFloat64);
    const torch::Tensor once = exact.to(torch::kBFloat16).to(torch::kFloat64);
    EXPECT_TRUE(((g - exact).abs() <= exact.abs() * (1.0 / 256) * 1.001 + 1e-6).all().item<bool>());
    EXPECT_GT(g.eq(once).to(torch::kFloat64).mean().item<double>(), 0.95);
  };
  compare(ProductLinear(x, w, b), torch::linear(f64(x), f64(w), f64(b)));
  const torch::Tensor a = torch::randn({4, 10, 16}).to(torch::kBFloat16);
  const torch::Tensor c = torch::randn({4, 16, 12}).to(torch::kBFloat16);
  compare(ProductMatmul(a, c), torch::matmul(f64(a), f64(c)));
  torch::Tensor xx = x.clone().requires_grad_(true), ww = w.clone().requires_grad_(true);
  const torch::Tensor y = ProductLinear(xx, ww, b);
  const torch::Tensor g = torch::randn(y.sizes()).to(torch::kBFloat16);
  y.backward(g);
  compare(xx.grad(), torch::matmul(f64(g), f64(w)));
  compare(ww.grad(), torch::matmul(f64(g).t(), f64(x)));
}

TEST_F(PrecisionTest, CastRoundsTheProductOperandsOnly) {
  ClipVisionConfig c = TinyConfig(16, 8, 3, 16, 2, 2, 8);
  TensorMap params = RandomParams(c, 3);
  TensorMap fp32, bf16;
  ASSERT_TRUE(CastForCompute(params, Precision::kFp32, &fp32).ok());
  ASSERT_TRUE(CastForCompute(params, Precision::kBf16, &bf16).ok());
  ASSERT_EQ(bf16.size(), params.size());
  int rounded = 0;
  for (const auto& [key, t] : params) {
    EXPECT_EQ(fp32.at(key).data_ptr(), t.data_ptr()) << key << ": fp32 shares the tensors";
    const bool product = key.find("_proj.") != std::string::npos || key.find(".mlp.fc") != std::string::npos ||
                         key == kPatchEmbedding || key == kVisualProjection;
    EXPECT_EQ(IsProductOperand(key), product) << key;
    EXPECT_EQ(bf16.at(key).scalar_type(), product ? torch::kBFloat16 : torch::kFloat32) << key;
    rounded += product ? 1 : 0;
  }
  EXPECT_EQ(rounded, 2 + 2 * 12);  // patch embedding, projection; 12 per layer
}

// Logits of 128 samples of a 2-layer model in bf16 and fp32 (see the header for the bounds).
TEST_F(PrecisionTest, Bf16LogitsStayWithinTheDerivedBoundOfFp32) {
  const int64_t layers = 2;
  ClipVisionConfig c = TinyConfig(32, 8, 3, 64, 4, layers, 32);
  TensorMap params = RandomParams(c, 5);
  const torch::Tensor pixels = Pixels(c, 128, 6);
  const ClassificationHead head = UnitHead(10, c.projection_dim, 7);
  torch::NoGradGuard no_grad;
  const torch::Tensor e32 = Embeds(c, params, Precision::kFp32, pixels);
  const torch::Tensor e16 = Embeds(c, params, Precision::kBf16, pixels);
  ASSERT_EQ(e16.scalar_type(), torch::kFloat32) << "embeddings come back in float32";
  const double eps = 3 * kU * std::sqrt(2.0 + 6.0 * layers);
  const torch::Tensor rel = (e16 - e32).norm(2, {1}) / e32.norm(2, {1});
  EXPECT_LT(rel.max().item<double>(), eps);
  EXPECT_GT(rel.max().item<double>(), 0.0) << "bf16 rounding took place";
  torch::Tensor l32, l16;
  ASSERT_TRUE(HeadLogits(head, e32, &l32).ok());
  ASSERT_TRUE(HeadLogits(head, e16, &l16).ok());
  const double logit_bound =
      2 * head.logit_scale * eps * std::min(1.0, 3.0 / std::sqrt(double(c.projection_dim)));
  EXPECT_LT((l16 - l32).abs().max().item<double>(), logit_bound);
  // The argmax agrees wherever fp32's top-2 margin exceeds twice the bound.
  const torch::Tensor top = std::get<0>(l32.topk(2, 1));
  const torch::Tensor safe = (top.select(1, 0) - top.select(1, 1)) > 2 * logit_bound;
  ASSERT_GT(safe.sum().item<int64_t>(), 32) << "the fixed set has samples the bound decides";
  EXPECT_TRUE(l16.argmax(1).masked_select(safe).equal(l32.argmax(1).masked_select(safe)));
}

TEST_F(PrecisionTest, Bf16GradientsReachTheFloat32Weights) {
  ClipVisionConfig c = TinyConfig(16, 8, 3, 32, 2, 2, 16);
  TensorMap params = RandomParams(c, 9);
  const torch::Tensor pixels = Pixels(c, 8, 10);
  const std::string key = "vision_model.encoder.layers.0.mlp.fc1.weight";
  std::vector<torch::Tensor> grads;
  for (Precision p : {Precision::kFp32, Precision::kBf16}) {
    TensorMap leaf = params;
    leaf[key] = params.at(key).clone().requires_grad_(true);
    const torch::Tensor embeds = Embeds(c, leaf, p, pixels);
    (embeds * embeds).sum().backward();
    ASSERT_TRUE(leaf.at(key).grad().defined());
    EXPECT_EQ(leaf.at(key).grad().scalar_type(), torch::kFloat32);
    grads.push_back(leaf.at(key).grad().flatten());
  }
  const double cosine = (grads[0] * grads[1]).sum().item<double>() /
                        (grads[0].norm().item<double>() * grads[1].norm().item<double>());
  EXPECT_GT(cosine, 0.99);
}

// Regression (the batch-size collapse): with glibc's defaults every forward whose activations
// pass 32 MiB mapped them afresh and faulted on each page; with TuneAllocator a forward after the
// first reuses the memory. fc1's output here is 32 x 257 x 2048 floats (67 MB, 16,000 pages).
TEST_F(PrecisionTest, ForwardPageFaultsStayBoundedAfterTheFirst) {
  ASSERT_TRUE(TuneAllocator());
  ClipVisionConfig c = TinyConfig(64, 4, 3, 64, 2, 2, 16);  // layer 0 runs at every token
  c.intermediate_size = 2048;
  TensorMap params = RandomParams(c, 12);
  const torch::Tensor pixels = Pixels(c, 32, 13);
  torch::NoGradGuard no_grad;
  torch::Tensor embeds;
  for (int warm_up = 0; warm_up < 2; ++warm_up) {  // the heap takes the shape of a forward
    embeds = Embeds(c, params, Precision::kFp32, pixels);
  }
  struct rusage before {}, after {};
  getrusage(RUSAGE_SELF, &before);
  embeds = Embeds(c, params, Precision::kFp32, pixels);
  getrusage(RUSAGE_SELF, &after);
  const long pages_of_fc1 = 32L * 257 * 2048 * 4 / 4096;
  EXPECT_LT(after.ru_minflt - before.ru_minflt, pages_of_fc1 / 10);
}

}  // namespace
}  // namespace pwemoe::model

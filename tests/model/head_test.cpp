#include "pwemoe/model/head.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

namespace pwemoe::model {
namespace {

using ::testing::HasSubstr;

class Head : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    std::string pattern = ::testing::TempDir() + "pwemoe_head_XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    ASSERT_NE(::mkdtemp(name.data()), nullptr) << pattern;
    dir_ = name.data();
  }

  // Writes `tensors` as <dir>/<file> and returns the path.
  std::string Write(const std::string& file, const io::TensorMap& tensors) {
    std::string path = dir_ + "/" + file;
    Status st = io::SaveTensors(path, tensors);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return path;
  }

  std::string dir_;
};

ClassificationHead RandomHead(int64_t classes, int64_t dim, double scale) {
  torch::manual_seed(3);
  ClassificationHead h;
  h.weight = torch::randn({classes, dim});
  h.logit_scale = scale;
  return h;
}

TEST_F(Head, LogitsMatchManualComputation) {
  ClassificationHead head = RandomHead(5, 8, 100.0);
  torch::Tensor embeds = torch::randn({3, 8}), logits;
  Status st = HeadLogits(head, embeds, &logits);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{3, 5}));
  auto e = embeds.accessor<float, 2>();
  auto w = head.weight.accessor<float, 2>();
  for (int64_t b = 0; b < 3; ++b) {
    double norm = 0;
    for (int64_t k = 0; k < 8; ++k) norm += double(e[b][k]) * e[b][k];
    norm = std::sqrt(norm);
    for (int64_t c = 0; c < 5; ++c) {
      double dot = 0;
      for (int64_t k = 0; k < 8; ++k) dot += double(e[b][k]) / norm * w[c][k];
      EXPECT_NEAR(logits[b][c].item<double>(), 100.0 * dot, 1e-4) << b << "," << c;
    }
  }
}

TEST_F(Head, LogitsIgnoreEmbeddingScale) {
  ClassificationHead head = RandomHead(4, 6, 10.0);
  torch::Tensor embeds = torch::randn({2, 6}), a, b;
  ASSERT_TRUE(HeadLogits(head, embeds, &a).ok());
  ASSERT_TRUE(HeadLogits(head, embeds * 7.5, &b).ok());
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-5));
}

TEST_F(Head, GradientsReachEmbeddingsButNeverTheHead) {
  ClassificationHead head = RandomHead(4, 6, 10.0);
  head.weight.requires_grad_(true);  // even a weight marked trainable stays frozen
  torch::Tensor embeds = torch::randn({2, 6}, torch::kFloat64).requires_grad_(true), logits;
  ASSERT_TRUE(HeadLogits(head, embeds, &logits).ok());
  EXPECT_EQ(logits.scalar_type(), torch::kFloat64);
  torch::nn::functional::cross_entropy(logits, torch::tensor({1, 3})).backward();
  ASSERT_TRUE(embeds.grad().defined());
  EXPECT_GT(embeds.grad().abs().max().item<double>(), 0.0);
  EXPECT_FALSE(head.weight.grad().defined());
}

TEST_F(Head, SaveLoadRoundTripIsExact) {
  ClassificationHead head = RandomHead(7, 5, 1.0 / 3.0);
  std::string path = dir_ + "/head.safetensors";
  ASSERT_TRUE(SaveHead(path, head).ok());
  ClassificationHead back;
  Status st = LoadHead(path, &back);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(back.logit_scale, head.logit_scale);
  EXPECT_EQ(back.num_classes(), 7);
  EXPECT_EQ(back.projection_dim(), 5);
  ASSERT_EQ(back.weight.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(back.weight, head.weight));
  EXPECT_FALSE(back.weight.requires_grad());
}

TEST_F(Head, LoadsOneElementScaleAndHalfWeight) {
  torch::Tensor w = torch::randn({3, 4});
  std::string path = Write("h.safetensors", {{"weight", w.to(torch::kFloat16)},
                                             {"logit_scale", torch::tensor({100.0f})}});
  ClassificationHead head;
  Status st = LoadHead(path, &head);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(head.logit_scale, 100.0);
  EXPECT_EQ(head.weight.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(head.weight, w.to(torch::kFloat16).to(torch::kFloat32)));
}

struct BadHead {
  const char* name;
  io::TensorMap tensors;
  Status::Code code;
  const char* needle;  // besides the path
};

TEST_F(Head, LoadErrorsNameFileAndTensor) {
  const torch::Tensor w = torch::randn({3, 4}), s = torch::tensor(10.0f).reshape({});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<BadHead> cases = {
      {"no_weight", {{"logit_scale", s}}, Status::Code::kNotFound, "'weight'"},
      {"no_scale", {{"weight", w}}, Status::Code::kNotFound, "'logit_scale'"},
      {"extra",
       {{"weight", w}, {"logit_scale", s}, {"bias", torch::zeros({3})}},
       Status::Code::kCorrupt,
       "'bias'"},
      {"weight_1d",
       {{"weight", torch::zeros({4})}, {"logit_scale", s}},
       Status::Code::kCorrupt,
       "'weight': shape [4]"},
      {"weight_empty",
       {{"weight", torch::zeros({0, 4})}, {"logit_scale", s}},
       Status::Code::kCorrupt,
       "'weight': shape [0, 4]"},
      {"weight_int",
       {{"weight", torch::zeros({3, 4}, torch::kInt32)}, {"logit_scale", s}},
       Status::Code::kCorrupt,
       "'weight': dtype Int"},
      {"weight_nan",
       {{"weight", torch::full({3, 4}, nan)}, {"logit_scale", s}},
       Status::Code::kCorrupt,
       "'weight': holds NaN"},
      {"scale_2",
       {{"weight", w}, {"logit_scale", torch::ones({2})}},
       Status::Code::kCorrupt,
       "'logit_scale': shape [2]"},
      {"scale_int",
       {{"weight", w}, {"logit_scale", torch::tensor(3, torch::kInt64)}},
       Status::Code::kCorrupt,
       "'logit_scale': dtype Long"},
      {"scale_negative",
       {{"weight", w}, {"logit_scale", torch::tensor(-1.0)}},
       Status::Code::kCorrupt,
       "'logit_scale': value -1.0"},
      {"scale_inf",
       {{"weight", w}, {"logit_scale", torch::tensor(INFINITY)}},
       Status::Code::kCorrupt,
       "'logit_scale'"},
  };
  for (const BadHead& c : cases) {
    std::string path = Write(std::string(c.name) + ".safetensors", c.tensors);
    ClassificationHead head = RandomHead(2, 2, 5.0);
    Status st = LoadHead(path, &head);
    EXPECT_EQ(st.code(), c.code) << c.name << ": " << st.ToString();
    EXPECT_THAT(st.message(), HasSubstr(path)) << c.name;
    EXPECT_THAT(st.message(), HasSubstr(c.needle)) << c.name;
    EXPECT_EQ(head.logit_scale, 5.0) << c.name << ": *out changed on error";
  }
}

TEST_F(Head, MissingOrMalformedFileIsAnError) {
  ClassificationHead head;
  std::string missing = dir_ + "/nope.safetensors";
  Status st = LoadHead(missing, &head);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr(missing));
  std::string junk = dir_ + "/junk.safetensors";
  FILE* f = std::fopen(junk.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("not a safetensors file at all", f);
  std::fclose(f);
  st = LoadHead(junk, &head);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr(junk));
}

TEST_F(Head, BadInputsToLogitsAndSaveAreErrors) {
  ClassificationHead head = RandomHead(4, 6, 10.0);
  torch::Tensor out;
  for (const torch::Tensor& e : {torch::zeros({2, 5}), torch::zeros({6}),
                                 torch::zeros({2, 6}, torch::kInt64), torch::Tensor()}) {
    Status st = HeadLogits(head, e, &out);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(st.message(), HasSubstr("[B, 6]"));
    EXPECT_FALSE(out.defined());
  }
  EXPECT_EQ(HeadLogits(ClassificationHead{}, torch::zeros({2, 6}), &out).code(),
            Status::Code::kInvalidArgument);

  ClassificationHead bad = head;
  bad.logit_scale = 0.0;
  Status st = SaveHead(dir_ + "/bad.safetensors", bad);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("logit_scale"));
  EXPECT_EQ(SaveHead(dir_ + "/none.safetensors", ClassificationHead{}).code(),
            Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pwemoe::model

#include "pwemoe/eval/evaluate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "eval_testing.h"
#include "pwemoe/eval/sample_subset.h"
#include "pwemoe/model/clip_vit.h"

namespace pwemoe::eval {
namespace {

using ::testing::HasSubstr;

class Evaluate : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    config_ = testing::TinyConfig();
    params_ = testing::RandomParams(config_, 3);
    head_ = testing::RandomHead(config_, 3, 4);
    path_ = testing::MakeTempDir("pwemoe_evaluate") + "/test.h5";
    testing::WriteDataset(path_, config_, 10, 3, 7);
    ASSERT_TRUE(data::OpenDataset(path_, &dataset_).ok());
  }

  // Accuracy and mean loss over the first n samples computed by hand: embeddings from the forward,
  // then normalisation, logits, log-softmax and argmax in plain double arithmetic, one sample
  // at a time.
  EvalResult ByHand(int64_t n) {
    std::vector<int64_t> first(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) first[static_cast<size_t>(i)] = i;
    return ByHand(dataset_, first);
  }

  // The same over the samples `indices` of `dataset`.
  EvalResult ByHand(const data::Dataset& dataset, const std::vector<int64_t>& indices) {
    const int64_t n = static_cast<int64_t>(indices.size());
    torch::Tensor pixels, labels, embeds;
    EXPECT_TRUE(data::ReadIndices(dataset, indices, &pixels, &labels).ok());
    EXPECT_TRUE(model::ClipVisionForward(config_, params_, pixels, &embeds).ok());
    const torch::Tensor e = embeds.to(torch::kFloat64), w = head_.weight.to(torch::kFloat64);
    EvalResult r;
    double loss_sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      double norm = 0.0;
      for (int64_t d = 0; d < e.size(1); ++d) norm += e[i][d].item<double>() * e[i][d].item<double>();
      norm = std::sqrt(norm);
      std::vector<double> logits(w.size(0), 0.0);
      for (int64_t c = 0; c < w.size(0); ++c) {
        for (int64_t d = 0; d < e.size(1); ++d) {
          logits[c] += w[c][d].item<double>() * e[i][d].item<double>() / norm;
        }
        logits[c] *= head_.logit_scale;
      }
      double z = 0.0;
      int64_t best = 0;
      for (size_t c = 0; c < logits.size(); ++c) {
        z += std::exp(logits[c]);
        if (logits[c] > logits[best]) best = static_cast<int64_t>(c);
      }
      const int64_t label = labels[i].item<int64_t>();
      loss_sum += std::log(z) - logits[label];
      r.correct += best == label ? 1 : 0;
    }
    r.count = n;
    r.accuracy = static_cast<double>(r.correct) / n;
    r.mean_loss = loss_sum / n;
    return r;
  }

  io::ClipVisionConfig config_;
  io::TensorMap params_;
  model::ClassificationHead head_;
  std::string path_;
  data::Dataset dataset_;
};

TEST_F(Evaluate, MatchesHandComputationForEveryBatchSize) {
  const EvalResult want = ByHand(10);
  EXPECT_GT(want.correct, 0);
  EXPECT_LT(want.correct, 10);
  for (int64_t batch : {1, 3, 4, 10, 128}) {
    SCOPED_TRACE(batch);
    EvalResult got;
    ASSERT_TRUE(EvaluateModel(config_, params_, head_, dataset_, batch, 0, model::Precision::kFp32, &got).ok());
    EXPECT_EQ(got.count, 10);
    EXPECT_EQ(got.correct, want.correct);
    EXPECT_DOUBLE_EQ(got.accuracy, want.accuracy);
    EXPECT_NEAR(got.mean_loss, want.mean_loss, 1e-5);
  }
}

TEST_F(Evaluate, SampleCapWithPartialLastBatch) {
  const EvalResult want = ByHand(dataset_, StratifiedSubset(dataset_.labels(), 7, kSampleSubsetSeed));
  EvalResult got;
  ASSERT_TRUE(EvaluateModel(config_, params_, head_, dataset_, 3, 7, model::Precision::kFp32, &got).ok());
  EXPECT_EQ(got.count, 7);
  EXPECT_EQ(got.correct, want.correct);
  EXPECT_NEAR(got.mean_loss, want.mean_loss, 1e-5);
  // A cap above N evaluates all N.
  ASSERT_TRUE(EvaluateModel(config_, params_, head_, dataset_, 4, 1000, model::Precision::kFp32, &got).ok());
  EXPECT_EQ(got.count, 10);
}

// Regression: the cap evaluated the first N samples, and pwemoe-prepare-data writes a test set
// class by class, so a capped evaluation saw the first classes only. On a class-sorted file the
// capped evaluation is the hand computation over the stratified subset, which holds every class.
TEST_F(Evaluate, SampleCapOnAClassSortedFileSeesEveryClass) {
  const std::string path = testing::MakeTempDir("pwemoe_evaluate_sorted") + "/test.h5";
  testing::WriteDataset(path, config_, 24, 3, 11, /*class_sorted=*/true);
  data::Dataset sorted;
  ASSERT_TRUE(data::OpenDataset(path, &sorted).ok());
  ASSERT_TRUE(std::is_sorted(sorted.labels().begin(), sorted.labels().end()));
  ASSERT_NE(sorted.labels()[5], sorted.labels().back());
  const std::vector<int64_t> subset = StratifiedSubset(sorted.labels(), 6, kSampleSubsetSeed);
  std::vector<int64_t> seen;
  for (int64_t i : subset) seen.push_back(sorted.labels()[static_cast<size_t>(i)]);
  EXPECT_EQ(seen.front(), 0);
  EXPECT_EQ(seen.back(), 2);
  const EvalResult want = ByHand(sorted, subset);
  EvalResult got;
  ASSERT_TRUE(EvaluateModel(config_, params_, head_, sorted, 4, 6, model::Precision::kFp32, &got).ok());
  EXPECT_EQ(got.count, 6);
  EXPECT_EQ(got.correct, want.correct);
  EXPECT_NEAR(got.mean_loss, want.mean_loss, 1e-5);
}

TEST_F(Evaluate, IsDeterministic) {
  EvalResult a, b;
  ASSERT_TRUE(EvaluateModel(config_, params_, head_, dataset_, 3, 0, model::Precision::kFp32, &a).ok());
  ASSERT_TRUE(EvaluateModel(config_, params_, head_, dataset_, 3, 0, model::Precision::kFp32, &b).ok());
  EXPECT_EQ(a.correct, b.correct);
  EXPECT_EQ(a.mean_loss, b.mean_loss);
}

TEST_F(Evaluate, RejectsBadInputs) {
  EvalResult r;
  r.count = -5;
  EXPECT_EQ(EvaluateModel(config_, params_, head_, dataset_, 0, 0, model::Precision::kFp32, &r).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(EvaluateModel(config_, params_, head_, dataset_, 1, -1, model::Precision::kFp32, &r).code(),
            Status::Code::kInvalidArgument);
  // Labels 0..2 do not fit a 2-class head: the message names the data file.
  Status st = EvaluateModel(config_, params_, testing::RandomHead(config_, 2, 1), dataset_, 4, 0, model::Precision::kFp32, &r);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr(path_));
  // A head of another width.
  io::ClipVisionConfig wide = config_;
  wide.projection_dim = 7;
  st = EvaluateModel(config_, params_, testing::RandomHead(wide, 3, 1), dataset_, 4, 0, model::Precision::kFp32, &r);
  EXPECT_THAT(st.message(), HasSubstr("projection_dim"));
  // A missing parameter.
  io::TensorMap partial = params_;
  partial.erase(model::kVisualProjection);
  EXPECT_FALSE(EvaluateModel(config_, partial, head_, dataset_, 4, 0, model::Precision::kFp32, &r).ok());
  EXPECT_EQ(r.count, -5);  // untouched on error
}

}  // namespace
}  // namespace pwemoe::eval

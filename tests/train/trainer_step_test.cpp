// One training step at a time: the group split, LS with a one-hot ray, EPO records, NaN errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "pwemoe/train/trainer.h"
#include "train_testing.h"

namespace pwemoe::train {
namespace {

using testing::MakeTinySetup;
using testing::RoutersEqual;

class TrainerStep : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

TrainState Init(const TrainProblem& problem, const TrainOptions& options,
                const std::vector<moe::Router>& routers) {
  TrainState state;
  Status st = InitTrainState(problem, options, routers, &state);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return state;
}

TEST_F(TrainerStep, OneHotLsGradientIsThatTasksGradient) {
  auto s = MakeTinySetup(2, 1);
  TrainOptions options;
  options.steps = 3;
  options.batch_size = 4;
  options.fixed_ray = {0.0, 1.0};
  TrainState state = Init(s.problem, options, s.routers);
  std::vector<float> buffer;
  ASSERT_TRUE(ComputeTaskGradients(&state, {0, 1}, &buffer).ok());
  StepRecord record;
  ASSERT_TRUE(ApplyStep(&state, buffer, &record).ok());
  const int64_t row = BufferRowLength(state);
  int64_t offset = 1;
  for (const auto& p : state.params) {
    torch::Tensor g = p.grad().reshape({-1});
    for (int64_t k = 0; k < p.numel(); ++k) {
      ASSERT_EQ(g[k].item<float>(), buffer[row + offset + k]);  // task 1's row, exactly
    }
    offset += p.numel();
  }
  EXPECT_EQ(record.loss_weights, (std::vector<double>{0.0, 1.0}));
  EXPECT_DOUBLE_EQ(record.total_loss, record.losses[1]);
}

// The bf16 compute path (model/precision.h) in a training step: the same losses up to bfloat16
// rounding (a few 2^-8 relative), per-task router gradients pointing the same way as fp32's, and
// routers, gradients and Adam state that stay float32.
TEST_F(TrainerStep, Bf16StepFollowsFp32AndKeepsRoutersFloat32) {
  auto s = MakeTinySetup(2, 3);
  std::vector<std::vector<float>> buffers;
  for (model::Precision p : {model::Precision::kFp32, model::Precision::kBf16}) {
    TrainOptions options;
    options.steps = 2;
    options.batch_size = 8;
    options.precision = p;
    TrainState state = Init(s.problem, options, s.routers);
    std::vector<float> buffer;
    ASSERT_TRUE(ComputeTaskGradients(&state, {0, 1}, &buffer).ok());
    StepRecord record;
    ASSERT_TRUE(ApplyStep(&state, buffer, &record).ok());
    for (const auto& param : state.params) {
      EXPECT_EQ(param.scalar_type(), torch::kFloat32);
      EXPECT_EQ(param.grad().scalar_type(), torch::kFloat32);
    }
    buffers.push_back(buffer);
  }
  TrainState probe = Init(s.problem, TrainOptions(), s.routers);
  const int64_t row = BufferRowLength(probe);
  for (int64_t task = 0; task < 2; ++task) {
    const float l32 = buffers[0][task * row], l16 = buffers[1][task * row];
    EXPECT_NEAR(l16, l32, 0.05 * std::abs(l32)) << "task " << task;
    double dot = 0, n32 = 0, n16 = 0;
    for (int64_t k = 1; k < row; ++k) {
      const double a = buffers[0][task * row + k], b = buffers[1][task * row + k];
      dot += a * b, n32 += a * a, n16 += b * b;
    }
    ASSERT_GT(n32, 0.0);
    EXPECT_GT(dot / std::sqrt(n32 * n16), 0.98) << "task " << task;
    EXPECT_NE(buffers[0], buffers[1]) << "bf16 rounding took place";
  }
}

TEST_F(TrainerStep, OneHotLsIgnoresTheOtherTasksData) {
  auto a = MakeTinySetup(2, 2);
  auto b = a;  // same model and routers; task 1's data replaced by other images and labels
  b.problem.data[1] = TensorTaskData(torch::randn({16, 3, 8, 8}), torch::randint(0, 3, {16}));
  TrainOptions options;
  options.steps = 4;
  options.batch_size = 4;
  options.lr = 0.05;
  options.fixed_ray = {1.0, 0.0};
  TrainState sa = Init(a.problem, options, a.routers);
  TrainState sb = Init(b.problem, options, b.routers);
  for (int step = 0; step < options.steps; ++step) {
    std::vector<float> ba, bb;
    StepRecord ra, rb;
    ASSERT_TRUE(ComputeTaskGradients(&sa, {0, 1}, &ba).ok());
    ASSERT_TRUE(ComputeTaskGradients(&sb, {0, 1}, &bb).ok());
    ASSERT_TRUE(ApplyStep(&sa, ba, &ra).ok());
    ASSERT_TRUE(ApplyStep(&sb, bb, &rb).ok());
    EXPECT_EQ(ra.total_loss, rb.total_loss);
    EXPECT_NE(ra.losses[1], rb.losses[1]);
  }
  EXPECT_TRUE(RoutersEqual(sa.routers, sb.routers));
  EXPECT_FALSE(RoutersEqual(sa.routers, a.routers));  // it did train
}

void ExpectSplitMatchesSingle(Variant variant) {
  auto s = MakeTinySetup(3, 3);
  TrainOptions options;
  options.variant = variant;
  options.steps = 2;
  options.batch_size = 4;
  TrainState single = Init(s.problem, options, s.routers);
  TrainState rank0 = Init(s.problem, options, s.routers);
  TrainState rank1 = Init(s.problem, options, s.routers);
  for (int step = 0; step < options.steps; ++step) {
    std::vector<float> all, b0, b1;
    ASSERT_TRUE(ComputeTaskGradients(&single, {0, 1, 2}, &all).ok());
    ASSERT_TRUE(ComputeTaskGradients(&rank0, {2, 0}, &b0).ok());
    ASSERT_TRUE(ComputeTaskGradients(&rank1, {1}, &b1).ok());
    ASSERT_EQ(b0.size(), all.size());
    std::vector<float> sum(all.size());
    for (size_t k = 0; k < all.size(); ++k) sum[k] = b0[k] + b1[k];
    ASSERT_EQ(sum, all);
    StepRecord r, r0, r1;
    ASSERT_TRUE(ApplyStep(&single, all, &r).ok());
    ASSERT_TRUE(ApplyStep(&rank0, sum, &r0).ok());
    ASSERT_TRUE(ApplyStep(&rank1, sum, &r1).ok());
    EXPECT_EQ(r.loss_weights, r0.loss_weights);
    EXPECT_TRUE(RoutersEqual(single.routers, rank0.routers));
    EXPECT_TRUE(RoutersEqual(single.routers, rank1.routers));
  }
}

TEST_F(TrainerStep, TwoRanksSumToTheSingleProcessBufferLs) {
  ExpectSplitMatchesSingle(Variant::kLs);
}

TEST_F(TrainerStep, TwoRanksSumToTheSingleProcessBufferEpo) {
  ExpectSplitMatchesSingle(Variant::kEpo);
}

TEST_F(TrainerStep, EpoRecordsAlphaMuAndMode) {
  auto s = MakeTinySetup(2, 4);
  TrainOptions options;
  options.variant = Variant::kEpo;
  options.steps = 5;
  options.batch_size = 4;
  TrainState state = Init(s.problem, options, s.routers);
  for (int step = 0; step < options.steps; ++step) {
    std::vector<float> buffer;
    StepRecord r;
    ASSERT_TRUE(ComputeTaskGradients(&state, {0, 1}, &buffer).ok());
    ASSERT_TRUE(ApplyStep(&state, buffer, &r).ok());
    EXPECT_EQ(r.step, step);
    ASSERT_EQ(r.epo_alpha.size(), 2u);
    EXPECT_GE(r.epo_alpha[0], 0.0);
    EXPECT_GE(r.epo_alpha[1], 0.0);
    EXPECT_NEAR(r.epo_alpha[0] + r.epo_alpha[1], 1.0, 1e-9);
    EXPECT_NEAR(r.loss_weights[0], 2 * r.epo_alpha[0], 1e-12);
    EXPECT_TRUE(std::isfinite(r.epo_mu));
    EXPECT_GE(r.epo_mu, -1e-12);
    EXPECT_TRUE(r.epo_mode == "balance" || r.epo_mode == "descent" || r.epo_mode == "fallback")
        << r.epo_mode;
    EXPECT_NEAR(r.ray[0] + r.ray[1], 1.0, 1e-12);
    EXPECT_NEAR(r.total_loss, r.loss_weights[0] * r.losses[0] + r.loss_weights[1] * r.losses[1],
                1e-12);
  }
}

TEST_F(TrainerStep, NanTaskVectorNamesStepAndTask) {
  auto s = MakeTinySetup(2, 5);
  TrainOptions options;
  options.steps = 3;
  options.batch_size = 4;
  TrainState state = Init(s.problem, options, s.routers);
  std::vector<float> buffer;
  StepRecord r;
  ASSERT_TRUE(ComputeTaskGradients(&state, {0, 1}, &buffer).ok());
  ASSERT_TRUE(ApplyStep(&state, buffer, &r).ok());
  // A NaN in task 1's task vector of the first upscaled parameter, from step 1 on.
  state.problem.model.modules[0].params[0].task_vectors[1].view({-1})[0] =
      std::numeric_limits<float>::quiet_NaN();
  Status st = ComputeTaskGradients(&state, {1}, &buffer);
  ASSERT_EQ(st.code(), Status::Code::kNumerical) << st.ToString();
  EXPECT_NE(st.message().find("step 1"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("task 'task1'"), std::string::npos) << st.message();
}

TEST_F(TrainerStep, NanDataAndNanBufferNameTheTask) {
  auto s = MakeTinySetup(2, 6, 4);
  torch::Tensor pixels = torch::randn({4, 3, 8, 8});
  pixels.select(1, 0).select(1, 0).select(1, 0).fill_(std::numeric_limits<float>::quiet_NaN());
  s.problem.data[1] = TensorTaskData(pixels, torch::zeros({4}, torch::kInt64));
  TrainOptions options;
  options.steps = 2;
  options.batch_size = 8;
  TrainState state = Init(s.problem, options, s.routers);
  std::vector<float> buffer;
  Status st = ComputeTaskGradients(&state, {0, 1}, &buffer);
  ASSERT_EQ(st.code(), Status::Code::kNumerical) << st.ToString();
  EXPECT_NE(st.message().find("step 0, task 'task1'"), std::string::npos) << st.message();

  ASSERT_TRUE(ComputeTaskGradients(&state, {0}, &buffer).ok());
  buffer[BufferRowLength(state) + 3] = std::numeric_limits<float>::infinity();
  StepRecord r;
  st = ApplyStep(&state, buffer, &r);
  ASSERT_EQ(st.code(), Status::Code::kNumerical) << st.ToString();
  EXPECT_NE(st.message().find("step 0, task 'task1': gradient"), std::string::npos)
      << st.message();
  EXPECT_EQ(state.step, 0);
}

TEST_F(TrainerStep, RejectsBadOptionsAndBuffers) {
  auto s = MakeTinySetup(2, 7, 4);
  TrainState state;
  TrainOptions bad;
  bad.fixed_ray = {0.5, 0.6};
  EXPECT_EQ(InitTrainState(s.problem, bad, s.routers, &state).code(),
            Status::Code::kInvalidArgument);
  bad = TrainOptions();
  bad.steps = 0;
  EXPECT_EQ(InitTrainState(s.problem, bad, s.routers, &state).code(),
            Status::Code::kInvalidArgument);
  TrainOptions ok;
  ok.steps = 1;
  state = Init(s.problem, ok, s.routers);
  std::vector<float> buffer;
  EXPECT_EQ(ComputeTaskGradients(&state, {2}, &buffer).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ComputeTaskGradients(&state, {0, 0}, &buffer).code(), Status::Code::kInvalidArgument);
  StepRecord r;
  EXPECT_EQ(ApplyStep(&state, std::vector<float>(3), &r).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pwemoe::train

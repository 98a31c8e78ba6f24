// ComputeSliceGradients: batch slices of a task add up to its whole-batch loss and gradient.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "pwemoe/train/trainer.h"
#include "train_testing.h"

namespace pwemoe::train {
namespace {

using testing::MakeTinySetup;

class SliceGradients : public ::testing::Test {
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

TrainOptions Options() {
  TrainOptions options;
  options.steps = 3;
  options.batch_size = 5;
  return options;
}

TEST_F(SliceGradients, SlicesSumToTheWholeBatch) {
  auto s = MakeTinySetup(2, 11);
  TrainState state = Init(s.problem, Options(), s.routers);
  std::vector<float> whole, a, b;
  ASSERT_TRUE(ComputeTaskGradients(&state, {0, 1}, &whole).ok());
  // Task 0 in slices [0, 2) + [2, 5); task 1 in [0, 4) + [4, 5).
  Status st = ComputeSliceGradients(&state, {{0, 0, 2}, {1, 0, 4}}, &a);
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = ComputeSliceGradients(&state, {{1, 4, 5}, {0, 2, 5}}, &b);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(a.size(), whole.size());
  ASSERT_EQ(b.size(), whole.size());
  double max_abs = 0;
  for (float v : whole) max_abs = std::max(max_abs, std::abs(static_cast<double>(v)));
  for (size_t k = 0; k < whole.size(); ++k) {
    const double sum = static_cast<double>(a[k]) + b[k];
    EXPECT_NEAR(sum, whole[k], 1e-5 * max_abs) << "element " << k;
  }
  EXPECT_EQ(state.step, 0);
}

TEST_F(SliceGradients, Deterministic) {
  auto s = MakeTinySetup(2, 12);
  TrainState state = Init(s.problem, Options(), s.routers);
  std::vector<float> a, b;
  ASSERT_TRUE(ComputeSliceGradients(&state, {{1, 1, 3}}, &a).ok());
  ASSERT_TRUE(ComputeSliceGradients(&state, {{1, 1, 3}}, &b).ok());
  EXPECT_EQ(a, b);
  const int64_t row = BufferRowLength(state);
  for (int64_t k = 0; k < row; ++k) EXPECT_EQ(a[k], 0.0f);  // task 0's row: not computed
  EXPECT_GT(a[row], 0.0f);                                  // task 1's loss part
}

TEST_F(SliceGradients, EmptySliceReadsNothingAndGivesZeros) {
  auto s = MakeTinySetup(2, 13);
  s.problem.data[0].read = [](const std::vector<int64_t>&, torch::Tensor*, torch::Tensor*) {
    return Status::IoError("unreadable");
  };
  TrainState state = Init(s.problem, Options(), s.routers);
  std::vector<float> buffer;
  Status st = ComputeSliceGradients(&state, {{0, 5, 5}}, &buffer);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(static_cast<int64_t>(buffer.size()), 2 * BufferRowLength(state));
  for (float v : buffer) EXPECT_EQ(v, 0.0f);
  st = ComputeSliceGradients(&state, {{0, 1, 2}}, &buffer);
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_NE(st.message().find("step 0, task 'task0', batch rows 1-2"), std::string::npos)
      << st.message();
}

TEST_F(SliceGradients, RejectsBadSlices) {
  auto s = MakeTinySetup(2, 14);
  TrainState state = Init(s.problem, Options(), s.routers);
  std::vector<float> buffer;
  for (const TaskSlice& bad : std::vector<TaskSlice>{{2, 0, 1}, {0, -1, 2}, {0, 3, 2}, {0, 0, 6}}) {
    EXPECT_EQ(ComputeSliceGradients(&state, {bad}, &buffer).code(),
              Status::Code::kInvalidArgument)
        << bad.task << " " << bad.begin << " " << bad.end;
  }
  EXPECT_EQ(ComputeSliceGradients(&state, {{0, 0, 1}, {0, 1, 2}}, &buffer).code(),
            Status::Code::kInvalidArgument);  // one slice per task and call
}

}  // namespace
}  // namespace pwemoe::train

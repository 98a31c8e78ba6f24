#include "pwemoe/util/parallel.h"

#include <atomic>
#include <vector>

#include <gtest/gtest.h>

namespace pwemoe {
namespace {

TEST(ParallelFor, RunsEveryIndexOnceWhateverTheWorkers) {
  for (int workers : {0, 1, 2, 3, 16}) {
    std::vector<int> calls(37, 0);
    std::vector<double> out(37, 0.0);
    const Status st = ParallelFor(calls.size(), workers, [&](size_t i) {
      ++calls[i];
      out[i] = 1.5 * static_cast<double>(i);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    for (size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(calls[i], 1) << "workers " << workers << " index " << i;
      EXPECT_EQ(out[i], 1.5 * static_cast<double>(i));
    }
  }
  EXPECT_TRUE(ParallelFor(0, 4, [](size_t) { return Status::Internal("never called"); }).ok());
}

TEST(ParallelFor, ReturnsTheLowestFailureAndStartsNoMoreJobs) {
  for (int workers : {1, 2, 4}) {
    std::atomic<int> started{0};
    const Status st = ParallelFor(1000, workers, [&](size_t i) {
      ++started;
      if (i == 5 || i == 6) return Status::InvalidArgument("job " + std::to_string(i));
      return Status::Ok();
    });
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    // 5 is handed out before 6, and fails whatever else runs.
    EXPECT_EQ(st.message(), "job 5") << "workers " << workers;
    EXPECT_LT(started.load(), 1000);
  }
}

}  // namespace
}  // namespace pwemoe

// GroupShare: how a group splits a step's work (whole tasks, or batch slices when ranks
// outnumber tasks).
#include <gtest/gtest.h>

#include <vector>

#include "worker/group_training.h"

namespace pwemoe::worker {
namespace {

TEST(GroupShare, TasksRoundRobinWhenRanksDoNotOutnumberTasks) {
  EXPECT_EQ(GroupShare(3, 4, 1, 0).tasks, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(GroupShare(5, 4, 2, 0).tasks, (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(GroupShare(5, 4, 2, 1).tasks, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(GroupShare(3, 4, 3, 2).tasks, (std::vector<int64_t>{2}));
  EXPECT_TRUE(GroupShare(3, 4, 3, 2).slices.empty());
}

TEST(GroupShare, SlicesPartitionEachBatch) {
  for (int g = 3; g <= 9; ++g) {
    for (int64_t batch : {1, 2, 5, 16}) {
      std::vector<std::vector<int>> covered(2, std::vector<int>(batch, 0));
      for (int r = 0; r < g; ++r) {
        const RankShare share = GroupShare(2, batch, g, r);
        EXPECT_TRUE(share.tasks.empty());
        ASSERT_LE(share.slices.size(), 1u);
        for (const train::TaskSlice& s : share.slices) {
          EXPECT_EQ(s.task, r % 2);
          EXPECT_LT(s.begin, s.end);
          for (int64_t k = s.begin; k < s.end; ++k) ++covered[s.task][k];
        }
      }
      for (const auto& rows : covered) {
        for (int c : rows) EXPECT_EQ(c, 1) << "group " << g << " batch " << batch;
      }
    }
  }
}

TEST(GroupShare, SlicesAreEven) {
  // Task 0 on ranks 0, 2, 4; task 1 on ranks 1, 3.
  EXPECT_EQ(GroupShare(2, 9, 5, 0).slices[0].end, 3);
  EXPECT_EQ(GroupShare(2, 9, 5, 2).slices[0].begin, 3);
  EXPECT_EQ(GroupShare(2, 9, 5, 4).slices[0].end, 9);
  EXPECT_EQ(GroupShare(2, 9, 5, 1).slices[0].end, 4);
  EXPECT_EQ(GroupShare(2, 9, 5, 3).slices[0].begin, 4);
}

}  // namespace
}  // namespace pwemoe::worker

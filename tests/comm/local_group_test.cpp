// The in-process group communicator: rank-ordered, bit-exact sums; broadcast; barrier; errors.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "tests/comm/group_testing.h"
#include "comm/group_comm.h"

namespace pwemoe::comm {
namespace {

using testing::Bits;
using testing::DoubleInput;
using testing::FloatInput;
using testing::SerialSum;

// Runs body(comm) for every communicator of a local group of n, each on its own thread.
void RunGroup(int n, const std::function<void(GroupComm&)>& body) {
  std::vector<std::unique_ptr<GroupComm>> group = MakeLocalGroup(n);
  ASSERT_EQ(group.size(), static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (auto& comm : group) threads.emplace_back([&body, &comm] { body(*comm); });
  for (std::thread& t : threads) t.join();
}

TEST(SumInRankOrder, OrderOfAdditionIsRankOrder) {
  const float a[] = {1e8f}, b[] = {1.0f}, c[] = {-1e8f};
  const float* rank_order[] = {a, b, c};
  const float* other_order[] = {a, c, b};
  float out = -1.0f;
  SumInRankOrder(rank_order, 3, 1, &out);
  EXPECT_EQ(out, 0.0f);  // (1e8 + 1) rounds back to 1e8
  SumInRankOrder(other_order, 3, 1, &out);
  EXPECT_EQ(out, 1.0f);
}

TEST(SumInRankOrder, RowsMatchTheSerialLoop) {
  std::vector<std::vector<double>> in;
  std::vector<double> rows;
  for (int r = 0; r < 4; ++r) {
    in.push_back(DoubleInput(r, 100, 7));
    rows.insert(rows.end(), in.back().begin(), in.back().end());
  }
  std::vector<double> out(100);
  SumRowsInRankOrder(rows.data(), 4, 100, out.data());
  EXPECT_EQ(Bits(out), Bits(SerialSum(in)));
}

TEST(MakeLocalGroup, EmptyForNoRanks) { EXPECT_TRUE(MakeLocalGroup(0).empty()); }

class LocalGroupTest : public ::testing::TestWithParam<int> {};

TEST_P(LocalGroupTest, RanksAndSize) {
  const int n = GetParam();
  std::vector<std::unique_ptr<GroupComm>> group = MakeLocalGroup(n);
  for (int r = 0; r < n; ++r) {
    EXPECT_EQ(group[r]->rank(), r);
    EXPECT_EQ(group[r]->size(), n);
    EXPECT_FALSE(group[r]->device_memory());
  }
}

TEST_P(LocalGroupTest, FloatSumIsTheRankOrderedSerialSum) {
  const int n = GetParam();
  std::vector<std::vector<float>> in, out;
  for (int r = 0; r < n; ++r) in.push_back(FloatInput(r, 1000, 1));
  out = in;
  RunGroup(n, [&](GroupComm& c) { EXPECT_TRUE(c.AllReduceSum(out[c.rank()].data(), 1000).ok()); });
  for (int r = 0; r < n; ++r) EXPECT_EQ(Bits(out[r]), Bits(SerialSum(in))) << "rank " << r;
  if (n == 3) {
    EXPECT_EQ(out[0][0], 0.0f);  // 1e8, 1, -1e8 in rank order
  }
}

TEST_P(LocalGroupTest, DoubleSumIsTheRankOrderedSerialSum) {
  const int n = GetParam();
  std::vector<std::vector<double>> in, out;
  for (int r = 0; r < n; ++r) in.push_back(DoubleInput(r, 1000, 2));
  out = in;
  RunGroup(n, [&](GroupComm& c) { EXPECT_TRUE(c.AllReduceSum(out[c.rank()].data(), 1000).ok()); });
  for (int r = 0; r < n; ++r) EXPECT_EQ(Bits(out[r]), Bits(SerialSum(in))) << "rank " << r;
  if (n == 3) {
    EXPECT_EQ(out[0][0], 0.0);  // 1e17, 1, -1e17 in rank order
  }
}

TEST_P(LocalGroupTest, RepeatedMixedCollectivesGiveTheSameBits) {
  const int n = GetParam();
  std::vector<float> expected;
  {
    std::vector<std::vector<float>> in;
    for (int r = 0; r < n; ++r) in.push_back(FloatInput(r, 64, 3));
    expected = SerialSum(in);
  }
  RunGroup(n, [&](GroupComm& c) {
    for (int round = 0; round < 100; ++round) {
      std::vector<float> v = FloatInput(c.rank(), 64, 3);
      ASSERT_TRUE(c.AllReduceSum(v.data(), v.size()).ok());
      EXPECT_EQ(Bits(v), Bits(expected)) << "round " << round;
      int token = c.rank() == round % n ? round : -1;
      ASSERT_TRUE(c.Broadcast(&token, sizeof token, round % n).ok());
      EXPECT_EQ(token, round);
      ASSERT_TRUE(c.Barrier().ok());
    }
  });
}

TEST_P(LocalGroupTest, BroadcastFromEveryRoot) {
  const int n = GetParam();
  RunGroup(n, [&](GroupComm& c) {
    for (int root = 0; root < n; ++root) {
      std::vector<char> bytes(1001, c.rank() == root ? static_cast<char>('a' + root) : 0);
      ASSERT_TRUE(c.Broadcast(bytes.data(), bytes.size(), root).ok());
      EXPECT_EQ(bytes, std::vector<char>(1001, static_cast<char>('a' + root)));
    }
  });
}

TEST_P(LocalGroupTest, BarrierWaitsForEveryRank) {
  const int n = GetParam();
  std::vector<std::atomic<int>> arrived(50);
  RunGroup(n, [&](GroupComm& c) {
    for (int round = 0; round < 50; ++round) {
      if (c.rank() == round % n) std::this_thread::sleep_for(std::chrono::microseconds(200));
      arrived[round].fetch_add(1);
      ASSERT_TRUE(c.Barrier().ok());
      EXPECT_EQ(arrived[round].load(), n) << "round " << round;
    }
  });
}

TEST_P(LocalGroupTest, ZeroLengthAllReduce) {
  RunGroup(GetParam(), [](GroupComm& c) {
    EXPECT_TRUE(c.AllReduceSum(static_cast<float*>(nullptr), 0).ok());
    EXPECT_TRUE(c.AllReduceSum(static_cast<double*>(nullptr), 0).ok());
  });
}

TEST_P(LocalGroupTest, InvalidRootFailsOnEveryRank) {
  const int n = GetParam();
  RunGroup(n, [&](GroupComm& c) {
    int x = 0;
    EXPECT_EQ(c.Broadcast(&x, sizeof x, n).code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(c.Broadcast(&x, sizeof x, -1).code(), Status::Code::kInvalidArgument);
  });
}

INSTANTIATE_TEST_SUITE_P(Sizes, LocalGroupTest, ::testing::Values(1, 2, 3, 5));

TEST(LocalGroup, MismatchedCallsFailOnEveryRankInsteadOfHanging) {
  RunGroup(3, [](GroupComm& c) {
    std::vector<float> v(5, 1.0f);
    Status st = c.AllReduceSum(v.data(), c.rank() == 1 ? 4 : 5);
    EXPECT_EQ(st.code(), Status::Code::kInternal) << st.ToString();
    st = c.rank() == 2 ? c.Barrier() : c.AllReduceSum(v.data(), 5);
    EXPECT_EQ(st.code(), Status::Code::kInternal) << st.ToString();
  });
}

}  // namespace
}  // namespace pwemoe::comm

// TuneAllocator (pwemoe/util/allocator.h): large blocks freed and allocated again cost no page
// faults, in the main thread and in a thread started afterwards (rank 0's worker thread), and the
// tools get the setting from StartTool.
#include "pwemoe/util/allocator.h"

#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "pwemoe/util/tool.h"

namespace pwemoe {
namespace {

constexpr size_t kBlock = size_t{96} << 20;  // 96 MiB: far above glibc's largest mmap threshold
constexpr long kPages = static_cast<long>(kBlock / 4096);

// Minor faults of this thread over `rounds` allocations of kBlock, each written and freed.
long FaultsOfLargeBlocks(int rounds) {
  struct rusage before {}, after {};
  getrusage(RUSAGE_THREAD, &before);
  for (int r = 0; r < rounds; ++r) {
    auto* p = static_cast<volatile char*>(std::malloc(kBlock));
    for (size_t i = 0; i < kBlock; i += 4096) p[i] = static_cast<char>(r);
    std::free(const_cast<char*>(p));
  }
  getrusage(RUSAGE_THREAD, &after);
  return after.ru_minflt - before.ru_minflt;
}

TEST(Allocator, LargeBlocksAreReusedWithoutPageFaults) {
  ASSERT_TRUE(TuneAllocator());
  FaultsOfLargeBlocks(1);  // the first round pays for the pages once
  // glibc's defaults fault on every page of every round: 5 * kPages.
  EXPECT_LT(FaultsOfLargeBlocks(5), kPages / 10);
}

TEST(Allocator, LargeBlocksAreReusedInThreadsStartedLater) {
  ASSERT_TRUE(TuneAllocator());
  long faults = -1;
  std::thread worker([&] {
    FaultsOfLargeBlocks(1);
    faults = FaultsOfLargeBlocks(5);
  });
  worker.join();
  // Without M_ARENA_MAX = 1 a second thread's arena maps every large block afresh.
  EXPECT_LT(faults, kPages / 10);
}

TEST(Allocator, StartToolTunesTheAllocator) {
  // CTest runs each test in a process of its own (gtest_discover_tests), so StartTool's call is
  // the first here: a StartTool that stopped calling TuneAllocator faults on every round.
  const std::vector<FlagSpec> table = {{"--help", "", "", "print this help and exit"}};
  const char* argv[] = {"tool"};
  ParsedFlags flags;
  int code = -1;
  ASSERT_TRUE(StartTool("tool", "tool", "a tool", table, 1, const_cast<char**>(argv), &flags, &code));
  FaultsOfLargeBlocks(1);
  EXPECT_LT(FaultsOfLargeBlocks(5), kPages / 10);
}

}  // namespace
}  // namespace pwemoe

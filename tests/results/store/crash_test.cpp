// kill -9 of a process writing the store: every record whose Append returned survives, the store
// reopens and continues, and the HDF5 file is always complete.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include "h5_read.h"
#include "results/store/result_store.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using testing::H5File;
using testing::MakeEval;
using testing::MakeHeader;
using testing::MakeTrain;
using testing::TempDir;

// Child body: appends units start, start+1, ... and reports each id on `fd` once Append returned.
[[noreturn]] void AppendForever(const std::string& stem, int64_t start, int fd) {
  std::unique_ptr<ResultStore> store;
  if (!ResultStore::Open(stem, MakeHeader(), false, &store).ok()) _exit(3);
  for (int64_t id = start;; ++id) {
    Status s = id % 5 == 0 ? store->Append(MakeTrain(id, "run/" + std::to_string(id), id % 2))
                           : store->Append(MakeEval(id, "ls/a/seed0", "digits", id * 4, 4));
    if (!s.ok()) _exit(4);
    if (::write(fd, &id, sizeof(id)) != sizeof(id)) _exit(5);
  }
}

// Starts the child, waits for `reports` appended ids (plus `extra_us`), kills it with SIGKILL and
// returns every id it reported.
std::set<int64_t> RunAndKill(const std::string& stem, int64_t start, int reports, int extra_us) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    AppendForever(stem, start, fds[1]);
  }
  ::close(fds[1]);
  std::set<int64_t> reported;
  int64_t id;
  while (static_cast<int>(reported.size()) < reports && ::read(fds[0], &id, sizeof(id)) == sizeof(id)) {
    reported.insert(id);
  }
  std::this_thread::sleep_for(std::chrono::microseconds(extra_us));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  while (::read(fds[0], &id, sizeof(id)) == sizeof(id)) reported.insert(id);
  ::close(fds[0]);
  return reported;
}

TEST(Crash, KillDuringAppendsLosesOnlyUnitsInFlight) {
  TempDir dir;
  const std::string stem = dir.File("results");
  int64_t next = 0;
  std::set<int64_t> all_reported;
  const int delays_us[] = {0, 300, 1000, 2500};
  for (int round = 0; round < 4; ++round) {
    std::set<int64_t> reported = RunAndKill(stem, next, 8, delays_us[round]);
    ASSERT_FALSE(reported.empty());
    all_reported.insert(reported.begin(), reported.end());

    std::unique_ptr<ResultStore> store;
    Status s = ResultStore::Open(stem, MakeHeader(), false, &store);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::vector<int64_t> done = store->DoneUnits();
    // Every reported unit is present, and present units form 0..n-1: nothing lost in between,
    // and beyond the reports at most the one append in flight when the kill came.
    for (int64_t r : all_reported) EXPECT_TRUE(store->IsDone(r)) << "lost unit " << r;
    ASSERT_FALSE(done.empty());
    for (size_t i = 0; i < done.size(); ++i) ASSERT_EQ(done[i], static_cast<int64_t>(i));
    EXPECT_LE(static_cast<int64_t>(done.size()) - next,
              static_cast<int64_t>(reported.size()) + 1);  // one append in flight at most
    next = static_cast<int64_t>(done.size());
    ASSERT_TRUE(store->WriteHdf5().ok());
    H5File f(stem + ".h5");
    ASSERT_TRUE(f.valid());
    EXPECT_EQ(f.I64("/units/unit_id").size(), done.size());
  }
}

std::vector<std::string> Temporaries(const std::string& folder) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(folder.c_str());
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name.find(".tmp-") != std::string::npos) names.push_back(name);
  }
  ::closedir(dir);
  return names;
}

TEST(Crash, KillDuringHdf5WriteLeavesACompleteFile) {
  TempDir dir;
  const std::string stem = dir.File("results");
  {
    std::unique_ptr<ResultStore> store;
    ASSERT_TRUE(ResultStore::Open(stem, MakeHeader(), false, &store).ok());
    for (int64_t id = 0; id < 40; ++id) {
      ASSERT_TRUE(store->Append(MakeEval(id, "ls/a/seed0", "digits", id * 4, 4)).ok());
    }
  }
  const int delays_us[] = {0, 700, 1500, 4000};
  for (int delay : delays_us) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      std::unique_ptr<ResultStore> store;
      if (!ResultStore::Open(stem, MakeHeader(), false, &store).ok()) _exit(3);
      char c = 1;
      if (::write(fds[1], &c, 1) != 1) _exit(5);
      for (;;) {
        if (!store->WriteHdf5().ok()) _exit(4);
      }
    }
    ::close(fds[1]);
    char c;
    ASSERT_EQ(::read(fds[0], &c, 1), 1);
    ::close(fds[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    if (testing::ReadFile(stem + ".h5").empty()) continue;  // killed before the first rename
    H5File f(stem + ".h5");
    ASSERT_TRUE(f.valid()) << "delay " << delay;
    EXPECT_EQ(f.I64("/units/unit_id").size(), 40u);
  }
  std::unique_ptr<ResultStore> store;
  ASSERT_TRUE(ResultStore::Open(stem, MakeHeader(), false, &store).ok());
  EXPECT_TRUE(Temporaries(dir.path()).empty());  // stale temporaries removed
  ASSERT_TRUE(store->WriteHdf5().ok());
  EXPECT_EQ(H5File(stem + ".h5").I64("/runs/ls__a__seed0/eval/digits/ray_index").size(), 160u);
}

}  // namespace
}  // namespace pwemoe::results

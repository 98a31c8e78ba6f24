// results_compare (the test helper the mpirun tests call) run as a process: equal records exit 0
// whatever their timing, a changed number exits 1 naming the unit and field, an unreadable file 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <functional>

#include "results/store/h5_writer.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

struct Outcome {
  int exit_code = -1;
  std::string output;
};

Outcome Compare(const TempDir& dir, const std::string& a, const std::string& b) {
  const std::string out = dir.File("compare.out");
  const std::string cmd = std::string(RESULTS_COMPARE) + " " + a + " " + b + " >" + out + " 2>&1";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::ReadFile(out)};
}

// The sample records, changed by `edit`, written to dir/<name>.
std::string Write(const TempDir& dir, const std::string& name,
                  const std::function<void(StoreHeader*, TrainRecord*, EvalRecord*,
                                           BaselineRecord*, FailureRecord*)>& edit = nullptr) {
  StoreHeader header = testing::MakeHeader();
  TrainRecord train = testing::MakeTrain(0, "epo/clothing+digits/seed0", true);
  EvalRecord eval = testing::MakeEval(4, "epo/clothing+digits/seed0", "digits", 0, 3);
  BaselineRecord baseline = testing::MakeBaseline(2, "digits", true);
  FailureRecord failure = testing::MakeFailure(6);
  if (edit) edit(&header, &train, &eval, &baseline, &failure);
  ResultSet set;
  set.Add(train);
  set.Add(eval);
  set.Add(baseline);
  set.Add(failure);
  const std::string path = dir.File(name);
  EXPECT_TRUE(WriteResultsHdf5(path, header, set).ok());
  return path;
}

TEST(ResultsCompare, SameFileIsEqual) {
  TempDir dir;
  const std::string a = Write(dir, "a.h5");
  Outcome o = Compare(dir, a, a);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("same records"));
}

TEST(ResultsCompare, ChangedAccuracyDiffersNamingUnitAndField) {
  TempDir dir;
  const std::string a = Write(dir, "a.h5");
  const std::string b = Write(dir, "b.h5", [](StoreHeader*, TrainRecord*, EvalRecord* e,
                                              BaselineRecord*, FailureRecord*) {
    e->accuracy[1] += 1e-12;
  });
  Outcome o = Compare(dir, a, b);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_THAT(o.output, HasSubstr("unit 4 (eval): accuracy[1]"));
  // A router value of the training unit.
  const std::string c = Write(dir, "c.h5", [](StoreHeader*, TrainRecord* t, EvalRecord*,
                                              BaselineRecord*, FailureRecord*) {
    t->final_router[1].values[2] = 0;
  });
  o = Compare(dir, a, c);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_THAT(o.output, HasSubstr("unit 0 (train): final_router[1].values[2]"));
}

TEST(ResultsCompare, TimingAndCommandLineAreIgnored) {
  TempDir dir;
  const std::string a = Write(dir, "a.h5");
  const std::string b = Write(dir, "b.h5", [](StoreHeader* h, TrainRecord* t, EvalRecord* e,
                                              BaselineRecord* b, FailureRecord* f) {
    h->command_line = "pwemoe-orchestrate (resumed)";
    t->seconds = 99;
    e->seconds = 98;
    b->seconds = 97;
    f->time = "2030-01-01T00:00:00Z";
  });
  Outcome o = Compare(dir, a, b);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  o = Compare(dir, a + " --timing", b);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_THAT(o.output, HasSubstr("command_line"));
}

TEST(ResultsCompare, UnreadableInputExitsTwo) {
  TempDir dir;
  const std::string a = Write(dir, "a.h5");
  testing::WriteFile(dir.File("garbage.h5"), "not hdf5");
  Outcome o = Compare(dir, a, dir.File("garbage.h5"));
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_THAT(o.output, HasSubstr("garbage.h5"));
  EXPECT_EQ(Compare(dir, a, dir.File("missing.h5")).exit_code, 2);
  EXPECT_EQ(Compare(dir, a, "").exit_code, 2);
}

}  // namespace
}  // namespace pwemoe::results

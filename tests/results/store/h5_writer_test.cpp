// The HDF5 layout of SCHEMA.md, read back with the HDF5 C API; deterministic, atomic writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <random>
#include <thread>

#include <unistd.h>

#include "h5_read.h"
#include "results/store/h5_writer.h"
#include "results/front/pareto.h"
#include "results/store/result_set.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using testing::H5File;
using testing::MakeBaseline;
using testing::MakeEval;
using testing::MakeFailure;
using testing::MakeHeader;
using testing::MakeTrain;
using testing::ReadFile;
using testing::TempDir;

ResultSet SampleSet() {
  ResultSet set;
  set.Add(MakeTrain(0, "ls/clothing+digits/seed0", false));
  set.Add(MakeTrain(1, "epo/clothing+digits/seed0", true));
  set.Add(MakeBaseline(2, "digits", false));
  set.Add(MakeBaseline(3, "clothing", true));
  // Two ray blocks of one run on one task, in reverse order, and a second task.
  set.Add(MakeEval(5, "ls/clothing+digits/seed0", "digits", 3, 2));
  set.Add(MakeEval(4, "ls/clothing+digits/seed0", "digits", 0, 3));
  set.Add(MakeEval(6, "ls/clothing+digits/seed0", "clothing", 0, 5));
  set.Add(MakeFailure(7));
  return set;
}

TEST(Hdf5Writer, LayoutOfEveryRecordType) {
  TempDir dir;
  const std::string path = dir.File("r.h5");
  ASSERT_TRUE(WriteResultsHdf5(path, MakeHeader(), SampleSet()).ok());
  H5File f(path);
  ASSERT_TRUE(f.valid());

  // Root attributes.
  EXPECT_EQ(f.AttrInt("/", "schema_version"), 1);
  EXPECT_EQ(f.AttrString("/", "config_hash"), "hash-a");
  EXPECT_EQ(f.AttrString("/", "experiment_toml"), MakeHeader().experiment_toml);
  EXPECT_EQ(f.AttrString("/", "software_version"), "0.1.0");
  EXPECT_EQ(f.AttrString("/", "command_line"), MakeHeader().command_line);
  EXPECT_EQ(f.AttrInt("/", "num_units"), 42);
  EXPECT_EQ(f.AttrInt("/", "units_done"), 7);
  EXPECT_EQ(f.AttrInt("/", "units_failed"), 1);
  EXPECT_EQ(f.AttrString("/", "eval_samples"), kEvalSamplesRule);

  // /units
  EXPECT_EQ(f.I64("/units/unit_id"), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(f.Strings("/units/kind"),
            (std::vector<std::string>{"train", "train", "baseline", "baseline", "eval", "eval",
                                      "eval", "failure"}));
  std::vector<double> seconds = f.F64("/units/seconds");
  ASSERT_EQ(seconds.size(), 8u);
  EXPECT_EQ(seconds[0], 12.5);
  EXPECT_EQ(seconds[2], 3.0);
  EXPECT_EQ(seconds[4], 1.25);
  EXPECT_TRUE(std::isnan(seconds[7]));
  EXPECT_EQ(f.AttrF64("/runs/ls__clothing+digits__seed0", "seconds"), 12.5);

  // A training run.
  EXPECT_EQ(f.Children("/runs"), (std::vector<std::string>{"epo__clothing+digits__seed0",
                                                           "ls__clothing+digits__seed0"}));
  const std::string ls = "/runs/ls__clothing+digits__seed0";
  const TrainRecord t = MakeTrain(0, "ls/clothing+digits/seed0", false);
  EXPECT_EQ(f.AttrString(ls, "run_name"), "ls/clothing+digits/seed0");
  EXPECT_EQ(f.AttrString(ls, "variant"), "LS");
  EXPECT_EQ(f.AttrStrings(ls, "tasks"), (std::vector<std::string>{"clothing", "digits"}));
  EXPECT_EQ(f.AttrU64(ls, "seed"), t.seed);
  EXPECT_EQ(f.AttrInt(ls, "unit_id"), 0);
  EXPECT_EQ(f.I64(ls + "/train/step"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(f.F64(ls + "/train/lr")[2], t.steps[2].lr);
  EXPECT_EQ(f.F64(ls + "/train/total_loss")[1], t.steps[1].total_loss);
  EXPECT_EQ(f.Dims(ls + "/train/losses"), (std::vector<hsize_t>{3, 2}));
  EXPECT_EQ(f.F64(ls + "/train/losses")[5], t.steps[2].losses[1]);
  EXPECT_EQ(f.F64(ls + "/train/ray")[0], t.steps[0].ray[0]);
  EXPECT_EQ(f.F64(ls + "/train/loss_weights")[3], t.steps[1].loss_weights[1]);
  EXPECT_FALSE(f.Exists(ls + "/train/epo_alpha"));
  EXPECT_EQ(f.Dims(ls + "/routers/final/layers.0.router.fc1.weight"), (std::vector<hsize_t>{2, 3}));
  EXPECT_EQ(f.F32(ls + "/routers/final/layers.0.router.fc1.weight"),
            t.final_router[0].values);
  EXPECT_EQ(f.F32(ls + "/routers/final/layers.0.router__bias"), t.final_router[1].values);
  EXPECT_EQ(f.AttrString(ls + "/routers/final/layers.0.router__bias", "name"),
            "layers.0.router/bias");
  EXPECT_EQ(f.AttrInt(ls + "/routers/final", "step"), 3);
  EXPECT_EQ(f.F32(ls + "/routers/step_2/layers.0.router.fc1.weight"),
            t.checkpoints[0].tensors[0].values);
  EXPECT_EQ(f.AttrInt(ls + "/routers/step_2", "step"), 2);

  const std::string epo = "/runs/epo__clothing+digits__seed0/train";
  EXPECT_EQ(f.Dims(epo + "/epo_alpha"), (std::vector<hsize_t>{3, 2}));
  EXPECT_EQ(f.F64(epo + "/epo_alpha")[3], MakeTrain(1, "x", true).steps[1].epo_alpha[1]);
  EXPECT_EQ(f.F64(epo + "/epo_mu")[2], 0.02);
  EXPECT_EQ(f.Strings(epo + "/epo_mode"),
            (std::vector<std::string>{"balance", "descent", "balance"}));

  // Evaluation: blocks merged and sorted by ray index.
  EXPECT_EQ(f.Children(ls + "/eval"), (std::vector<std::string>{"clothing", "digits"}));
  const std::string ev = ls + "/eval/digits";
  EXPECT_EQ(f.I64(ev + "/ray_index"), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(f.I64(ev + "/unit_id"), (std::vector<int64_t>{4, 4, 4, 5, 5}));
  EXPECT_EQ(f.Strings(ev + "/ray_label")[3], "grid-3");
  EXPECT_EQ(f.Dims(ev + "/ray"), (std::vector<hsize_t>{5, 2}));
  EXPECT_EQ(f.F64(ev + "/ray")[2 * 4], 0.4);
  EXPECT_EQ(f.F64(ev + "/accuracy")[4], 0.5 + 0.4 / 4);
  EXPECT_EQ(f.F64(ev + "/mean_loss")[1], 1.0 - 0.1 / 2);
  EXPECT_EQ(f.I64(ev + "/count")[4], 104);
  EXPECT_EQ(f.AttrString(ev, "task"), "digits");
  EXPECT_EQ(f.AttrInt("/runs/epo__clothing+digits__seed0", "trained"), 1);
  EXPECT_EQ(f.Children("/runs/epo__clothing+digits__seed0/eval"), std::vector<std::string>{});

  // Baselines: one row per (unit, ray), sorted by unit id.
  EXPECT_EQ(f.I64("/baselines/unit_id"), (std::vector<int64_t>{2, 3, 3}));
  EXPECT_EQ(f.Strings("/baselines/method"),
            (std::vector<std::string>{"task-arithmetic", "weighted-task-arithmetic",
                                      "weighted-task-arithmetic"}));
  EXPECT_EQ(f.Strings("/baselines/name")[0], "task-arithmetic:0.3");
  EXPECT_EQ(f.Strings("/baselines/subset")[0], "clothing+digits");
  EXPECT_EQ(f.Strings("/baselines/task"),
            (std::vector<std::string>{"digits", "clothing", "clothing"}));
  EXPECT_EQ(f.F64("/baselines/lambda"), (std::vector<double>{0.3, 0.3, 0.3}));
  EXPECT_EQ(f.I64("/baselines/ray_index"), (std::vector<int64_t>{-1, 0, 1}));
  EXPECT_EQ(f.Dims("/baselines/ray"), (std::vector<hsize_t>{3, 2}));
  std::vector<double> rays = f.F64("/baselines/ray");
  EXPECT_TRUE(std::isnan(rays[0]) && std::isnan(rays[1]));
  EXPECT_EQ(rays[4], 0.5);
  EXPECT_EQ(f.F64("/baselines/accuracy"), (std::vector<double>{0.625, 0.75, 0.7}));
  EXPECT_EQ(f.F64("/baselines/mean_loss")[0], 0.875);
  EXPECT_EQ(f.I64("/baselines/count"), (std::vector<int64_t>{200, 200, 200}));

  // Failures.
  EXPECT_EQ(f.I64("/failures/unit_id"), std::vector<int64_t>{7});
  EXPECT_EQ(f.Strings("/failures/message"), std::vector<std::string>{"numerical: NaN loss"});
  EXPECT_EQ(f.Strings("/failures/description")[0], MakeFailure(7).description);
  EXPECT_EQ(f.Strings("/failures/time")[0], "2026-11-29T01:00:00Z");
}

TEST(Hdf5Writer, EmptyStoreHasEveryGroup) {
  TempDir dir;
  const std::string path = dir.File("e.h5");
  ASSERT_TRUE(WriteResultsHdf5(path, MakeHeader(), ResultSet()).ok());
  H5File f(path);
  ASSERT_TRUE(f.valid());
  EXPECT_EQ(f.Children("/runs"), std::vector<std::string>{});
  EXPECT_EQ(f.I64("/baselines/unit_id"), std::vector<int64_t>{});
  EXPECT_EQ(f.Dims("/baselines/ray"), (std::vector<hsize_t>{0, 0}));
  EXPECT_EQ(f.Strings("/failures/message"), std::vector<std::string>{});
  EXPECT_EQ(f.I64("/units/unit_id"), std::vector<int64_t>{});
}

// /runs/<run>/front holds exactly the non-dominated rays among those evaluated on every task of
// the run, with their accuracies in the run's task order; a ray missing a task is left out.
TEST(Hdf5Writer, FrontHoldsTheNonDominatedCompleteRays) {
  TempDir dir;
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> level(0, 4);  // few levels: ties and duplicates
  for (int trial = 0; trial < 20; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const size_t T = 2 + static_cast<size_t>(trial % 3);
    TrainRecord train = MakeTrain(0, "ls/run/seed0", false);
    train.tasks.clear();
    for (size_t t = 0; t < T; ++t) train.tasks.push_back("task" + std::to_string(t));
    for (TrainStep& step : train.steps) {
      step.ray.assign(T, 1.0 / T);
      step.losses.assign(T, 1.0);
      step.loss_weights.assign(T, 1.0);
    }
    ResultSet set;
    set.Add(train);
    const int64_t rays = 12;
    std::vector<std::vector<double>> accuracy(rays, std::vector<double>(T));
    for (size_t t = 0; t < T; ++t) {
      EvalRecord e = MakeEval(1 + static_cast<int64_t>(t), "ls/run/seed0", train.tasks[t], 0, rays);
      for (int64_t i = 0; i < rays; ++i) {
        e.rays[i].assign(T, 1.0 / T);
        e.accuracy[i] = accuracy[i][t] = 0.5 + 0.1 * level(rng);
      }
      if (t == 0) {  // ray 11 only on task 0: incomplete
        e.ray_index.pop_back();
        e.ray_label.pop_back();
        e.rays.pop_back();
        e.accuracy.pop_back();
        e.mean_loss.pop_back();
        e.count.pop_back();
      }
      set.Add(e);
    }
    accuracy.pop_back();
    std::vector<size_t> expected;
    ASSERT_TRUE(ParetoFront(accuracy, Sense::kMaximize, &expected).ok());
    const std::string path = dir.File("front" + std::to_string(trial) + ".h5");
    ASSERT_TRUE(WriteResultsHdf5(path, MakeHeader(), set).ok());
    H5File f(path);
    ASSERT_TRUE(f.valid());
    std::vector<int64_t> expected_index(expected.begin(), expected.end());
    EXPECT_EQ(f.I64("/runs/ls__run__seed0/front/ray_index"), expected_index);
    EXPECT_EQ(f.AttrInt("/runs/ls__run__seed0/front", "rays_complete"), rays - 1);
    std::vector<double> expected_accuracy;
    for (size_t i : expected) expected_accuracy.insert(expected_accuracy.end(), accuracy[i].begin(), accuracy[i].end());
    EXPECT_EQ(f.F64("/runs/ls__run__seed0/front/accuracy"), expected_accuracy);
  }
}

TEST(Hdf5Writer, SessionsTableInOrder) {
  TempDir dir;
  ResultSet set = SampleSet();
  set.Add(SessionRecord{"2026-11-29T01:00:00Z", "pwemoe-orchestrate a.toml", "0.6", 4, {"n1", "n2"}});
  set.Add(SessionRecord{"2026-11-29T02:00:00Z", "pwemoe-orchestrate a.toml", "0.6", 1, {}});
  const std::string path = dir.File("s.h5");
  ASSERT_TRUE(WriteResultsHdf5(path, MakeHeader(), set).ok());
  H5File f(path);
  ASSERT_TRUE(f.valid());
  EXPECT_EQ(f.Strings("/sessions/start_time"),
            (std::vector<std::string>{"2026-11-29T01:00:00Z", "2026-11-29T02:00:00Z"}));
  EXPECT_EQ(f.I64("/sessions/ranks"), (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(f.Strings("/sessions/hosts"), (std::vector<std::string>{"n1,n2", ""}));
}

// The same records in any arrival order give the same bytes.
TEST(Hdf5Writer, ArrivalOrderDoesNotChangeTheFile) {
  TempDir dir;
  std::vector<int> order = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string first;
  std::mt19937 rng(7);
  for (int trial = 0; trial < 4; ++trial) {
    std::shuffle(order.begin(), order.end(), rng);
    // A later second: no timestamp may reach the file.
    if (trial == 3) std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    ResultSet set;
    for (int i : order) {
      switch (i) {
        case 0: set.Add(MakeTrain(0, "ls/clothing+digits/seed0", false)); break;
        case 1: set.Add(MakeTrain(1, "epo/clothing+digits/seed0", true)); break;
        case 2: set.Add(MakeBaseline(2, "digits", false)); break;
        case 3: set.Add(MakeBaseline(3, "clothing", true)); break;
        case 4: set.Add(MakeEval(4, "ls/clothing+digits/seed0", "digits", 0, 3)); break;
        case 5: set.Add(MakeEval(5, "ls/clothing+digits/seed0", "digits", 3, 2)); break;
        case 6: set.Add(MakeEval(6, "ls/clothing+digits/seed0", "clothing", 0, 5)); break;
        case 7: set.Add(MakeFailure(7)); break;
      }
    }
    const std::string path = dir.File("o" + std::to_string(trial) + ".h5");
    ASSERT_TRUE(WriteResultsHdf5(path, MakeHeader(), set).ok());
    std::string bytes = ReadFile(path);
    ASSERT_FALSE(bytes.empty());
    if (trial == 0) {
      first = bytes;
    } else {
      EXPECT_TRUE(bytes == first) << "trial " << trial << " differs";
    }
  }
}

TEST(Hdf5Writer, FailedWriteLeavesThePreviousFile) {
  TempDir dir;
  const std::string path = dir.File("p.h5");
  ASSERT_TRUE(WriteResultsHdf5(path, MakeHeader(), SampleSet()).ok());
  const std::string before = ReadFile(path);
  ResultSet clash;
  clash.Add(MakeTrain(0, "a/b", false));
  clash.Add(MakeTrain(1, "a__b", false));
  Status s = WriteResultsHdf5(path, MakeHeader(), clash);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("same link name"), std::string::npos) << s.message();
  EXPECT_EQ(ReadFile(path), before);
  EXPECT_EQ(testing::ReadFile(path + ".tmp-" + std::to_string(::getpid())), "");
}

TEST(Hdf5Writer, MissingFolderNamesThePath) {
  Status s = WriteResultsHdf5("/nonexistent-pwemoe-folder/r.h5", MakeHeader(), ResultSet());
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("/nonexistent-pwemoe-folder/r.h5"), std::string::npos);
  EXPECT_NE(s.message().find("H5Fcreate"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace pwemoe::results

// UnitRunner::RunTraining: alone it equals train::Train; groups of ranks on threads give the same
// numbers (bitwise for group_size <= T; deterministic and close with batch slices); a rank that
// fails makes every rank stop at the same step.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <ostream>
#include <thread>

#include "comm/group_comm.h"
#include "pwemoe/train/schedule.h"
#include "unit_testing.h"
#include "worker/unit_records.h"
#include "worker/unit_runner.h"

namespace pwemoe::config {
// Test names and messages print a variant as its name.
void PrintTo(Variant v, std::ostream* os) { *os << VariantName(v); }
}  // namespace pwemoe::config

namespace pwemoe::worker {
namespace {

using testing::Experiment;
using testing::MakeExperiment;

class UnitTraining : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

std::vector<uint64_t> Bits(const std::vector<double>& v) {
  std::vector<uint64_t> b;
  for (double x : v) b.push_back(Bits(x));
  return b;
}

void ExpectSameTensors(const std::vector<results::NamedTensor>& a,
                       const std::vector<results::NamedTensor>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name) << what;
    EXPECT_EQ(a[i].shape, b[i].shape) << what << " " << a[i].name;
    EXPECT_EQ(0, std::memcmp(a[i].values.data(), b[i].values.data(), a[i].values.size() * 4))
        << what << " " << a[i].name;
  }
}

void ExpectSameSteps(const std::vector<results::TrainStep>& a,
                     const std::vector<results::TrainStep>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].step, b[i].step);
    EXPECT_EQ(Bits(a[i].lr), Bits(b[i].lr)) << "step " << i;
    EXPECT_EQ(Bits(a[i].ray), Bits(b[i].ray)) << "step " << i;
    EXPECT_EQ(Bits(a[i].losses), Bits(b[i].losses)) << "step " << i;
    EXPECT_EQ(Bits(a[i].loss_weights), Bits(b[i].loss_weights)) << "step " << i;
    EXPECT_EQ(Bits(a[i].total_loss), Bits(b[i].total_loss)) << "step " << i;
    EXPECT_EQ(Bits(a[i].epo_alpha), Bits(b[i].epo_alpha)) << "step " << i;
    EXPECT_EQ(Bits(a[i].epo_mu), Bits(b[i].epo_mu)) << "step " << i;
    EXPECT_EQ(a[i].epo_mode, b[i].epo_mode) << "step " << i;
  }
}

// Every number of the two records is bitwise the same (seconds aside).
void ExpectSameRecords(const results::TrainRecord& a, const results::TrainRecord& b) {
  EXPECT_EQ(a.unit_id, b.unit_id);
  EXPECT_EQ(a.run_name, b.run_name);
  EXPECT_EQ(a.variant, b.variant);
  EXPECT_EQ(a.tasks, b.tasks);
  EXPECT_EQ(a.seed, b.seed);
  ExpectSameSteps(a.steps, b.steps);
  ASSERT_EQ(a.checkpoints.size(), b.checkpoints.size());
  for (size_t i = 0; i < a.checkpoints.size(); ++i) {
    EXPECT_EQ(a.checkpoints[i].step, b.checkpoints[i].step);
    ExpectSameTensors(a.checkpoints[i].tensors, b.checkpoints[i].tensors, "checkpoint");
  }
  ExpectSameTensors(a.final_router, b.final_router, "final router");
}

// max |a - b| <= tol * max |b| over every value of each tensor.
void ExpectCloseTensors(const std::vector<results::NamedTensor>& a,
                        const std::vector<results::NamedTensor>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].values.size(), b[i].values.size());
    double diff = 0, scale = 0;
    for (size_t k = 0; k < a[i].values.size(); ++k) {
      diff = std::max(diff, std::abs(static_cast<double>(a[i].values[k]) - b[i].values[k]));
      scale = std::max(scale, std::abs(static_cast<double>(b[i].values[k])));
    }
    EXPECT_LE(diff, tol * scale) << a[i].name;
  }
}

TrainSpec Spec(std::vector<int> tasks, config::Variant variant, uint64_t seed = 3) {
  TrainSpec spec;
  spec.unit_id = 7;
  spec.run_name = std::string(variant == config::Variant::kLs ? "ls" : "epo") + "/run/seed" +
                  std::to_string(seed);
  spec.variant = variant;
  spec.tasks = std::move(tasks);
  spec.seed = seed;
  return spec;
}

// RunTraining on every rank of a local group of n, each on its own thread with its own runner
// (of `configs[rank]`, or the experiment's); statuses and records by rank.
struct GroupRun {
  std::vector<Status> status;
  std::vector<results::TrainRecord> record;
};

GroupRun RunGroup(const Experiment& e, const TrainSpec& spec, int n,
                  std::vector<config::ExperimentConfig> configs = {}) {
  std::vector<std::unique_ptr<comm::GroupComm>> group = comm::MakeLocalGroup(n);
  GroupRun run{std::vector<Status>(n), std::vector<results::TrainRecord>(n)};
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      torch::set_num_threads(1);
      UnitRunner runner(configs.empty() ? e.config : configs[r], "cpu");
      run.status[r] = runner.RunTraining(spec, group[r].get(), &run.record[r]);
    });
  }
  for (std::thread& t : threads) t.join();
  return run;
}

results::TrainRecord Alone(const Experiment& e, const TrainSpec& spec) {
  GroupRun run = RunGroup(e, spec, 1);
  EXPECT_TRUE(run.status[0].ok()) << run.status[0].ToString();
  return run.record[0];
}

class UnitTrainingVariants : public UnitTraining,
                             public ::testing::WithParamInterface<config::Variant> {};

TEST_P(UnitTrainingVariants, AloneEqualsTrain) {
  const Experiment e = MakeExperiment();
  const TrainSpec spec = Spec({2, 0}, GetParam());
  const results::TrainRecord got = Alone(e, spec);
  ASSERT_TRUE(results::Validate(got).ok()) << results::Validate(got).ToString();
  const train::TrainResult want = testing::ReferenceTraining(e, spec);

  results::TrainRecord expected;
  expected.unit_id = 7;
  expected.run_name = spec.run_name;
  expected.variant = GetParam() == config::Variant::kLs ? "LS" : "EPO";
  expected.tasks = {"c", "a"};
  expected.seed = 3;
  const train::Variant v = GetParam() == config::Variant::kLs ? train::Variant::kLs
                                                              : train::Variant::kEpo;
  for (const train::StepRecord& s : want.records) expected.steps.push_back(ToTrainStep(s, v));
  ASSERT_EQ(want.checkpoints.size(), 2u);  // steps 2 and 4; the last is the final routers
  results::RouterCheckpoint cp{2, {}};
  ASSERT_TRUE(ToNamedTensors(want.checkpoints[0].routers, &cp.tensors).ok());
  expected.checkpoints.push_back(cp);
  ASSERT_TRUE(RoutersToNamed(want.routers, &expected.final_router).ok());
  ExpectSameRecords(got, expected);

  EXPECT_EQ(got.steps.size(), 4u);
  EXPECT_GT(got.seconds, 0.0);
  if (GetParam() == config::Variant::kLs) {
    EXPECT_TRUE(got.steps[0].epo_alpha.empty());
    EXPECT_TRUE(std::isnan(got.steps[0].epo_mu));
    EXPECT_EQ(got.steps[0].epo_mode, "");
  } else {
    EXPECT_EQ(got.steps[0].epo_alpha.size(), 2u);
    EXPECT_FALSE(got.steps[0].epo_mode.empty());
  }
  for (size_t i = 1; i < got.final_router.size(); ++i) {
    EXPECT_LT(got.final_router[i - 1].name, got.final_router[i].name);
  }
}

TEST_P(UnitTrainingVariants, TwoRanksEqualOne) {
  const Experiment e = MakeExperiment();
  const TrainSpec spec = Spec({0, 1, 2}, GetParam());
  const results::TrainRecord alone = Alone(e, spec);
  GroupRun run = RunGroup(e, spec, 2);
  ASSERT_TRUE(run.status[0].ok()) << run.status[0].ToString();
  ASSERT_TRUE(run.status[1].ok()) << run.status[1].ToString();
  ExpectSameRecords(run.record[0], alone);
  EXPECT_TRUE(results::Validate(run.record[0]).ok());
}

INSTANTIATE_TEST_SUITE_P(Variants, UnitTrainingVariants,
                         ::testing::Values(config::Variant::kLs, config::Variant::kEpo),
                         [](const auto& info) { return std::string(config::VariantName(info.param)); });

TEST_F(UnitTraining, SlicedGroupIsDeterministicAndCloseToUnsliced) {
  const Experiment e = MakeExperiment();
  const TrainSpec spec = Spec({0, 1}, config::Variant::kLs);
  const results::TrainRecord alone = Alone(e, spec);
  GroupRun first = RunGroup(e, spec, 3);  // task 0 in two slices, task 1 whole
  GroupRun second = RunGroup(e, spec, 3);
  for (int r = 0; r < 3; ++r) {
    ASSERT_TRUE(first.status[r].ok()) << first.status[r].ToString();
    ASSERT_TRUE(second.status[r].ok()) << second.status[r].ToString();
  }
  ExpectSameRecords(first.record[0], second.record[0]);
  ASSERT_EQ(first.record[0].steps.size(), alone.steps.size());
  for (size_t i = 0; i < alone.steps.size(); ++i) {
    for (size_t t = 0; t < 2; ++t) {
      EXPECT_NEAR(first.record[0].steps[i].losses[t], alone.steps[i].losses[t],
                  1e-5 * alone.steps[i].losses[t]) << "step " << i << " task " << t;
    }
  }
  ExpectCloseTensors(first.record[0].final_router, alone.final_router, 1e-5);
}

TEST_F(UnitTraining, MoreRanksThanBatchRows) {
  Experiment e = MakeExperiment();
  e.config.train.batch_size = 1;  // task 0 in slices [0, 0) and [0, 1): one rank idles
  const TrainSpec spec = Spec({0, 1}, config::Variant::kEpo);
  GroupRun run = RunGroup(e, spec, 3);
  for (int r = 0; r < 3; ++r) ASSERT_TRUE(run.status[r].ok()) << run.status[r].ToString();
  ASSERT_EQ(run.record[0].steps.size(), 4u);
  EXPECT_TRUE(results::Validate(run.record[0]).ok());
}

TEST_F(UnitTraining, FailingRankStopsEveryRankAtThatStep) {
  Experiment e = MakeExperiment();
  e.config.tasks[1].head = testing::WriteOverflowHead(e);  // task b's losses are NaN
  GroupRun run = RunGroup(e, Spec({0, 1, 2}, config::Variant::kLs), 2);
  // Rank 1 owns task b.
  EXPECT_EQ(run.status[1].code(), Status::Code::kNumerical) << run.status[1].ToString();
  EXPECT_NE(run.status[1].message().find("run ls/run/seed3: step 0, task 'b'"), std::string::npos)
      << run.status[1].message();
  EXPECT_EQ(run.status[0].code(), Status::Code::kAborted) << run.status[0].ToString();
  EXPECT_EQ(run.status[0].message(),
            "run ls/run/seed3: stopped at step 0: another rank of the group failed");
}

TEST_F(UnitTraining, LoadFailureOnOneRankStopsTheGroup) {
  const Experiment e = MakeExperiment();
  std::vector<config::ExperimentConfig> configs = {e.config, e.config};
  configs[0].tasks[2].expert = e.root + "/missing";
  GroupRun run = RunGroup(e, Spec({0, 2}, config::Variant::kLs), 2, configs);
  EXPECT_FALSE(run.status[0].ok());
  EXPECT_NE(run.status[0].code(), Status::Code::kAborted) << run.status[0].ToString();
  EXPECT_NE(run.status[0].message().find("run ls/run/seed3: "), std::string::npos);
  EXPECT_EQ(run.status[1].code(), Status::Code::kAborted) << run.status[1].ToString();
}

TEST_F(UnitTraining, BadSpecsAreInvalidArguments) {
  const Experiment e = MakeExperiment();
  UnitRunner runner(e.config, "cpu");
  std::vector<std::unique_ptr<comm::GroupComm>> group = comm::MakeLocalGroup(1);
  results::TrainRecord record;
  for (const std::vector<int>& tasks : {std::vector<int>{}, {0, 3}, {1, 1}, {-1, 0}}) {
    Status st = runner.RunTraining(Spec(tasks, config::Variant::kLs), group[0].get(), &record);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
    EXPECT_EQ(st.message().rfind("run ls/run/seed3: ", 0), 0u) << st.message();
  }
  EXPECT_EQ(runner.RunTraining(Spec({0, 1}, config::Variant::kLs), nullptr, &record).code(),
            Status::Code::kInvalidArgument);
  UnitRunner bad_device(e.config, "nonsense");
  EXPECT_EQ(bad_device.RunTraining(Spec({0, 1}, config::Variant::kLs), group[0].get(), &record)
                .code(),
            Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace pwemoe::worker

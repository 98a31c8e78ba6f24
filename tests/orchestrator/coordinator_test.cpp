// The coordinator and worker loops over in-process links, with a fake executor that makes small
// valid records (no LibTorch): every unit done once, routers delivered to evaluations, failures,
// --fail-fast, stop and resume, the grace period.
#include "orchestrator/coordinator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <set>
#include <filesystem>
#include <functional>
#include <thread>

#include "comm/group_comm.h"
#include "config_testing.h"
#include "results/store/record_codec.h"

namespace pwemoe::orchestrator {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  testing::ExperimentTree tree;
  config::ExperimentConfig cfg;
  Plan plan;
  std::string dir;
  Fixture() {
    Status st = config::ParseExperiment(tree.BaseText(), "t.toml", {"eval.rays_per_unit=4"}, &cfg);
    EXPECT_TRUE(st.ok()) << st.message();
    st = MakePlan(cfg, &plan);
    EXPECT_TRUE(st.ok()) << st.message();
    dir = tree.root() + "/out";
    fs::create_directories(dir);
  }
  std::unique_ptr<results::ResultStore> Open(const std::string& stem) const {
    results::StoreHeader h;
    h.config_hash = "h";
    h.experiment_toml = "toml";
    h.software_version = "v";
    h.command_line = "test";
    h.num_units = static_cast<int64_t>(plan.units.size());
    std::unique_ptr<results::ResultStore> store;
    Status st = results::ResultStore::Open(dir + "/" + stem, h, false, &store);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return store;
  }
};

// What the fake executor does besides making records.
struct Behaviour {
  std::set<int> failing;                       // units that fail
  std::function<void(int unit)> on_unit;       // called before each unit
};

// A fake unit: training all-reduces over its group (so every member must run it together) and
// its final router holds the unit id; an evaluation's accuracy is derived from the routers it
// receives, so a wrong delivery changes the numbers.
Status FakeExecute(const config::ExperimentConfig& cfg, const Plan& plan, comm::GroupComm* group,
                   const Behaviour& b, const Unit& u, const Assignment& a, WorkerReport* report) {
  if (b.on_unit) b.on_unit(u.id);
  if (u.kind == UnitKind::kTrain) {
    float one = 1;
    PWEMOE_RETURN_IF_ERROR(group->AllReduceSum(&one, 1));
    if (b.failing.count(u.id)) return report->failed = true, report->error = "numerical: NaN", Status::Ok();
    if (group->rank() != 0) return Status::Ok();
    results::TrainRecord r;
    r.unit_id = u.id;
    r.run_name = plan.runs[u.run].name;
    r.variant = "LS";
    r.tasks = cfg.SubsetNames(cfg.train.subsets[u.subset]);
    const size_t t = r.tasks.size();
    results::TrainStep step;
    step.lr = 0.01;
    step.ray = step.loss_weights = std::vector<double>(t, 1.0 / t);
    step.losses = std::vector<double>(t, 1.0);
    step.total_loss = one;
    r.steps.push_back(step);
    r.final_router = {{"gate", {1}, {static_cast<float>(u.id)}}};
    report->record_type = static_cast<uint32_t>(results::RecordType::kTrain);
    report->record = results::Encode(r);
    return Status::Ok();
  }
  if (b.failing.count(u.id)) return report->failed = true, report->error = "io error: unreadable", Status::Ok();
  const auto& rays = plan.subset_rays[u.subset];
  if (u.kind == UnitKind::kEval) {
    results::EvalRecord r;
    r.unit_id = u.id;
    r.run_name = plan.runs[u.run].name;
    r.task = cfg.tasks[u.task].name;
    for (int i = u.ray_begin; i < u.ray_end; ++i) {
      r.ray_index.push_back(i), r.ray_label.push_back("grid"), r.rays.push_back(rays[i].ray);
      r.accuracy.push_back(a.routers.at(0).values.at(0) / 1000.0 + i / 1e6);
      r.mean_loss.push_back(u.task), r.count.push_back(10);
    }
    report->record_type = static_cast<uint32_t>(results::RecordType::kEval);
    report->record = results::Encode(r);
    return Status::Ok();
  }
  results::BaselineRecord r;
  r.unit_id = u.id;
  r.method = BaselineName(u.baseline);
  r.name = r.method;
  r.task = cfg.tasks[u.task].name;
  r.rows.push_back({-1, {}, 0.5, 1.0, 10});
  report->record_type = static_cast<uint32_t>(results::RecordType::kBaseline);
  report->record = results::Encode(r);
  return Status::Ok();
}

struct Outcome {
  Status status;
  CoordinatorSummary summary;
};

// One run with `world` workers (rank 0's included) in groups of `per_group`.
Outcome RunOnce(const Fixture& f, int world, int per_group, results::ResultStore* store, const Behaviour& b,
                CoordinatorOptions options = {}) {
  const GroupLayout layout = MakeGroupLayout(world, per_group);
  std::vector<std::unique_ptr<comm::GroupComm>> comms(world);
  for (const auto& members : layout.members) {
    auto group = comm::MakeLocalGroup(static_cast<int>(members.size()));
    for (size_t i = 0; i < members.size(); ++i) comms[members[i]] = std::move(group[i]);
  }
  auto links = comm::MakeLocalLinks(world);
  std::vector<std::thread> workers;
  std::vector<Status> worker_status(world);
  for (int r = 0; r < world; ++r) {
    workers.emplace_back([&, r] {
      worker_status[r] = RunWorkerLoop(
          f.plan, links[r + 1].get(),
          [&, r](const Unit& u, const Assignment& a, WorkerReport* report) {
            return FakeExecute(f.cfg, f.plan, comms[r].get(), b, u, a, report);
          },
          options.signals);
    });
  }
  options.num_workers = world;
  options.progress_seconds = 0;
  Outcome out;
  out.status = RunCoordinator(f.cfg, f.plan, layout, links[0].get(), store, options, &out.summary);
  if (out.summary.grace_expired) {
    // The job would end here; in a test, release the workers once their units are back.
    for (int r = 0; r < world; ++r) {
      comm::Message m;
      bool got = false;
      while (!got) ASSERT_TRUE(links[0]->Receive(1.0, &m, &got).ok()), out;
      links[0]->Send(m.peer, kStop, "");
    }
  }
  for (auto& t : workers) t.join();
  for (const Status& st : worker_status) EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

// The store's records as comparable text, timings left out.
std::string Digest(const results::ResultStore& store) {
  const results::ResultSet set = store.results();
  std::string s;
  for (const auto& [id, r] : set.train()) s += "T" + std::to_string(id) + r.run_name + std::to_string(r.final_router[0].values[0]);
  for (const auto& [id, r] : set.eval()) {
    s += "E" + std::to_string(id) + r.task;
    for (double a : r.accuracy) s += std::to_string(a) + ",";
  }
  for (const auto& [id, r] : set.baselines()) s += "B" + std::to_string(id) + r.name + r.task;
  for (const auto& [id, r] : set.failures()) s += "F" + std::to_string(id) + r.message;
  return s;
}

TEST(Coordinator, EveryUnitOnceWithTheSameNumbersAtAnyWorkerCount) {
  Fixture f;
  std::string reference;
  for (auto [world, per_group] : std::vector<std::pair<int, int>>{{1, 1}, {2, 1}, {3, 1}, {4, 1}, {3, 2}, {5, 2}}) {
    const std::string stem = "w" + std::to_string(world) + "g" + std::to_string(per_group);
    auto store = f.Open(stem);
    Outcome o = RunOnce(f, world, per_group, store.get(), {});
    ASSERT_TRUE(o.status.ok()) << o.status.ToString();
    EXPECT_EQ(o.summary.done_now, static_cast<int>(f.plan.units.size())) << stem;
    EXPECT_EQ(o.summary.failed + o.summary.blocked + o.summary.not_run, 0) << stem;
    EXPECT_FALSE(o.summary.stopped);
    EXPECT_EQ(store->DoneUnits().size(), f.plan.units.size()) << stem;
    const std::string digest = Digest(*store);
    if (reference.empty()) reference = digest;
    EXPECT_EQ(digest, reference) << stem;
  }
}

TEST(Coordinator, AFailingUnitIsRecordedAndIndependentUnitsFinish) {
  Fixture f;
  auto store = f.Open("fail");
  const int eval_unit = f.plan.num_train + f.plan.num_baseline;  // an evaluation of run 0
  Behaviour b;
  b.failing = {1, eval_unit};  // training run 1, and one evaluation of run 0
  Outcome o = RunOnce(f, 3, 1, store.get(), b);
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  EXPECT_EQ(o.summary.failed, 2);
  int blocked = 0;
  for (const Unit& u : f.plan.units) blocked += u.kind == UnitKind::kEval && u.run == 1;
  EXPECT_EQ(o.summary.blocked, blocked);
  EXPECT_EQ(o.summary.done_now, o.summary.total - 2 - blocked);
  EXPECT_EQ(store->FailedUnits(), (std::vector<int64_t>{1, eval_unit}));
  const auto failures = store->results().failures();
  EXPECT_NE(failures.at(1).description.find("train"), std::string::npos) << failures.at(1).description;
  EXPECT_EQ(failures.at(1).message, "numerical: NaN");

  // A rerun retries the failed units (now succeeding) and runs what they blocked.
  Outcome again = RunOnce(f, 2, 1, store.get(), {});
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.summary.done_now, 2 + blocked);
  EXPECT_TRUE(store->FailedUnits().empty());
}

TEST(Coordinator, FailFastStopsHandingOutWork) {
  Fixture f;
  auto store = f.Open("failfast");
  Behaviour b;
  b.failing = {0};
  CoordinatorOptions options;
  options.fail_fast = true;
  Outcome o = RunOnce(f, 1, 1, store.get(), b, options);
  ASSERT_TRUE(o.status.ok());
  EXPECT_TRUE(o.summary.stopped);
  EXPECT_EQ(o.summary.failed, 1);
  EXPECT_EQ(o.summary.done_now, 0);  // one rank: unit 0 was the first it ran
  EXPECT_GT(o.summary.not_run, 0);
}

TEST(Coordinator, StopSignalThenResumeEqualsAnUninterruptedRun) {
  Fixture f;
  auto whole = f.Open("whole");
  ASSERT_TRUE(RunOnce(f, 3, 1, whole.get(), {}).status.ok());

  std::atomic<int> signals{0};
  std::atomic<int> units{0};
  Behaviour b;
  b.on_unit = [&](int) {
    if (++units == 10) signals = 1;  // SIGTERM arrives while the tenth unit runs
  };
  CoordinatorOptions options;
  options.signals = &signals;
  auto store = f.Open("stopped");
  Outcome o = RunOnce(f, 3, 1, store.get(), b, options);
  ASSERT_TRUE(o.status.ok());
  EXPECT_TRUE(o.summary.stopped);
  EXPECT_FALSE(o.summary.grace_expired);
  EXPECT_GE(o.summary.done_now, 10);  // the units in flight finished
  EXPECT_LE(o.summary.done_now, 12);
  EXPECT_GT(o.summary.not_run, 0);
  store.reset();  // the process ends; the next one reopens the journal

  auto resumed = f.Open("stopped");
  Outcome r = RunOnce(f, 2, 1, resumed.get(), {});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.summary.done_before, o.summary.done_now);
  EXPECT_EQ(r.summary.done_now + r.summary.done_before, r.summary.total);
  EXPECT_EQ(Digest(*resumed), Digest(*whole));
}

TEST(Coordinator, GracePeriodEndsAStopThatTakesTooLong) {
  Fixture f;
  auto store = f.Open("grace");
  std::atomic<int> signals{0};
  Behaviour b;
  b.on_unit = [&](int unit) {
    if (unit == 0) {
      signals = 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
    }
  };
  CoordinatorOptions options;
  options.signals = &signals;
  options.grace_seconds = 0.1;
  Outcome o = RunOnce(f, 1, 1, store.get(), b, options);
  ASSERT_TRUE(o.status.ok());
  EXPECT_TRUE(o.summary.stopped);
  EXPECT_TRUE(o.summary.grace_expired);
  EXPECT_EQ(o.summary.done_now, 0);
}

TEST(Coordinator, ASecondSignalEndsAtOnce) {
  Fixture f;
  auto store = f.Open("second");
  std::atomic<int> signals{0};
  Behaviour b;
  b.on_unit = [&](int unit) {
    if (unit == 0) {
      signals = 2;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  };
  CoordinatorOptions options;
  options.signals = &signals;
  Outcome o = RunOnce(f, 1, 1, store.get(), b, options);
  EXPECT_TRUE(o.summary.grace_expired);
}

}  // namespace
}  // namespace pwemoe::orchestrator

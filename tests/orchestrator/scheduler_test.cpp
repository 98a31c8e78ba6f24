#include "orchestrator/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "config_testing.h"

namespace pwemoe::orchestrator {
namespace {

using Decision = Scheduler::Decision;
using State = Scheduler::State;

struct Fixture {
  testing::ExperimentTree tree;
  config::ExperimentConfig cfg;
  Plan plan;
  explicit Fixture(std::vector<std::string> overrides = {"eval.rays_per_unit=4"}) {
    Status st = config::ParseExperiment(tree.BaseText(), "t.toml", overrides, &cfg);
    EXPECT_TRUE(st.ok()) << st.message();
    st = MakePlan(cfg, &plan);
    EXPECT_TRUE(st.ok()) << st.message();
  }
};

TEST(GroupLayout, Table) {
  struct Case {
    int world, per_group;
    std::vector<int> group_of_rank;
    std::vector<std::vector<int>> members;
  } cases[] = {
      {1, 1, {0}, {{0}}},
      {1, 4, {0}, {{0}}},  // one rank does everything
      {3, 1, {0, 1, 2}, {{0}, {1}, {2}}},
      {3, 2, {-1, 0, 0}, {{1, 2}}},
      {4, 2, {-1, 0, 0, 1}, {{1, 2}, {3}}},  // the last group is smaller
      {5, 2, {-1, 0, 0, 1, 1}, {{1, 2}, {3, 4}}},
      {4, 8, {-1, 0, 0, 0}, {{1, 2, 3}}},
  };
  for (const Case& c : cases) {
    const GroupLayout l = MakeGroupLayout(c.world, c.per_group);
    EXPECT_EQ(l.group_of_rank, c.group_of_rank) << c.world << "x" << c.per_group;
    EXPECT_EQ(l.members, c.members) << c.world << "x" << c.per_group;
  }
}

// Drives a scheduler with free ranks asking in random order and units finishing in random order,
// checking the rules at every step. Returns the units each rank ran.
std::map<int, std::vector<int>> Simulate(const Plan& plan, const GroupLayout& layout, Scheduler* s, uint32_t seed,
                                         const std::set<int>& failing = {}) {
  std::mt19937 rng(seed);
  const int n = static_cast<int>(layout.group_of_rank.size());
  std::map<int, int> running;  // rank -> unit
  std::set<int> free_ranks;
  for (int r = 0; r < n; ++r) free_ranks.insert(r);
  std::set<int> stopped;
  std::map<int, std::vector<int>> ran;
  std::map<int, std::set<int>> train_members;  // unit -> ranks that ran it
  for (int guard = 0; guard < 1000000 && static_cast<int>(stopped.size()) < n; ++guard) {
    // Ask for work on every free rank (random order), then finish one running unit.
    std::vector<int> asking(free_ranks.begin(), free_ranks.end());
    std::shuffle(asking.begin(), asking.end(), rng);
    for (int r : asking) {
      int unit = -1;
      const Decision d = s->Next(r, &unit);
      if (d == Decision::kStop) {
        stopped.insert(r), free_ranks.erase(r);
      } else if (d == Decision::kRun) {
        const Unit& u = plan.units[unit];
        for (int dep : u.deps) EXPECT_EQ(s->state(dep), State::kDone) << "unit " << unit << " before " << dep;
        if (u.kind == UnitKind::kTrain) {
          EXPECT_GE(layout.group_of_rank[r], 0) << "rank " << r << " has no group";
          train_members[unit].insert(r);
        }
        running[r] = unit, free_ranks.erase(r), ran[r].push_back(unit);
      }
    }
    if (running.empty()) continue;
    auto it = running.begin();
    std::advance(it, rng() % running.size());
    s->Finish(it->first, it->second, failing.count(it->second) == 0);
    free_ranks.insert(it->first);
    running.erase(it);
  }
  EXPECT_EQ(static_cast<int>(stopped.size()), n) << "not every rank was stopped";
  EXPECT_TRUE(s->Finished());
  for (const auto& [unit, members] : train_members) {
    const int g = layout.group_of_rank[*members.begin()];
    EXPECT_EQ(members, std::set<int>(layout.members[g].begin(), layout.members[g].end())) << "unit " << unit;
  }
  return ran;
}

TEST(Scheduler, EveryUnitRunsOnceWithDependenciesFirst) {
  Fixture f;
  for (auto [world, per_group] : std::vector<std::pair<int, int>>{{1, 1}, {2, 1}, {4, 1}, {3, 2}, {5, 2}, {4, 3}}) {
    for (uint32_t seed = 0; seed < 3; ++seed) {
      const GroupLayout layout = MakeGroupLayout(world, per_group);
      Scheduler s(f.plan, layout, {});
      auto ran = Simulate(f.plan, layout, &s, seed);
      std::map<int, int> count;
      for (const auto& [rank, units] : ran) {
        for (int u : units) ++count[u];
      }
      for (const Unit& u : f.plan.units) {
        const int expected = u.kind == UnitKind::kTrain ? static_cast<int>(layout.members[0].size()) : 1;
        if (u.kind != UnitKind::kTrain) EXPECT_EQ(count[u.id], expected) << "unit " << u.id;
        EXPECT_EQ(s.state(u.id), State::kDone);
      }
      EXPECT_EQ(s.done_now(), s.total());
    }
  }
}

TEST(Scheduler, TrainingComesFirstThenEvaluationThenBaselines) {
  Fixture f;
  Scheduler s(f.plan, MakeGroupLayout(1, 1), {});
  int unit = -1;
  ASSERT_EQ(s.Next(0, &unit), Decision::kRun);
  EXPECT_EQ(f.plan.units[unit].kind, UnitKind::kTrain);
  s.Finish(0, unit, true);
  ASSERT_EQ(s.Next(0, &unit), Decision::kRun);
  EXPECT_EQ(f.plan.units[unit].kind, UnitKind::kTrain);  // one rank: all training first
  s.Finish(0, unit, true);
  // Two ranks: while rank 1 trains, rank 0 (its own group) takes the next training run; with
  // groups of two on three ranks, rank 0 has no group and takes ready evaluations.
  Scheduler g(f.plan, MakeGroupLayout(3, 2), {});
  ASSERT_EQ(g.Next(1, &unit), Decision::kRun);
  const int train = unit;
  ASSERT_EQ(g.Next(0, &unit), Decision::kRun);
  EXPECT_EQ(f.plan.units[unit].kind, UnitKind::kBaseline);  // no run trained yet
  ASSERT_EQ(g.Next(2, &unit), Decision::kRun);
  EXPECT_EQ(unit, train);  // the group's other member joins the reserved run
  EXPECT_FALSE(g.Finish(1, train, true));  // done only when both members are
  EXPECT_TRUE(g.Finish(2, train, true));
  EXPECT_EQ(g.state(train), State::kDone);
}

TEST(Scheduler, AFailedRunBlocksItsEvaluationsOnly) {
  Fixture f;
  const GroupLayout layout = MakeGroupLayout(3, 1);
  Scheduler s(f.plan, layout, {});
  Simulate(f.plan, layout, &s, 7, {0});
  int blocked = 0;
  for (const Unit& u : f.plan.units) {
    const bool of_run0 = u.kind == UnitKind::kEval && u.run == 0;
    EXPECT_EQ(s.state(u.id), u.id == 0 ? State::kFailed : of_run0 ? State::kBlocked : State::kDone) << u.id;
    blocked += of_run0;
  }
  EXPECT_EQ(s.count(State::kBlocked), blocked);
  EXPECT_GT(blocked, 0);
}

TEST(Scheduler, ResumeNeverHandsOutDoneUnits) {
  Fixture f;
  std::vector<int64_t> done;
  for (const Unit& u : f.plan.units) {
    if (u.id % 3 == 0) done.push_back(u.id);  // includes training unit 0 and 3
  }
  const GroupLayout layout = MakeGroupLayout(2, 1);
  Scheduler s(f.plan, layout, done);
  EXPECT_EQ(s.count(State::kDone), static_cast<int>(done.size()));
  auto ran = Simulate(f.plan, layout, &s, 1);
  for (const auto& [rank, units] : ran) {
    for (int u : units) EXPECT_NE(u % 3, 0) << "unit " << u << " was done already";
  }
  EXPECT_EQ(s.done_now(), s.total() - static_cast<int>(done.size()));
}

TEST(Scheduler, StopLetsAStartedGroupGatherButStartsNothingNew) {
  Fixture f;
  Scheduler s(f.plan, MakeGroupLayout(3, 2), {});
  int unit = -1, other = -1;
  ASSERT_EQ(s.Next(1, &unit), Decision::kRun);  // training reserved for group {1, 2}
  ASSERT_EQ(s.Next(0, &other), Decision::kRun);
  s.Stop();
  int joined = -1;
  EXPECT_EQ(s.Next(2, &joined), Decision::kRun);  // rank 1 waits for rank 2 in the all-reduce
  EXPECT_EQ(joined, unit);
  EXPECT_FALSE(s.Finished());
  s.Finish(0, other, true);
  EXPECT_EQ(s.Next(0, &other), Decision::kStop);
  s.Finish(1, unit, true);
  s.Finish(2, unit, true);
  EXPECT_TRUE(s.Finished());
  EXPECT_EQ(s.Next(1, &unit), Decision::kStop);
  EXPECT_EQ(s.done_now(), 2);
}

// --units: training alone first, then evaluation of the trained runs in a later run.
TEST(Scheduler, UnitsNotSelectedAreSkippedWithTheirDependents) {
  Fixture f;
  const GroupLayout layout = MakeGroupLayout(2, 1);
  std::vector<bool> train_only, eval_only;
  for (const Unit& u : f.plan.units) {
    train_only.push_back(u.kind == UnitKind::kTrain);
    eval_only.push_back(u.kind == UnitKind::kEval);
  }
  Scheduler first(f.plan, layout, {}, train_only);
  Simulate(f.plan, layout, &first, 3);
  std::vector<int64_t> done;
  for (const Unit& u : f.plan.units) {
    EXPECT_EQ(first.state(u.id), u.kind == UnitKind::kTrain ? State::kDone : State::kSkipped) << u.id;
    if (u.kind == UnitKind::kTrain) done.push_back(u.id);
  }
  // Evaluation alone, nothing trained yet: every evaluation waits for a skipped run.
  Scheduler none(f.plan, layout, {}, eval_only);
  EXPECT_EQ(none.count(State::kSkipped), none.total());
  EXPECT_TRUE(none.Finished());
  // Evaluation alone after the training run: every evaluation runs, nothing else.
  Scheduler second(f.plan, layout, done, eval_only);
  Simulate(f.plan, layout, &second, 4);
  EXPECT_EQ(second.done_now(), f.plan.num_eval);
  EXPECT_EQ(second.count(State::kSkipped), f.plan.num_baseline);
}

}  // namespace
}  // namespace pwemoe::orchestrator

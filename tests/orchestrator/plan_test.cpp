#include "orchestrator/plan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "config_testing.h"

namespace pwemoe::orchestrator {
namespace {

config::ExperimentConfig Parse(const testing::ExperimentTree& tree, const std::vector<std::string>& overrides) {
  config::ExperimentConfig cfg;
  Status st = config::ParseExperiment(tree.BaseText(), "t.toml", overrides, &cfg);
  EXPECT_TRUE(st.ok()) << st.message();
  return cfg;
}

int Ceil(int a, int b) { return (a + b - 1) / b; }

TEST(Plan, CountsFollowTheConfiguration) {
  testing::ExperimentTree tree;
  // 3 tasks; subsets {sun397,cars} and all; 2 variants; 2 seeds; 5 points per edge; blocks of 4.
  auto cfg = Parse(tree, {"train.seeds=[3, 4]", "eval.rays_per_unit=4"});
  Plan plan;
  ASSERT_TRUE(MakePlan(cfg, &plan).ok());
  EXPECT_EQ(plan.runs.size(), 2u * 2u * 2u);
  EXPECT_EQ(plan.subset_rays[0].size(), 5u);   // grid of 5 holds the one-hot and equal rays
  EXPECT_EQ(plan.subset_rays[1].size(), 16u);  // C(6,2) = 15 grid rays + the equal ray
  int eval = 0;
  for (const auto& run : plan.runs) {
    int rays = static_cast<int>(plan.subset_rays[run.subset].size());
    eval += Ceil(rays, 4) * static_cast<int>(cfg.train.subsets[run.subset].size());
  }
  EXPECT_EQ(plan.num_eval, eval);
  EXPECT_EQ(plan.num_train, 8);
  // pretrained 3 + experts 3x3 + per subset (2 and 3 tasks): simple average, 10 lambdas, weighted blocks.
  int baseline = 3 + 9 + (2 + 3) + 10 * (2 + 3) + Ceil(5, 4) * 2 + Ceil(16, 4) * 3;
  EXPECT_EQ(plan.num_baseline, baseline);
  EXPECT_EQ(plan.units.size(), static_cast<size_t>(plan.num_train + plan.num_eval + plan.num_baseline));
}

TEST(Plan, EvaluationUnitsTileEveryRunsRaysOncePerTask) {
  testing::ExperimentTree tree;
  auto cfg = Parse(tree, {"eval.rays_per_unit=3", "eval.ray_sets=[\"grid\", \"dirichlet\"]",
                          "eval.dirichlet_samples=4"});
  Plan plan;
  ASSERT_TRUE(MakePlan(cfg, &plan).ok());
  std::map<std::pair<int, int>, std::vector<int>> covered;  // (run, task) -> ray hits
  for (const auto& u : plan.units) {
    EXPECT_EQ(u.id, &u - plan.units.data());
    if (u.kind != UnitKind::kEval) continue;
    ASSERT_EQ(u.deps.size(), 1u);
    const Unit& dep = plan.units[u.deps[0]];
    EXPECT_EQ(dep.kind, UnitKind::kTrain);
    EXPECT_EQ(dep.run, u.run);
    EXPECT_LT(u.ray_begin, u.ray_end);
    auto& hits = covered[{u.run, u.task}];
    hits.resize(plan.subset_rays[plan.runs[u.run].subset].size());
    for (int r = u.ray_begin; r < u.ray_end; ++r) ++hits[r];
  }
  for (const auto& run : plan.runs) {
    for (int task : cfg.train.subsets[run.subset]) {
      auto hits = covered[{run.id, task}];
      ASSERT_FALSE(hits.empty());
      for (int h : hits) EXPECT_EQ(h, 1);
    }
  }
}

TEST(Plan, IsDeterministicAndNamesRuns) {
  testing::ExperimentTree tree;
  auto cfg = Parse(tree, {"eval.ray_sets=[\"dirichlet\"]", "eval.dirichlet_samples=6"});
  Plan a, b;
  ASSERT_TRUE(MakePlan(cfg, &a).ok());
  ASSERT_TRUE(MakePlan(cfg, &b).ok());
  EXPECT_EQ(DescribePlan(cfg, a, true), DescribePlan(cfg, b, true));
  ASSERT_EQ(a.subset_rays.size(), b.subset_rays.size());
  for (size_t s = 0; s < a.subset_rays.size(); ++s) {
    for (size_t r = 0; r < a.subset_rays[s].size(); ++r) EXPECT_EQ(a.subset_rays[s][r].ray, b.subset_rays[s][r].ray);
  }
  EXPECT_EQ(a.runs[0].name, "ls/sun397+cars/seed1");
  EXPECT_EQ(a.runs[3].name, "epo/sun397+cars+dtd/seed1");
}

// An experiment tree with `n` more tasks t00, t01, ... beside the fixture's three (files in place),
// and the overrides that make them the experiment's tasks.
std::vector<std::string> ManyTasks(const testing::ExperimentTree& tree, int n) {
  std::string names;
  for (int i = 0; i < n; ++i) {
    const std::string t = std::string("t") + (i < 10 ? "0" : "") + std::to_string(i);
    std::filesystem::create_directories(tree.root() + "/experts/" + t);
    std::filesystem::create_directories(tree.root() + "/data/" + t);
    tree.Write("heads/" + t + ".safetensors", "x");
    tree.Write("data/" + t + "/train.h5", "x");
    tree.Write("data/" + t + "/test.h5", "x");
    names += (i ? ", \"" : "\"") + t + "\"";
  }
  return {"tasks.names=[" + names + "]"};
}

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The ray sets MakePlan refuses (exit code 2, the file, the key, the exact grid size, and on 10 or
// more tasks what to use instead) and accepts. Subsets: the first 10 tasks and "all".
TEST(Plan, RefusesInfeasibleRaySets) {
  struct Case {
    const char* name;
    int tasks;                           // 3: the fixture's tasks; else ManyTasks(tasks)
    std::vector<std::string> overrides;  // besides the tasks and subsets
    std::vector<std::string> message;    // every piece must appear; empty: accepted
  };
  const std::string kUseInstead =
      "Use the one-hot, equal and Dirichlet ray sets instead: in t.toml, [eval] ray_sets = "
      "[\"one-hot\", \"equal\", \"dirichlet\"] and dirichlet_samples = N";
  const std::vector<Case> cases = {
      {"grid over the limit, 3 tasks", 3, {"eval.grid_points=2000"},  // C(2001, 2) rays
       {"t.toml: eval.grid_points: 2000 points per edge on 3 tasks make 2001000 rays",
        "C(T+G-2, G-1) rays, here C(2001, 1999) = 2001000", "more than the 1000000 rays",
        "lower eval.grid_points in t.toml"}},
      {"20 tasks, 6 points per edge", 20, {"eval.grid_points=6"},
       {"t.toml: eval.grid_points: 6 points per edge on 20 tasks make 42504 rays per run",
        "a simplex grid on T tasks with G points per edge has C(T+G-2, G-1) rays, here "
        "C(24, 5) = 42504",
        "infeasible on 10 or more tasks", kUseInstead}},
      {"20 tasks, the default 11 points per edge", 20, {"eval.grid_points=11"},
       {"make 20030010 rays", "C(29, 10) = 20030010", kUseInstead}},
      {"20 tasks, a grid past 2^64 rays, counted exactly", 20,
       {"eval.grid_points=100000", "train.subsets=[\"all\"]"},
       {"C(100018, 99999) = 82347036904602726622849783507754697996113715696992234034723410761130"
        "4282900000", kUseInstead}},
      {"10 tasks, 3 points per edge (only 55 rays, still refused)", 10,
       {"eval.grid_points=3", "train.subsets=[\"all\"]"}, {"C(11, 2) = 55", kUseInstead}},
      {"Dirichlet samples over the limit", 3,
       {"eval.ray_sets=[\"grid\", \"dirichlet\"]", "eval.dirichlet_samples=999990",
        "train.subsets=[\"all\"]"},
       {"t.toml: eval.dirichlet_samples: 999990 Dirichlet rays and 15 grid rays on 3 tasks make "
        "1000005 rays per run", "lower eval.dirichlet_samples"}},
      {"9 tasks, 6 points per edge (1287 rays)", 9,
       {"eval.grid_points=6", "train.subsets=[\"all\"]"}, {}},
      {"20 tasks, the grid's vertices only", 20, {"eval.grid_points=2"}, {}},
      {"20 tasks without the grid", 20,
       {"eval.ray_sets=[\"one-hot\", \"equal\", \"dirichlet\"]", "eval.dirichlet_samples=100"},
       {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::ExperimentTree tree;
    std::vector<std::string> overrides;
    if (c.tasks != 3) {
      overrides = With(ManyTasks(tree, c.tasks),
                       {"train.subsets=[[\"t00\", \"t01\", \"t02\", \"t03\", \"t04\", "
                        "\"t05\", \"t06\", \"t07\", \"t08\"], \"all\"]"});
    }
    const config::ExperimentConfig cfg = Parse(tree, With(overrides, c.overrides));
    Plan plan;
    const Status st = MakePlan(cfg, &plan);
    if (c.message.empty()) {
      EXPECT_TRUE(st.ok()) << st.message();
      continue;
    }
    EXPECT_EQ(st.ExitCode(), 2);
    for (const std::string& piece : c.message) {
      EXPECT_NE(st.message().find(piece), std::string::npos) << piece << "\n" << st.message();
    }
  }
}

// The 20-task plan of experiments/mini20.toml's shape: 20 tasks, LS and EPO, a 10-task and the 20-task subset, one seed, the one-hot,
// equal and 100 Dirichlet rays (T + 1 + 100 per subset), blocks of 8 rays.
TEST(Plan, TwentyTasksWithoutTheGrid) {
  testing::ExperimentTree tree;
  const auto cfg = Parse(
      tree, With(ManyTasks(tree, 20),
                 {"train.subsets=[[\"t00\", \"t01\", \"t02\", \"t03\", \"t04\", \"t05\", "
                  "\"t06\", \"t07\", \"t08\", \"t09\"], \"all\"]",
                  "eval.ray_sets=[\"one-hot\", \"equal\", \"dirichlet\"]",
                  "eval.dirichlet_samples=100"}));
  ASSERT_EQ(cfg.eval.rays_per_unit, 8);
  Plan plan;
  ASSERT_TRUE(MakePlan(cfg, &plan).ok());
  ASSERT_EQ(plan.subset_rays.size(), 2u);
  EXPECT_EQ(plan.subset_rays[0].size(), 111u);  // 10 one-hot + equal + 100 Dirichlet
  EXPECT_EQ(plan.subset_rays[1].size(), 121u);  // 20 one-hot + equal + 100 Dirichlet
  EXPECT_EQ(plan.num_train, 4);                 // {LS, EPO} x 2 subsets x 1 seed
  // Per run ceil(rays / 8) blocks x the subset's tasks: 14 x 10 and 16 x 20.
  EXPECT_EQ(plan.num_eval, 2 * 14 * 10 + 2 * 16 * 20);
  // pretrained 20 + experts 20 x 20 + per subset simple average (10 + 20), 10 task-arithmetic
  // lambdas x (10 + 20), weighted task arithmetic 14 x 10 + 16 x 20.
  EXPECT_EQ(plan.num_baseline, 20 + 400 + 30 + 300 + 140 + 320);
  EXPECT_EQ(plan.units.size(), 4u + 920u + 1210u);
  for (size_t s = 0; s < 2; ++s) {
    for (const auto& r : plan.subset_rays[s]) EXPECT_EQ(r.ray.size(), s == 0 ? 10u : 20u);
  }
}

TEST(Plan, BaselinesCanBeSwitchedOff) {
  testing::ExperimentTree tree;
  auto cfg = Parse(tree, {"baselines.pretrained=false", "baselines.experts=false", "baselines.simple_average=false",
                          "baselines.task_arithmetic=[]", "baselines.weighted_task_arithmetic=false"});
  Plan plan;
  ASSERT_TRUE(MakePlan(cfg, &plan).ok());
  EXPECT_EQ(plan.num_baseline, 0);
}

}  // namespace
}  // namespace pwemoe::orchestrator

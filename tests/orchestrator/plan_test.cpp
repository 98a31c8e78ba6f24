#include "orchestrator/plan.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "config_fixture.h"

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

TEST(Plan, RejectsAGridTooLargeToEvaluate) {
  testing::ExperimentTree tree;
  auto cfg = Parse(tree, {"eval.grid_points=2000"});  // C(2001, 2) rays for the 3-task subset
  Plan plan;
  Status st = MakePlan(cfg, &plan);
  EXPECT_EQ(st.ExitCode(), 2);
  EXPECT_NE(st.message().find("t.toml: eval.grid_points: 2000 points per edge on 3 tasks make 2001000 rays"),
            std::string::npos) << st.message();
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

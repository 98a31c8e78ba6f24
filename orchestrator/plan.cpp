#include "orchestrator/plan.h"

#include <sstream>

#include "pwemoe/util/strings.h"

namespace pwemoe::orchestrator {

using config::ExperimentConfig;

const char* BaselineName(BaselineKind kind) {
  switch (kind) {
    case BaselineKind::kPretrained: return "pretrained";
    case BaselineKind::kExpert: return "expert";
    case BaselineKind::kSimpleAverage: return "simple-average";
    case BaselineKind::kTaskArithmetic: return "task-arithmetic";
    case BaselineKind::kWeightedTaskArithmetic: return "weighted-task-arithmetic";
  }
  return "?";
}

namespace {

RaySetSpec RaySpec(const ExperimentConfig& c, size_t num_tasks) {
  RaySetSpec spec;
  spec.grid = c.eval.grid;
  spec.grid_points = c.eval.grid_points;
  spec.one_hot = c.eval.one_hot;
  spec.equal = c.eval.equal;
  spec.dirichlet_samples = c.eval.dirichlet_samples;
  spec.dirichlet_alpha = c.eval.dirichlet_alpha;
  // Same rays for every subset of the same size, different across sizes.
  spec.seed = c.experiment.seed * 1000003ULL + num_tasks;
  return spec;
}

Unit NewUnit(Plan* plan, UnitKind kind) {
  Unit u;
  u.id = static_cast<int>(plan->units.size());
  u.kind = kind;
  return u;
}

// Adds one unit per (ray block, task of the subset), built from `proto`.
void AddRayBlocks(const ExperimentConfig& c, Plan* plan, const Unit& proto, int subset) {
  const int n = static_cast<int>(plan->subset_rays[subset].size());
  for (int begin = 0; begin < n; begin += c.eval.rays_per_unit) {
    for (int task : c.train.subsets[subset]) {
      Unit u = proto;
      u.id = static_cast<int>(plan->units.size());
      u.subset = subset;
      u.task = task;
      u.ray_begin = begin;
      u.ray_end = std::min(n, begin + c.eval.rays_per_unit);
      plan->units.push_back(u);
    }
  }
}

void AddBaselines(const ExperimentConfig& c, Plan* plan) {
  const int t = static_cast<int>(c.tasks.size());
  auto add = [&](BaselineKind kind, int task, int subset, int expert, double lambda) {
    Unit u = NewUnit(plan, UnitKind::kBaseline);
    u.baseline = kind, u.task = task, u.subset = subset, u.expert = expert, u.lambda = lambda;
    plan->units.push_back(u);
  };
  for (int task = 0; task < t && c.baselines.pretrained; ++task) add(BaselineKind::kPretrained, task, -1, -1, 0);
  for (int e = 0; e < t && c.baselines.experts; ++e) {
    for (int task = 0; task < t; ++task) add(BaselineKind::kExpert, task, -1, e, 0);
  }
  for (size_t s = 0; s < c.train.subsets.size(); ++s) {
    const auto& subset = c.train.subsets[s];
    for (int task : subset) {
      if (c.baselines.simple_average) add(BaselineKind::kSimpleAverage, task, s, -1, 0);
    }
    for (double lambda : c.baselines.task_arithmetic) {
      for (int task : subset) add(BaselineKind::kTaskArithmetic, task, s, -1, lambda);
    }
    if (c.baselines.weighted_task_arithmetic) {
      Unit proto = NewUnit(plan, UnitKind::kBaseline);
      proto.baseline = BaselineKind::kWeightedTaskArithmetic;
      proto.lambda = c.baselines.weighted_lambda;
      AddRayBlocks(c, plan, proto, static_cast<int>(s));
    }
  }
}

}  // namespace

Status MakePlan(const ExperimentConfig& c, Plan* plan) {
  *plan = Plan();
  for (const auto& subset : c.train.subsets) {
    uint64_t n = c.eval.grid ? SimplexGridSize(static_cast<int>(subset.size()), c.eval.grid_points) : 0;
    n += static_cast<uint64_t>(c.eval.dirichlet_samples);
    if (n > kMaxRaysPerSubset) {
      return Status::InvalidArgument(
          c.source_path + ": eval.grid_points: " + std::to_string(c.eval.grid_points) +
          " points per edge on " + std::to_string(subset.size()) + " tasks make " + std::to_string(n) +
          " rays per run, more than " + std::to_string(kMaxRaysPerSubset) +
          "; lower grid_points or use Dirichlet rays");
    }
    plan->subset_rays.push_back(MakeEvalRays(static_cast<int>(subset.size()), RaySpec(c, subset.size())));
  }
  for (config::Variant v : c.train.variants) {
    for (size_t s = 0; s < c.train.subsets.size(); ++s) {
      for (uint64_t seed : c.train.seeds) {
        TrainRun run{static_cast<int>(plan->runs.size()),
                     std::string(config::VariantName(v)) + "/" + Join(c.SubsetNames(c.train.subsets[s]), "+") +
                         "/seed" + std::to_string(seed),
                     v, static_cast<int>(s), seed};
        Unit u = NewUnit(plan, UnitKind::kTrain);
        u.run = run.id;
        u.subset = run.subset;
        plan->units.push_back(u);
        plan->runs.push_back(run);
      }
    }
  }
  plan->num_train = static_cast<int>(plan->units.size());
  AddBaselines(c, plan);
  plan->num_baseline = static_cast<int>(plan->units.size()) - plan->num_train;
  for (const auto& run : plan->runs) {
    Unit proto = NewUnit(plan, UnitKind::kEval);
    proto.run = run.id;
    proto.deps = {run.id};  // training units come first: unit id == run id
    AddRayBlocks(c, plan, proto, run.subset);
  }
  plan->num_eval = static_cast<int>(plan->units.size()) - plan->num_train - plan->num_baseline;
  return Status::Ok();
}

}  // namespace pwemoe::orchestrator

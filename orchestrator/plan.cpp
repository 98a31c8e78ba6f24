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

// Whether a subset of `num_tasks` tasks can be evaluated on the configured ray set (MakePlan's
// contract in plan.h).
Status CheckRaySet(const ExperimentConfig& c, int num_tasks) {
  const int g = c.eval.grid_points;
  const uint64_t grid = c.eval.grid ? SimplexGridSize(num_tasks, g) : 0;
  const bool many = num_tasks >= kManyTasks && g > 2;
  if (c.eval.grid && (many || grid > kMaxRaysPerSubset)) {
    const std::string exact = SimplexGridSizeDecimal(num_tasks, g);
    std::string msg = c.source_path + ": eval.grid_points: " + std::to_string(g) +
                      " points per edge on " + std::to_string(num_tasks) + " tasks make " + exact +
                      " rays per run: a simplex grid on T tasks with G points per edge has " +
                      "C(T+G-2, G-1) rays, here C(" + std::to_string(num_tasks + g - 2) + ", " +
                      std::to_string(g - 1) + ") = " + exact + ". ";
    if (many) {
      return Status::InvalidArgument(
          msg + "That is infeasible on " + std::to_string(kManyTasks) +
          " or more tasks (every ray is a merge and an evaluation on each task; grid_points = 2, "
          "the one-hot vertices, is the only grid allowed there). Use the one-hot, equal and "
          "Dirichlet ray sets instead: in " + c.source_path + ", [eval] ray_sets = [\"one-hot\", "
          "\"equal\", \"dirichlet\"] and dirichlet_samples = N (e.g. 100)");
    }
    return Status::InvalidArgument(
        msg + "That is more than the " + std::to_string(kMaxRaysPerSubset) +
        " rays a subset may be evaluated on; lower eval.grid_points in " + c.source_path +
        " or use Dirichlet rays (eval.ray_sets, eval.dirichlet_samples)");
  }
  const uint64_t samples = static_cast<uint64_t>(c.eval.dirichlet_samples);
  if (grid + samples > kMaxRaysPerSubset) {  // no overflow: grid <= kMaxRaysPerSubset here
    return Status::InvalidArgument(
        c.source_path + ": eval.dirichlet_samples: " + std::to_string(samples) +
        " Dirichlet rays" + (grid > 0 ? " and " + std::to_string(grid) + " grid rays" : "") +
        " on " + std::to_string(num_tasks) + " tasks make " + std::to_string(grid + samples) +
        " rays per run, more than the " + std::to_string(kMaxRaysPerSubset) +
        " a subset may be evaluated on; lower eval.dirichlet_samples");
  }
  return Status::Ok();
}

}  // namespace

Status MakePlan(const ExperimentConfig& c, Plan* plan) {
  *plan = Plan();
  for (const auto& subset : c.train.subsets) {
    PWEMOE_RETURN_IF_ERROR(CheckRaySet(c, static_cast<int>(subset.size())));
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

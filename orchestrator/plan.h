// The plan of an experiment: every unit of work and what it waits for.
//
// Units: one training run per (variant, task subset, seed); one evaluation unit per (run, block
// of rays, task of the run's subset), ready when its run is trained; baseline evaluations
// (pretrained, each expert, simple average, task arithmetic per lambda, preference-weighted task
// arithmetic per ray block), ready at once. Unit ids are their indices in Plan::units, stable for
// a configuration, so a results file can name them.
//
// Thread safety: plain values; MakePlan keeps no state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/experiment_config.h"
#include "pwemoe/rays.h"
#include "pwemoe/util/status.h"

namespace pwemoe::orchestrator {

struct TrainRun {
  int id = 0;
  std::string name;  // "ls/clothing+digits/seed0"
  config::Variant variant = config::Variant::kLs;
  int subset = 0;    // index into config.train.subsets
  uint64_t seed = 0;
};

enum class UnitKind { kTrain, kEval, kBaseline };

enum class BaselineKind { kPretrained, kExpert, kSimpleAverage, kTaskArithmetic, kWeightedTaskArithmetic };

// "pretrained", "expert", "simple-average", "task-arithmetic", "weighted-task-arithmetic".
const char* BaselineName(BaselineKind kind);

struct Unit {
  int id = 0;
  UnitKind kind = UnitKind::kTrain;
  int run = -1;        // kTrain, kEval: index into Plan::runs
  int subset = -1;     // kEval and subset baselines: index into config.train.subsets
  int task = -1;       // kEval, kBaseline: the task evaluated (index into config.tasks)
  int ray_begin = 0;   // kEval, weighted task arithmetic: rays [ray_begin, ray_end) of the
  int ray_end = 0;     //   subset's ray set
  BaselineKind baseline = BaselineKind::kPretrained;
  int expert = -1;     // kExpert: whose expert
  double lambda = 0;   // kTaskArithmetic, kWeightedTaskArithmetic
  std::vector<int> deps;  // unit ids that must be done first
};

struct Plan {
  std::vector<TrainRun> runs;
  std::vector<std::vector<LabelledRay>> subset_rays;  // per subset: the evaluation rays
  std::vector<Unit> units;  // training units first, then baselines, then evaluation
  int num_train = 0;
  int num_eval = 0;
  int num_baseline = 0;
};

// Most rays one subset may be evaluated on; a larger grid is a configuration error.
constexpr uint64_t kMaxRaysPerSubset = 1000000;

// From this many tasks in a subset on, the simplex grid may only be its vertices
// (eval.grid_points = 2, the one-hot rays): C(T+G-2, G-1) rays grow like T^(G-1) (20 tasks: 210
// rays at G = 3, 42504 at G = 6, 20030010 at the default G = 11), each a merge and an
// evaluation on every task of the subset.
constexpr int kManyTasks = 10;

// Builds the plan of a validated configuration. InvalidArgument (exit code 2) naming the file,
// the key and the subset's size when a subset's ray set is infeasible:
//  - "grid" in eval.ray_sets with eval.grid_points > 2 on a subset of kManyTasks or more tasks,
//    or a grid of more than kMaxRaysPerSubset rays on any subset: the message gives the grid's
//    exact size C(T+G-2, G-1) and, on many tasks, says to use eval.ray_sets = ["one-hot",
//    "equal", "dirichlet"] with eval.dirichlet_samples = N instead;
//  - the grid and eval.dirichlet_samples together over kMaxRaysPerSubset.
Status MakePlan(const config::ExperimentConfig& config, Plan* plan);

// Human-readable plan: every training run, rays per subset, and unit counts by kind. With
// `list_units`, also one line per unit.
std::string DescribePlan(const config::ExperimentConfig& config, const Plan& plan, bool list_units);

// One line for a unit: "eval ls/a+b/seed0 rays 0-7 on task a".
std::string DescribeUnit(const config::ExperimentConfig& config, const Plan& plan, const Unit& unit);

}  // namespace pwemoe::orchestrator

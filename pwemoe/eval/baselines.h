// The baselines PWE MoE is compared against (docs/DESIGN.md, "Evaluate"), as plain merged models of a
// model pool (moe::WeightedMerge, theta_pre + sum_i c_i tau_i):
//   pretrained                       theta_pre
//   expert i alone                   c = e_i: the expert's tensors exactly; keys the experts lack
//                                    (visual_projection, ...) from the pretrained model
//   simple average                   c_i = 1/T
//   task arithmetic (lambda)         c_i = lambda
//   preference-weighted TA (ray r)   c_i = lambda * r_i
//
// Thread safety: no function keeps state; the pool is only read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/moe/pool.h"
#include "pwemoe/rays.h"
#include "pwemoe/util/status.h"

namespace pwemoe::eval {

enum class BaselineKind { kPretrained, kExpert, kSimpleAverage, kTaskArithmetic, kWeightedTaskArithmetic };

// One baseline model. `expert` is used by kExpert (a task index), `lambda` by the two
// task-arithmetic kinds, `ray` by kWeightedTaskArithmetic.
struct Baseline {
  BaselineKind kind = BaselineKind::kPretrained;
  int64_t expert = 0;
  double lambda = 0.0;
  Ray ray;
};

// A stable label: "pretrained", "expert:<task>", "simple_average", "task_arithmetic:<lambda>",
// "weighted_task_arithmetic:<lambda>:<r1>,<r2>,..." (numbers printed with %g). `tasks` names
// the experts.
std::string BaselineName(const Baseline& baseline, const std::vector<std::string>& tasks);

// Which baselines to make (mirrors the experiment's [baselines] section).
struct BaselineSet {
  bool pretrained = true;
  bool experts = true;
  bool simple_average = true;
  std::vector<double> task_arithmetic;  // lambdas
  bool weighted_task_arithmetic = true;
  double weighted_lambda = 1.0;
};

// The baselines of `set` for T = num_tasks tasks, in the order pretrained, experts 0..T-1,
// simple average, task arithmetic per lambda (given order), weighted task arithmetic per ray of
// `rays` (given order). Never fails.
std::vector<Baseline> ListBaselines(const BaselineSet& set, int64_t num_tasks,
                                    const std::vector<Ray>& rays);

// The merge coefficients c (length T) of a non-pretrained baseline. InvalidArgument for an
// expert index outside [0, T), a non-finite lambda, or a ray ValidateRay rejects.
Status BaselineCoefficients(const Baseline& baseline, int64_t num_tasks, std::vector<double>* out);

// The parameters of `baseline` over `pool` into *out (replaced; untouched on error). Pretrained:
// the pool's pretrained map itself (shared handles). Others: moe::WeightedMerge with
// BaselineCoefficients (fresh tensors; shared handles for non-floating keys). Errors as
// BaselineCoefficients and WeightedMerge.
Status BaselineParams(const moe::ModelPool& pool, const Baseline& baseline, io::TensorMap* out);

}  // namespace pwemoe::eval

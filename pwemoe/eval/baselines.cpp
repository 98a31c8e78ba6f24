#include "pwemoe/eval/baselines.h"

#include <cmath>
#include <cstdio>

#include "pwemoe/eval/ray_check.h"
#include "pwemoe/moe/weighted_merge.h"

namespace pwemoe::eval {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string BaselineName(const Baseline& b, const std::vector<std::string>& tasks) {
  switch (b.kind) {
    case BaselineKind::kPretrained:
      return "pretrained";
    case BaselineKind::kExpert:
      return "expert:" + (b.expert >= 0 && b.expert < static_cast<int64_t>(tasks.size())
                              ? tasks[b.expert]
                              : std::to_string(b.expert));
    case BaselineKind::kSimpleAverage:
      return "simple_average";
    case BaselineKind::kTaskArithmetic:
      return "task_arithmetic:" + Num(b.lambda);
    case BaselineKind::kWeightedTaskArithmetic: {
      std::string name = "weighted_task_arithmetic:" + Num(b.lambda) + ":";
      for (size_t i = 0; i < b.ray.size(); ++i) name += (i ? "," : "") + Num(b.ray[i]);
      return name;
    }
  }
  return "unknown";
}

std::vector<Baseline> ListBaselines(const BaselineSet& set, int64_t num_tasks,
                                    const std::vector<Ray>& rays) {
  std::vector<Baseline> out;
  if (set.pretrained) out.push_back({BaselineKind::kPretrained, 0, 0.0, {}});
  for (int64_t i = 0; set.experts && i < num_tasks; ++i) {
    out.push_back({BaselineKind::kExpert, i, 0.0, {}});
  }
  if (set.simple_average) out.push_back({BaselineKind::kSimpleAverage, 0, 0.0, {}});
  for (double lambda : set.task_arithmetic) {
    out.push_back({BaselineKind::kTaskArithmetic, 0, lambda, {}});
  }
  for (size_t k = 0; set.weighted_task_arithmetic && k < rays.size(); ++k) {
    out.push_back({BaselineKind::kWeightedTaskArithmetic, 0, set.weighted_lambda, rays[k]});
  }
  return out;
}

Status BaselineCoefficients(const Baseline& b, int64_t num_tasks, std::vector<double>* out) {
  if ((b.kind == BaselineKind::kTaskArithmetic ||
       b.kind == BaselineKind::kWeightedTaskArithmetic) && !std::isfinite(b.lambda)) {
    return Status::InvalidArgument("baseline: lambda " + Num(b.lambda) + " is not finite");
  }
  switch (b.kind) {
    case BaselineKind::kPretrained:
      *out = std::vector<double>(num_tasks, 0.0);
      return Status::Ok();
    case BaselineKind::kExpert:
      if (b.expert < 0 || b.expert >= num_tasks) {
        return Status::InvalidArgument("baseline: expert index " + std::to_string(b.expert) +
                                       " is outside [0, " + std::to_string(num_tasks) + ")");
      }
      *out = std::vector<double>(num_tasks, 0.0);
      (*out)[b.expert] = 1.0;
      return Status::Ok();
    case BaselineKind::kSimpleAverage:
      *out = moe::SimpleAverageCoefficients(num_tasks);
      return Status::Ok();
    case BaselineKind::kTaskArithmetic:
      *out = moe::TaskArithmeticCoefficients(num_tasks, b.lambda);
      return Status::Ok();
    case BaselineKind::kWeightedTaskArithmetic:
      PWEMOE_RETURN_IF_ERROR(ValidateRay(b.ray, num_tasks, "baseline ray"));
      *out = moe::PreferenceTaskArithmeticCoefficients(b.ray, b.lambda);
      return Status::Ok();
  }
  return Status::InvalidArgument("baseline: unknown kind");
}

Status BaselineParams(const moe::ModelPool& pool, const Baseline& baseline, io::TensorMap* out) {
  std::vector<double> c;
  PWEMOE_RETURN_IF_ERROR(BaselineCoefficients(baseline, pool.num_tasks(), &c));
  if (baseline.kind == BaselineKind::kPretrained) {
    *out = pool.pretrained;
    return Status::Ok();
  }
  return moe::WeightedMerge(pool, c, out);
}

}  // namespace pwemoe::eval

#include "pwemoe/moe/weighted_merge.h"

#include <cmath>
#include <utility>

#include "pwemoe/moe/merge_dtype.h"

namespace pwemoe::moe {

namespace {

Status CheckCoefficients(const ModelPool& pool, const std::vector<double>& c) {
  if (static_cast<int64_t>(c.size()) != pool.num_tasks()) {
    return Status::InvalidArgument("weighted merge: " + std::to_string(c.size()) +
                                   " coefficients for " + std::to_string(pool.num_tasks()) +
                                   " tasks");
  }
  for (double v : c) {
    if (!std::isfinite(v)) return Status::InvalidArgument("weighted merge: non-finite coefficient");
  }
  return Status::Ok();
}

// A key that is not merged: widened when floating, else the pretrained tensor itself.
torch::Tensor Unmerged(const torch::Tensor& pre) {
  if (!torch::isFloatingType(pre.scalar_type())) return pre;
  return pre.detach().to(internal::WorkDType(pre.scalar_type()));
}

}  // namespace

std::vector<double> SimpleAverageCoefficients(int64_t num_tasks) {
  return std::vector<double>(num_tasks, 1.0 / static_cast<double>(num_tasks));
}

std::vector<double> TaskArithmeticCoefficients(int64_t num_tasks, double lambda) {
  return std::vector<double>(num_tasks, lambda);
}

std::vector<double> PreferenceTaskArithmeticCoefficients(const std::vector<double>& ray,
                                                         double lambda) {
  std::vector<double> c;
  for (double r : ray) c.push_back(lambda * r);
  return c;
}

Status WeightedMergeKey(const ModelPool& pool, const std::string& key,
                        const std::vector<double>& coefficients, torch::Tensor* out) {
  PWEMOE_RETURN_IF_ERROR(CheckCoefficients(pool, coefficients));
  auto pre = pool.pretrained.find(key);
  if (pool.experts.empty() || pool.experts.size() != coefficients.size() ||
      pre == pool.pretrained.end() || pool.experts[0].count(key) == 0 ||
      !torch::isFloatingType(pre->second.scalar_type())) {
    return Status::InvalidArgument("weighted merge: tensor '" + key + "' is not a merged key");
  }
  try {
    torch::NoGradGuard no_grad;
    double sum = 0;
    for (double c : coefficients) sum += c;
    const torch::ScalarType work = internal::WorkDType(pre->second.scalar_type());
    torch::Tensor merged = torch::mul(pre->second.to(work), 1.0 - sum);
    for (int64_t i = 0; i < pool.num_tasks(); ++i) {
      merged.add_(pool.experts[i].at(key), coefficients[i]);
    }
    *out = std::move(merged);
  } catch (const std::exception& e) {
    return Status::Internal("weighted merge: tensor '" + key + "': " + internal::ExceptionText(e));
  }
  return Status::Ok();
}

Status WeightedMerge(const ModelPool& pool, const std::vector<double>& coefficients,
                     TensorMap* out) {
  PWEMOE_RETURN_IF_ERROR(ValidateModelPool(pool));
  PWEMOE_RETURN_IF_ERROR(CheckCoefficients(pool, coefficients));
  TensorMap merged;
  try {
    for (const auto& [key, pre] : pool.pretrained) {
      if (pool.experts[0].count(key) != 0 && torch::isFloatingType(pre.scalar_type())) {
        PWEMOE_RETURN_IF_ERROR(WeightedMergeKey(pool, key, coefficients, &merged[key]));
      } else {
        merged[key] = Unmerged(pre);
      }
    }
  } catch (const std::exception& e) {
    return Status::Internal("weighted merge: " + internal::ExceptionText(e));
  }
  *out = std::move(merged);
  return Status::Ok();
}

}  // namespace pwemoe::moe

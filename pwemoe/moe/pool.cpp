#include "pwemoe/moe/pool.h"

#include <set>
#include <utility>

#include "pwemoe/moe/merge_dtype.h"

namespace pwemoe::moe {

namespace {

using internal::ShapeString;

constexpr const char* kWhere = "model pool: ";

// "model pool: task 'X': tensor 'K': "
std::string At(const std::string& task, const std::string& key) {
  return std::string(kWhere) + "task '" + task + "': tensor '" + key + "': ";
}

Status CheckNamesAndCounts(const ModelPool& pool) {
  if (pool.tasks.empty()) return Status::InvalidArgument(std::string(kWhere) + "no task");
  std::set<std::string> seen;
  for (const std::string& name : pool.tasks) {
    if (name.empty()) return Status::InvalidArgument(std::string(kWhere) + "empty task name");
    if (!seen.insert(name).second) {
      return Status::InvalidArgument(std::string(kWhere) + "task '" + name + "' appears twice");
    }
  }
  const size_t t = pool.tasks.size();
  if (pool.experts.size() != t || (!pool.heads.empty() && pool.heads.size() != t)) {
    return Status::InvalidArgument(std::string(kWhere) + std::to_string(t) + " tasks but " +
                                   std::to_string(pool.experts.size()) + " experts and " +
                                   std::to_string(pool.heads.size()) + " heads");
  }
  for (size_t i = 0; i < pool.heads.size(); ++i) {
    Status st = model::ValidateHead("task '" + pool.tasks[i] + "' head", pool.heads[i]);
    if (!st.ok()) return Status::InvalidArgument(kWhere + st.message());
  }
  return Status::Ok();
}

// One expert tensor against the pretrained one.
Status CheckTensor(const std::string& task, const std::string& key, const torch::Tensor& expert,
                   const TensorMap& pretrained) {
  auto it = pretrained.find(key);
  if (it == pretrained.end()) {
    return Status::NotFound(std::string(kWhere) + "task '" + task + "': expert tensor '" + key +
                            "' is not in the pretrained model");
  }
  const torch::Tensor& pre = it->second;
  if (!pre.defined()) return Status::InvalidArgument(At("pretrained", key) + "undefined");
  if (!expert.defined()) return Status::InvalidArgument(At(task, key) + "undefined");
  if (expert.sizes() != pre.sizes()) {
    return Status::InvalidArgument(At(task, key) + "expert shape " + ShapeString(expert.sizes()) +
                                   " differs from the pretrained shape " +
                                   ShapeString(pre.sizes()));
  }
  if (expert.scalar_type() != pre.scalar_type()) {
    return Status::InvalidArgument(
        At(task, key) + "expert dtype " + c10::toString(expert.scalar_type()) +
        " differs from the pretrained dtype " + c10::toString(pre.scalar_type()));
  }
  if (expert.device() != pre.device()) {
    return Status::InvalidArgument(At(task, key) + "expert device " + expert.device().str() +
                                   " differs from the pretrained device " + pre.device().str());
  }
  return Status::Ok();
}

// Expert `i` holds exactly the keys of expert 0.
Status CheckSameKeys(const ModelPool& pool, size_t i) {
  const TensorMap& first = pool.experts[0];
  const TensorMap& other = pool.experts[i];
  for (const auto& entry : first) {
    if (other.count(entry.first) == 0) {
      return Status::NotFound(std::string(kWhere) + "task '" + pool.tasks[i] + "': tensor '" +
                              entry.first + "' is missing (task '" + pool.tasks[0] + "' has it)");
    }
  }
  for (const auto& entry : other) {
    if (first.count(entry.first) == 0) {
      return Status::NotFound(std::string(kWhere) + "task '" + pool.tasks[0] + "': tensor '" +
                              entry.first + "' is missing (task '" + pool.tasks[i] + "' has it)");
    }
  }
  return Status::Ok();
}

Status CheckMergeable(const ModelPool& pool, int64_t task, const std::string& key) {
  if (task < 0 || task >= static_cast<int64_t>(pool.experts.size())) {
    return Status::InvalidArgument(std::string(kWhere) + "task index " + std::to_string(task) +
                                   " out of range [0, " + std::to_string(pool.experts.size()) +
                                   ")");
  }
  auto pre = pool.pretrained.find(key);
  if (pool.experts[task].count(key) == 0 || pre == pool.pretrained.end() ||
      !torch::isFloatingType(pre->second.scalar_type())) {
    return Status::InvalidArgument(std::string(kWhere) + "tensor '" + key +
                                   "' is not a merged key");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateModelPool(const ModelPool& pool) {
  PWEMOE_RETURN_IF_ERROR(CheckNamesAndCounts(pool));
  for (size_t i = 0; i < pool.experts.size(); ++i) {
    for (const auto& [key, tensor] : pool.experts[i]) {
      PWEMOE_RETURN_IF_ERROR(CheckTensor(pool.tasks[i], key, tensor, pool.pretrained));
    }
    if (i > 0) PWEMOE_RETURN_IF_ERROR(CheckSameKeys(pool, i));
  }
  return Status::Ok();
}

std::vector<std::string> MergedKeys(const ModelPool& pool) {
  std::vector<std::string> keys;
  if (pool.experts.empty()) return keys;
  for (const auto& entry : pool.experts[0]) {
    auto pre = pool.pretrained.find(entry.first);
    if (pre != pool.pretrained.end() && torch::isFloatingType(pre->second.scalar_type())) {
      keys.push_back(entry.first);
    }
  }
  return keys;
}

Status TaskVector(const ModelPool& pool, int64_t task, const std::string& key, torch::Tensor* out) {
  PWEMOE_RETURN_IF_ERROR(CheckMergeable(pool, task, key));
  try {
    torch::NoGradGuard no_grad;
    const torch::Tensor& pre = pool.pretrained.at(key);
    torch::ScalarType work = internal::WorkDType(pre.scalar_type());
    *out = torch::sub(pool.experts[task].at(key).to(work), pre.to(work));
  } catch (const std::exception& e) {
    return Status::Internal(std::string(kWhere) + "task vector of '" + key +
                            "': " + internal::ExceptionText(e));
  }
  return Status::Ok();
}

Status StackedTaskVectors(const ModelPool& pool, const std::string& key, torch::Tensor* out) {
  PWEMOE_RETURN_IF_ERROR(CheckMergeable(pool, 0, key));
  try {
    torch::NoGradGuard no_grad;
    const torch::Tensor& pre = pool.pretrained.at(key);
    torch::ScalarType work = internal::WorkDType(pre.scalar_type());
    std::vector<int64_t> shape{pool.num_tasks()};
    shape.insert(shape.end(), pre.sizes().begin(), pre.sizes().end());
    torch::Tensor stacked = torch::empty(shape, pre.options().dtype(work));
    torch::Tensor pre_work = pre.to(work);
    for (int64_t i = 0; i < pool.num_tasks(); ++i) {
      // Written straight into its row: no temporary per task.
      torch::Tensor row = stacked[i];
      torch::sub_out(row, pool.experts[i].at(key).to(work), pre_work);
    }
    *out = std::move(stacked);
  } catch (const std::exception& e) {
    return Status::Internal(std::string(kWhere) + "task vectors of '" + key +
                            "': " + internal::ExceptionText(e));
  }
  return Status::Ok();
}

}  // namespace pwemoe::moe

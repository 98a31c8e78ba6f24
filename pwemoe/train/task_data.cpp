#include "pwemoe/train/task_data.h"

#include <string>
#include <utility>

namespace pwemoe::train {

TaskData DatasetTaskData(std::shared_ptr<const data::Dataset> dataset) {
  TaskData out;
  if (!dataset || !dataset->is_open()) return out;
  out.size = static_cast<int64_t>(dataset->labels().size());
  out.read = [dataset](const std::vector<int64_t>& indices, torch::Tensor* pixels,
                       torch::Tensor* labels) {
    return data::ReadIndices(*dataset, indices, pixels, labels);
  };
  return out;
}

TaskData TensorTaskData(torch::Tensor pixels, torch::Tensor labels) {
  TaskData out;
  if (!pixels.defined() || !labels.defined() || pixels.dim() != 4 || labels.dim() != 1 ||
      pixels.size(0) != labels.size(0)) {
    return out;
  }
  const int64_t n = labels.size(0);
  out.size = n;
  out.read = [pixels, labels, n](const std::vector<int64_t>& indices, torch::Tensor* px,
                                 torch::Tensor* lb) {
    for (int64_t i : indices) {
      if (i < 0 || i >= n) {
        return Status::InvalidArgument("in-memory task data: index " + std::to_string(i) +
                                       " outside [0, " + std::to_string(n) + ")");
      }
    }
    try {
      torch::Tensor idx = torch::tensor(indices, torch::kInt64);
      *px = pixels.index_select(0, idx);
      *lb = labels.index_select(0, idx).to(torch::kInt64);
    } catch (const c10::Error& e) {
      return Status::Internal(std::string("in-memory task data: ") + e.what_without_backtrace());
    }
    return Status::Ok();
  };
  return out;
}

}  // namespace pwemoe::train

#include "worker/unit_records.h"

#include <limits>
#include <utility>

#include "pwemoe/moe/router_io.h"

namespace pwemoe::worker {

results::TrainStep ToTrainStep(const train::StepRecord& r, train::Variant variant) {
  results::TrainStep s;
  s.step = r.step;
  s.lr = r.lr;
  s.ray = r.ray;
  s.losses = r.losses;
  s.loss_weights = r.loss_weights;
  s.total_loss = r.total_loss;
  if (variant == train::Variant::kEpo) {
    s.epo_alpha = r.epo_alpha;
    s.epo_mu = r.epo_mu;
    s.epo_mode = r.epo_mode;
  } else {
    s.epo_mu = std::numeric_limits<double>::quiet_NaN();
  }
  return s;
}

Status ToNamedTensors(const io::TensorMap& tensors, std::vector<results::NamedTensor>* out) {
  std::vector<results::NamedTensor> named;
  try {
    for (const auto& [name, tensor] : tensors) {
      torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
      results::NamedTensor n{name, t.sizes().vec(), {}};
      n.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
      named.push_back(std::move(n));
    }
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("router tensors: ") + e.what_without_backtrace());
  }
  *out = std::move(named);
  return Status::Ok();
}

Status RoutersToNamed(const std::vector<moe::Router>& routers,
                      std::vector<results::NamedTensor>* out) {
  io::TensorMap map;
  PWEMOE_RETURN_IF_ERROR(moe::RoutersToTensorMap(routers, &map));
  return ToNamedTensors(map, out);
}

Status NamedToTensorMap(const std::string& name, const std::vector<results::NamedTensor>& tensors,
                        io::TensorMap* out) {
  io::TensorMap map;
  for (const results::NamedTensor& t : tensors) {
    int64_t n = 1;
    for (int64_t d : t.shape) n = d < 0 ? -1 : n * d;
    if (n < 0 || static_cast<int64_t>(t.values.size()) != n) {
      return Status::Corrupt(name + ": tensor '" + t.name + "' has " +
                             std::to_string(t.values.size()) + " values for its shape");
    }
    if (!map.emplace(t.name, torch::tensor(t.values, torch::kFloat32).reshape(t.shape)).second) {
      return Status::Corrupt(name + ": tensor '" + t.name + "' appears twice");
    }
  }
  *out = std::move(map);
  return Status::Ok();
}

Status RoutersFromNamed(const std::string& name, const std::vector<results::NamedTensor>& tensors,
                        const moe::RouterLayout& layout, std::vector<moe::Router>* out) {
  io::TensorMap map;
  PWEMOE_RETURN_IF_ERROR(NamedToTensorMap(name, tensors, &map));
  Status st = moe::RoutersFromTensorMap(name, map, layout, out);
  if (st.code() == Status::Code::kNotFound) return Status::Corrupt(st.message());
  return st;
}

}  // namespace pwemoe::worker

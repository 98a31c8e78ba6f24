#include "pwemoe/moe/router.h"

#include <ATen/CPUGeneratorImpl.h>

#include <set>
#include <utility>

#include "pwemoe/moe/merge_dtype.h"

namespace pwemoe::moe {

namespace {

using internal::ShapeString;

constexpr double kInitStd = 0.01;

// "router 'M': "
std::string Where(const Router& router) { return "router '" + router.module + "': "; }

torch::Tensor Leaf(torch::Tensor t) { return t.detach().requires_grad_(true); }

// The parameters of one router in RouterParamSuffixes order, as float64 CPU tensors.
std::vector<torch::Tensor> InitParams(int hidden_layers, int64_t t, double init_lambda,
                                      at::Generator& gen) {
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  std::vector<torch::Tensor> p;
  if (hidden_layers == 0) {
    p.push_back(torch::full({t}, init_lambda, f64));
  } else if (hidden_layers == 1) {
    p.push_back(at::normal(0.0, kInitStd, {t, t}, gen, f64));
    p.push_back(torch::full({t}, init_lambda, f64));
  } else {
    p.push_back(at::normal(0.0, kInitStd, {2 * t, t}, gen, f64));
    p.push_back(torch::zeros({2 * t}, f64));
    p.push_back(at::normal(0.0, kInitStd, {t, 2 * t}, gen, f64));
    p.push_back(torch::full({t}, init_lambda, f64));
  }
  return p;
}

Status CheckInitArgs(const std::vector<std::string>& modules, int64_t num_tasks,
                     const RouterInit& init) {
  if (init.hidden_layers < 0 || init.hidden_layers > 2) {
    return Status::InvalidArgument("routers: hidden_layers " + std::to_string(init.hidden_layers) +
                                   " is not 0, 1 or 2");
  }
  if (num_tasks < 1) return Status::InvalidArgument("routers: need at least one task");
  if (!torch::isFloatingType(init.dtype)) {
    return Status::InvalidArgument(std::string("routers: dtype ") + c10::toString(init.dtype) +
                                   " is not floating point");
  }
  std::set<std::string> seen;
  for (const std::string& m : modules) {
    if (m.empty() || !seen.insert(m).second) {
      return Status::InvalidArgument("routers: empty or repeated module name '" + m + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> RouterParamSuffixes(int hidden_layers) {
  switch (hidden_layers) {
    case 0:
      return {"gate.weight"};
    case 1:
      return {"gate.0.weight", "gate.0.bias"};
    case 2:
      return {"gate.0.weight", "gate.0.bias", "gate.2.weight", "gate.2.bias"};
    default:
      return {};
  }
}

std::vector<std::vector<int64_t>> RouterParamShapes(int hidden_layers, int64_t t) {
  switch (hidden_layers) {
    case 0:
      return {{t}};
    case 1:
      return {{t, t}, {t}};
    case 2:
      return {{2 * t, t}, {2 * t}, {t, 2 * t}, {t}};
    default:
      return {};
  }
}

int64_t RouterParamCount(int hidden_layers, int64_t t) {
  int64_t n = 0;
  for (const auto& shape : RouterParamShapes(hidden_layers, t)) {
    int64_t numel = 1;
    for (int64_t d : shape) numel *= d;
    n += numel;
  }
  return n;
}

int64_t TrainableParamCount(const std::vector<Router>& routers) {
  int64_t n = 0;
  for (const Router& r : routers) {
    for (const torch::Tensor& p : r.params) n += p.defined() ? p.numel() : 0;
  }
  return n;
}

Status InitRouters(const std::vector<std::string>& modules, int64_t num_tasks,
                   const RouterInit& init, std::vector<Router>* out) {
  PWEMOE_RETURN_IF_ERROR(CheckInitArgs(modules, num_tasks, init));
  try {
    torch::NoGradGuard no_grad;
    at::Generator gen = at::detail::createCPUGenerator(init.seed);
    std::vector<Router> routers;
    for (const std::string& module : modules) {
      Router r{module, init.hidden_layers, num_tasks, {}};
      for (torch::Tensor& p : InitParams(init.hidden_layers, num_tasks, init.init_lambda, gen)) {
        r.params.push_back(Leaf(p.to(init.dtype)));
      }
      routers.push_back(std::move(r));
    }
    *out = std::move(routers);
  } catch (const std::exception& e) {
    return Status::Internal("routers: " + internal::ExceptionText(e));
  }
  return Status::Ok();
}

Status ValidateRouter(const Router& router) {
  const std::vector<std::string> names = RouterParamSuffixes(router.hidden_layers);
  if (names.empty() || router.num_tasks < 1) {
    return Status::InvalidArgument(Where(router) + "hidden_layers " +
                                   std::to_string(router.hidden_layers) + " and num_tasks " +
                                   std::to_string(router.num_tasks) + " are not valid");
  }
  const auto shapes = RouterParamShapes(router.hidden_layers, router.num_tasks);
  if (router.params.size() != names.size()) {
    return Status::InvalidArgument(Where(router) + std::to_string(router.params.size()) +
                                   " tensors, expected " + std::to_string(names.size()));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    const torch::Tensor& p = router.params[i];
    const torch::Tensor& first = router.params[0];
    if (!p.defined() || p.sizes() != c10::IntArrayRef(shapes[i]) ||
        !torch::isFloatingType(p.scalar_type()) || p.scalar_type() != first.scalar_type() ||
        p.device() != first.device()) {
      return Status::InvalidArgument(Where(router) + "parameter '" + names[i] +
                                     "' must be a defined floating tensor of shape " +
                                     ShapeString(shapes[i]) +
                                     " with the dtype and device of the first");
    }
  }
  return Status::Ok();
}

Status RouterWeights(const Router& router, const torch::Tensor& ray, torch::Tensor* weights) {
  PWEMOE_RETURN_IF_ERROR(ValidateRouter(router));
  if (!ray.defined() || ray.dim() != 1 || ray.size(0) != router.num_tasks ||
      !torch::isFloatingType(ray.scalar_type())) {
    return Status::InvalidArgument(
        Where(router) + "the ray must be a 1-D floating tensor of length " +
        std::to_string(router.num_tasks) + ", got " +
        (ray.defined() ? ShapeString(ray.sizes()) : std::string("an undefined tensor")));
  }
  try {
    const std::vector<torch::Tensor>& p = router.params;
    if (router.hidden_layers == 0) {
      *weights = p[0];
      return Status::Ok();
    }
    torch::Tensor r = ray.to(p[0].options());
    if (router.hidden_layers == 1) {
      *weights = torch::linear(r, p[0], p[1]);
    } else {
      *weights = torch::linear(torch::relu(torch::linear(r, p[0], p[1])), p[2], p[3]);
    }
  } catch (const std::exception& e) {
    return Status::Internal(Where(router) + internal::ExceptionText(e));
  }
  return Status::Ok();
}

std::vector<torch::Tensor> RouterParameters(const std::vector<Router>& routers) {
  std::vector<torch::Tensor> out;
  for (const Router& r : routers) out.insert(out.end(), r.params.begin(), r.params.end());
  return out;
}

Status RoutersTo(const std::vector<Router>& routers, const torch::Device& device,
                 std::vector<Router>* out) {
  try {
    torch::NoGradGuard no_grad;
    std::vector<Router> moved;
    for (const Router& r : routers) {
      Router m{r.module, r.hidden_layers, r.num_tasks, {}};
      for (const torch::Tensor& p : r.params) {
        m.params.push_back(Leaf(p.to(device, /*non_blocking=*/false, /*copy=*/true)));
      }
      moved.push_back(std::move(m));
    }
    *out = std::move(moved);
  } catch (const std::exception& e) {
    return Status::Internal("routers: moving to " + device.str() + ": " +
                            internal::ExceptionText(e));
  }
  return Status::Ok();
}

}  // namespace pwemoe::moe

#include "pwemoe/moe/router_io.h"

#include <set>
#include <utility>

#include "pwemoe/moe/merge_dtype.h"

namespace pwemoe::moe {

namespace {

using internal::ShapeString;

std::string Key(const std::string& module, const std::string& suffix) {
  return module + "." + suffix;
}

// "<name>: tensor '<key>': "
std::string At(const std::string& name, const std::string& key) {
  return name + ": tensor '" + key + "': ";
}

// Every key the layout expects.
std::set<std::string> LayoutKeys(const RouterLayout& layout) {
  std::set<std::string> keys;
  for (const std::string& m : layout.modules) {
    for (const std::string& s : RouterParamSuffixes(layout.hidden_layers)) keys.insert(Key(m, s));
  }
  return keys;
}

Status ReadRouter(const std::string& name, const io::TensorMap& tensors, const RouterLayout& layout,
                  const std::string& module, Router* out) {
  const auto suffixes = RouterParamSuffixes(layout.hidden_layers);
  const auto shapes = RouterParamShapes(layout.hidden_layers, layout.num_tasks);
  Router r{module, layout.hidden_layers, layout.num_tasks, {}};
  for (size_t i = 0; i < suffixes.size(); ++i) {
    const std::string key = Key(module, suffixes[i]);
    auto it = tensors.find(key);
    if (it == tensors.end()) return Status::NotFound(name + ": missing tensor '" + key + "'");
    const torch::Tensor& t = it->second;
    if (!t.defined() || t.sizes() != c10::IntArrayRef(shapes[i])) {
      return Status::Corrupt(At(name, key) + "shape " +
                             (t.defined() ? ShapeString(t.sizes()) : "undefined") + ", expected " +
                             ShapeString(shapes[i]));
    }
    if (!torch::isFloatingType(t.scalar_type()) ||
        (i > 0 && t.scalar_type() != r.params[0].scalar_type())) {
      return Status::Corrupt(At(name, key) + "dtype " + c10::toString(t.scalar_type()) +
                             ", expected the floating dtype of '" + Key(module, suffixes[0]) + "'");
    }
    r.params.push_back(t.detach().to(torch::kCPU, false, /*copy=*/true).requires_grad_(true));
  }
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace

RouterLayout LayoutOf(const std::vector<Router>& routers) {
  RouterLayout layout;
  for (const Router& r : routers) layout.modules.push_back(r.module);
  if (!routers.empty()) {
    layout.num_tasks = routers[0].num_tasks;
    layout.hidden_layers = routers[0].hidden_layers;
  }
  return layout;
}

Status RoutersToTensorMap(const std::vector<Router>& routers, io::TensorMap* out) {
  io::TensorMap map;
  try {
    for (const Router& r : routers) {
      PWEMOE_RETURN_IF_ERROR(ValidateRouter(r));
      const auto suffixes = RouterParamSuffixes(r.hidden_layers);
      for (size_t i = 0; i < suffixes.size(); ++i) {
        torch::Tensor copy = r.params[i].detach().to(torch::kCPU, false, /*copy=*/true);
        if (!map.emplace(Key(r.module, suffixes[i]), copy.contiguous()).second) {
          return Status::InvalidArgument("routers: module '" + r.module + "' appears twice");
        }
      }
    }
  } catch (const std::exception& e) {
    return Status::Internal("routers: " + internal::ExceptionText(e));
  }
  *out = std::move(map);
  return Status::Ok();
}

Status RoutersFromTensorMap(const std::string& name, const io::TensorMap& tensors,
                            const RouterLayout& layout, std::vector<Router>* out) {
  if (RouterParamSuffixes(layout.hidden_layers).empty() || layout.num_tasks < 1) {
    return Status::InvalidArgument(name + ": router layout with hidden_layers " +
                                   std::to_string(layout.hidden_layers) + " and num_tasks " +
                                   std::to_string(layout.num_tasks) + " is not valid");
  }
  const std::set<std::string> expected = LayoutKeys(layout);
  for (const auto& entry : tensors) {
    if (expected.count(entry.first) == 0) {
      return Status::Corrupt(At(name, entry.first) + "not a parameter of the expected routers (" +
                             std::to_string(layout.hidden_layers) + " hidden layers over " +
                             std::to_string(layout.modules.size()) + " modules)");
    }
  }
  std::vector<Router> routers(layout.modules.size());
  try {
    for (size_t i = 0; i < layout.modules.size(); ++i) {
      PWEMOE_RETURN_IF_ERROR(ReadRouter(name, tensors, layout, layout.modules[i], &routers[i]));
    }
  } catch (const std::exception& e) {
    return Status::Internal(name + ": " + internal::ExceptionText(e));
  }
  *out = std::move(routers);
  return Status::Ok();
}

Status SaveRouters(const std::string& path, const std::vector<Router>& routers,
                   const std::map<std::string, std::string>& metadata) {
  io::TensorMap map;
  PWEMOE_RETURN_IF_ERROR(RoutersToTensorMap(routers, &map));
  return io::SaveTensors(path, map, metadata);
}

Status LoadRouters(const std::string& path, const RouterLayout& layout, std::vector<Router>* out) {
  io::TensorMap map;
  PWEMOE_RETURN_IF_ERROR(io::LoadTensors(path, &map));
  return RoutersFromTensorMap(path, map, layout, out);
}

}  // namespace pwemoe::moe

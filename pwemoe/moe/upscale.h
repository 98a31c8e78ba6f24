// Upscaling a model pool into PWE MoE form (docs/DESIGN.md, "What the system does", item 1): the
// modules chosen by name patterns (module_patterns.h; default every `mlp`) keep their pretrained
// weights W0 and stacked task vectors, each with a router (router.h); every other merged key is
// merged once by task arithmetic, theta_pre + init_lambda * sum_i tau_i (the pretrained value
// when init_lambda == 0); pretrained-only keys are used as they are.
//
// Thread safety: no function keeps state; an UpscaledModel is read-only once built and may be
// shared by any number of concurrent merges.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/moe/module_patterns.h"
#include "pwemoe/moe/pool.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/util/status.h"

namespace pwemoe::moe {

struct UpscaleOptions {
  std::vector<std::string> patterns = {"mlp"};  // module-name patterns, module_patterns.h
  double init_lambda = 0.3;                     // task-arithmetic scale; routers' output bias
  int router_hidden_layers = 2;                 // 0, 1 or 2
  uint64_t seed = 0;                            // router initialisation
  torch::ScalarType router_dtype = torch::kFloat32;
};

// One upscaled parameter. `base` is W0 (the pretrained tensor, in float32 or float64, see
// weighted_merge.h; it may share storage with the pool); `task_vectors` is a fresh contiguous
// [T, ...shape] tensor of the same dtype, row i = tau_i. Neither requires grad.
struct UpscaledParam {
  std::string key;
  torch::Tensor base;
  torch::Tensor task_vectors;
};

struct UpscaledModule {
  std::string name;                   // e.g. "vision_model.encoder.layers.3.mlp"
  std::vector<UpscaledParam> params;  // its merged keys, NaturalLess order
};

// The upscaled model without its routers. `fixed` holds every pretrained key that is not
// upscaled (task-arithmetic merges as fresh tensors; other tensors may share storage with the
// pool), `modules` the upscaled modules in NaturalLess order. Independent of the pool's experts
// once built: they may be freed.
struct UpscaledModel {
  int64_t num_tasks = 0;
  TensorMap fixed;
  std::vector<UpscaledModule> modules;
};

// Builds the upscaled model of `pool` for `patterns` and `init_lambda` (finite) into *out
// (replaced; untouched on error). Errors as ValidateModelPool and SelectModules (a pattern that
// matches nothing: InvalidArgument naming it); InvalidArgument for a non-finite init_lambda;
// Internal with LibTorch's message (for example, out of memory).
Status UpscaleModel(const ModelPool& pool, const std::vector<std::string>& patterns,
                    double init_lambda, UpscaledModel* out);

// The upscaled modules' names in order (what InitRouters and RouterLayout take).
std::vector<std::string> ModuleNames(const UpscaledModel& model);

// UpscaleModel, then InitRouters(ModuleNames, T, {hidden layers, init_lambda, seed, dtype}), then
// one info log line: the number of upscaled modules and of trainable router parameters (264 for
// ViT-B/32 MLPs with T = 2 and two hidden layers). Errors as those two; *model and *routers are
// replaced only when both succeed.
Status Upscale(const ModelPool& pool, const UpscaleOptions& options, UpscaledModel* model,
               std::vector<Router>* routers);

// A copy of `model` on `device` (tensors already there are shared). Internal with LibTorch's
// message on failure.
Status UpscaledModelTo(const UpscaledModel& model, const torch::Device& device, UpscaledModel* out);

}  // namespace pwemoe::moe

// Routers of PWE MoE: per upscaled module, a small MLP from the preference ray r (length T) to T
// routing weights w(r) (docs/DESIGN.md, "What the system does", item 2):
//   0 hidden layers: w = weight, a learned vector initialised to init_lambda (r is ignored);
//   1: w = Linear(T, T)(r),  weight ~ N(0, 0.01^2), bias = init_lambda;
//   2: w = Linear(2T, T)(ReLU(Linear(T, 2T)(r))), first weight ~ N(0, 0.01^2) and bias 0, second
//      weight ~ N(0, 0.01^2) and bias init_lambda.
// Linear weights are stored [out, in] (PyTorch's nn.Linear). Parameter names follow fusion_bench's
// PWE MoE (fusion_bench/method/pwe_moe/module.py): ParetoWeightEnsemblingModule.gate is an
// nn.Sequential, so its keys are "gate.0.weight", "gate.0.bias" (and "gate.2.weight",
// "gate.2.bias"; index 1 is the ReLU); for 0 hidden layers, which that class does not implement,
// the name of PWEMoEGate's learned vector in the same file, "gate.weight".
//
// Thread safety: no function keeps state. Concurrent RouterWeights calls on one router are safe;
// training updates its tensors in place and must not run concurrently with readers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "pwemoe/util/status.h"

namespace pwemoe::moe {

struct Router {
  std::string module;     // the upscaled module's name; router file keys start with it
  int hidden_layers = 2;  // 0, 1 or 2
  int64_t num_tasks = 0;  // T >= 1
  // In RouterParamSuffixes(hidden_layers) order with RouterParamShapes; one floating dtype and
  // device. Routers made here hold leaf tensors that require grad (they are what trains).
  std::vector<torch::Tensor> params;
};

// Parameter names within a router, e.g. {"gate.0.weight", "gate.0.bias"} for 1 hidden layer. A
// router file key is module + "." + suffix. Empty for hidden_layers outside 0..2.
std::vector<std::string> RouterParamSuffixes(int hidden_layers);

// Shapes in RouterParamSuffixes order: {[T]}; {[T,T], [T]}; {[2T,T], [2T], [T,2T], [T]}.
std::vector<std::vector<int64_t>> RouterParamShapes(int hidden_layers, int64_t num_tasks);

// Parameters of one router: T; T^2 + T; 4T^2 + 3T. 0 for hidden_layers outside 0..2.
int64_t RouterParamCount(int hidden_layers, int64_t num_tasks);

// Total trainable parameters of `routers` (sum of their tensors' numel).
int64_t TrainableParamCount(const std::vector<Router>& routers);

struct RouterInit {
  int hidden_layers = 2;
  double init_lambda = 0.3;
  uint64_t seed = 0;
  torch::ScalarType dtype = torch::kFloat32;  // floating point
};

// One freshly initialised router per module name (in the given order), each with `num_tasks`
// inputs and outputs, on the CPU. Random weights come from one generator seeded by init.seed,
// drawn router by router in order (float64 draws, then cast), so the result depends only on the
// arguments. InvalidArgument for hidden_layers outside 0..2, num_tasks < 1, a non-floating dtype,
// or an empty or repeated module name. *out replaced on success.
Status InitRouters(const std::vector<std::string>& modules, int64_t num_tasks,
                   const RouterInit& init, std::vector<Router>* out);

// Checks one router's structure: hidden_layers in 0..2, num_tasks >= 1, params with the expected
// count and shapes, all defined, floating, one dtype and device. InvalidArgument naming the
// module and parameter otherwise.
Status ValidateRouter(const Router& router);

// w(r), a [T] tensor in the router's dtype and device, differentiable w.r.t. the router's params
// (with 0 hidden layers it is the weight tensor itself). `ray` is a 1-D floating tensor of length
// T (converted to the router's dtype and device). InvalidArgument naming the module for a ray of
// another shape or for a router ValidateRouter rejects; Internal with LibTorch's message.
Status RouterWeights(const Router& router, const torch::Tensor& ray, torch::Tensor* weights);

// Every router tensor in router order, then parameter order (handles sharing storage, for
// optimizers and gradient buffers).
std::vector<torch::Tensor> RouterParameters(const std::vector<Router>& routers);

// Copies of `routers` with every tensor moved to `device` as new leaves that require grad.
// Internal with LibTorch's message on failure.
Status RoutersTo(const std::vector<Router>& routers, const torch::Device& device,
                 std::vector<Router>* out);

}  // namespace pwemoe::moe

// Router parameters as name -> tensor maps and safetensors files, keyed as fusion_bench's PWE MoE
// state dicts are: "<module>.gate.0.weight", "<module>.gate.0.bias" (1 or 2 hidden layers),
// "<module>.gate.2.weight", "<module>.gate.2.bias" (2 hidden layers), "<module>.gate.weight"
// (0 hidden layers); see router.h. For example
// "vision_model.encoder.layers.0.mlp.gate.0.weight" [2T, T].
//
// Thread safety: no function keeps state; concurrent calls on distinct outputs are safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/util/status.h"

namespace pwemoe::moe {

// What a set of routers must look like: the upscaled modules in order, T and the depth.
struct RouterLayout {
  std::vector<std::string> modules;
  int64_t num_tasks = 0;
  int hidden_layers = 2;
};

// The layout of `routers` (their modules in order; T and depth of the first, or 0 and 2 when
// there is none).
RouterLayout LayoutOf(const std::vector<Router>& routers);

// Every router tensor under its file key, as a detached contiguous CPU copy in its own dtype, into
// *out (replaced). InvalidArgument when ValidateRouter rejects a router or two routers share a
// module; Internal with LibTorch's message.
Status RoutersToTensorMap(const std::vector<Router>& routers, io::TensorMap* out);

// Routers of `layout` from `tensors` (`name`, typically a path, starts every message), each a
// fresh CPU leaf tensor that requires grad, in the dtype it has in `tensors` (bit-exact). NotFound
// "<name>: missing tensor '<key>'"; Corrupt "<name>: tensor '<key>': ..." for a shape other than
// the layout's or a non-floating or mixed dtype within a router, and for a key the layout does not
// have. InvalidArgument for a layout with depth outside 0..2 or T < 1. *out replaced on success.
Status RoutersFromTensorMap(const std::string& name, const io::TensorMap& tensors,
                            const RouterLayout& layout, std::vector<Router>* out);

// RoutersToTensorMap, then io::SaveTensors(path, ..., metadata) (atomic). Errors as those.
Status SaveRouters(const std::string& path, const std::vector<Router>& routers,
                   const std::map<std::string, std::string>& metadata = {});

// io::LoadTensors(path) (F32 and F64 kept bit for bit, F16 / BF16 widened to F32 exactly), then
// RoutersFromTensorMap(path, ...). Errors as those; loading errors name the file.
Status LoadRouters(const std::string& path, const RouterLayout& layout, std::vector<Router>* out);

}  // namespace pwemoe::moe

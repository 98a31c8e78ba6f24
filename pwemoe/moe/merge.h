// Merging an upscaled model for a preference ray (docs/DESIGN.md, "What the system does", item 2):
// for every upscaled parameter
//
//   W(r) = W0 + sum_i w_i(r) tau_i,   w(r) = the module's router output,
//
// computed as one matrix-vector product over the stacked [T, numel] task vectors into a fresh
// output (torch::addmv: each task vector is read once, nothing else is materialised). The result
// is a full parameter map in Hugging Face layout: `fixed` plus the merged upscaled parameters.
//
// Thread safety: no function keeps state; the model and routers are only read, so concurrent
// merges are safe (not concurrently with an optimizer step on the same routers).
#pragma once

#include <vector>

#include <torch/torch.h>

#include "pwemoe/moe/router.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/util/status.h"

namespace pwemoe::moe {

// The merged parameters for explicit per-module weights: weights[m] is a [T] floating tensor
// for model.modules[m] (on the model's device; converted to the task vectors' dtype). Gradients
// flow from the merged tensors into `weights` when they require grad. *out (replaced) holds the
// `fixed` tensors themselves (shared, not copied) and a fresh tensor per upscaled parameter.
// InvalidArgument for a weights count other than the module count or a weight that is not 1-D
// of length T; Internal with LibTorch's message. *out untouched on error.
Status MergeWithWeights(const UpscaledModel& model, const std::vector<torch::Tensor>& weights,
                        TensorMap* out);

// The routed merge: weights from each module's router at `ray` (RouterWeights), then
// MergeWithWeights, differentiable w.r.t. every router parameter (training backpropagates through
// it; pass the map to model::ClipVisionForward). routers[m] must belong to model.modules[m] (same
// module name and T): InvalidArgument naming the module otherwise; other errors as RouterWeights
// and MergeWithWeights.
Status MergeRouted(const UpscaledModel& model, const std::vector<Router>& routers,
                   const torch::Tensor& ray, TensorMap* out);

// "Merge and unload": MergeRouted under torch::NoGradGuard, so the result is a plain model with
// no autograd history and no routing (usable by model::ClipVisionForward, and by io::SaveTensors
// after moving to the CPU). Errors as MergeRouted.
Status MergeAndUnload(const UpscaledModel& model, const std::vector<Router>& routers,
                      const torch::Tensor& ray, TensorMap* out);

}  // namespace pwemoe::moe

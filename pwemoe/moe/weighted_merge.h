// Plain weighted merges over every parameter of a model pool, for the baselines (docs/DESIGN.md,
// "Evaluate") and for the task-arithmetic part of upscaling:
//
//   theta = theta_pre + sum_i c_i tau_i,
//   computed as (1 - sum_i c_i) theta_pre + sum_i c_i theta_i
//
// (the same value, one fresh output per key and no temporaries; a coefficient vector summing to 1
// with one-hot or uniform entries gives an expert or the experts' mean without rounding through
// tau). Merged keys (see pool.h) are combined in float32 (float64 for float64 tensors);
// pretrained-only floating keys are taken as they are, widened to float32 when stored narrower;
// non-floating keys are the pretrained tensors themselves (shared handles).
//
// Thread safety: no function keeps state; the pool is only read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/moe/pool.h"
#include "pwemoe/util/status.h"

namespace pwemoe::moe {

// c_i = 1/T: the simple average of the experts.
std::vector<double> SimpleAverageCoefficients(int64_t num_tasks);

// c_i = lambda: task arithmetic.
std::vector<double> TaskArithmeticCoefficients(int64_t num_tasks, double lambda);

// c_i = lambda * r_i: preference-weighted task arithmetic for ray r.
std::vector<double> PreferenceTaskArithmeticCoefficients(const std::vector<double>& ray,
                                                         double lambda);

// The merge of one merged key with `coefficients` (length T, finite) into *out, a fresh tensor
// on the pool's device. InvalidArgument for a wrong length, a non-finite coefficient or a key that
// is not a merged key; Internal with LibTorch's message. Precondition: ValidateModelPool passed.
Status WeightedMergeKey(const ModelPool& pool, const std::string& key,
                        const std::vector<double>& coefficients, torch::Tensor* out);

// Every key of the pretrained model, merged keys by WeightedMergeKey and the others as described
// above, into *out (replaced; untouched on error). Errors as ValidateModelPool and
// WeightedMergeKey. The result passes model::ValidateClipVisionParams when the pretrained model
// does and can be written with io::SaveTensors.
Status WeightedMerge(const ModelPool& pool, const std::vector<double>& coefficients,
                     TensorMap* out);

}  // namespace pwemoe::moe

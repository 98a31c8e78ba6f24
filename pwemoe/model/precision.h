// Compute precision of the forwards and backwards ([compute] precision in the experiment file).
//
//   fp32  every tensor float32 (float64 parameters stay float64): the reference numerics.
//   bf16  the matrix products in bfloat16 with float32 accumulation (oneDNN on CPUs with
//         AVX512-BF16 or AMX, tensor cores on GPUs); everything else in float32: the residual
//         stream, layer norms, softmax (reduced in float32), the head, the losses. This is the
//         split of PyTorch's autocast. Routers, their gradients, Adam, EPO's LP and the merge's
//         accumulation never leave float32 (or float64): only the merged weights are rounded to
//         bfloat16, after the merge, as the operands of the products.
//
// How the forwards do it: CastForCompute rounds the product operands of a parameter map (linear
// weights and biases, the patch embedding, the projection); every product then runs in the dtype
// of its weight through ProductLinear / ProductMatmul (clip_encoder.h), and the vision forward
// returns its embeddings in the class embedding's dtype. On a CPU without bfloat16 instructions
// the bf16 products are emulated in float32 with the same rounding (ProductLinear). The cast is differentiable, so gradients reach float32 merged weights and,
// through them, the routers.
//
// Thread safety: no function keeps state.
#pragma once

#include <string>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/util/status.h"

namespace pwemoe::model {

enum class Precision { kFp32, kBf16 };

// "fp32" / "bf16".
const char* PrecisionName(Precision precision);

// "fp32" or "bf16" into *out; InvalidArgument "precision 'X' is not one of fp32, bf16" otherwise.
Status ParsePrecision(const std::string& name, Precision* out);

// True when `key` is an operand of a matrix product of the CLIP towers (the keys CastForCompute
// rounds): self_attn.{q,k,v,out}_proj and mlp.fc{1,2} weights and biases, the patch embedding,
// visual_projection.weight and text_projection.weight.
bool IsProductOperand(const std::string& key);

// `params` as the forwards compute in `precision`, into *out (replaced): for kFp32 the same
// tensors (shared); for kBf16 every IsProductOperand key rounded to bfloat16 (a differentiable
// cast: gradients flow back into the float32 tensors), every other tensor shared as it is.
// Internal with LibTorch's message on failure; *out untouched then.
Status CastForCompute(const io::TensorMap& params, Precision precision, io::TensorMap* out);

// Whether bfloat16 products on `device` are emulated by ProductLinear and ProductMatmul: on a CPU
// without bfloat16 instructions (FastBf16 false).
bool EmulatesBf16(const torch::Device& device);

// x . w^T + b in w's dtype, x cast to it first (b may be undefined). Where EmulatesBf16 and w is
// bfloat16, the operands' bfloat16 values are multiplied and summed in float32 and the result is
// rounded to bfloat16: the rounding of a native bfloat16 product (a product of two bfloat16
// values is exact in float32, and native kernels accumulate in float32), so the same numbers up to
// the order of the sums, at float32 speed instead of LibTorch's reference loop. Differentiable;
// the backward rounds at the same points as the native one.
torch::Tensor ProductLinear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

// torch::matmul(a, b) for two tensors of one dtype, bfloat16 emulated as ProductLinear does.
torch::Tensor ProductMatmul(const torch::Tensor& a, const torch::Tensor& b);

// Whether bfloat16 products are fast on `device`: on a CPU, the AVX512-BF16 or AMX-BF16
// instructions (util/cpu_features.h), which oneDNN needs (without them LibTorch falls back to a
// reference loop about 20 times slower than float32, hence the emulation above); on a CUDA device, always (the GPUs the
// product targets have bfloat16 tensor cores; before compute capability 8.0 bfloat16 is slow).
bool FastBf16(const torch::Device& device);

// The precision of a setting "auto", "bf16" or "fp32" on `device`: "auto" is bf16 where
// FastBf16(device), else fp32; the other two are taken as they are. *note (replaced) is the line
// to log, empty when there is nothing to say: for "auto" falling back to fp32 ("precision auto:
// fp32, this CPU has no bfloat16 instructions (AVX512-BF16 or AMX)"), and for "bf16" where it is
// emulated. InvalidArgument "precision 'X' is not one of auto, bf16, fp32" for another setting.
Status ChoosePrecision(const std::string& setting, const torch::Device& device, Precision* out,
                       std::string* note);

}  // namespace pwemoe::model

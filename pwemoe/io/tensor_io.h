// Loading and saving name -> torch::Tensor maps as safetensors (single files or sharded
// checkpoints), the bridge between pwemoe/io's byte-level reader and writer and LibTorch.
//
// Thread safety: the functions share no state; concurrent calls are safe.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

#include "pwemoe/io/checkpoint.h"
#include "pwemoe/io/dtype.h"
#include "pwemoe/util/status.h"

namespace pwemoe::io {

using TensorMap = std::map<std::string, torch::Tensor>;

struct LoadOptions {
  // false: F16 and BF16 tensors load as F32 (exactly); true: every tensor keeps its file dtype.
  bool keep_dtype = false;
};

// The LibTorch scalar type of a safetensors dtype (one to one).
torch::ScalarType ToTorchDType(DType dtype);

// The safetensors dtype of a LibTorch scalar type; false for types safetensors has no name for
// here (complex, quantized, ...).
bool FromTorchDType(torch::ScalarType type, DType* out);

// Copies every tensor of an open checkpoint into fresh CPU tensors (each one copy straight from
// the mapped file, converted on the way when asked); `out` is replaced. Corrupt naming the file
// and tensor for a BOOL tensor holding bytes other than 0 and 1; Internal when LibTorch fails
// (for example, out of memory).
Status LoadTensors(const Checkpoint& checkpoint, TensorMap* out, const LoadOptions& options = {});

// Copies one tensor of an open file (`file` is the path of the file holding it, for messages) into
// a fresh CPU tensor, converted as `options` says. Errors as LoadTensors(Checkpoint).
Status LoadTensor(const std::string& file, const TensorInfo& info, torch::Tensor* out,
                  const LoadOptions& options = {});

// Opens `path` with Checkpoint::Open (a .safetensors file, a shard index, or a model folder) and
// loads it as above. Errors as Checkpoint::Open and LoadTensors(Checkpoint).
Status LoadTensors(const std::string& path, TensorMap* out, const LoadOptions& options = {});

// Writes `tensors` as one safetensors file at `path` (atomically, see WriteSafetensors), each
// in its own dtype and shape; non-contiguous tensors are written through a contiguous copy.
// InvalidArgument naming the tensor for an undefined or non-CPU tensor or an unsupported dtype;
// otherwise errors as WriteSafetensors.
Status SaveTensors(const std::string& path, const TensorMap& tensors,
                   const std::map<std::string, std::string>& metadata = {});

}  // namespace pwemoe::io

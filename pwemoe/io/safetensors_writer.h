// Writing safetensors files in the reference implementation's layout: header JSON with keys
// sorted, padded with spaces to a multiple of 8 bytes; data ordered by element size (largest
// first) then name, so that every tensor starts aligned to its element size.
//
// Thread safety: distinct calls may run concurrently, also on the same path (the last rename wins).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pwemoe/io/dtype.h"
#include "pwemoe/util/status.h"

namespace pwemoe::io {

// One tensor to write. The bytes are borrowed: `data` must hold `nbytes` readable little-endian
// bytes (numel(shape) * DTypeSize(dtype)) until the write returns.
struct TensorToWrite {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  size_t nbytes = 0;
};

// The padded header (without the 8-byte length) that WriteSafetensors would write, and in
// `data_order` the indices of `tensors` in the order their bytes follow. InvalidArgument naming
// the tensor for: an empty or duplicate name, the reserved name "__metadata__", a name or metadata
// text that is not valid UTF-8, a negative dimension, nbytes other than numel * dtype size, or null
// data with nbytes > 0.
Status BuildSafetensorsHeader(const std::vector<TensorToWrite>& tensors,
                              const std::map<std::string, std::string>& metadata,
                              std::string* header, std::vector<size_t>* data_order);

// Writes `tensors` and `metadata` (omitted from the header when empty) to `path`: first to a
// temporary file next to it, flushed to disk, then renamed over `path`, so readers never see a
// partial file. Errors as BuildSafetensorsHeader, or IoError naming the path; on error `path` is
// unchanged and no temporary file is left.
Status WriteSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace pwemoe::io

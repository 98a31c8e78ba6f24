// The safetensors format: validation of a whole file's bytes into a list of tensors.
//
// Layout: 8-byte little-endian header length N, N bytes of JSON header (an object mapping tensor
// names to {"dtype", "shape", "data_offsets": [begin, end]}, plus an optional "__metadata__"
// string -> string object), then the data section. Offsets are relative to the data section;
// together the tensors must tile it exactly (no overlap, no gap, nothing after the last byte).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pwemoe/io/dtype.h"
#include "pwemoe/util/status.h"

namespace pwemoe::io {

// One tensor of a validated file. `data` points into the buffer that was parsed; it is valid as
// long as that buffer is, and may have any alignment.
struct TensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;  // every entry >= 0; empty for a scalar
  uint64_t numel = 0;          // product of shape (1 for a scalar)
  uint64_t begin = 0;          // data_offsets, relative to the start of the data section
  uint64_t end = 0;
  size_t nbytes = 0;  // end - begin == numel * DTypeSize(dtype)
  const uint8_t* data = nullptr;
};

// A validated file: tensors in file order (ascending offset; zero-byte tensors at the same offset
// by name) and the header's metadata.
struct SafetensorsLayout {
  std::vector<TensorInfo> tensors;
  std::map<std::string, std::string> metadata;
};

// Largest header accepted, as in the reference implementation (a guard against absurd lengths).
constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// Validates `size` bytes at `data` as a complete safetensors file and fills `out`. `name` (usually
// the path) starts every error message. Never reads outside [data, data + size). Returns Corrupt
// with a message naming the file and, where one is at fault, the tensor, for: a file shorter than
// 8 bytes, a header length past the end of the file, invalid JSON or a header that is not an
// object, duplicate names, a non-object entry, a missing or mistyped field, an unknown dtype, shape
// entries that are not non-negative integers, an element or byte count that overflows, data_offsets
// that are not [begin, end] with begin <= end, a byte count other than numel * dtype size, offsets
// past the end of the data (truncated file), overlaps, gaps, trailing bytes, and a __metadata__
// that is not a string -> string object. Pure and thread-safe.
Status ParseSafetensors(const std::string& name, const uint8_t* data, size_t size,
                        SafetensorsLayout* out);

}  // namespace pwemoe::io

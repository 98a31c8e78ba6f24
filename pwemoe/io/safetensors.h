// Reading safetensors files: one file, memory-mapped, validated in full before any tensor is
// handed out (see safetensors_format.h for what is checked).
//
// Thread safety: a reader is immutable after Open/FromBuffer; concurrent reads are safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pwemoe/io/dtype.h"
#include "pwemoe/io/mapped_file.h"
#include "pwemoe/io/safetensors_format.h"
#include "pwemoe/util/status.h"

namespace pwemoe::io {

class SafetensorsReader {
 public:
  // Maps the file at `path` (no copy of its bytes is made) and validates it. NotFound when the
  // file does not exist, IoError when it cannot be read, Corrupt when it is malformed; every
  // message names the file and, where one is at fault, the tensor. On error *out is untouched.
  static Status Open(const std::string& path, std::unique_ptr<SafetensorsReader>* out);

  // Validates `size` bytes at `data` as a whole safetensors file, without copying them. The
  // caller keeps the buffer alive and unchanged for the reader's lifetime. `name` stands for the
  // file in messages and path(). Errors as for Open (Corrupt only).
  static Status FromBuffer(const std::string& name, const uint8_t* data, size_t size,
                           std::unique_ptr<SafetensorsReader>* out);

  SafetensorsReader(const SafetensorsReader&) = delete;
  SafetensorsReader& operator=(const SafetensorsReader&) = delete;

  // The path (or buffer name) given to Open/FromBuffer.
  const std::string& path() const { return path_; }

  // Every tensor in file order (ascending data offset). TensorInfo::data stays valid while this
  // reader lives.
  const std::vector<TensorInfo>& tensors() const { return layout_.tensors; }

  // The tensor called `name`, or null.
  const TensorInfo* Find(const std::string& name) const;

  // The header's "__metadata__" (empty when absent).
  const std::map<std::string, std::string>& metadata() const { return layout_.metadata; }

 private:
  SafetensorsReader(std::string path, std::unique_ptr<MappedFile> file, SafetensorsLayout layout);

  std::string path_;
  std::unique_ptr<MappedFile> file_;  // null for FromBuffer
  SafetensorsLayout layout_;
  std::unordered_map<std::string, size_t> by_name_;
};

}  // namespace pwemoe::io

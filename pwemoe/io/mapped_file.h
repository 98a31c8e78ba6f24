// A read-only memory map of a whole file.
//
// The map is private and read-only; the bytes stay valid, unchanged by this process, while the
// MappedFile lives (another process truncating the file underneath can still fault, as with any
// mmap). Thread-safe for concurrent reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pwemoe/util/status.h"

namespace pwemoe::io {

class MappedFile {
 public:
  // Maps the regular file at `path`. NotFound when it does not exist; IoError when it cannot be
  // opened, is not a regular file, or cannot be mapped. An empty file maps to size 0, data null.
  static Status Open(const std::string& path, std::unique_ptr<MappedFile>* out);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_;
  size_t size_;
};

}  // namespace pwemoe::io

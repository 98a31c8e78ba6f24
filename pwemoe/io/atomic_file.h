// Writing a file so that readers see either the old file or the complete new one: bytes go to a
// temporary file in the same folder, which is flushed to disk and then renamed over the target.
//
// Thread safety: one AtomicFile per thread; distinct objects (even for the same path) are
// independent, and the last Commit wins.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "pwemoe/util/status.h"

namespace pwemoe::io {

class AtomicFile {
 public:
  // Creates a fresh temporary file next to `path` (mode 0644). IoError naming `path` on failure
  // (including a missing parent folder).
  static Status Create(const std::string& path, std::unique_ptr<AtomicFile>* out);

  // Removes the temporary file unless Commit succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends `size` bytes. IoError naming the path on failure.
  Status Append(const void* data, size_t size);

  // Flushes to disk, closes and renames over the target. After an error the target is unchanged.
  // Call at most once.
  Status Commit();

 private:
  AtomicFile(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  std::string path_;
  std::string temp_path_;
  int fd_;
  bool committed_ = false;
};

// Writes `content` to `path` through an AtomicFile.
Status WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace pwemoe::io

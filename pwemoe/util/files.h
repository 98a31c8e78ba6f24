// File helpers with one home: making file-system changes durable (SyncParentFolder), writing a
// file so that readers see the old file or the complete new one (AtomicFile), and the result
// store's small POSIX helpers: timestamps for file names and records, moving a file aside without
// ever deleting it, and errno messages that name the path.
//
// Thread safety: no function keeps state. One AtomicFile per thread; distinct objects (even for
// the same path) are independent, and the last Commit wins. Concurrent calls on the same paths
// race like the underlying system calls.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "pwemoe/util/status.h"

namespace pwemoe {

// fsyncs the folder holding `path`, so that a rename or creation in it survives a power loss.
// Best effort: the data itself is already synced by the caller, and some file systems refuse to
// sync folders; failures are ignored.
void SyncParentFolder(const std::string& path);

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

// The current UTC time as "20261129T014326Z" (for file names).
std::string CompactUtcTime();

// The current UTC time as "2026-11-29T01:43:26Z" (for records).
std::string IsoUtcTime();

// Whether `path` exists (any kind of file).
bool PathExists(const std::string& path);

// Renames `path` to "<path>.<tag>-<CompactUtcTime()>" (with "-1", "-2", ... appended when that
// exists) and returns the new name in `moved_to`. Never deletes anything. IoError naming both
// paths on failure.
Status MoveAside(const std::string& path, const std::string& tag, std::string* moved_to);

// "<strerror(err)>" prefixed with "<path>: cannot <what>: ".
Status ErrnoFailure(const std::string& path, const std::string& what, int err);

}  // namespace pwemoe

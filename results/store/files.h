// Small POSIX file helpers of the result store: timestamps for file names, moving a file aside
// without ever deleting it, and making renames durable.
//
// Thread safety: each call is independent; concurrent calls on the same paths race like the
// underlying system calls.
#pragma once

#include <string>

#include "pwemoe/util/status.h"

namespace pwemoe::results {

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

}  // namespace pwemoe::results

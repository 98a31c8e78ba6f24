// Making file-system changes durable.
//
// Thread-safe (no state).
#pragma once

#include <string>

namespace pwemoe {

// fsyncs the folder holding `path`, so that a rename or creation in it survives a power loss.
// Best effort: the data itself is already synced by the caller, and some file systems refuse to
// sync folders; failures are ignored.
void SyncParentFolder(const std::string& path);

}  // namespace pwemoe

// Logging set-up for every pwemoe tool (spdlog's default logger, to stderr).
//
// Under MPI every line carries "rank R/N" so interleaved output from many ranks can be told
// apart; with one process the tag is left out. Call once per process before logging, from the
// main thread.
#pragma once

#include <string>

#include "pwemoe/util/status.h"

namespace pwemoe {

// Level names accepted by --log-level, in increasing severity.
extern const char* const kLogLevels;  // "trace|debug|info|warn|error|off"

// Sets the default logger's level and pattern. InvalidArgument for an unknown level name.
Status SetupLogging(const std::string& level, int rank, int size);

}  // namespace pwemoe

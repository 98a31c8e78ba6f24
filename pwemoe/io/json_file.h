// Reading a small JSON file (a config.json or a shard index) into an nlohmann::json value.
// Internal to pwemoe/io: other modules get typed results, never JSON.
//
// Thread-safe (no shared state).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "pwemoe/util/status.h"

namespace pwemoe::io {

// Parses the whole file at `path`. NotFound when it does not exist, IoError when it cannot be
// read, Corrupt "<path>: invalid JSON: ..." when it is not one JSON value (a NUL byte included).
Status ReadJsonFile(const std::string& path, nlohmann::json* out);

// "a JSON <type>" for containers, the (shortened) text for scalars; never recurses.
std::string DescribeJson(const nlohmann::json& value);

}  // namespace pwemoe::io

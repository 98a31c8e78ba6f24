#include "pwemoe/util/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "pwemoe/util/strings.h"

namespace pwemoe {

const char* const kLogLevels = "trace|debug|info|warn|error|off";

Status SetupLogging(const std::string& level, int rank, int size) {
  auto names = Split(kLogLevels, '|');
  auto lvl = spdlog::level::from_str(level);
  bool known = false;
  for (const auto& n : names) known = known || n == level;
  if (!known) {
    return Status::InvalidArgument("--log-level: unknown level '" + level + "', expected one of " +
                                   kLogLevels + DidYouMean(level, names));
  }
  spdlog::drop("pwemoe");
  auto logger = spdlog::stderr_color_mt("pwemoe");
  spdlog::set_default_logger(logger);
  std::string tag = size > 1 ? " [rank " + std::to_string(rank) + "/" + std::to_string(size) + "]" : "";
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e]" + tag + " [%^%l%$] %v");
  spdlog::set_level(lvl);
  return Status::Ok();
}

}  // namespace pwemoe

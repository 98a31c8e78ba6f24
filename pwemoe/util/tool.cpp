#include "pwemoe/util/tool.h"

#include <cstdio>

#include "pwemoe/util/allocator.h"
#include "pwemoe/util/log.h"
#include "pwemoe/util/version.h"

namespace pwemoe {

ToolSpec ToolSpec::WithThreads(const std::string& default_value, const std::string& help,
                               int64_t min, int64_t max) const {
  ToolSpec spec = *this;
  spec.threads_default = default_value;
  spec.threads_help = help;
  spec.threads_min = min;
  spec.threads_max = max;
  return spec;
}

ToolSpec ToolSpec::WithLogLevel() const {
  ToolSpec spec = *this;
  spec.log_level = true;
  return spec;
}

ToolSpec ToolSpec::WithAbortedExitCode(int code) const {
  ToolSpec spec = *this;
  spec.aborted_exit_code = code;
  return spec;
}

std::vector<FlagSpec> ToolFlagTable(const ToolSpec& spec) {
  std::vector<FlagSpec> table = {
      {"--help", "", "", "print this help and exit"},
      {"--version", "", "", "print the version and exit"},
  };
  table.insert(table.end(), spec.flags.begin(), spec.flags.end());
  if (!spec.threads_default.empty()) {
    table.push_back({"--threads", "N", spec.threads_default, spec.threads_help});
  }
  if (spec.log_level) {
    table.push_back({"--log-level", "LEVEL", "info", std::string("log level: ") + kLogLevels});
  }
  return table;
}

bool StartTool(const char* tool, const char* usage, const char* description,
               const std::vector<FlagSpec>& table, int argc, char** argv, ParsedFlags* flags,
               int* exit_code) {
  *exit_code = 0;
  TuneAllocator();
  const Status st = ParseFlags(table, argc, argv, flags);
  if (!st.ok()) {
    *exit_code = ToolFailure(tool, st);
  } else if (flags->Has("--help")) {
    std::fputs(FlagHelp(usage, description, table).c_str(), stdout);
  } else if (flags->Has("--version")) {
    std::printf("pwemoe %s\n", PWEMOE_VERSION);
  } else {
    return true;
  }
  return false;
}

namespace {

Status CommonOptions(const ToolSpec& spec, ToolContext* ctx) {
  if (spec.log_level) PWEMOE_RETURN_IF_ERROR(SetupLogging(ctx->flags.Get("--log-level"), 0, 1));
  if (spec.threads_default.empty()) return Status::Ok();
  PWEMOE_RETURN_IF_ERROR(GetIntFlag(ctx->flags, "--threads", spec.threads_min, &ctx->threads));
  if (ctx->threads > spec.threads_max) {
    return Status::InvalidArgument("--threads must be at most " + std::to_string(spec.threads_max));
  }
  return Status::Ok();
}

}  // namespace

int RunTool(const ToolSpec& spec, int argc, char** argv,
            const std::function<Status(ToolContext* ctx)>& body) {
  ToolContext ctx;
  int code = 0;
  if (!StartTool(spec.name, spec.usage, spec.description, ToolFlagTable(spec), argc, argv,
                 &ctx.flags, &code)) {
    return code;
  }
  Status st = CommonOptions(spec, &ctx);
  if (st.ok()) st = body(&ctx);
  if (st.ok()) return ctx.exit_code;
  code = ToolFailure(spec.name, st);
  return st.code() == Status::Code::kAborted ? spec.aborted_exit_code : code;
}

int ToolFailure(const char* tool, const Status& status) {
  std::fprintf(stderr, "%s: %s\n", tool, status.message().c_str());
  return status.ExitCode();
}

Status UsageError(const ToolSpec& spec, const std::string& problem) {
  return Status::InvalidArgument(problem + " (usage: " + spec.usage + ")");
}

Status RequireFlags(const ToolSpec& spec, const ParsedFlags& flags,
                    const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (flags.Get(name).empty()) return UsageError(spec, name + " is required");
  }
  return Status::Ok();
}

Status CheckPositional(const ToolSpec& spec, const ParsedFlags& flags, size_t most) {
  if (flags.positional.size() <= most) return Status::Ok();
  return UsageError(spec, "unexpected argument '" + flags.positional[most] + "'");
}

}  // namespace pwemoe

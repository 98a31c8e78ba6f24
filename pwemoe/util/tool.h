// What every command-line tool shares: the common flag rows (--help, --version, --threads,
// --log-level), the start (allocator tuning, parsing, --help and --version answered, logging set
// up, --threads checked) and the end (a failed Status printed as "<tool>: <message>" and turned
// into its exit code). A tool is then its own flag rows, its options and a few library calls:
//
//   Status Run(ToolContext* ctx) { return DoTheWork(ctx->flags); }
//   PWEMOE_TOOL_MAIN(kSpec, Run)
//
// Thread safety: call from the main thread, once per process (it sets the logger and allocator).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "pwemoe/util/flags.h"
#include "pwemoe/util/status.h"

namespace pwemoe {

// A tool's description; a tool writes
//   const ToolSpec kSpec = ToolSpec{"pwemoe-x", "usage", "description", {rows}}.WithLogLevel();
// `flags` holds only its own rows; ToolFlagTable adds the common ones.
struct ToolSpec {
  ToolSpec(const char* name, const char* usage, const char* description,
           std::vector<FlagSpec> flags)
      : name(name), usage(usage), description(description), flags(std::move(flags)) {}

  const char* name = "";         // "pwemoe-eval": the prefix of every error line
  const char* usage = "";        // the usage line(s) of --help
  const char* description = "";  // the paragraph of --help
  std::vector<FlagSpec> flags;   // the tool's own rows, in help order
  // --threads N, listed when threads_default is not empty; RunTool checks it lies in
  // [threads_min, threads_max] and hands it over in ToolContext::threads.
  std::string threads_default;
  std::string threads_help;
  int64_t threads_min = 1;
  int64_t threads_max = 4096;
  bool log_level = false;     // --log-level LEVEL (default info); RunTool sets up logging with it
  int aborted_exit_code = 1;  // the exit code of an Aborted failure (make-mini: 3, a failed gate)

  // Copies with the common rows a tool takes: --threads N (default `default_value`, checked to
  // lie in [min, max]), --log-level LEVEL, and the exit code of an Aborted failure.
  ToolSpec WithThreads(const std::string& default_value, const std::string& help = "LibTorch threads",
                       int64_t min = 1, int64_t max = 4096) const;
  ToolSpec WithLogLevel() const;
  ToolSpec WithAbortedExitCode(int code) const;
};

// The table the parser and the help see: --help and --version first, then spec.flags, then
// --threads and --log-level where the spec asks for them.
std::vector<FlagSpec> ToolFlagTable(const ToolSpec& spec);

// What a tool's body gets, and may set.
struct ToolContext {
  ParsedFlags flags;
  int64_t threads = 0;  // --threads when the spec has it, else 0
  int exit_code = 0;    // the exit code when the body succeeds (a job's status, a check's answer)
};

// The start every command-line tool shares. Calls TuneAllocator() (allocator.h), then parses
// argv against `table` (which lists --help and --version). --help prints FlagHelp(usage,
// description, table) to stdout and --version "pwemoe <version>", each with *exit_code = 0; a bad
// command line prints "<tool>: <message>" to stderr with *exit_code = its exit code (2). Returns
// true when the tool should go on with *flags, false when it should return *exit_code.
bool StartTool(const char* tool, const char* usage, const char* description,
               const std::vector<FlagSpec>& table, int argc, char** argv, ParsedFlags* flags,
               int* exit_code);

// Runs a whole tool: StartTool with ToolFlagTable(spec); then --threads checked and logging set
// up (as the spec asks); then `body`. Returns the process's exit code: ctx->exit_code when body
// returns Ok, else ToolFailure(spec.name, status) (so InvalidArgument exits 2, Aborted
// spec.aborted_exit_code, others 1).
int RunTool(const ToolSpec& spec, int argc, char** argv,
            const std::function<Status(ToolContext* ctx)>& body);

// Defines the process's main() as RunTool(spec, argc, argv, run), `run` a Status(ToolContext*)
// function. Write it at global scope, once, as a tool's last line.
#define PWEMOE_TOOL_MAIN(spec, run) \
  int main(int argc, char** argv) { return ::pwemoe::RunTool(spec, argc, argv, run); }

// Prints "<tool>: <message>" to stderr and returns the status's exit code (Status::ExitCode).
int ToolFailure(const char* tool, const Status& status);

// InvalidArgument "<problem> (usage: <usage>)", for a command line a tool's checks reject.
Status UsageError(const ToolSpec& spec, const std::string& problem);

// InvalidArgument "<flag> is required (usage: ...)" for the first of `names` that is absent or
// empty.
Status RequireFlags(const ToolSpec& spec, const ParsedFlags& flags,
                    const std::vector<std::string>& names);

// InvalidArgument "unexpected argument 'X' (usage: ...)" when flags has more than `most`
// positional arguments.
Status CheckPositional(const ToolSpec& spec, const ParsedFlags& flags, size_t most);

}  // namespace pwemoe

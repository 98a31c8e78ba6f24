// Running a tool as a process from a test: the command through /bin/sh, standard error joined to
// standard output. Header-only, shared by the tests of every tool.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace pwemoe::testing {

struct CommandRun {
  int code = -1;    // the exit status; -1 when it could not run or a signal ended it
  std::string out;  // standard output and standard error together
};

// Runs `command` (a shell command line: quote arguments yourself) and waits for it.
inline CommandRun RunCommand(const std::string& command) {
  CommandRun run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t got = 0;
  while ((got = fread(buf, 1, sizeof buf, pipe)) > 0) run.out.append(buf, got);
  const int status = pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace pwemoe::testing

// Running Slurm's client commands (sbatch, scontrol) as child processes, without a shell.
//
// Thread safety: RunCommand may be called from any thread; it forks and waits for its own child.
#pragma once

#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::slurm {

// Runs argv[0] (looked up on PATH unless it holds a '/') with `argv`, waits for it, and stores its
// standard output in *out (with its standard error too when merge_stderr; otherwise that goes to
// this process's standard error unchanged) and its exit status in *exit_status (128 + the signal
// number when a signal ended it). NotFound naming the command when it cannot be found; IoError
// when it cannot be started. A command that runs and fails is not an error: see *exit_status.
Status RunCommand(const std::vector<std::string>& argv, bool merge_stderr, std::string* out, int* exit_status);

}  // namespace pwemoe::slurm

// SIGTERM and SIGINT (what Slurm sends before preemption or the time limit, and Ctrl-C) as a
// counter the coordinator and the worker loop poll: the first asks for a clean stop (coordinator.h,
// step 7), a second for an immediate one.
//
// Thread safety: the counter is a lock-free atomic, written by the handler and read by any thread.
#pragma once

#include <atomic>

namespace pwemoe::orchestrator {

// Installs the handlers (once per process; later calls do nothing) and returns the counter of
// signals received.
const std::atomic<int>* InstallStopSignals();

}  // namespace pwemoe::orchestrator

#include "orchestrator/signals.h"

#include <csignal>
#include <cstring>

namespace pwemoe::orchestrator {
namespace {

std::atomic<int> g_signals{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal counter must be lock-free");

extern "C" void OnStopSignal(int) { g_signals.fetch_add(1); }

}  // namespace

const std::atomic<int>* InstallStopSignals() {
  static const bool installed = [] {
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    return true;
  }();
  (void)installed;
  return &g_signals;
}

}  // namespace pwemoe::orchestrator

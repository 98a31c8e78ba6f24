#include "timed_region.h"

#include <chrono>

#include "device.h"

namespace pwemoe::bench {

double TimeSynchronized(const c10::Device& device, const std::function<void()>& region) {
  Synchronize(device);
  const auto t0 = std::chrono::steady_clock::now();
  region();
  Synchronize(device);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace pwemoe::bench

// Timing one region of a benchmark iteration on BenchDevice() (device.h): kernels run
// asynchronously on a GPU, so the region starts and ends with Synchronize(device).
//
// Thread safety: as device.h (one thread at a time).
#pragma once

#include <functional>

#include <c10/core/Device.h>

namespace pwemoe::bench {

// Runs `region` between two Synchronize(device) calls and returns the wall-clock seconds from
// the first call's end to the second's.
double TimeSynchronized(const c10::Device& device, const std::function<void()>& region);

}  // namespace pwemoe::bench

// The probes (probes.h) run right before a benchmark's timed loop, so each figure is divided by a
// limit measured in the same process, with the same threads, under the same machine load.
#pragma once

#include <benchmark/benchmark.h>

namespace pwemoe::bench {

struct Limits {
  double bandwidth_gbps = 0;  // MemoryBandwidthGBps()
  double gemm_gflops = 0;     // GemmGflops()
  int threads = 0;            // torch::get_num_threads() at the time
};

// Runs both probes now (a few seconds).
Limits MeasureLimits();

// Adds the counters "bw_probe_GBps", "gemm_probe_GFLOPs" and "threads" to `state`.
void ReportLimits(const Limits& limits, benchmark::State& state);

}  // namespace pwemoe::bench

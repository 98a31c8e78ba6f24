// The probes (probes.h) run right before a benchmark's timed loop, so each figure is divided by a
// limit measured in the same process, with the same threads, under the same machine load, on the
// device the benchmarks run on (device.h).
#pragma once

#include <benchmark/benchmark.h>

namespace pwemoe::bench {

struct Limits {
  double bandwidth_gbps = 0;  // MemoryBandwidthGBps()
  double gemm_gflops = 0;     // GemmGflops()
  int threads = 0;            // torch::get_num_threads() at the time
};

// Runs both probes now on BenchDevice() (a few seconds). CPU: the triad over 2^25 floats per
// array, the GEMM at n = 2048, one operation per timed run. CUDA: the triad over 2^28 floats per
// array (1 GiB each, far above the L2 cache of any GPU) with 10 triads per timed run, the GEMM at
// n = 8192 with 3 products per timed run (each product long enough to fill the GPU).
Limits MeasureLimits();

// Adds the counters "bw_probe_GBps", "gemm_probe_GFLOPs" and "threads" to `state`.
void ReportLimits(const Limits& limits, benchmark::State& state);

}  // namespace pwemoe::bench

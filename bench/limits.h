// The probes (probes.h) run right before a benchmark's timed loop, so each figure is divided by a
// limit measured in the same process, with the same threads, under the same machine load, on the
// device the benchmarks run on (device.h).
#pragma once

#include <benchmark/benchmark.h>

namespace pwemoe::bench {

struct Limits {
  double bandwidth_gbps = 0;  // MemoryBandwidthGBps()
  double gemm_gflops = 0;     // GemmGflops(), float32
  double gemm_bf16_gflops = 0;  // GemmGflops() in bfloat16; 0 when not measured
  int threads = 0;            // torch::get_num_threads() at the time
};

// Runs both probes now on BenchDevice() (a few seconds). CPU: the triad over 2^25 floats per
// array, the GEMM at n = 2048, one operation per timed run. CUDA: the triad over 2^28 floats per
// array (1 GiB each, far above the L2 cache of any GPU) with 10 triads per timed run, the GEMM at
// n = 8192 with 3 products per timed run (each product long enough to fill the GPU).
// With `bf16`, also the bfloat16 GEMM probe (same sizes; where bfloat16 products are slow, see
// model::FastBf16, n = 1024 and one timed run, so the probe ends in seconds).
Limits MeasureLimits(bool bf16 = false);

// Adds the counters "bw_probe_GBps", "gemm_probe_GFLOPs", "threads" and, when measured,
// "gemm_bf16_probe_GFLOPs" to `state`.
void ReportLimits(const Limits& limits, benchmark::State& state);

}  // namespace pwemoe::bench

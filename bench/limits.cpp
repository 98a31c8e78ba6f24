#include "limits.h"

#include <torch/torch.h>

#include "device.h"
#include "probes.h"

namespace pwemoe::bench {

Limits MeasureLimits() {
  Limits limits;
  const c10::Device device = BenchDevice();
  if (device.is_cuda()) {
    limits.bandwidth_gbps = MemoryBandwidthGBps(int64_t{1} << 28, 5, device, /*reps=*/10);
    limits.gemm_gflops = GemmGflops(8192, 5, device, /*reps=*/3);
  } else {
    limits.bandwidth_gbps = MemoryBandwidthGBps();
    limits.gemm_gflops = GemmGflops();
  }
  limits.threads = torch::get_num_threads();
  return limits;
}

void ReportLimits(const Limits& limits, benchmark::State& state) {
  state.counters["bw_probe_GBps"] = limits.bandwidth_gbps;
  state.counters["gemm_probe_GFLOPs"] = limits.gemm_gflops;
  state.counters["threads"] = limits.threads;
}

}  // namespace pwemoe::bench

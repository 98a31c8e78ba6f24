#include "limits.h"

#include <torch/torch.h>

#include "device.h"
#include "probes.h"
#include "pwemoe/model/precision.h"

namespace pwemoe::bench {

Limits MeasureLimits(bool bf16) {
  Limits limits;
  const c10::Device device = BenchDevice();
  if (device.is_cuda()) {
    limits.bandwidth_gbps = MemoryBandwidthGBps(int64_t{1} << 28, 5, device, /*reps=*/10);
    limits.gemm_gflops = GemmGflops(8192, 5, device, /*reps=*/3);
    if (bf16) limits.gemm_bf16_gflops = GemmGflops(8192, 5, device, /*reps=*/3, c10::kBFloat16);
  } else {
    limits.bandwidth_gbps = MemoryBandwidthGBps();
    limits.gemm_gflops = GemmGflops();
    if (bf16) {
      const bool fast = model::FastBf16(device);
      limits.gemm_bf16_gflops = GemmGflops(fast ? 2048 : 1024, fast ? 5 : 1, device, 1, c10::kBFloat16);
    }
  }
  limits.threads = torch::get_num_threads();
  return limits;
}

void ReportLimits(const Limits& limits, benchmark::State& state) {
  state.counters["bw_probe_GBps"] = limits.bandwidth_gbps;
  state.counters["gemm_probe_GFLOPs"] = limits.gemm_gflops;
  if (limits.gemm_bf16_gflops > 0) state.counters["gemm_bf16_probe_GFLOPs"] = limits.gemm_bf16_gflops;
  state.counters["threads"] = limits.threads;
}

}  // namespace pwemoe::bench

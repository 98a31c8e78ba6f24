// BM_Forward: evaluation is compute-bound (DESIGN.md, "Performance model"): one ViT-B/32 forward
// per test image and ray, no gradients, measured as GFLOP/s (analytic, flops.h) against the GEMM
// probe, and as evaluation throughput in images/s. The pixels are already on the device: reading
// the test set and the host-to-device copy (600 KB per 224 x 224 x 3 float32 image) are not
// timed. On the CPU batches 16 and 64, 2 iterations after one warm-up; on a GPU
// (PWEMOE_BENCH_DEVICE=cuda) also batch 256, 20 iterations after one warm-up, each between two
// synchronisations (device.h).
#include <chrono>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "benchmarks.h"
#include "device.h"
#include "flops.h"
#include "limits.h"
#include "pwemoe/model/clip_vit.h"
#include "random_model.h"

namespace pwemoe::bench {
namespace {

void BM_Forward(benchmark::State& state, int64_t batch) {
  torch::NoGradGuard no_grad;
  const torch::Device device = BenchDevice();
  const io::ClipVisionConfig config = VitB32Config();
  io::TensorMap params = RandomVitParams(config, /*seed=*/0);
  for (auto& [key, t] : params) t = t.to(device);
  torch::manual_seed(1);
  const torch::Tensor pixels =
      torch::randn({batch, config.num_channels, config.image_size, config.image_size})
          .to(device);
  torch::Tensor embeds;
  Status st = model::ClipVisionForward(config, params, pixels, &embeds);  // warm-up
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  const Limits limits = MeasureLimits();
  double total = 0;
  for (auto _ : state) {
    Synchronize(device);
    const auto t0 = std::chrono::steady_clock::now();
    st = model::ClipVisionForward(config, params, pixels, &embeds);
    Synchronize(device);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    state.SetIterationTime(s);
    total += s;
  }
  const double gflops = ClipForwardFlops(config, batch) * state.iterations() / total / 1e9;
  ReportLimits(limits, state);
  state.counters["GFLOP_per_iter"] = ClipForwardFlops(config, batch) / 1e9;
  state.counters["GFLOPs"] = gflops;
  state.counters["frac_of_gemm"] = gflops / limits.gemm_gflops;
  state.counters["images_per_s"] = batch * state.iterations() / total;
}

}  // namespace

void RegisterForwardBenchmarks() {
  const bool gpu = BenchDevice().is_cuda();
  std::vector<int64_t> batches = {16, 64};
  if (gpu) batches.push_back(256);
  for (int64_t batch : batches) {
    benchmark::RegisterBenchmark(("BM_Forward/batch:" + std::to_string(batch)).c_str(),
                                 BM_Forward, batch)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(gpu ? 20 : 2);
  }
}

}  // namespace pwemoe::bench

// BM_Forward: evaluation is compute-bound (DESIGN.md, "Performance model"): one ViT-B/32 forward
// per test image and ray, no gradients, measured as GFLOP/s (analytic, flops.h) against the GEMM
// probe.
#include <chrono>
#include <string>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "benchmarks.h"
#include "flops.h"
#include "limits.h"
#include "pwemoe/model/clip_vit.h"
#include "random_model.h"

namespace pwemoe::bench {
namespace {

void BM_Forward(benchmark::State& state, int64_t batch) {
  torch::NoGradGuard no_grad;
  const io::ClipVisionConfig config = VitB32Config();
  const io::TensorMap params = RandomVitParams(config, /*seed=*/0);
  torch::manual_seed(1);
  const torch::Tensor pixels =
      torch::randn({batch, config.num_channels, config.image_size, config.image_size});
  torch::Tensor embeds;
  Status st = model::ClipVisionForward(config, params, pixels, &embeds);  // warm-up
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  const Limits limits = MeasureLimits();
  double total = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    st = model::ClipVisionForward(config, params, pixels, &embeds);
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
  for (int64_t batch : {16, 64}) {
    benchmark::RegisterBenchmark(("BM_Forward/batch:" + std::to_string(batch)).c_str(),
                                 BM_Forward, batch)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(2);
  }
}

}  // namespace pwemoe::bench

// BM_Forward: evaluation is compute-bound (docs/DESIGN.md, "Performance model"): one ViT-B/32 forward
// per test image and ray, no gradients, measured as GFLOP/s (analytic, flops.h) against the GEMM
// probe, and as evaluation throughput in images/s. The pixels are already on the device: reading
// the test set and the host-to-device copy (600 KB per 224 x 224 x 3 float32 image) are not
// timed. Batches 16, 64 and 256, in each precision of BenchPrecisions() (the parameters cast once
// with model::CastForCompute before the timed loop, as once per evaluation ray). On the CPU 2
// iterations after one warm-up; on a GPU (PWEMOE_BENCH_DEVICE=cuda) 20 iterations after one
// warm-up, each between two synchronisations (device.h). With PWEMOE_BENCH_POOL (random_model.h)
// the pretrained model of that pool is timed instead of a random one.
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
#include "timed_region.h"

namespace pwemoe::bench {
namespace {

void BM_Forward(benchmark::State& state, int64_t batch, model::Precision precision) {
  torch::NoGradGuard no_grad;
  const torch::Device device = BenchDevice();
  io::ClipVisionConfig config;
  io::TensorMap loaded, params;
  Status st = BenchVitParams(&config, &loaded);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  for (auto& [key, t] : loaded) t = t.to(device);
  st = model::CastForCompute(loaded, precision, &params);  // once, as once per evaluation ray
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  torch::manual_seed(1);
  const torch::Tensor pixels =
      torch::randn({batch, config.num_channels, config.image_size, config.image_size})
          .to(device);
  torch::Tensor embeds;
  st = model::ClipVisionForward(config, params, pixels, &embeds);  // warm-up
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  const Limits limits = MeasureLimits(precision == model::Precision::kBf16);
  double total = 0;
  for (auto _ : state) {
    const double s = TimeSynchronized(
        device, [&] { st = model::ClipVisionForward(config, params, pixels, &embeds); });
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
  for (model::Precision precision : BenchPrecisions()) {
    for (int64_t batch : {16, 64, 256}) {
      const std::string name = std::string("BM_Forward/") + model::PrecisionName(precision) +
                               "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(name.c_str(), BM_Forward, batch, precision)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond)
          ->Iterations(gpu ? 20 : 2);
    }
  }
}

}  // namespace pwemoe::bench

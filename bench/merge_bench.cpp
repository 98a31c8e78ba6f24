// BM_Merge: "merge and unload" is memory-bound (docs/DESIGN.md, "Performance model"): every upscaled
// tensor is produced as W0 + sum_i w_i tau_i by one addmv, which reads W0 and the T task vectors
// and writes the result once, (T + 2) * numel * element size bytes. The fixed (not upscaled)
// tensors are shared into the result, not copied, and the routers' cost is negligible.
// Every iteration allocates its output afresh (as every evaluation ray does); the page faults
// that may cost are reported as minor_faults_per_iter (0 once the allocator has warmed up).
// With PWEMOE_BENCH_DEVICE=cuda the model lives on the GPU and each iteration is timed between
// two synchronisations (device.h); the page-fault counter then says nothing about the merge.
#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "benchmarks.h"
#include "device.h"
#include "limits.h"
#include "pwemoe/moe/merge.h"
#include "random_model.h"
#include "timed_region.h"

namespace pwemoe::bench {
namespace {

double MergeBytes(const moe::UpscaledModel& model) {
  double bytes = 0;
  for (const moe::UpscaledModule& module : model.modules) {
    for (const moe::UpscaledParam& p : module.params) {
      bytes += static_cast<double>(model.num_tasks + 2) * p.base.numel() * p.base.element_size();
    }
  }
  return bytes;
}

// Minor page faults of this process so far (getrusage).
long MinorFaults() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

void BM_Merge(benchmark::State& state, int64_t num_tasks) {
  const torch::Device device = BenchDevice();
  std::shared_ptr<const BenchModel> m;
  Status st = SharedBenchModel(num_tasks, device, &m);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  const torch::Tensor ray = torch::full({num_tasks}, 1.0 / num_tasks, torch::kFloat64);
  {
    io::TensorMap warm;
    st = moe::MergeAndUnload(m->model, m->routers, ray, &warm);
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  }
  const Limits limits = MeasureLimits();
  double total = 0, best = 1e300;
  const long faults_before = MinorFaults();
  for (auto _ : state) {
    const double s = TimeSynchronized(device, [&] {
      io::TensorMap merged;  // freed inside the timed region, as after each evaluation ray
      st = moe::MergeAndUnload(m->model, m->routers, ray, &merged);
      benchmark::DoNotOptimize(merged);
    });
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    state.SetIterationTime(s);
    total += s;
    best = std::min(best, s);
  }
  const long faults = MinorFaults() - faults_before;
  const double bytes = MergeBytes(m->model);
  const double gbps = bytes * state.iterations() / total / 1e9;
  ReportLimits(limits, state);
  state.counters["merge_GB"] = bytes / 1e9;
  state.counters["merge_GBps"] = gbps;
  state.counters["frac_of_bw"] = gbps / limits.bandwidth_gbps;
  // The fastest iteration against the best-of probe: the least load-sensitive ratio.
  state.counters["best_merge_GBps"] = bytes / best / 1e9;
  state.counters["best_frac_of_bw"] = bytes / best / 1e9 / limits.bandwidth_gbps;
  state.counters["minor_faults_per_iter"] = static_cast<double>(faults) / state.iterations();
}

}  // namespace

void RegisterMergeBenchmarks() {
  for (int64_t t : {2, 8}) {
    benchmark::RegisterBenchmark(("BM_Merge/T:" + std::to_string(t)).c_str(), BM_Merge, t)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(20);
  }
}

}  // namespace pwemoe::bench

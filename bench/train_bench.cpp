// BM_TrainStep: training is compute-bound (docs/DESIGN.md, "Performance model"): each step merges once
// with autograd, then per task a forward and a backward (into the routers) through the merged
// ViT-B/32, batch 16 per task, then LS or EPO combines the per-task gradients and Adam steps.
// A T = 8 step is a few TFLOP, so each benchmark times two steps with no warm-up; the first and
// the last step's seconds are reported apart (first_step_s, last_step_s) so the warm-up shows.
// On a GPU (PWEMOE_BENCH_DEVICE=cuda) the model and routers live on the device (heads and data
// stay on the CPU, as in a worker: each batch is copied over inside the step), one untimed
// warm-up step runs first (cuBLAS and cuDNN set-up, the caching allocator), then 5 timed steps,
// each between two synchronisations (device.h).
#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "benchmarks.h"
#include "device.h"
#include "flops.h"
#include "limits.h"
#include "pwemoe/train/trainer.h"
#include "random_model.h"

namespace pwemoe::bench {
namespace {

constexpr int64_t kBatch = 16;
constexpr int64_t kExamples = 64;  // per task, in memory
constexpr int64_t kClasses = 10;

// The smallest class count of the heads (labels of the random data stay below every head's).
int64_t ClassesOf(const std::vector<model::ClassificationHead>& heads) {
  int64_t classes = kClasses;
  for (const auto& h : heads) classes = std::min(classes, h.num_classes());
  return classes;
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void BM_TrainStep(benchmark::State& state, train::Variant variant, int64_t num_tasks,
                  model::Precision precision) {
  const torch::Device device = BenchDevice();
  std::shared_ptr<const BenchModel> m;
  Status st = SharedBenchModel(num_tasks, device, &m);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  train::TrainProblem problem;
  problem.config = m->config;
  problem.model = m->model;  // shares the tensors
  problem.heads = m->heads.empty() ? RandomHeads(m->config, num_tasks, kClasses, /*seed=*/1)
                                   : m->heads;
  problem.data = RandomTaskData(m->config, num_tasks, kExamples, ClassesOf(problem.heads), /*seed=*/2);
  problem.task_names = TaskNames(num_tasks);
  train::TrainOptions options;
  options.variant = variant;
  options.steps = 1000;
  options.batch_size = kBatch;
  options.precision = precision;
  train::TrainState train_state;
  st = train::InitTrainState(problem, options, m->routers, &train_state);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  std::vector<int64_t> tasks(num_tasks);
  std::iota(tasks.begin(), tasks.end(), 0);
  std::vector<float> buffer;
  train::StepRecord record;
  if (device.is_cuda()) {  // warm-up step
    st = train::ComputeTaskGradients(&train_state, tasks, &buffer);
    if (st.ok()) st = train::ApplyStep(&train_state, buffer, &record);
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    Synchronize(device);
  }

  const Limits limits = MeasureLimits(precision == model::Precision::kBf16);
  double total = 0, grad_total = 0, apply_total = 0, first = 0, last = 0;
  for (auto _ : state) {
    Synchronize(device);
    const auto t0 = std::chrono::steady_clock::now();
    st = train::ComputeTaskGradients(&train_state, tasks, &buffer);  // ends copying to the CPU
    const double grad_s = SecondsSince(t0);
    if (st.ok()) st = train::ApplyStep(&train_state, buffer, &record);
    Synchronize(device);
    const double s = SecondsSince(t0);
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    state.SetIterationTime(s);
    if (total == 0) first = s;
    last = s;
    total += s;
    grad_total += grad_s;
    apply_total += s - grad_s;
  }
  const double n = static_cast<double>(state.iterations());
  const double flops = TrainStepFlops(m->config, num_tasks, kBatch);
  const double gflops = flops * n / total / 1e9;
  ReportLimits(limits, state);
  state.counters["s_per_step"] = total / n;
  state.counters["first_step_s"] = first;
  state.counters["last_step_s"] = last;
  state.counters["grad_s"] = grad_total / n;
  state.counters["apply_s"] = apply_total / n;
  state.counters["GFLOP_per_step"] = flops / 1e9;
  state.counters["GFLOPs"] = gflops;
  state.counters["frac_of_gemm"] = gflops / limits.gemm_gflops;
}

}  // namespace

void RegisterTrainBenchmarks() {
  const int iterations = BenchDevice().is_cuda() ? 5 : 2;
  for (model::Precision precision : BenchPrecisions()) {
    for (int64_t t : {2, 8}) {
      for (train::Variant v : {train::Variant::kLs, train::Variant::kEpo}) {
        const std::string name = std::string("BM_TrainStep/") + model::PrecisionName(precision) +
                                 "/" + train::VariantName(v) + "/T:" + std::to_string(t);
        benchmark::RegisterBenchmark(name.c_str(), BM_TrainStep, v, t, precision)
            ->UseManualTime()
            ->Unit(benchmark::kSecond)
            ->Iterations(iterations);
      }
    }
  }
}

}  // namespace pwemoe::bench

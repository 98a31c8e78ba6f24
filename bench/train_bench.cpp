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

// The benchmark's training state on the shared model `m`: its heads (random ones when it has
// none), random data, `variant` and `precision`.
Status MakeTrainState(const BenchModel& m, train::Variant variant, int64_t num_tasks,
                      model::Precision precision, train::TrainState* train_state) {
  train::TrainProblem problem;
  problem.config = m.config;
  problem.model = m.model;  // shares the tensors
  problem.heads = m.heads.empty() ? RandomHeads(m.config, num_tasks, kClasses, /*seed=*/1)
                                  : m.heads;
  problem.data =
      RandomTaskData(m.config, num_tasks, kExamples, ClassesOf(problem.heads), /*seed=*/2);
  problem.task_names = TaskNames(num_tasks);
  train::TrainOptions options;
  options.variant = variant;
  options.steps = 1000;
  options.batch_size = kBatch;
  options.precision = precision;
  return train::InitTrainState(problem, options, m.routers, train_state);
}

// What a step works on: the state, every task, and the gradient buffer and record it reuses.
struct Stepper {
  train::TrainState train_state;
  std::vector<int64_t> tasks;
  std::vector<float> buffer;
  train::StepRecord record;
};

// Seconds of the timed steps: sums, and the first and the last step's.
struct StepTimes {
  double total = 0;
  double grad = 0;
  double apply = 0;
  double first = 0;
  double last = 0;
};

// Times one step per benchmark iteration, each between two synchronisations. False when a step
// fails (reported with state.SkipWithError).
bool TimeSteps(benchmark::State& state, const torch::Device& device, Stepper* s,
               StepTimes* times) {
  for (auto _ : state) {
    Synchronize(device);
    const auto t0 = std::chrono::steady_clock::now();
    // ComputeTaskGradients ends copying to the CPU.
    Status st = train::ComputeTaskGradients(&s->train_state, s->tasks, &s->buffer);
    const double grad_s = SecondsSince(t0);
    if (st.ok()) st = train::ApplyStep(&s->train_state, s->buffer, &s->record);
    Synchronize(device);
    const double seconds = SecondsSince(t0);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      return false;
    }
    state.SetIterationTime(seconds);
    if (times->total == 0) times->first = seconds;
    times->last = seconds;
    times->total += seconds;
    times->grad += grad_s;
    times->apply += seconds - grad_s;
  }
  return true;
}

// The benchmark's counters, for steps of `flops` each.
void ReportSteps(const Limits& limits, double flops, const StepTimes& times,
                 benchmark::State& state) {
  const double n = static_cast<double>(state.iterations());
  const double gflops = flops * n / times.total / 1e9;
  ReportLimits(limits, state);
  state.counters["s_per_step"] = times.total / n;
  state.counters["first_step_s"] = times.first;
  state.counters["last_step_s"] = times.last;
  state.counters["grad_s"] = times.grad / n;
  state.counters["apply_s"] = times.apply / n;
  state.counters["GFLOP_per_step"] = flops / 1e9;
  state.counters["GFLOPs"] = gflops;
  state.counters["frac_of_gemm"] = gflops / limits.gemm_gflops;
}

void BM_TrainStep(benchmark::State& state, train::Variant variant, int64_t num_tasks,
                  model::Precision precision) {
  const torch::Device device = BenchDevice();
  std::shared_ptr<const BenchModel> m;
  Status st = SharedBenchModel(num_tasks, device, &m);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  Stepper s;
  st = MakeTrainState(*m, variant, num_tasks, precision, &s.train_state);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  s.tasks.resize(num_tasks);
  std::iota(s.tasks.begin(), s.tasks.end(), 0);
  if (device.is_cuda()) {  // warm-up step
    st = train::ComputeTaskGradients(&s.train_state, s.tasks, &s.buffer);
    if (st.ok()) st = train::ApplyStep(&s.train_state, s.buffer, &s.record);
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    Synchronize(device);
  }

  const Limits limits = MeasureLimits(precision == model::Precision::kBf16);
  StepTimes times;
  if (!TimeSteps(state, device, &s, &times)) return;
  ReportSteps(limits, TrainStepFlops(m->config, num_tasks, kBatch), times, state);
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

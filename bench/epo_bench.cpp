// BM_EpoStep/T:{2,8,20}: the EPO combination of one training step (pwemoe/train/epo.h:
// EpoCombine, i.e. the ray adjustments and GLPK's LP on T variables) at T = 2, 8 and 20, and the
// Gram matrix C = G G^T it needs, computed as train::ApplyStep does (double sums over a float
// T x (1 + P) buffer): whether EPO's per-step cost stays negligible against a training step at 20
// tasks.
//
// Inputs (kInputs per T, fixed seeds, cycled through): losses uniform in [0.2, 2.5]; rays from
// Dirichlet(1, ..., 1) (the training default); gradient rows g_i = s_i (0.6 c + 0.8 e_i) with
// c, e_i standard normal P-vectors (c shared by the tasks, so the Gram matrix has the positive
// off-diagonal of real task gradients, correlation about 0.36) and s_i = 10^U(-1, 1) (tasks whose
// gradients differ in scale). P is the router parameter count of the mini benchmark as
// experiments/mini20.toml routes it (the 4-layer model of pwemoe/mini/recipe.cpp, "mlp" and
// "self_attn" of every layer: 8 routers) with 2-hidden-layer routers (2T hidden units):
// 8 (4T^2 + 3T); mini20.toml's own 1-layer routers have 8 (T^2 + T). Every other input has
// losses on the ray instead (r_i loss_i equal up to 0.5%, mu < eps), so both EPO modes occur,
// about half the calls each (balance: random losses, mu > eps; descent: aligned losses).
//
// Counters: lp_us (mean seconds of EpoCombine, in microseconds; the Time column is the same),
// gram_ms (mean of the Gram matrix), params (P), buffer_KiB (the T x (1 + P) float32 gradient
// buffer of one step), depth1_buffer_KiB (the same with mini20.toml's 1-layer routers),
// vit_buffer_KiB (ViT-B/32's 12 routed MLPs, 2-hidden-layer routers), balance / descent /
// fallback (fractions of the calls).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "benchmarks.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/train/epo.h"

namespace pwemoe::bench {
namespace {

constexpr int kInputs = 32;
constexpr int64_t kMiniRouters = 8, kVitRouters = 12, kHiddenLayers = 2;

// The T x (1 + P) gradient buffer of one step, rows [loss_i, g_i] (header comment).
std::vector<float> RandomBuffer(int64_t t, int64_t p, std::mt19937_64* rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> shared(static_cast<size_t>(p));
  for (double& x : shared) x = normal(*rng);
  std::vector<float> buffer(static_cast<size_t>(t * (1 + p)));
  for (int64_t i = 0; i < t; ++i) {
    float* row = &buffer[static_cast<size_t>(i * (1 + p))];
    row[0] = static_cast<float>(0.2 + 2.3 * uniform(*rng));
    const double scale = std::pow(10.0, -1.0 + 2.0 * uniform(*rng));
    for (int64_t k = 0; k < p; ++k) {
      row[1 + k] = static_cast<float>(scale * (0.6 * shared[k] + 0.8 * normal(*rng)));
    }
  }
  return buffer;
}

std::vector<double> DirichletRay(int64_t t, std::mt19937_64* rng) {
  std::gamma_distribution<double> gamma(1.0, 1.0);
  std::vector<double> ray(static_cast<size_t>(t));
  double sum = 0;
  for (double& x : ray) sum += (x = gamma(*rng));
  for (double& x : ray) x /= sum;
  return ray;
}

void BM_EpoStep(benchmark::State& state, int64_t t) {
  const int64_t p = kMiniRouters * moe::RouterParamCount(kHiddenLayers, t);
  std::mt19937_64 rng(20261207 + static_cast<uint64_t>(t));
  std::vector<EpoInput> inputs(kInputs);
  double gram_seconds = 0;
  std::normal_distribution<double> normal(0.0, 1.0);
  for (size_t k = 0; k < inputs.size(); ++k) {
    EpoInput& in = inputs[k];
    const std::vector<float> buffer = RandomBuffer(t, p, &rng);
    const auto t0 = std::chrono::steady_clock::now();
    in.gram = GramOfGradients(buffer, t, 1 + p);
    gram_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    in.ray = DirichletRay(t, &rng);
    for (int64_t i = 0; i < t; ++i) {
      // Odd inputs: losses on the ray (r_i loss_i equal up to 0.5%), where EPO descends.
      const double aligned = (1 + 0.005 * normal(rng)) / (static_cast<double>(t) * in.ray[i]);
      in.losses.push_back(k % 2 == 1 ? aligned : buffer[static_cast<size_t>(i * (1 + p))]);
    }
  }
  double modes[3] = {0, 0, 0};  // balance, descent, fallback
  size_t next = 0;
  double lp_seconds = 0;
  EpoResult result;
  for (auto _ : state) {
    const EpoInput& in = inputs[next];
    next = (next + 1) % inputs.size();
    const auto t0 = std::chrono::steady_clock::now();
    const Status st = EpoCombine(in, &result);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    lp_seconds += s;
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
    modes[static_cast<int>(result.mode)] += 1;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["lp_us"] = 1e6 * lp_seconds / n;
  state.counters["gram_ms"] = 1e3 * gram_seconds / kInputs;
  state.counters["params"] = static_cast<double>(p);
  state.counters["buffer_KiB"] = static_cast<double>(t * (1 + p)) * 4 / 1024;
  state.counters["depth1_buffer_KiB"] =
      static_cast<double>(t * (1 + kMiniRouters * moe::RouterParamCount(1, t))) * 4 / 1024;
  state.counters["vit_buffer_KiB"] =
      static_cast<double>(t * (1 + kVitRouters * moe::RouterParamCount(kHiddenLayers, t))) * 4 /
      1024;
  state.counters["balance"] = modes[static_cast<int>(EpoMode::kBalance)] / n;
  state.counters["descent"] = modes[static_cast<int>(EpoMode::kDescent)] / n;
  state.counters["fallback"] = modes[static_cast<int>(EpoMode::kFallback)] / n;
}

}  // namespace

void RegisterEpoBenchmarks() {
  for (int64_t t : {2, 8, 20}) {
    const std::string name = "BM_EpoStep/T:" + std::to_string(t);
    benchmark::RegisterBenchmark(name.c_str(), BM_EpoStep, t)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace pwemoe::bench
